"""Press-conference transcripts: recognise one and parse it into event, participants and turns.

Pure functions over the clean body paragraphs (``Extraction.body`` split on ``\\n``)
plus the paragraph-leading bold runs the extractor reports (``Extraction.bold_leads``).

A paragraph starts a turn when it opens with a speaker mark: ``姓名：`` / ``姓名:``,
``XX记者：``, ``记者：``, ``问：`` / ``答：``, ``主持人：``, ``【姓名】``, ``[姓名]``, a bold run
(with or without colon), a title for a name (``省住房城乡建设厅负责人：``) or, in a page
already known to be a transcript, a narrative ``省能源局副局长刘建国介绍，…``.  What stands
before the colon must look like a speaker (a reporter, a host, a title with or without a
name, or a bare 2–3 character name with a common surname); ``时间：``, ``一是…：``,
``各市人民政府，…：`` and other lines with a colon do not start turns.  Other paragraphs
continue the current turn.  Word lists live in ``pipelines/data/{outlets,speakers}.toml``.
"""

from __future__ import annotations

import logging
import re
import tomllib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from archive.structure_types import Event, Participant, Transcript, Turn

logger = logging.getLogger(__name__)

DATA = Path(__file__).resolve().parent / "data"

HEADLINE_RE = re.compile(
    r"新闻发布会|发布会|吹风会|答记者问|文字实录|访谈实录|记者见面会|媒体见面会|新闻通气会|记者招待会")
COLUMN_RE = re.compile(r"发布会|吹风会|访谈|实录|答记者问")
KIND_RE = re.compile(
    r"政策例行吹风会|政策吹风会|吹风会|新闻发布会|发布会|答记者问|文字实录|记者见面会|媒体见面会|新闻通气会|访谈")
LABEL_MAX = 32
SENTENCE_PUNCT = re.compile(r"[，。；！？,;!?“”\"]")
ENUM_RE = re.compile(
    r"^(?:[一二三四五六七八九十]+[是、.．]|第[一二三四五六七八九十]+|[（(][一二三四五六七八九十\d]+[)）]|\d+[、.．])")
BRACKET_RE = re.compile(r"^[【\[［]\s*([^】\]］]{1,32}?)\s*[】\]］]\s*[:：]?\s*")
COLON_RE = re.compile(r"^([^:：]{1,32}?)\s*[:：]\s*")
NARRATIVE_RE = re.compile(r"^([^，,:：。“”]{2,40}?)(?:介绍|表示|指出|说|回答|答复)(?:道)?[，,:：]\s*")
REPORTER_RE = re.compile(r"^(.*?)(?:特约)?记者\s*([\u4e00-\u9fff]{2,3})?$")
CLOSING_RE = re.compile(r"^[（(][^（()）]{2,60}[)）]$")
DATE_RE = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日")
ORGANISER_RE = re.compile(
    r"([\u4e00-\u9fff（）()]{4,30}?(?:新闻办公室|新闻办|人民政府|政府|办公厅|委员会|厅|局|委))"
    r"(?:在[^，。]{2,30})?(?:举行|召开|举办)")
VENUE_IN_RE = re.compile(r"在([^，。；]{2,30}?)(?:举行|召开|举办)")
INTRO_RE = re.compile(
    r"(?:出席(?:本次|今天的)?(?:新闻)?(?:发布会|吹风会|会议)?(?:并(?:回答记者提问|答记者问))?的(?:领导|嘉宾|人员)?(?:有|是)"
    r"|发布人|出席嘉宾|出席人员)"
    r"\s*[:：]?\s*(.+)$")
INVITE_RE = re.compile(
    r"邀请(.+?)(?:等)?(?:出席|介绍|解读|通报|发布|就|围绕|作|回答)|(?:采访|专访)了?([^，。；]{3,40})")
