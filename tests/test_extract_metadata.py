"""Headline, date, source, author, editors and the other metadata fields."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from pipelines.extract import extract
from pipelines.extract.dates import CST, in_range, parse_date, url_date
from pipelines.extract.metadata import strip_site_suffix

FIX = Path(__file__).parent / "fixtures" / "extract"
BODY = "<p>　　会议强调，要对标国内一流水平，持续深化“放管服”改革，提升政务服务效能，打造一流营商环境。</p>" * 3


def fixture(name: str, url: str = "") -> object:
    return extract((FIX / name).read_bytes(), url)


def test_hanweb_metas() -> None:
    ex = fixture("hanweb_article.html", "http://www.shandong.gov.cn/art/2026/1/21/art_94237_1.html")
    assert ex.title == "山东召开城市高质量发展政策例行吹风会"
    assert ex.published == "2026-01-21T10:30:00+08:00"
    assert ex.published_raw == "2026-01-21 10:30"
    assert ex.source == "山东省人民政府新闻办公室"
    assert ex.site_name == "山东省人民政府"
    assert ex.column_meta == "山东要闻"
    assert ex.keywords == "城市更新,城中村治理"
    assert ex.description.startswith("省政府新闻办举行政策例行吹风会")
    assert ex.editors == ["陶云江", "窦永浩", "王逸群"]
    assert ex.flags == []


def test_trs_page_without_metas_uses_headline_and_info_line() -> None:
    ex = fixture("trs_article.html", "http://www.qingdao.gov.cn/ywdt/zwyw/202209/t20220923_6431234.shtml")
    assert ex.title == "青岛举行“走在前 开新局”主题系列新闻发布会第四场"  # not the <title> with -青岛政务网
    assert ex.published == "2022-09-23T15:20:00+08:00"
    assert ex.published_raw == "2022年9月23日 15:20"
    assert ex.source == "青岛市政府新闻办"
    assert ex.author == "薄克国"
    assert ex.editors == ["刘洋"]  # credit right after the container
    assert ex.site_name == "青岛政务网"


def test_founder_and_density_pages_metadata() -> None:
    ex = fixture("founder_page.html")
    assert ex.title == "省政府召开全省安全生产电视会议"
    assert ex.published == "2024-05-13T14:43:00+08:00"
    assert ex.source == "大众日报"
    assert ex.author == ""  # the Author meta names the site, not a person
    ex = fixture("density_page.html")
    assert ex.title == "威海市推进海洋牧场建设 打造“海上粮仓”"
    assert ex.published == "2026-08-07T09:15:00+08:00"
    assert ex.source == "威海日报"
    assert ex.author == "张海燕"


@pytest.mark.parametrize("text, iso", [
    ("2026年1月21日 10:30", "2026-01-21T10:30:00+08:00"),
    ("发布时间：2026-01-21 10:30:00", "2026-01-21T10:30:00+08:00"),
    ("2026/01/21", "2026-01-21"),
    ("2022.01.20 16:31 来源：河南日报客户端", "2022-01-20T16:31:00+08:00"),
    ("2020-02-29T18:34:31+08:00", "2020-02-29T18:34:31+08:00"),
    ("2020-02-29T10:34:31Z", "2020-02-29T18:34:31+08:00"),
    ("2007-08-20-23:59:59", "2007-08-20"),
    ("日期：2019年06月15日08:18", "2019-06-15T08:18:00+08:00"),
    ("发布时间：2026-1-5 9:05", "2026-01-05T09:05:00+08:00"),  # unpadded digits
    ("2026.1.5", "2026-01-05"),
])
def test_date_formats(text: str, iso: str) -> None:
    hit = parse_date(text)
    assert hit is not None and hit.iso == iso


def test_invalid_dates_are_skipped() -> None:
    assert parse_date("2026-13-45") is None
    assert parse_date("电话：0531-86061234") is None
    assert parse_date("第2026-02-30号 与 2026-03-01").iso == "2026-03-01"


@pytest.mark.parametrize("url, day", [
    ("http://www.qingdao.gov.cn/ywdt/zwyw/202209/t20220923_6431234.shtml", "2022-09-23"),
    ("http://www.shandong.gov.cn/art/2026/1/21/art_94237_1.html", "2026-01-21"),
    ("http://www.kepu.gov.cn/politics/2023-12/01/content_1755244.html", "2023-12-01"),
    ("http://www.he.news.cn/20240515/d59c39d4/c.html", "2024-05-15"),
])
def test_url_dates(url: str, day: str) -> None:
    assert url_date(url).iso == day


def test_url_date_is_the_last_resort() -> None:
    html = f"<html><head><title>某市召开会议</title></head><body><h1>某市召开会议</h1><div>{BODY}</div></body></html>"
    ex = extract(html, "http://www.jinan.gov.cn/art/2025/3/18/art_1_2.html")
    assert ex.published == "2025-03-18" and "no_date" not in ex.flags
    ex = extract(html, "http://www.jinan.gov.cn/a.html")
    assert ex.published is None and "no_date" in ex.flags


def test_meta_date_without_time_takes_the_time_from_the_info_line() -> None:
    html = ('<html><head><meta name="publishdate" content="2024-05-09"><title>李强在新疆调研-新华网</title></head>'
            f'<body><h1>李强在新疆调研</h1><div class="info">2024-05-09 22:27:02 来源：新华网</div>'
            f'<div>{BODY}</div></body></html>')
    ex = extract(html)
    assert ex.published == "2024-05-09T22:27:02+08:00" and ex.source == "新华网"


def test_out_of_range_dates_are_flagged_and_kept_raw() -> None:
    future = ('<html><head><meta name="PubDate" content="2099-01-01 08:00"><title>某县通知</title></head>'
              f'<body><h1>某县通知</h1><div>{BODY}</div></body></html>')
    ex = extract(future)
    assert ex.published is None and ex.published_raw == "2099-01-01 08:00"
    assert "date_out_of_range" in ex.flags
    old = future.replace("2099-01-01 08:00", "1985-06-01")
    ex = extract(old)
    assert ex.published is None and "date_out_of_range" in ex.flags
    assert not in_range(parse_date("1989-12-31")) and in_range(parse_date("1990-01-01"))
    assert in_range(parse_date("2026-01-21"), now=datetime(2026, 1, 20, 9, tzinfo=CST))
    assert not in_range(parse_date("2026-01-23"), now=datetime(2026, 1, 20, 9, tzinfo=CST))


@pytest.mark.parametrize("title, site, expected", [
    ("载人航天工程全线备战空间站建造任务_中国载人航天官方网站", "", "载人航天工程全线备战空间站建造任务"),
    ("山西品牌丝路行（南美站）正式启动 - 山西省人民政府门户网站", "", "山西品牌丝路行（南美站）正式启动"),
    ("2024年4月全国CPI同比上涨0.3% 食品价格下降2.7%_数据_宏观频道首页_财经网 - CAIJING.COM.CN", "",
     "2024年4月全国CPI同比上涨0.3% 食品价格下降2.7%"),
    ("1-10月德清县固定资产投资结构趋稳趋优", "", "1-10月德清县固定资产投资结构趋稳趋优"),
    ("土豆不“土” 土豆无“土” 松花江网", "松花江网", "土豆不“土” 土豆无“土”"),
    # a hyphen between digits belongs to the headline
    ("关于2025-2026学年第二学期校历安排的通知_某区教育局", "", "关于2025-2026学年第二学期校历安排的通知"),
    ("2026-2030年养老服务体系建设规划 - 某市民政局", "", "2026-2030年养老服务体系建设规划"),
])
def test_strip_site_suffix(title: str, site: str, expected: str) -> None:
    assert strip_site_suffix(title, site) == expected


def test_headline_heading_beats_title_split_on_pipes() -> None:
    html = ("<html><head><title>图说洛阳| 洛阳职业技术学院：剪“廉洁窗花” 过廉洁之年 河南日报网-河南日报官方网站</title>"
            "</head><body><h3>数字报</h3><h1 class=\"content-title\">图说洛阳| 洛阳职业技术学院：剪“廉洁窗花” 过廉洁之年</h1>"
            f"<div>{BODY}</div></body></html>")
    assert extract(html).title == "图说洛阳| 洛阳职业技术学院：剪“廉洁窗花” 过廉洁之年"


def test_site_logo_h1_is_not_the_headline() -> None:
    html = ("<html><head><title>土豆不“土” 土豆无“土” 松花江网</title></head><body><h1>松花江网</h1>"
            f"<h2>土豆不“土” 土豆无“土”</h2><div>{BODY}</div></body></html>")
    assert extract(html).title == "土豆不“土” 土豆无“土”"


def test_empty_input_is_flagged_not_raised() -> None:
    for raw in (b"", b"   ", "<html></html>"):
        ex = extract(raw)
        assert ex.body == "" and "no_text" in ex.flags and "no_title" in ex.flags


def test_publication_date_label_beats_document_date() -> None:
    html = ("<html><head><title>关于进一步促进消费的若干措施_某市人民政府</title></head><body>"
            "<h1>关于进一步促进消费的若干措施</h1><table><tr><td>成文日期：2026-02-27</td>"
            "<td>发布日期：2026-03-02</td></tr></table>"
            f"<div>{BODY}</div></body></html>")
    ex = extract(html)
    assert ex.published == "2026-03-02"


@pytest.mark.parametrize("info, source", [
    ("来源：求是网参与互动", "求是网"),          # a comment link glued to the source
    ("来源：大众日报 我要评论", "大众日报"),
    ("来源：人民日报评论", "人民日报评论"),      # 评论 inside a name stays
])
def test_source_without_widget_links(info: str, source: str) -> None:
    html = (f"<html><head><title>某市召开会议</title></head><body><h1>某市召开会议</h1><div>{info}</div>"
            f"<div>{BODY}</div></body></html>")
    assert extract(html).source == source


def test_a_reporter_question_is_not_a_byline() -> None:
    html = ("<html><head><title>某市新闻发布会</title></head><body><h1>某市新闻发布会</h1><div>"
            "<p>记者：请问，2026年全市就业形势如何？</p><p>答：今年以来，全市城镇新增就业5.2万人，就业形势总体稳定。</p>"
            f"{BODY}</div></body></html>")
    assert extract(html).author == ""
    html = html.replace("<p>记者：请问，2026年全市就业形势如何？</p>", "<p>记者：张三 李四</p>")
    assert extract(html).author == "张三 李四"


def test_headline_split_by_br_is_found_for_the_date_window() -> None:
    html = ("<html><head><title>某市人民政府办公室关于印发某某办法的通知_某市人民政府</title></head><body>"
            "<h2>某市人民政府办公室<br>关于印发某某办法的通知</h2><div>发布日期：2026-03-06</div>"
            f"<div>{BODY}<p>2026年3月2日</p></div></body></html>")
    ex = extract(html)
    assert ex.title == "某市人民政府办公室关于印发某某办法的通知" and ex.published == "2026-03-06"
