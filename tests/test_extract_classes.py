"""Failure classes of issue #16, each on small pages written for these tests.

Every page here is made up (no text copied from a real site); each puts one
class of failure seen on several real portals in front of the extractor:
markup inside a CMS headline meta, a download bar at the end of a wide
wrapper, a kicker (引题) above the repeated headline deck, a transcript that
starts with a date-only line, QR-code captions and picture credits after the
text, and a ``PubDate`` meta that disagrees with the date the page shows.
"""

from __future__ import annotations

import pytest

from pipelines.extract import extract

PARAS = [
    "4月8日上午，市政府召开全市安全生产工作会议，总结一季度工作，部署下一阶段重点任务。",
    "会议指出，今年以来全市安全生产形势总体平稳，但风险隐患仍然存在，各级各部门要保持清醒头脑。",
    "会议要求，要压紧压实安全生产责任，深入开展隐患排查整治，确保全市安全生产形势持续稳定。",
]
TITLE = "某市召开全市安全生产工作会议"


def page(content: str, *, head: str = "", above: str = "", title: str = TITLE, after: str = "") -> bytes:
    return (
        f"<html><head><meta charset='utf-8'><title>{title}_某市人民政府</title>{head}</head><body>"
        f"<div class='top'><a href='/'>首页</a> <a href='/xw/'>新闻中心</a></div>"
        f"<div class='main'><h1>{title}</h1><div class='info'>发布时间：2026-04-08 09:30 来源：某市应急管理局</div>"
        f"{above}{content}{after}</div>"
        f"<div class='foot'>主办单位：某市人民政府办公室 网站标识码：1234000000</div></body></html>"
    ).encode()


def paras(lines: list[str]) -> str:
    return "".join(f"<p>{p}</p>" for p in lines)


URL = "http://www.example.gov.cn/art/2026/4/8/art_1001_5001.html"


# -- headline meta holding literal markup ------------------------------------

@pytest.mark.parametrize("meta_value, expected", [
    ("某市召开全市安全生产工作会议&lt;div&gt;——部署第二季度重点工作&lt;/div&gt;", TITLE),
    ("某市召开全市安全生产工作会议<div>——部署第二季度重点工作</div>", TITLE),
    ("关于印发&lt;br/&gt;某市安全生产考核办法的通知", "关于印发某市安全生产考核办法的通知"),
    ("<p>某市召开全市<span>安全生产</span>工作会议</p>", TITLE),
])
def test_markup_in_the_headline_meta_is_not_the_headline(meta_value: str, expected: str) -> None:
    head = f'<meta name="ArticleTitle" content="{meta_value}">'
    ex = extract(page(f"<div class='TRS_Editor'>{paras(PARAS)}</div>", head=head, title=expected), URL)
    assert ex.title == expected
    assert "<" not in ex.title and ">" not in ex.title


def test_markup_in_other_metas_is_dropped_too() -> None:
    head = '<meta name="ContentSource" content="&lt;span&gt;某市应急管理局&lt;/span&gt;">'
    ex = extract(page(f"<div class='TRS_Editor'>{paras(PARAS)}</div>", head=head), URL)
    assert ex.source == "某市应急管理局"


# -- download bar at the end of a wide wrapper ----------------------------------

@pytest.mark.parametrize("bar", [
    "<div class='btns'><a href='/u/202604/a.pdf'>pdf下载</a> <a href='/u/202604/a.docx'>word下载</a></div>",
    "<p><a href='/u/202604/a.pdf'>【PDF下载】</a><a href='/u/202604/a.doc'>【Word下载】</a></p>",
    "<div><span>全文下载</span></div>",
    "<p><a href='/u/202604/a.pdf'>全文下载</a> | <a href='/u/202604/a.wps'>WPS下载</a></p>",
])
def test_download_bar_after_the_text_goes(bar: str) -> None:
    # no CMS container: the density fallback takes the wide wrapper holding headline, text and bar
    ex = extract(page(paras(PARAS), after=bar), URL)
    assert ex.body.split("\n") == PARAS
    if ".pdf" in bar:
        assert any(a["url"].endswith("a.pdf") for a in ex.attachments)


def test_a_sentence_about_downloading_stays() -> None:
    line = "市民可登录市政府网站全文下载《安全生产手册》，也可到各街道办事处领取纸质版。"
    ex = extract(page(paras(PARAS + [line])), URL)
    assert ex.body.split("\n") == PARAS + [line]


# -- kicker and headline deck repeated at the top of the content box --------------

@pytest.mark.parametrize("deck", [
    ["奋力谱写高质量发展新篇章", TITLE, "——部署第二季度重点工作"],
    ["奋力谱写高质量发展新篇章", TITLE],
    ["坚持人民至上 守牢安全底线", "奋力谱写高质量发展新篇章", TITLE, "——部署第二季度重点工作"],
])
def test_kicker_and_deck_at_the_top_go(deck: list[str]) -> None:
    ex = extract(page(f"<div class='TRS_Editor'>{paras(deck + PARAS)}</div>"), URL)
    assert ex.body.split("\n") == PARAS