ANSWERER_RE = re.compile(r"^(.{3,40}?)就.{2,60}?答记者问")
HOSTED_RE = re.compile(r"(?:由|主持人为)([^，。；]{3,40}?)主持|([^，。；]{3,40}?)主持(?:发布会|会议|吹风会)")
METADATA_LABELS = {"时间": "date", "地点": "venue", "主办": "organiser", "主办单位": "organiser"}


@dataclass(frozen=True)
class Words:
    outlets: tuple[str, ...]
    titles: tuple[str, ...]
    host: frozenset[str]
    question: frozenset[str]
    answer: frozenset[str]
    not_speakers: frozenset[str]
    surnames: frozenset[str]
    double_surnames: tuple[str, ...]
    title_re: re.Pattern[str]


@lru_cache(maxsize=1)
def words() -> Words:
    """The word lists of ``pipelines/data/outlets.toml`` and ``speakers.toml``."""
    outlets = tomllib.loads((DATA / "outlets.toml").read_text("utf-8"))["outlets"]
    sp = tomllib.loads((DATA / "speakers.toml").read_text("utf-8"))
    titles = tuple(sorted(set(sp["titles"]), key=len, reverse=True))
    return Words(
        outlets=tuple(sorted(set(outlets), key=len, reverse=True)), titles=titles,
        host=frozenset(sp["host"]), question=frozenset(sp["question"]), answer=frozenset(sp["answer"]),
        not_speakers=frozenset(sp["not_speakers"]), surnames=frozenset("".join(sp["surnames"].split())),
        double_surnames=tuple(sp["double_surnames"]),
        title_re=re.compile("副?(?:" + "|".join(map(re.escape, titles)) + ")(?!会|处|室)"),
    )


# -- people ------------------------------------------------------------------------------------
def looks_like_name(text: str) -> bool:
    """A bare personal name: 2–3 CJK characters (4 with a double surname), common surname."""
    w = words()
    if not re.fullmatch(r"[\u4e00-\u9fff]{2,4}", text) or text in w.not_speakers:
        return False
    if any(text.startswith(d) for d in w.double_surnames):
        return len(text) in (3, 4)
    return len(text) <= 3 and text[0] in w.surnames and not w.title_re.search(text)


def parse_person(text: str) -> Participant | None:
    """``省住房城乡建设厅副厅长刘晓东`` -> org 省住房城乡建设厅, title 副厅长, name 刘晓东.

    None when the text holds neither a title nor a name.
    """
    s = re.sub(r"\s+", " ", text).strip(" ，,、：:")
    if not s or SENTENCE_PUNCT.search(s):
        return None
    if looks_like_name(s.replace(" ", "")):
        return Participant(name=s.replace(" ", ""))
    w = words()
    hits = list(w.title_re.finditer(s))
    if not hits:
        return None
    last = hits[-1]
    name = s[last.end():].strip()
    if name and not looks_like_name(name):
        return None
    first = hits[0]
    org, title = s[: first.start()].strip(), s[first.start(): last.end()].strip()
    return Participant(name=name, title=title, org=org)


def _split_people(text: str) -> list[str]:
    """``A，B和C`` -> items; 和 splits only between two people (not in 工业和信息化局)."""
    out: list[str] = []
    for part in re.split(r"[，,；;]|\s{2,}", text):
        part = part.strip()
        for m in re.finditer("[和、及]", part):
            left, right = part[: m.start()], part[m.end():]
            lp, rp = parse_person(left), parse_person(right)
            if lp is not None and lp.name and rp is not None and rp.name:
                out += [left, *_split_people(right)]
                break
        else:
            if part:
                out.append(part)
    return out


def outlet_of(label: str) -> str:
    """The outlet named before 记者 (a listed outlet when one starts it, else as written)."""
    m = REPORTER_RE.match(label)
    before = (m.group(1) if m else label).strip()
    for name in words().outlets:
        if before.startswith(name):
            return name
    return before


# -- speaker marks -----------------------------------------------------------------------------
@dataclass
class Mark:
    label: str
    rest: str
    kind: str
    """reporter | host | question | answer | person | narrative"""
    person: Participant | None = None


