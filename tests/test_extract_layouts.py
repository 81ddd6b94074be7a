"""Generalisation checks on layouts none of the corpus pages has (tests/fixtures/extract/gen_*.html).

Each fixture is a page written for these tests (not a copy of a corpus page) that
puts one thing the corpus does not show in front of the extractor: container class
names no rule names, an article split around a share bar, credits glued to the last
sentence, a related-news list right after the text, a ``站名-栏目-标题`` <title>,
a logo ``h1`` … The URL carries no date, so dates come from the page.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.extract import Extraction, extract

FIX = Path(__file__).parent / "fixtures" / "extract"
URL = "http://www.example.gov.cn/news/12345.html"
BOILERPLATE = ("主办", "承办", "网站标识码", "ICP备", "公网安备", "打印", "关闭窗口", "编辑", "审核", "版权所有",
               "技术支持", "分享到", "分享：", "当前位置", "扫一扫", "字号", "字体", "相关", "热点新闻", "浏览", "阅读次数", "点击",
               "Copyright", "领导信箱", "来源：", "发布时间", "发布日期", "首页")


def run(name: str) -> Extraction:
    return extract((FIX / name).read_bytes(), URL)


def lines(ex: Extraction) -> list[str]:
    return ex.body.split("\n") if ex.body else []


def assert_clean(ex: Extraction, allowed: tuple[str, ...] = ()) -> None:
    leaked = [b for b in BOILERPLATE if b in ex.body and b not in allowed]
    assert not leaked, f"boilerplate in body: {leaked}"


@pytest.mark.parametrize("name", sorted(p.name for p in FIX.glob("gen_*.html")))
def test_every_layout_has_headline_date_and_clean_text(name: str) -> None:
    ex = run(name)
    assert ex.title and ex.published and ex.body, name
    assert not ex.flags, (name, ex.flags)
    assert lines(ex)[0] != ex.title, "headline repeated at the top of the body"
    allowed = ("举报",) if name == "gen_zoom_upper.html" else ()  # 举报电话：110 is part of that notice
    assert_clean(ex, allowed)


def test_gov_policy_page_in_pages_content_keeps_the_addressee_line() -> None:
    # the 称谓 line right under the headline is not a subtitle (it ends in a colon)
    ex = run("gen_pages_content.html")
    assert ex.title == "交通运输部办公厅关于做好2026年农村公路养护工作的通知"
    assert ex.published == "2026-01-05T16:20:00+08:00" and ex.source == "交通运输部网站"
    assert lines(ex)[0] == "各省、自治区、直辖市、新疆生产建设兵团交通运输厅（局、委）："
    assert lines(ex)[-3:] == ["交通运输部办公厅", "2025年12月30日", "（此件公开发布）"]
    assert "一、压实养护管理责任" in lines(ex) and len(lines(ex)) == 11


def test_article_split_around_a_share_bar_is_joined() -> None:
    ex = run("gen_article_con_split.html")
    assert [ln[:4] for ln in lines(ex)] == ["4月7日", "会议指出", "会议强调", "会议要求", "市政府有"]
    assert ex.published == "2026-04-08T09:05:00+08:00"  # 发布时间：2026-4-8 9:05
    assert ex.source == "市发展改革委"


def test_trs_body_split_over_two_containers_is_joined() -> None:
    ex = run("gen_trs_split.html")
    assert ex.extraction_method == "cms:TRS_Editor"
    assert len(lines(ex)) == 4 and lines(ex)[-1].startswith("下一步，将持续做好收购资金保障")
    assert "局领导" not in ex.body  # a TRS box in the sidebar is not part of the article
    assert ex.editors == ["周敏"]


def test_upper_case_zoom_in_a_table_layout_gbk() -> None:
    ex = run("gen_zoom_upper.html")
    assert ex.extraction_method == "cms:zoom" and ex.encoding == "gb18030"
    assert lines(ex)[-3:] == ["某某县公安局", "2026年1月20日", "附件：禁止燃放区域示意图.pdf"]
    assert ex.attachments == [{"url": "http://www.example.gov.cn/attach/0/tonggao.pdf", "name": "禁止燃放区域示意图.pdf"}]
    assert ex.source == "县公安局" and ex.published == "2026-01-20T10:00:00+08:00"


def test_xxgk_content_table_dropped_date_from_its_label_cell() -> None:
    ex = run("gen_xxgk_content.html")
    # headline split over two lines by <br>; 发布日期 in a label cell above it, the value in the next cell
    assert ex.title == "某某市人民政府办公室关于印发某某市促进养老服务高质量发展若干措施的通知"
    assert ex.published == "2026-03-06"
    assert not any(k in ex.body for k in ("索引号", "主题分类", "113700001234567X", "信息公开目录", "政策文件"))
    assert lines(ex)[:2] == ["某政办发〔2026〕5号", "各区县人民政府，市政府各部门、各直属机构："]
    assert lines(ex)[-1] == "附件：某某市养老服务补贴标准.docx"


def test_editor_credits_glued_to_the_last_sentence() -> None:
    ex = run("gen_editor_span.html")
    assert lines(ex)[2].endswith("确保栽一棵、活一棵、成林一片。")
    assert lines(ex)[3].endswith("共栽植侧柏、黄栌等苗木1.5万余株。")
    assert ex.editors == ["王晓燕", "赵强", "孙立"]
    assert ex.author == "李明" and ex.source == "某某日报"


def test_source_only_in_the_last_line_of_the_body() -> None:
    ex = run("gen_source_last_line.html")
    assert ex.source == "某某区应急管理局"
    assert lines(ex)[-1] == "截至目前，共检查企业86家，发现并督促整改隐患213处。"
    assert ex.published == "2026-05-06"


def test_press_conference_transcript_keeps_every_speaker_label() -> None:
    ex = run("gen_press_qa.html")
    body = lines(ex)
    assert body[0] == "主持人："  # not taken for a subtitle under the headline
    for label in ("张伟：", "大众日报记者："):
        assert label in body
    assert "记者：请问，一季度全省消费市场恢复情况怎么样？" in body
    assert any(ln.startswith("答：一季度，全省社会消费品零售总额") for ln in body)
    assert body[-1] == "今天的新闻发布会到此结束，谢谢大家！"
    assert ex.author == ""  # the questions are not bylines
    assert ex.editors == ["刘洋"]


def test_long_related_list_inside_the_article_box_does_not_outweigh_the_article() -> None:
    ex = run("gen_related_after.html")
    assert len(lines(ex)) == 4
    assert lines(ex)[0].startswith("日前，省政府办公厅印发") and lines(ex)[-1].startswith("下一步，省发展改革委")
    assert "2026-06-15" not in ex.body and "民营企业座谈会" not in ex.body


def test_linked_titles_with_dates_after_the_article_are_link_lines() -> None:
    ex = run("gen_link_dates.html")
    assert lines(ex)[-1] == "县直有关部门和各乡镇主要负责同志参加会议。" and len(lines(ex)) == 3


def test_publish_label_below_a_long_article_beats_a_date_in_its_text() -> None:
    ex = run("gen_info_bottom.html")
    assert ex.published == "2026-01-08T09:00:00+08:00"  # not 2025-12-28 quoted in the first sentence
    assert len(lines(ex)) == 28 and lines(ex)[-1] == "某某市住房和城乡建设局"


@pytest.mark.parametrize("name, title", [
    ("gen_title_last.html", "市政府召开常务会议"),                        # 站名-栏目-标题
    ("gen_title_last_noh.html", "关于2025-2026学年第二学期校历安排的通知"),  # … and no heading tag, digits with a hyphen
    ("gen_two_h1.html", "市政府召开常务会议"),                           # logo h1 longer than the headline
    ("gen_title_sitename.html", "市市场监管局开展夏季食品安全专项检查"),      # <title> is the site name
    ("gen_title_column_site.html", "市科协举办2026年全国科技工作者日主题活动"),  # <title> is 栏目--站名, headline in h5
])
def test_headline_whatever_the_title_tag_says(name: str, title: str) -> None:
    ex = run(name)
    assert ex.title == title
    assert title not in lines(ex)  # the headline line is not left in the body


def test_short_article_beside_a_long_sidebar_text() -> None:
    ex = run("gen_short_article.html")
    assert lines(ex) == ["演练现场", "6月19日，某某镇组织开展防汛应急演练，镇村干部和应急队员共80余人参加。"]
    assert [i["url"] for i in ex.images] == ["http://www.example.gov.cn/upload/2026/06/20/yanlian.jpg"]