def test_short_first_line_without_the_headline_after_it_stays() -> None:
    lines = ["一、总体要求"] + PARAS
    ex = extract(page(f"<div class='TRS_Editor'>{paras(lines)}</div>"), URL)
    assert ex.body.split("\n") == lines


# -- date-only first line of a transcript ------------------------------------------

TRANSCRIPT = [
    "主持人：",
    "女士们、先生们，大家上午好！欢迎出席今天的新闻发布会，今天发布会的主题是全市安全生产工作情况。",
    "某市电视台记者：",
    "请问，下一步在隐患排查整治方面将采取哪些举措？",
]


@pytest.mark.parametrize("dateline", ["2026年4月8日", "2026年4月8日上午", "2026年4月8日（星期三）"])
def test_dateline_of_a_transcript_is_kept(dateline: str) -> None:
    ex = extract(page(f"<div class='TRS_Editor'>{paras([dateline] + TRANSCRIPT)}</div>",
                      title="某市安全生产工作新闻发布会实录"), URL)
    assert ex.body.split("\n") == [dateline] + TRANSCRIPT
    assert ex.published == "2026-04-08T09:30:00+08:00"


@pytest.mark.parametrize("info", ["2026-04-08 09:30", "2026年04月08日 09:30", "2026/04/08"])
def test_a_date_info_line_above_the_text_still_goes(info: str) -> None:
    ex = extract(page(f"<div class='TRS_Editor'>{paras([info] + TRANSCRIPT)}</div>"), URL)
    assert ex.body.split("\n") == TRANSCRIPT


# -- QR-code captions and picture credits ----------------------------------------

@pytest.mark.parametrize("tail", [
    ["“某市发布”微信公众号", "扫码关注"],
    ["扫码关注某市应急管理局微信公众号"],
    ["图文来源：某市应急管理局"],
    ["图片来源：某市融媒体中心", "“平安某市”微信公众号"],
    ["（图文来源：某市应急管理局）"],
])
def test_qr_captions_and_picture_credits_after_the_text_go(tail: list[str]) -> None:
    qr = "<p><img src='/images/qrcode.png' width='200' height='200'></p>"
    ex = extract(page(f"<div class='TRS_Editor'>{paras(PARAS)}{qr}{paras(tail)}</div>"), URL)
    assert ex.body.split("\n") == PARAS


def test_a_sentence_naming_an_official_account_stays() -> None:
    line = "市民可通过“某市发布”微信公众号查询全市各类安全生产隐患举报渠道和办理结果。"
    ex = extract(page(f"<div class='TRS_Editor'>{paras(PARAS + [line])}</div>"), URL)
    assert ex.body.split("\n") == PARAS + [line]


# -- PubDate meta that disagrees with the shown date ------------------------------

def test_shown_date_beats_a_disagreeing_pubdate_meta() -> None:
    head = '<meta name="PubDate" content="2026-04-12 16:05">'
    ex = extract(page(f"<div class='TRS_Editor'>{paras(PARAS)}</div>", head=head), URL)
    assert ex.published == "2026-04-08T09:30:00+08:00"
    assert ex.published_raw == "2026-04-08 09:30"
    assert ex.published_meta_raw == "2026-04-12 16:05"


def test_shown_date_beats_the_meta_without_a_url_date_when_labelled() -> None:
    head = '<meta name="PubDate" content="2026-04-12 16:05">'
    ex = extract(page(f"<div class='TRS_Editor'>{paras(PARAS)}</div>", head=head),
                 "http://www.example.gov.cn/xw/5001.html")
    assert ex.published == "2026-04-08T09:30:00+08:00"


def test_agreeing_meta_is_kept_and_recorded() -> None:
    head = '<meta name="PubDate" content="2026-04-08">'
    ex = extract(page(f"<div class='TRS_Editor'>{paras(PARAS)}</div>", head=head), URL)
    assert ex.published == "2026-04-08T09:30:00+08:00"
    assert ex.published_raw == "2026-04-08"
    assert ex.published_meta_raw == "2026-04-08"


def test_meta_wins_over_an_unlabelled_date_in_the_text() -> None:
    # the only visible date is inside a sentence and the URL has none: the meta stays
    head = '<meta name="PubDate" content="2026-04-12 16:05">'
    body = "<div class='TRS_Editor'>" + paras(["2026年4月8日，" + PARAS[0]] + PARAS[1:]) + "</div>"
    raw = page(body, head=head).replace("发布时间：2026-04-08 09:30 ".encode(), b"")
    ex = extract(raw, "http://www.example.gov.cn/xw/5001.html")
    assert ex.published == "2026-04-12T16:05:00+08:00"