def classify(label: str, *, names: set[str], loose: bool) -> Mark | None:
    """What a candidate speaker label is, or None when it is not a speaker.

    ``loose``: bare names with a common surname count (a page known to be a transcript).
    """
    w = words()
    lab = re.sub(r"\s+", " ", label).strip()
    flat = lab.replace(" ", "")
    if not flat or len(flat) > LABEL_MAX or SENTENCE_PUNCT.search(lab) or ENUM_RE.match(flat):
        return None
    if flat in w.not_speakers:
        return None
    if flat in w.host or flat.endswith("主持人"):
        return Mark(lab, "", "host")
    if flat.startswith("主持人"):  # 主持人 省政府新闻办副主任 张红
        host = parse_person(lab[lab.index("人") + 1:])
        if host is not None:
            host.role = "host"
        return Mark(lab, "", "host", host)
    if flat in w.question:
        return Mark(lab, "", "question")
    if flat in w.answer:
        return Mark(lab, "", "answer")
    if REPORTER_RE.match(flat) and "记者" in flat:
        return Mark(lab, "", "reporter")
    if flat in names:
        return Mark(lab, "", "person", Participant(name=flat))
    person = parse_person(lab)
    if person is None:
        if any(flat.endswith(n) for n in names if len(n) >= 2):
            return Mark(lab, "", "person", Participant(name=next(n for n in names if flat.endswith(n))))
        return None
    if person.name and not person.title and not loose:
        return None
    return Mark(lab, "", "person", person)


def find_mark(para: str, bold: str | None, *, names: set[str], loose: bool, narrative: bool) -> Mark | None:
    """The speaker mark that starts ``para``, if any (see the module docstring)."""
    candidates: list[tuple[str, str]] = []
    if bold:
        lead = bold.strip()
        label = lead.rstrip(":： ")
        if label and para.startswith(lead):
            candidates.append((label, para[len(lead):].lstrip(":： \u3000")))
    m = BRACKET_RE.match(para)
    if m:
        candidates.append((m.group(1), para[m.end():]))
    m = COLON_RE.match(para)
    if m:
        candidates.append((m.group(1), para[m.end():]))
    for label, rest in candidates:
        mark = classify(label, names=names, loose=loose)
        if mark is not None:
            mark.rest = rest.strip()
            return mark
    if narrative:
        m = NARRATIVE_RE.match(para)
        if m:
            person = parse_person(m.group(1))
            if person is not None and (person.title or person.name in names):
                return Mark(m.group(1).strip(), para[m.end():].strip(), "narrative", person)
    return None


# -- the parse ---------------------------------------------------------------------------------
def recognise(title: str, column: str = "") -> str:
    """``headline`` or ``column`` when those name a transcript, else ``''``."""
    if HEADLINE_RE.search(title or ""):
        return "headline"
    if COLUMN_RE.search(column or ""):
        return "column"
    return ""


def _iso_date(text: str, published: str | None) -> str | None:
    m = DATE_RE.search(text)
    year = (published or "")[:4]
    if m and (m.group(1) or year.isdigit()):
        return f"{m.group(1) or year}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
    return (published or "")[:10] or None


def _event(title: str, opening: list[str], published: str | None) -> Event:
    ev = Event(title=title)
    joined = "\n".join(opening)
    kind = KIND_RE.search(title) or KIND_RE.search(joined)
    ev.kind = kind.group(0) if kind else ""
    for para in opening:
        m = COLON_RE.match(para)
        field = METADATA_LABELS.get(m.group(1).replace(" ", "")) if m else None
        if m and field:
            value = para[m.end():].strip()
            if field == "date":
                ev.date = _iso_date(value, published)
            else:
                setattr(ev, field, value)
    if not ev.organiser:
        m = ORGANISER_RE.search(joined) or ORGANISER_RE.search(title)
        if m:
            ev.organiser = re.sub(r"^.*?[日午晚上]，?", "", m.group(1)).lstrip("，,") or m.group(1)
    if not ev.venue:
        m = VENUE_IN_RE.search(joined)
        if m:
            ev.venue = m.group(1)
    if ev.date is None:
        lead = DATE_RE.match(opening[0]) if opening else None
        ev.date = _iso_date(lead.group(0), published) if lead else ((published or "")[:10] or None)
    return ev


