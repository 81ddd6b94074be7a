"""Document references: the page's own 发文字号, every 文号 cited and every 《…》 title cited.

Pure functions over clean text.  Normal forms fold what varies between pages and
nothing else: a 文号's year brackets (〔〕 [] ［］ () （） 【】) become 〔〕, full-width
digits and spaces are folded, a 第 before the serial and leading zeros are dropped
(``鲁政发[2024]05号`` -> ``鲁政发〔2024〕5号``); a title is NFKC-folded, its
brackets and dashes unified and an optional 中华人民共和国 prefix dropped.  Issuer
prefixes live in ``pipelines/data/issuers.toml``.
"""

from __future__ import annotations

import logging
import re
import tomllib
from functools import lru_cache
from pathlib import Path

from archive.structure_types import Citation, References
from pipelines.textfold import nfkc

logger = logging.getLogger(__name__)

DATA = Path(__file__).resolve().parent / "data"

_OPEN = "〔[［(（【"
_CLOSE = "〕]］)）】"
_NUM_CORE = rf"[{re.escape(_OPEN)}]\s*((?:19|20)\d\d)\s*[{re.escape(_CLOSE)}]\s*第?\s*(\d{{1,4}})\s*号"
_GENERIC_PREFIX = r"[\u4e00-\u9fff]{2,12}"
_STOP_RE = re.compile(r"(?:的|了|和|与|及|或|在|对|按照|根据|依据|印发|转发|执行|贯彻|落实|关于|参照|是|即)")
_ALIAS_RE = re.compile(r"(?:以下|下文)?简称\s*$")
_DASHES = dict.fromkeys(map(ord, "—–－─~～〜"), "-")
_BRACKETS = {**dict.fromkeys(map(ord, "〔【［[（"), "("), **dict.fromkeys(map(ord, "〕】］]）"), ")")}
_INNER_MARKS = dict.fromkeys(map(ord, "〈〉<>《》“”\"‘’'"), None)
PRC = "中华人民共和国"
OWN_LABEL_RE = re.compile(r"^(?:发文字号|文\s*号)\s*[:：]\s*(.+)$")
OWN_SCAN_LINES = 8
"""A line that is only a 文号 counts as the document's own within its first lines."""
TITLE_MAX = 80
ALIAS_MAX = 8
"""A cited title this short that ends an earlier cited title is that title's short form."""


@lru_cache(maxsize=1)
def issuer_prefixes() -> tuple[str, ...]:
    """Known prefixes from ``issuers.toml``, longest first."""
    data = tomllib.loads((DATA / "issuers.toml").read_text("utf-8"))
    out: set[str] = set()
    for abbr in data["abbreviations"].values():
        for forms in data["forms"].values():
            out.update(f.format(a=abbr) for f in forms)
    for names in data["other"].values():
        out.update(names)
    return tuple(sorted(out, key=len, reverse=True))


@lru_cache(maxsize=1)
def publications() -> frozenset[str]:
    """Newspapers and broadcasters (``outlets.toml``): 《人民日报》 names a paper, not a document."""
    return frozenset(tomllib.loads((DATA / "outlets.toml").read_text("utf-8"))["outlets"])


@lru_cache(maxsize=1)
def _number_re() -> re.Pattern[str]:
    known = "|".join(map(re.escape, issuer_prefixes()))
    return re.compile(rf"(?:(?P<known>{known})|(?P<generic>{_GENERIC_PREFIX}))\s*{_NUM_CORE}")


def _fold(text: str) -> str:
    return nfkc(text)


def normalize_number(text: str) -> str:
    """Canonical form of one 文号 (``鲁政发［２０２４］第05号`` -> ``鲁政发〔2024〕5号``)."""
    m = re.search(rf"^(.*?)\s*{_NUM_CORE}", _fold(text).strip())
    if m is None:
        return re.sub(r"\s+", "", _fold(text))
    prefix = re.sub(r"\s+", "", m.group(1))
    return f"{prefix}〔{m.group(2)}〕{int(m.group(3))}号"


def normalize_title(text: str) -> str:
    """Canonical form of a cited title (no 《》, brackets/dashes unified, no 中华人民共和国)."""
    t = re.sub(r"\s+", "", _fold(text)).translate(_DASHES).translate(_BRACKETS).translate(_INNER_MARKS)
    if t.startswith(PRC) and len(t) > len(PRC):
        t = t[len(PRC):]
    return t


