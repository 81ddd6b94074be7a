"""Container cascade and body text on pages built for the tests (tests/fixtures/extract)."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.siteconfig import ArticleSelectors
from pipelines.extract import Extraction, extract

FIX = Path(__file__).parent / "fixtures" / "extract"
DOWNFILE = ("https://fgw.shandong.gov.cn/module/download/downfile.jsp?classid=0&filename=9f8e7d.docx"
            "&showname=%E5%A1%AB%E6%8A%A5%E8%AF%B4%E6%98%8E.docx")
BOILERPLATE = ("主办单位", "承办", "网站标识码", "ICP备", "公网安备", "打印本页", "关闭窗口", "责任编辑", "初审编辑",
               "版权所有", "技术支持", "分享到", "当前位置", "所在的位置", "扫一扫", "字号", "相关新闻", "相关稿件",
               "相关阅读", "热点新闻", "浏览次数", "编辑：", "Copyright", "All rights")


def run(name: str, url: str = "http://www.example.gov.cn/art/2026/1/21/art_1_2.html", **kw) -> Extraction:
    return extract((FIX / name).read_bytes(), url, **kw)


def assert_clean(ex: Extraction) -> None:
    leaked = [b for b in BOILERPLATE if b in ex.body]
    assert not leaked, f"boilerplate in body: {leaked}"


def test_hanweb_wip_art_con() -> None:
    ex = run("hanweb_article.html")
    assert ex.extraction_method == "cms:wip_art_con"
    lines = ex.body.split("\n")
    assert lines[0].startswith("2026年1月21日上午，山东省人民政府新闻办公室举行省政府政策例行吹风会")
    assert "山东广播电视台记者：" in lines  # Q&A speaker labels are article text
    assert "吹风会现场。" in lines  # photo caption
    assert lines[-1] == "（山东省人民政府新闻办公室）"  # closing attribution kept
    assert "附件：实施意见.pdf" in lines
    assert_clean(ex)
    assert ex.attachments == [{
        "url": "http://www.example.gov.cn/module/download/downfile.jsp?classid=0&filename=5f2a9c.pdf"
               "&showname=%E5%AE%9E%E6%96%BD%E6%84%8F%E8%A7%81.pdf",
        "name": "实施意见.pdf"}]
    assert ex.images == [{"url": "http://www.example.gov.cn/picture/0/2601211030.jpg", "caption": "吹风会现场"}]


def test_trs_editor_with_style_and_icp_footer() -> None:
    ex = run("trs_article.html")
    assert ex.extraction_method == "cms:TRS_Editor"
    assert ".TRS_Editor" not in ex.body and "font-family" not in ex.body
    assert "青岛构建新发展格局(五个青岛建设愿景解读)(1)" in ex.body  # in-article section heading
    assert ex.body.endswith("（大众日报客户端记者 薄克国 报道）")
    assert_clean(ex)


def test_density_fallback_without_known_container() -> None:
    ex = run("density_page.html")
    assert ex.extraction_method == "density"
    assert ex.body.split("\n") == [
        "8月6日，记者从威海市海洋发展局获悉，今年以来，威海市加快推进国家级海洋牧场示范区建设，全市海洋牧场总面积已达到4.5万公顷。",
        "威海市坚持生态优先、养殖与增殖并举，在荣成、文登、乳山等近海海域投放人工鱼礁，开展增殖放流，海洋生物资源得到有效恢复。",
        "“过去这里是一片荒滩，现在鱼、虾、海参都回来了。”荣成市一家海洋牧场负责人说，今年上半年企业产值同比增长18%。",
        "下一步，威海市将加快海洋牧场与海上风电、休闲渔业融合发展，推动海洋经济高质量发展。",
        "（威海日报记者 张海燕）",
    ]
    assert "温馨提示" not in ex.body and "未经授权" not in ex.body


def test_founder_enpcontent_with_headline_deck() -> None:
    ex = run("founder_page.html")
    assert ex.extraction_method == "cms:enpcontent"
    assert ex.body.startswith("5月12日，省政府召开全省安全生产电视会议")  # deck 强调/subtitles dropped
    assert "坚决守牢安全底线" not in ex.body
    assert_clean(ex)


def test_gbk_page_body() -> None:
    ex = run("gbk_declared_gb2312.html")
    assert ex.extraction_method == "cms:zoom"
    assert "时任国务院总理朱镕基同志到德州调研" in ex.body
    assert_clean(ex)


def test_image_only_article_is_flagged() -> None:
    ex = run("image_only.html", "http://www.dongying.gov.cn/art/2025/10/28/art_38804_1.html")
    assert ex.body == "" and "no_text" in ex.flags
    assert [i["url"] for i in ex.images] == [
        "http://www.dongying.gov.cn/art/2025/picture/0/251028-1.jpg",
        "http://www.dongying.gov.cn/art/2025/picture/0/251028-2.jpg",
    ]
    assert ex.title == "图片新闻：黄河入海口湿地迎来候鸟迁徙高峰" and ex.published == "2025-10-28T08:00:00+08:00"


def test_attachment_only_article_is_flagged() -> None:
    ex = run("attachment_only.html", "https://fgw.shandong.gov.cn/art/2025/2/14/art_1_2.html")
    assert "no_text" in ex.flags
    assert [(a["url"], a["name"]) for a in ex.attachments] == [
        ("https://fgw.shandong.gov.cn/attach/0/a1b2c3.pdf", "1.2025年度省级重点项目名单.pdf"),
        ("https://fgw.shandong.gov.cn/attach/0/d4e5f6.xlsx", "2.项目汇总表.xlsx"),
        (DOWNFILE, "填报说明.docx"),
    ]


def test_information_disclosure_table_dropped_signature_kept() -> None:
    ex = run("xxgk_policy.html")
    lines = ex.body.split("\n")
    assert not any(k in ex.body for k in ("索引号", "发文字号", "成文日期", "主题分类", "11371100004301234X"))
    assert lines[0] == "各区县人民政府，市政府各部门、各直属机构："  # headline deck split over two lines dropped
    assert lines[-3:] == ["日照市人民政府办公室", "2026年2月27日", "（此件公开发布）"]


def test_site_selectors_win_and_prune() -> None:
    sel = ArticleSelectors(title="div.wip_art_title h1", body="div.wip_art_con", published="div.wip_art_info",
                           source="", prune=("p[style]",))
    ex = run("hanweb_article.html", selectors=sel)
    assert ex.extraction_method == "selector"
    assert "吹风会现场。" not in ex.body  # pruned by the site's own rule
    assert ex.body.startswith("2026年1月21日上午")
    # a selector pointing elsewhere really is used: the body becomes the related-news box
    ex = run("hanweb_article.html", selectors=ArticleSelectors(body="div.footer", title="div.dqwz"))
    assert ex.extraction_method == "selector" and ex.title.startswith("当前位置")
    # a selector that matches nothing falls back to the cascade
    ex = run("hanweb_article.html", selectors=ArticleSelectors(body="#no-such-node"))
    assert ex.extraction_method == "cms:wip_art_con"


def test_several_selector_matches_are_joined() -> None:
    html = ("<html><head><title>t</title></head><body><h1>某区召开会议</h1>"
            "<div class='p1'><p>第一段，会议听取了工作汇报。</p></div><div class='ad'>广告</div>"
            "<div class='p2'><p>第二段，会议研究部署了下一步工作。</p></div></body></html>")
    ex = extract(html, selectors=ArticleSelectors(body="div.p1, div.p2"))
    assert ex.body == "第一段，会议听取了工作汇报。\n第二段，会议研究部署了下一步工作。"


@pytest.mark.parametrize("name", sorted(p.name for p in FIX.glob("*.html")))
def test_no_fixture_leaks(name: str) -> None:
    assert_clean(run(name))


def test_small_cms_container_is_ignored_in_favour_of_density() -> None:
    body = "<p>　　会议强调，要对标国内一流水平，持续深化改革，提升政务服务效能，打造一流营商环境。</p>" * 4
    html = f"<html><body><div id='zoom'>字号</div><div class='text'>{body}</div></body></html>"
    ex = extract(html)
    assert ex.extraction_method == "density" and ex.body.count("会议强调") == 4


def test_hanweb_comment_marker_without_container_class() -> None:
    para = "<p>　　全省各级各部门要坚决扛牢安全生产政治责任，压紧压实各方责任，确保安全形势稳定。</p>"
    html = ("<html><body><div class='nav'><a href='/'>首页</a></div><div class='bt'>某市安全生产会议</div>"
            f"<div class='c1'><!--<$[信息内容]>begin-->{para * 2}<!--<$[信息内容]>end--></div>"
            "<div class='c2'><p>来源：某市应急管理局　发布日期：2026-05-01</p></div></body></html>")
    ex = extract(html)
    assert ex.extraction_method == "cms:hanweb-marker"
    assert ex.body == ("全省各级各部门要坚决扛牢安全生产政治责任，压紧压实各方责任，确保安全形势稳定。\n" * 2).strip()


def test_related_heading_high_up_does_not_cut_the_article() -> None:
    para = "<p>　　会议强调，要对标国内一流水平，持续深化改革，提升政务服务效能，打造一流营商环境。</p>"
    html = f"<html><body><div id='zoom'><p>{para}</p><p>相关新闻</p>{para * 4}</div></body></html>"
    ex = extract(html)
    assert ex.body.count("会议强调") == 5 and "相关新闻" not in ex.body


def test_hostile_input_does_not_raise() -> None:
    nested = "<div>" * 3000 + "<p>深层嵌套的页面，仍然可以提取正文内容。</p>" + "</div>" * 3000
    for raw in (b"\x00\x01\x02\xff\xfe", b"<p>just text", "<html><body><script>x</script></body></html>",
                nested, b"<?xml version='1.0' encoding='gb2312'?><html><body><p>\xd6\xd0\xce\xc4</p></body></html>"):
        ex = extract(raw)
        assert isinstance(ex, Extraction)


@pytest.mark.parametrize("attrs, named", [
    ("article-con", True), ("pages_content", True), ("xxgk_content", True), ("left_zw", True),
    ("end-text endText", True), ("newscontent", True), ("box_con", True), ("detail", True),
    ("container", False), ("icon", False), ("main", False), ("leftnav", False), ("contact", False), ("zoom", False),
])
def test_article_like_class_names_are_matched_by_word(attrs: str, named: bool) -> None:
    from pipelines.extract.density import is_article_name
    assert is_article_name(attrs) is named


def test_a_css_utility_class_relative_is_not_a_related_box() -> None:
    para = "<p>　　会议强调，要对标国内一流水平，持续深化改革，提升政务服务效能，打造一流营商环境。</p>"
    html = (f"<html><body><div id='zoom'><div class='relative'>{para * 2}</div>{para * 3}"
            "<div class='related'><a href='/a.html'>某市召开会议</a></div></div></body></html>")
    ex = extract(html)
    assert ex.body.count("会议强调") == 5 and "某市召开会议" not in ex.body


def _page(box: str) -> bytes:
    nav = "<div class='nav'><a href='/'>首页</a><a href='/a/'>政务公开</a><a href='/b/'>互动交流</a></div>"
    foot = "<div class='footer'><p>主办单位：某市人民政府办公室</p></div>"
    return f"<html><head><title>通知</title></head><body>{nav}<div class='main-box'>{box}</div>{foot}</body></html>".encode()


def test_a_short_notice_is_its_box_not_its_longest_paragraph() -> None:
    ex = extract(_page("<p>各区县人民政府，市直有关部门：</p><p>现将2026年度项目申报有关事项通知如下，请认真组织申报。</p>"
                       "<p>附件1：<a href='/attach/1.pdf'>项目计划.pdf</a></p>"), "http://www.x.gov.cn/t1.html")
    assert ex.body.split("\n")[0] == "各区县人民政府，市直有关部门："
    assert [a["name"] for a in ex.attachments] == ["项目计划.pdf"]


def test_an_attachment_only_notice_is_found_by_where_its_files_are_linked() -> None:
    ex = extract(_page("<p>附件：<a href='/attach/2.ofd'>第三批名单.ofd</a></p>"), "http://www.x.gov.cn/t2.html")
    assert ex.extraction_method == "attachments"
    assert [a["name"] for a in ex.attachments] == ["第三批名单.ofd"]