def _intro_people(opening: list[str]) -> list[Participant]:
    people: list[Participant] = []
    for para in opening:
        m = COLON_RE.match(para)
        label = m.group(1).replace(" ", "") if m else ""
        if m and (label in words().host or label.endswith("主持人")):
            p = parse_person(para[m.end():])
            if p is not None and (p.name or p.title):
                p.role = "host"
                people.append(p)
            continue
        spans: list[str] = []
        if (m2 := INTRO_RE.search(para)) is not None:
            spans.append(m2.group(1))
        if (m3 := INVITE_RE.search(para)) is not None:
            spans.append(m3.group(1) or m3.group(2))
        for span in spans:
            for item in _split_people(span.rstrip("。")):
                p = parse_person(item)
                if p is not None and p.name:
                    people.append(p)
        for m4 in HOSTED_RE.finditer(para):
            p = parse_person(m4.group(1) or m4.group(2) or "")
            if p is not None and p.name:
                p.role = "host"
                people.append(p)
    return people


def _same(a: Participant, b: Participant) -> bool:
    if a.name and b.name:
        return a.name == b.name
    return not a.name and not b.name and (a.org, a.title) == (b.org, b.title)


def _resolve(mark: Mark, people: list[Participant]) -> int | None:
    """Index of the participant a person mark names (full name, title + name, 王厅长, title only)."""
    p = mark.person
    if p is None:
        return None
    for i, q in enumerate(people):
        if _same(p, q):
            return i
    flat = mark.label.replace(" ", "")
    for i, q in enumerate(people):
        if q.name and (flat.endswith(q.name) or flat == q.name[0] + q.title[-2:] or
                       (len(flat) >= 2 and flat[0] == q.name[0] and flat[1:] and flat[1:] in q.title)):
            return i
    return None


def _merge(into: Participant, new: Participant) -> None:
    into.title = into.title or new.title
    into.org = into.org or new.org


