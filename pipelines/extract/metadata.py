"""Headline, date, source, author and the other page metadata.

Sources in order: site selectors, government ``<meta>`` tags (ArticleTitle,
PubDate, ContentSource, SiteName, ColumnName ...), headings compared with the
``<title>``, the info line near the headline (发布时间/来源), then the URL.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from lxml.html import HtmlElement

from . import dom
from . import patterns as P
from .boilerplate import squash
from .dates import DateHit, parse_date, url_date

logger = logging.getLogger(__name__)

_META_PREFIX_RE = re.compile(r"^\s*(?:信息来源|文章来源|稿件来源|来源|作者)\s*[:：]\s*")
_SOURCE_TAIL_RE = re.compile(r"\s*(?:原创稿|原创|转载|参与互动|举报|\(\S{1,6}\)|（\S{1,6}）)\s*$")
_BRACKETS_RE = re.compile(r"^[\[【(（\s]+|[\]】)）\s]+$")
_PERSON_RE = re.compile(r"^[\u4e00-\u9fff·]{2,5}(?:[ 、，,][\u4e00-\u9fff·]{2,5}){0,3}$")
_BYLINE_RE = re.compile(
    r"(?:记者|通讯员|作者)(?:\s*[:：]\s*|\s+)([\u4e00-\u9fff·]{2,4}(?:[ 、，,][\u4e00-\u9fff·]{2,4}){0,3})"
    r"(?=$|[\s）)】\]，,。/|])"
)
_NOT_NAMES = frozenset(["来源", "编辑", "摄影", "报道", "摄", "通讯员", "记者", "实习生", "责编", "发自", "电"])
_ORG_SUFFIX_RE = re.compile(r"(?:网|报|社|台|站|刊|中心|新闻|频道|客户端|杂志|日报|晚报|时报|集团|公司|政府|办公室|委员会)$")
TITLE_WINDOW = 25


@dataclass
class Head:
    """What the document head says, read before the tree is cleaned."""

    metas: dict[str, str] = field(default_factory=dict)
    page_title: str = ""
    base_url: str = ""


def read_head(root: HtmlElement, url: str) -> Head:
    """Collect ``<meta>`` values (lower-case names, first wins), ``<title>`` and the base URL."""
    head = Head(base_url=url)
    for m in root.iter("meta"):
        key = (m.get("name") or m.get("property") or m.get("itemprop") or "").strip().lower()
        content = m.get("content")
        if key and content and content.strip() and key not in head.metas:
            head.metas[key] = dom.norm_space(content)
    t = root.find(".//title")
    if t is not None:
        head.page_title = dom.text_of(t)
    base = root.find(".//base[@href]")
    if base is not None:
        head.base_url = urljoin(url, base.get("href", "").strip())
    return head


def meta(head: Head, field_name: str) -> str:
    """First non-empty meta value for a field of ``patterns.META_FIELDS``."""
    for key in P.META_FIELDS[field_name]:
        v = head.metas.get(key)
        if v:
            return v
    return ""


def strip_site_suffix(title: str, site_name: str = "") -> str:
    """``标题_站名`` / ``标题 - 栏目 - 站名`` → ``标题``."""
    title = dom.norm_space(title)
    if site_name and title.endswith(site_name) and len(title) > len(site_name) + 4:
        title = title[: -len(site_name)].rstrip(" _-|｜—–")
    while True:
        parts = list(P.TITLE_SPLIT_RE.finditer(title))
        if not parts:
            return title
        last = parts[-1]
        head, tail = title[: last.start()], title[last.end():]
        if len(squash(head)) < 6 or len(tail) > 30 or P.SENTENCE_PUNCT_RE.search(tail):
            return title
        title = head


def _heading_candidates(root: HtmlElement) -> list[tuple[int, str]]:
    out = []
    for el in root.iter("h1", "h2", "h3", "div", "p", "span", "td", "strong"):
        if el.tag in P.HEADING_TAGS:
            rank = int(el.tag[1])
        elif P.TITLE_ATTR_RE.search(dom.attr_text(el)):
            rank = 4
        else:
            continue
        text = dom.text_of(el)
        if 4 <= len(text) <= 150:
            out.append((rank, text))
    return out


def find_title(root: HtmlElement, head: Head, selector_text: str = "") -> str:
    """The headline (not the ``<title>`` with its site suffix)."""
    if selector_text:
        return dom.norm_space(selector_text)
    article_title = head.metas.get("articletitle", "")
    not_titles = {squash(meta(head, "site_name")), squash(meta(head, "column"))}
    if len(squash(article_title)) >= 4 and squash(article_title) not in not_titles:
        return article_title
    page = squash(head.page_title)
    og = squash(head.metas.get("og:title", ""))
    best: tuple[int, int, str] | None = None
    for rank, text in _heading_candidates(root):
        s = squash(text)
        if len(s) < 4:
            continue
        if (page and page.startswith(s)) or (og and og.startswith(s)) or (len(s) >= 8 and s in page):
            key = (len(s), -rank, text)
            if best is None or key[:2] > best[:2]:
                best = key
    if best is not None:
        return best[2]
    site = meta(head, "site_name")
    for cand in (head.metas.get("og:title", ""), head.metas.get("twitter:title", ""), head.page_title):
        if cand:
            return strip_site_suffix(cand, site)
    cands = _heading_candidates(root)
    return min(cands, key=lambda c: c[0])[1] if cands else ""


def title_index(lines: list[str], title: str) -> int:
    """Index of the page line holding the headline, or -1."""
    t = squash(title)
    if not t:
        return -1
    for i, line in enumerate(lines):
        s = squash(line)
        if s == t or (t in s and len(s) <= len(t) + 20):
            return i
    return -1


def _date_from_lines(lines: list[str]) -> DateHit | None:
    for line in lines:
        if len(line) <= P.INFO_MAX_LEN:
            hit = parse_date(line)
            if hit:
                return hit
    return None


def find_date(head: Head, url: str, info_lines: list[str], page_lines: list[str], title: str,
              selector_text: str = "") -> DateHit | None:
    """Publication date: selector, meta, info line near the headline, then URL."""
    visible: DateHit | None = None
    ti = title_index(page_lines, title)
    if ti >= 0:
        window = page_lines[ti + 1: ti + 1 + TITLE_WINDOW]
        visible = _date_from_lines([ln for ln in window if P.PUBLISH_LABEL_RE.search(ln)]) \
            or _date_from_lines([ln for ln in window if P.INFO_DATE_LABEL_RE.search(ln)]) \
            or _date_from_lines(window) or _date_from_lines(page_lines[max(0, ti - 4): ti])
    if visible is None:
        visible = _date_from_lines(info_lines)
    for text in (selector_text, meta(head, "published")):
        hit = parse_date(text) if text else None
        if hit:
            return hit.with_time_from(visible) if visible else hit
    if visible:
        return visible
    return url_date(url)


def _clean_source(text: str) -> str:
    text = _META_PREFIX_RE.sub("", dom.norm_space(text))
    text = P.SOURCE_STOP_RE.split(text, maxsplit=1)[0]
    text = _SOURCE_TAIL_RE.sub("", text)
    return _BRACKETS_RE.sub("", text).strip()


def find_source(head: Head, info_lines: list[str], page_lines: list[str], title: str,
                selector_text: str = "") -> str:
    """来源: selector, ContentSource meta, then a ``来源：`` info line."""
    for text in (selector_text, head.metas.get("contentsource", ""), head.metas.get("source", "")):
        s = _clean_source(text) if text else ""
        if s:
            return s
    ti = title_index(page_lines, title)
    window = page_lines[max(0, ti - 4): ti + 1 + TITLE_WINDOW] if ti >= 0 else []
    for line in list(info_lines) + window:
        if len(line) > P.INFO_MAX_LEN:
            continue
        m = P.SOURCE_LABEL_RE.search(line.replace("[ ", "[").replace(" ]", "]"))
        if m:
            s = _clean_source(m.group(1))
            if s:
                return s
    return ""


def _names(text: str) -> str:
    parts = [p for p in re.split(r"[ 、，,]+", text.strip()) if p and p not in _NOT_NAMES and len(p) <= 5]
    return " ".join(parts)


def find_author(head: Head, info_lines: list[str], body_lines: list[str],
                page_lines: list[str] | None = None, title: str = "") -> str:
    """作者/记者: an info line (container, then near the headline), a byline, the Author meta."""
    window: list[str] = []
    if page_lines:
        ti = title_index(page_lines, title)
        window = page_lines[max(0, ti - 4): ti + 1 + TITLE_WINDOW] if ti >= 0 else []
    for line in list(info_lines) + window:
        if len(line) > P.INFO_MAX_LEN:
            continue
        m = P.AUTHOR_LABEL_RE.search(line)
        if m:
            name = dom.norm_space(_BRACKETS_RE.sub("", m.group(1))).strip(" 、，,")
            if name and name not in _NOT_NAMES:
                return name
    for line in body_lines[:2] + body_lines[-2:]:
        if len(line) <= 60:
            m = _BYLINE_RE.search(line)
            if m and _names(m.group(1)):
                return _names(m.group(1))
    a = meta(head, "author")
    site = meta(head, "site_name") + " " + head.page_title
    if a and _PERSON_RE.match(a) and a not in site and not _ORG_SUFFIX_RE.search(a):
        return a
    return ""


def site_name(head: Head) -> str:
    """SiteName meta, else a short last segment of the ``<title>``."""
    name = meta(head, "site_name")
    if name:
        return name
    parts = P.TITLE_SPLIT_RE.split(head.page_title)
    last = parts[-1].strip() if len(parts) > 1 else ""
    if last and len(last) <= 20 and not P.SENTENCE_PUNCT_RE.search(last):
        return last
    return ""
