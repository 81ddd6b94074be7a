"""pipelines/transcript.py: recognising a transcript and parsing event, participants and turns."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pipelines.extract import dom, extract
from pipelines.structure import structure
from pipelines.transcript import parse_person, parse_transcript

FIXTURES = Path(__file__).parent / "fixtures" / "transcripts"
PAGES = json.loads((FIXTURES / "pages.json").read_text("utf-8"))
KEYS = sorted(p.name.removesuffix(".expected.json") for p in FIXTURES.glob("*.expected.json"))
CONF = "省政府新闻办举行新闻发布会 介绍有关情况"


def turns(t) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    return [(x.speaker, x.role, x.outlet) for x in t.turns]


# -- the hand-written fixtures -------------------------------------------------------------------

def test_fixtures_cover_the_layouts() -> None:
    assert len(KEYS) >= 20
    assert sum(1 for k in KEYS if json.loads((FIXTURES / f"{k}.expected.json").read_text("utf-8"))["transcript"]) >= 12
    assert set(PAGES) == set(KEYS), "run tests/fixtures/transcripts/freeze.py"


@pytest.mark.parametrize("key", KEYS)
def test_fixture_page_parses_as_written_by_hand(key: str) -> None:
    meta = PAGES[key]
    exp = json.loads((FIXTURES / f"{key}.expected.json").read_text("utf-8"))
    ex = extract((FIXTURES / f"{key}.html").read_bytes(), meta["url"], content_type=meta["content_type"])
    t, _ = structure(ex, meta["column"])
    gold = exp["transcript"]
    if gold is None:
        assert t is None
        return
    assert t is not None
    assert [(x.speaker, x.role, x.outlet) for x in t.turns] == [tuple(g[:3]) for g in gold["turns"]]
    for got, want in zip(t.turns, gold["turns"], strict=True):
        assert re.sub(r"\s+", "", got.text).startswith(re.sub(r"\s+", "", want[3])), (key, got.speaker)
    assert sorted((p.name, p.title, p.org) for p in t.participants) == sorted(
        (p["name"], p["title"], p["org"]) for p in gold["participants"])
    got_event = {k: getattr(t.event, k) for k in ("kind", "date", "organiser", "venue")}
    assert got_event == gold["event"]


def test_no_turn_swallows_the_byline_or_a_heading() -> None:
    meta = PAGES["qd-conf-governance"]
    ex = extract((FIXTURES / "qd-conf-governance.html").read_bytes(), meta["url"], content_type=meta["content_type"])
    t, _ = structure(ex, meta["column"])
    assert t is not None
    assert "薄克国" not in t.turns[-1].text and "张艳表示" in t.turns[-1].text
    assert not any("五个青岛建设愿景解读" in x.text for x in t.turns)


# -- speaker marks ---------------------------------------------------------------------------------

@pytest.mark.parametrize("q, a, speaker", [
    ("大众日报记者：怎么办？", "王海涛：这样办。", "王海涛"),
    ("大众日报记者:怎么办?", "王海涛:这样办。", "王海涛"),
    ("【大众日报记者】怎么办？", "【省应急管理厅副厅长 王海涛】这样办。", "省应急管理厅副厅长王海涛"),
    ("[大众日报记者]怎么办？", "[王海涛]这样办。", "王海涛"),
    ("大众日报记者：怎么办？", "省应急管理厅负责人：这样办。", "省应急管理厅负责人"),
])
def test_speaker_mark_variants(q: str, a: str, speaker: str) -> None:
    t = parse_transcript(CONF, ["5月6日上午，山东省人民政府新闻办公室举行新闻发布会。", q, a])
    assert t is not None
    assert turns(t) == [("大众日报记者", "reporter", "大众日报"), (speaker, "official", "")]
    assert t.turns[0].text in ("怎么办？", "怎么办?") and t.turns[1].text == "这样办。"
    assert t.turns[1].answers == 0


def test_question_and_answer_marks_resolve_to_the_one_official() -> None:
    t = parse_transcript("省教育厅有关负责人就《条例》答记者问", ["近日，有关负责人回答了记者提问。",
                         "问：为什么？", "答：因为。", "问：怎么办？", "答：这样办。"])
    assert t is not None
    assert turns(t) == [("问", "reporter", ""), ("答", "official", "")] * 2
    assert [p.org for p in t.participants] == ["省教育厅"]
    assert [x.participant for x in t.turns] == [None, 0, None, 0]
    assert [x.answers for x in t.turns] == [None, 0, None, 2]


def test_bold_leads_with_and_without_colon_and_on_their_own_paragraph() -> None:
    paras = ["2月18日，山东省人民政府新闻办公室举行新闻发布会，邀请省商务厅副厅长钱丽介绍情况。",
             "闪电新闻记者 消费券怎么领？", "钱丽 分批次领取。", "海报新闻记者：", "夜间消费呢？", "钱丽：评选集聚区。"]
    t = parse_transcript(CONF, paras, bold_leads=["闪电新闻记者", "钱丽", "海报新闻记者："])
    assert t is not None
    assert [(x.speaker, x.text) for x in t.turns] == [
        ("闪电新闻记者", "消费券怎么领？"), ("钱丽", "分批次领取。"), ("海报新闻记者", "夜间消费呢？"),
        ("钱丽", "评选集聚区。")]
    # without the bold marks, 闪电新闻记者 消费券… is just text
    plain = parse_transcript(CONF, paras)
    assert plain is not None and [x.speaker for x in plain.turns] == ["海报新闻记者", "钱丽"]


def test_bold_lead_that_is_a_heading_is_not_a_speaker() -> None:
    paras = ["新黄河记者：有哪些举措？", "禹金涛：主要有三条。", "一、强化数据贯通。数据是基础。"]
    t = parse_transcript(CONF, paras, bold_leads=["一、强化数据贯通。"])
    assert t is not None and [x.speaker for x in t.turns] == ["新黄河记者", "禹金涛"]
    assert t.turns[1].text.endswith("数据是基础。")


def test_full_title_then_short_name_resolve_to_one_participant() -> None:
    t = parse_transcript(CONF, ["省应急管理厅副厅长王海涛：开场。", "新华社记者：问题？", "王海涛：回答。", "王厅长：补充。"])
    assert t is not None
    assert [(p.name, p.title, p.org) for p in t.participants] == [("王海涛", "副厅长", "省应急管理厅")]
    assert [x.participant for x in t.turns] == [0, None, 0, 0]


@pytest.mark.parametrize("para", [
    "时间：2026年2月12日上午10:00", "地点：济南市政府新闻发布厅", "一是完善预警发布机制：预警一经发布立即响应；",
    "各市人民政府，各县（市、区）人民政府：", "主要有三条：", "附件：名单.pdf", "咨询电话：0531-12345",
    "正如一位村支书所说：“现在能腾出手来干实事了。”", "下一步：继续推进。", "具体包括：三个方面。",
])
def test_a_paragraph_with_a_colon_is_not_a_turn(para: str) -> None:
    t = parse_transcript(CONF, ["新华社记者：问题？", "王海涛：回答。", para])
    assert t is not None and len(t.turns) == 2 and t.turns[-1].text.endswith(para)


def test_ordinary_releases_are_not_transcripts() -> None:
    assert parse_transcript("关于开展安全生产大排查的通知", [
        "各市安委会：", "为深刻汲取事故教训，决定开展大排查。", "省安委会办公室", "2026年9月15日"]) is None
    assert parse_transcript("山东出台优化营商环境若干措施", [
        "近日，省政府办公厅印发措施。", "省发展改革委有关负责人表示：下一步将建立清单。",
        "记者从省发展改革委获悉，措施共22条。"]) is None


def test_text_shape_recognises_a_transcript_without_a_telling_headline() -> None:
    paras = ["记者采访了济南市民政局副局长周婷。", "记者：谁能申请？", "周婷：80岁以上老人。",
             "记者：标准多少？", "周婷：每月100元起。"]
    t = parse_transcript("济南市民政局负责人解读新政", paras)
    assert t is not None and t.recognised_by == "text"
    assert [(p.name, p.title, p.org) for p in t.participants] == [("周婷", "副局长", "济南市民政局")]
    assert [x.role for x in t.turns] == ["reporter", "official"] * 2


def test_participants_from_the_opening() -> None:
    t = parse_transcript(CONF, [
        "4月22日上午，青岛市政府新闻办举行新闻发布会。出席发布会的有：青岛市工业和信息化局副局长冯涛，"
        "青岛市地方金融管理局副局长吕静和青岛市市场监督管理局副局长贾强。",
        "主持人：省政府新闻办副主任李明", "主持人：请提问。", "半岛都市报记者：问题？", "贾强：回答。"],
        published="2026-04-23T09:00:00+08:00")
    assert t is not None
    assert [(p.name, p.title, p.org, p.role) for p in t.participants] == [
        ("冯涛", "副局长", "青岛市工业和信息化局", "official"), ("吕静", "副局长", "青岛市地方金融管理局", "official"),
        ("贾强", "副局长", "青岛市市场监督管理局", "official"), ("李明", "副主任", "省政府新闻办", "host")]
    assert turns(t)[0] == ("主持人", "host", "") and t.turns[0].participant == 3
    assert t.event.organiser == "青岛市政府新闻办" and t.event.date == "2026-04-22"  # year from published


def test_parse_person() -> None:
    p = parse_person("青岛市城市管理局副局长、二级巡视员王镝")
    assert p is not None and (p.org, p.title, p.name) == ("青岛市城市管理局", "副局长、二级巡视员", "王镝")
    p = parse_person("济南市发展和改革委员会主任 张文斌")
    assert p is not None and (p.org, p.title, p.name) == ("济南市发展和改革委员会", "主任", "张文斌")
    assert parse_person("各市人民政府，各县人民政府") is None
    assert parse_person("主要措施") is None


def test_extractor_reports_paragraph_bold_leads() -> None:
    html = ("<html><body><div class='wip_art_con' id='zoom'><p><strong>王建华：</strong>行动方案提出18条措施，"
            "到2027年每个乡镇卫生院至少配备2名全科医生。</p><p>正文<strong>不是开头</strong>的加粗。</p>"
            "<p><span><b>海报新闻记者：</b></span></p><p>基层医生留不住是老问题，这次有什么新办法？</p></div></body></html>")
    ex = extract(html.encode(), "https://www.shandong.gov.cn/art/2026/3/5/art_97896_1.html")
    assert ex.bold_leads == ["王建华：", "海报新闻记者："]
    root = dom.fragment("<div><p><span style='font-weight:bold'>高本伟</span> 正文</p></div>")
    assert root is not None and dom.bold_leads(root) == ["高本伟"]