def parse_transcript(
    title: str, paragraphs: Sequence[str], *, column: str = "", bold_leads: Sequence[str] = (),
    published: str | None = None,
) -> Transcript | None:
    """The transcript in a page's body, or None for an ordinary release."""
    paras = [p.strip() for p in paragraphs if p and p.strip()]
    by = recognise(title, column)
    bolds = list(bold_leads)
    intro = _intro_people(paras[:4])
    names = {p.name for p in intro if p.name}

    def scan(loose: bool, narrative: bool) -> list[tuple[int, Mark]]:
        found: list[tuple[int, Mark]] = []
        known = set(names)
        bi = 0
        for i, para in enumerate(paras):
            bold = None
            for j in range(bi, len(bolds)):
                if para.startswith(bolds[j].strip()):
                    bold, bi = bolds[j], j + 1
                    break
            mark = find_mark(para, bold, names=known, loose=loose, narrative=narrative)
            if mark is None:
                continue
            if mark.kind in ("host", "reporter", "question") and not mark.rest and i + 1 == len(paras):
                continue
            if mark.kind == "host" and i < 4 and mark.rest and parse_person(mark.rest) is not None:
                continue  # 主持人：省政府新闻办副主任某某 is an introduction
            if mark.person is not None and mark.person.name:
                known.add(mark.person.name)
            found.append((i, mark))
        return found

    marks = scan(loose=bool(by), narrative=bool(by))
    if not by:
        asks = sum(1 for _, m in marks if m.kind in ("reporter", "question"))
        answers = sum(1 for _, m in marks if m.kind in ("person", "answer"))
        if asks and not answers:
            # an interview: 记者：… / 李金泽：… — a bare name counts once it answers twice
            bare = Counter(m.person.name for _, m in scan(loose=True, narrative=False)
                           if m.kind == "person" and m.person is not None and m.person.name)
            answers = sum(n for n in bare.values() if n >= 2)
        if not asks or not answers or asks + answers < 3:
            return None
        by = "text"
        marks = scan(loose=True, narrative=True)
    if not marks and not intro:
        return None
    first = marks[0][0] if marks else len(paras)
    opening = paras[:first]
    people = _intro_people(opening)
    if (m := ANSWERER_RE.match(title)) is not None and (p := parse_person(m.group(1))) is not None:
        people.append(p)  # 省教育厅有关负责人就《…》答记者问
    ev = _event(title, opening, published)
    dedup: list[Participant] = []
    for p in people:
        if not any(_same(p, q) for q in dedup):
            dedup.append(p)
    people = dedup
    turns: list[Turn] = []
    for n, (i, mark) in enumerate(marks):
        end = marks[n + 1][0] if n + 1 < len(marks) else len(paras)
        body = [mark.rest] if mark.rest else []
        for k, para in enumerate(paras[i + 1: end]):
            if n + 1 == len(marks) and CLOSING_RE.match(para):
                break  # (山东省人民政府新闻办公室), a byline: not the speaker's words
            if i + 1 + k == end - 1 and n + 1 < len(marks) and _is_heading(para):
                break  # a section heading before the next speaker
            body.append(para)
        turn = _turn(mark, "\n".join(body), people)
        prev = turns[-1] if turns else None
        if (mark.kind == "narrative" and prev is not None and prev.participant is not None
                and prev.participant == turn.participant):
            prev.text = "\n".join(x for x in (prev.text, paras[i], *body[1:]) if x)
            continue  # 张艳表示：… right after 张艳's own turn goes on with it
        turns.append(turn)
    _pair(turns)
    return Transcript(event=ev, participants=people, turns=turns, recognised_by=by)


def _is_heading(para: str) -> bool:
    """A short line without sentence punctuation (青岛构建新发展格局（…）（2）)."""
    return len(para) <= 40 and not SENTENCE_PUNCT.search(para) and not para.endswith("。")


def _turn(mark: Mark, text: str, people: list[Participant]) -> Turn:
    label = mark.label.replace(" ", "") if mark.kind != "person" else re.sub(r"\s+", "", mark.label)
    if mark.kind in ("reporter", "question"):
        return Turn(speaker=label, role="reporter", text=text,
                    outlet=outlet_of(label) if mark.kind == "reporter" else "")
    if mark.kind == "host":
        idx = next((i for i, p in enumerate(people) if p.role == "host"), None)
        if mark.person is not None and (mark.person.name or mark.person.title):
            idx = _resolve(mark, people)
            if idx is None:
                people.append(mark.person)
                idx = len(people) - 1
        return Turn(speaker=label, role="host", text=text, participant=idx)
    if mark.kind == "answer":
        officials = [i for i, p in enumerate(people) if p.role == "official"]
        return Turn(speaker=label, role="official", text=text,
                    participant=officials[0] if len(officials) == 1 else None)
    idx = _resolve(mark, people)
    if idx is None and mark.person is not None:
        people.append(mark.person)
        idx = len(people) - 1
    elif idx is not None and mark.person is not None:
        _merge(people[idx], mark.person)
    role = people[idx].role if idx is not None else "official"
    if idx is None and mark.person is None:
        role = "other"
    return Turn(speaker=label, role=role, text=text, participant=idx)


def _pair(turns: list[Turn]) -> None:
    """Each official turn after a reporter's question answers it, until the next question or host."""
    question: int | None = None
    for i, t in enumerate(turns):
        if t.role == "reporter":
            question = i
        elif t.role == "host":
            question = None
        elif t.role == "official" and question is not None:
            t.answers = question
