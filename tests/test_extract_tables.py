"""Tables inside articles come out as rows and cells (pipelines/extract/tables.py)."""

from __future__ import annotations

from pipelines.extract import dom, extract
from pipelines.extract.tables import read_table

INTRO = "为方便群众办事，现将全市各区县政务服务中心地址和咨询电话公布如下，欢迎广大群众监督。"
OUTRO = "以上信息如有变动，以各区县政务服务中心最新公告为准，请办事群众提前电话咨询。"
TABLE = (
    "<table border='1'><caption>各区县政务服务中心一览</caption>"
    "<tr><th>序号</th><th>单位</th><th>地址</th><th>联系电话</th></tr>"
    "<tr><td>1</td><td>东城区政务服务中心</td><td>东城区建设路12号</td><td>联系电话：0531-12345678</td></tr>"
    "<tr><td>2</td><td rowspan='2'>西城区政务服务中心</td><td>西城区和平路8号</td><td>0531-23456789</td></tr>"
    "<tr><td>3</td><td>西城区分中心（南区）</td><td>0531-34567890</td></tr>"
    "<tr><td colspan='3'>合计</td><td>3处</td></tr>"
    "</table>"
)


def page(inner: str) -> bytes:
    return (
        "<html><head><meta charset='utf-8'><title>全市政务服务中心地址及电话_某市人民政府</title></head><body>"
        "<h1>全市政务服务中心地址及电话</h1><div class='info'>发布时间：2026-04-08 来源：某市政务服务管理局</div>"
        f"<div class='TRS_Editor'><p>{INTRO}</p>{inner}<p>{OUTRO}</p></div>"
        "<div class='foot'>网站标识码：1234000000</div></body></html>"
    ).encode()


def test_a_table_is_rows_of_tab_separated_cells_in_the_body() -> None:
    ex = extract(page(TABLE), "http://www.example.gov.cn/xw/1.html")
    assert ex.body.split("\n") == [
        INTRO,
        "各区县政务服务中心一览",
        "序号\t单位\t地址\t联系电话",
        "1\t东城区政务服务中心\t东城区建设路12号\t联系电话：0531-12345678",  # a footer-like cell is data
        "2\t西城区政务服务中心\t西城区和平路8号\t0531-23456789",
        "3\t\t西城区分中心（南区）\t0531-34567890",
        "合计\t\t\t3处",
        OUTRO,
    ]


def test_tables_are_kept_as_structured_rows() -> None:
    ex = extract(page(TABLE), "http://www.example.gov.cn/xw/1.html")
    assert len(ex.tables) == 1
    t = ex.tables[0]
    assert t["caption"] == "各区县政务服务中心一览"
    assert t["rows"][0] == ["序号", "单位", "地址", "联系电话"]
    assert t["rows"][3] == ["3", "", "西城区分中心（南区）", "0531-34567890"]
    assert all(len(r) == 4 for r in t["rows"])


def test_a_layout_table_around_the_article_is_not_a_data_table() -> None:
    long_cell = "<p>" + INTRO * 8 + "</p>"
    raw = page(f"<table><tr><td>{long_cell}</td><td>{OUTRO}</td></tr><tr><td>附</td><td>注</td></tr></table>")
    ex = extract(raw, "http://www.example.gov.cn/xw/1.html")
    assert ex.tables == []
    assert INTRO * 8 in ex.body.split("\n")


def test_a_one_row_table_stays_lines() -> None:
    ex = extract(page(f"<table><tr><td>{OUTRO}</td><td>东城区</td></tr></table>"), "http://www.example.gov.cn/xw/1.html")
    assert ex.tables == []


def test_nested_and_hostile_spans() -> None:
    root = dom.parse("<table><tr><td colspan='99999'>甲</td><td rowspan='x'>乙</td></tr>"
                     "<tr><td>丙</td><td>丁</td></tr></table>")
    grid = read_table(root.find(".//table"))
    assert grid[0][0] == "甲" and "乙" in grid[0]
    assert len({len(r) for r in grid}) == 1