def _trim_generic(prefix: str) -> str:
    """Left edge of a prefix found by the generic pattern: the longest known issuer prefix
    it ends with, else what follows its last function word (根据, 印发, 的 …)."""
    for known in issuer_prefixes():
        if prefix.endswith(known):
            return known
    ends = [m.end() for m in _STOP_RE.finditer(prefix)]
    return prefix[ends[-1]:] if ends else prefix


_CORE_RE = re.compile(_NUM_CORE)


def find_numbers(text: str) -> list[Citation]:
    """Every 文号 in ``text``, in order, each once (by normal form)."""
    out: dict[str, Citation] = {}
    folded = _fold(text)
    if not _CORE_RE.search(folded):  # no 〔year〕N号 at all: skip the long prefix alternation
        return []
    for m in _number_re().finditer(folded):
        prefix = m.group("known") or _trim_generic(m.group("generic") or "")
        if len(prefix) < 2:
            continue
        written = prefix + m.group(0)[len(m.group("known") or m.group("generic") or ""):]
        norm = normalize_number(written)
        out.setdefault(norm, Citation(written.strip(), norm))
    return list(out.values())


def _bracketed(text: str) -> list[tuple[int, str]]:
    """Outermost 《…》 spans (nested 《》 kept inside), as (start, inner text)."""
    spans: list[tuple[int, str]] = []
    depth, start = 0, -1
    for i, ch in enumerate(text):
        if ch == "《":
            if depth == 0:
                start = i
            depth += 1
        elif ch == "》" and depth:
            depth -= 1
            if depth == 0:
                spans.append((start, text[start + 1 : i]))
    return spans


def find_titles(text: str) -> list[Citation]:
    """Every 《…》 title cited, in order, each once; aliases (以下简称《…》) are left out."""
    aliases: set[str] = set()
    found: list[tuple[str, str]] = []
    for start, inner in _bracketed(text):
        title = re.sub(r"\s+", "", inner)
        if not title or len(title) > TITLE_MAX or "\n" in inner or title in publications():
            continue
        if _ALIAS_RE.search(text[max(0, start - 8):start]):
            aliases.add(normalize_title(title))
            continue
        found.append((title, normalize_title(title)))
    out: dict[str, Citation] = {}
    for title, norm in found:
        if norm in aliases:
            continue
        if len(norm) <= ALIAS_MAX and any(k != norm and k.endswith(norm) for k in out):
            continue  # 《实施意见》 after 《关于推动…的实施意见》: a short form, not another title
        out.setdefault(norm, Citation(title, norm))
    return list(out.values())


def own_number(lines: list[str]) -> str | None:
    """The page's own 发文字号: a ``发文字号：…`` line, or a line that is only a 文号 near the top."""
    for line in lines:
        m = OWN_LABEL_RE.match(line.strip())
        if m and (nums := find_numbers(m.group(1))):
            return nums[0].norm
    for line in lines[:OWN_SCAN_LINES]:
        s = line.strip()
        nums = find_numbers(s)
        if len(nums) == 1 and len(re.sub(r"\s+", "", _fold(s))) <= len(nums[0].text) + 2:
            return nums[0].norm
    return None


_ISSUED_RE = re.compile(r"关于(?:印发|转发|公布)[《〈]?(.+?)[》〉]?的通知$")
_ABOUT_RE = re.compile(r"^[^《》“”]{2,40}?(?:政府|办公厅|办公室|委员会|省委|市委|局|厅|委)(关于.+)$")


def title_keys(title: str) -> list[str]:
    """Normalised titles other documents may cite this one by.

    ``山东省人民政府关于印发山东省城中村改造三年行动方案（2026—2028年）的通知`` is cited
    as itself, as ``关于印发…的通知`` without the issuer, and as the plan it issues.
    """
    t = re.sub(r"\s+", "", title)
    if not t:
        return []
    keys = [normalize_title(t)]
    m = _ABOUT_RE.match(t)
    if m:
        keys.append(normalize_title(m.group(1)))
    m = _ISSUED_RE.search(t)
    if m:
        keys.append(normalize_title(m.group(1)))
    return list(dict.fromkeys(k for k in keys if len(k) >= 4))


def extract_references(title: str, body: str) -> References:
    """The document's own number, its cited numbers and titles, and its own title keys."""
    lines = [ln for ln in body.split("\n") if ln.strip()]
    own = own_number(lines)
    text = "\n".join(lines)
    numbers = [c for c in find_numbers(text) if c.norm != own]
    keys = title_keys(title)
    titles = [c for c in find_titles(text) if c.norm not in keys]
    return References(doc_number=own, numbers=numbers, titles=titles, title_keys=keys)
