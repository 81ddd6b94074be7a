"""Headline, date, source, author and the other page metadata.

Sources in order: site selectors, government ``<meta>`` tags (ArticleTitle,
PubDate, ContentSource, SiteName, ColumnName ...), headings compared with the
``<title>``, the info line near the headline (发布时间/来源), then the URL.
"""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass, field

from lxml.html import HtmlElement

from core.urls import safe_join

from . import dom
from . import patterns as P
from .boilerplate import squash
from .dates import DateHit, parse_date, url_date

logger = logging.getLogger(__name__)

_META_PREFIX_RE = re.compile(r"^\s*(?:信息来源|文章来源|稿件来源|来源|作者)\s*[:：]\s*")
# interaction links printed after the source on news portals (参与互动, 我要评论 …)
_SOURCE_TAIL_RE = re.compile(
    r"\s*(?:原创稿|原创|转载|参与互动|我要评论|发表评论|我要纠错|举报|\(\S{1,6}\)|（\S{1,6}）)\s*$|"
    r"\s+(?:互动|评论|跟帖|纠错)\s*$"
)
_BRACKETS_RE = re.compile(r"^[\[【(（\s]+|[\]】)）\s]+$")
_PERSON_RE = re.compile(r"^[\u4e00-\u9fff·]{2,5}(?:[ 、，,][\u4e00-\u9fff·]{2,5}){0,3}$")
# 记者 张三，通讯员 李四 / 记者：张三 — but ``记者：请问，…`` (a question in a transcript) is no byline
_BYLINE_RE = re.compile(
    r"(?:记者|通讯员|作者)(?:\s*[:：]\s*(?P<c>[\u4e00-\u9fff·]{2,4}(?:[ 、，,][\u4e00-\u9fff·]{2,4}){0,3})"
    r"(?=$|[\s）)】\]/|])"
    r"|\s+(?P<s>[\u4e00-\u9fff·]{2,4}(?:[ 、，,][\u4e00-\u9fff·]{2,4}){0,3})(?=$|[\s）)】\]，,。/|]))"
)
_NOT_NAMES = frozenset(["来源", "编辑", "摄影", "报道", "摄", "通讯员", "记者", "实习生", "责编", "发自", "电"])
_ORG_SUFFIX_RE = re.compile(
    r"(?:网|报|社|台|站|刊|中心|新闻|频道|客户端|杂志|日报|晚报|时报|集团|公司|政府|办公室|委员会)$"
)
TITLE_WINDOW = 25
SEGMENT_MIN = 6      # a <title> segment shown on the page is the headline only from this length
HEADING_LEVELS = 3   # heading_before: container and ancestors searched ...
HEADING_SIBLINGS = 4  # ... and preceding siblings per level
_TITLE_TAGS = frozenset(["div", "p", "span", "td", "strong"])
LABEL_CELL_MAX = 30  # a label cell (发布日期：) and its value cell are short lines


@dataclass
class Head:
    """What the document head says, read before the tree is cleaned."""

    metas: dict[str, str] = field(default_factory=dict)
    page_title: str = ""
    base_url: str = ""
    bad_base: str = ""
    """A ``<base href>`` that is not a URL (ignored; ``base_url`` stays the page URL)."""


_MARKUP_RE = re.compile(r"<\s*/?\s*[A-Za-z][\w:-]*[^<>]*>")
_BLOCK_MARKUP_RE = re.compile(r"<\s*/?\s*(?:" + "|".join(sorted(P.BLOCK_TAGS)) + r")\b[^<>]*>", re.IGNORECASE)


def meta_text(value: str, first_block: bool = False) -> str:
    """A meta value without literal HTML markup some CMSs leave in it.

    ``标题<div>——副标题</div>`` → ``标题 ——副标题``, or with ``first_block`` only the
    text before the first block element (``标题``; a ``<br>`` or inline tag joins).
    """
    if "<" not in value or not _MARKUP_RE.search(value):
        return dom.norm_space(value)
    if first_block:
        parts = [p for p in (_MARKUP_RE.sub("", x) for x in _BLOCK_MARKUP_RE.split(value)) if p.strip()]
        value = parts[0] if parts else ""
    else:
        value = _MARKUP_RE.sub(" ", _BLOCK_MARKUP_RE.sub(" ", value))
    return dom.norm_space(html.unescape(value))


def read_head(root: HtmlElement, url: str) -> Head:
    """Collect ``<meta>`` values (lower-case names, first wins), ``<title>`` and the base URL."""
    head = Head(base_url=url)
    titles = set(P.META_FIELDS["title"])
    for m in root.iter("meta"):
        key = (m.get("name") or m.get("property") or m.get("itemprop") or "").strip().lower()
        content = m.get("content")
        if key and content and content.strip() and key not in head.metas:
            head.metas[key] = meta_text(content, first_block=key in titles)
    t = root.find(".//title")
    if t is not None:
        head.page_title = dom.text_of(t)
    base = root.find(".//base[@href]")
    if base is not None:
        href = base.get("href", "").strip()
        joined = safe_join(url, href) if href else url
        if joined is None:
            logger.warning("malformed <base href=%r> ignored on %s", href[:200], url)
            head.bad_base = href
        else:
            head.base_url = joined
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


def _is_logo(el: HtmlElement) -> bool:
    """A site logo/banner heading (``<h1 class="logo"><a href="/">某某市人民政府</a></h1>``)."""
    node, depth = el, 0
    while node is not None and depth < 3:
        if P.LOGO_ATTR_RE.search(dom.attr_text(node)):
            return True
        node, depth = node.getparent(), depth + 1
    links = [a for a in el.iter("a") if P.HOME_HREF_RE.match((a.get("href") or "").strip())]
    return bool(links) and sum(len(dom.text_of(a)) for a in links) >= len(dom.text_of(el))


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
        if 4 <= len(text) <= 150 and not _is_logo(el):
            out.append((rank, text))
    return out


def _title_segment_on_page(head: Head, page_lines: list[str]) -> str:
    """The longest ``<title>`` segment that the page also shows as a line of its own.

    Handles ``站名-栏目-标题`` as well as ``标题_站名`` when the headline is in an
    element without a heading tag or title-like class.
    """
    parts = [p.strip() for p in P.TITLE_SPLIT_RE.split(dom.norm_space(head.page_title))]
    if len(parts) < 2:
        return ""
    site = squash(meta(head, "site_name"))
    # (a 4-character segment is a column name shown in the menu: 新闻动态, 通知公告)
    segs = {squash(p): p for p in parts if len(squash(p)) >= SEGMENT_MIN and squash(p) != site}
    shown = {squash(line) for line in page_lines if len(line) <= 150}
    found = [p for s, p in segs.items() if s in shown]
    # a segment that reads like a site's name (…人民政府, …网) only when nothing else is shown
    return max(found, key=lambda p: (not P.SITE_NAME_RE.search(p), len(p))) if found else ""


def _best_heading(cands: list[tuple[int, str]]) -> str:
    """Highest-ranked heading, headline-length ones (8+ characters) before box labels (热点新闻)."""
    long_ = [c for c in cands if len(squash(c[1])) >= 8]
    return min(long_ or cands, key=lambda c: c[0])[1]


def _title_is_site_name(head: Head) -> bool:
    """``<title>`` is only the site's name (one segment, the SiteName meta or an organisation's name)."""
    title = dom.norm_space(head.page_title)
    if not title or len(P.TITLE_SPLIT_RE.split(title)) > 1:
        return False
    site = meta(head, "site_name")
    return (bool(site) and squash(site) == squash(title)) or bool(P.SITE_NAME_RE.search(title))


def heading_before(container: HtmlElement) -> str:
    """Text of the nearest heading (``h1``–``h6`` or a title-like class) just above the container."""
    node = container
    for _ in range(HEADING_LEVELS):
        if node is None:
            break
        for sib in list(node.itersiblings(preceding=True))[:HEADING_SIBLINGS]:
            if not isinstance(sib.tag, str):
                continue
            for el in reversed([sib, *sib.iterdescendants()]):
                if not isinstance(el.tag, str):
                    continue
                if el.tag in P.HEADING_TAGS or (el.tag in _TITLE_TAGS and P.TITLE_ATTR_RE.search(dom.attr_text(el))):
                    text = dom.text_of(el)  # (a 4-character column label such as 工作动态 is no headline)
                    if len(squash(text)) >= SEGMENT_MIN and len(text) <= 150 and not _is_logo(el) \
                            and not P.INFO_LABEL_RE.search(text):
                        return text
        node = node.getparent()
    return ""


def find_title(root: HtmlElement, head: Head, selector_text: str = "", page_lines: list[str] | None = None,
               container: HtmlElement | None = None) -> str:
    """The headline (not the ``<title>`` with its site suffix).

    Order: selector, ``ArticleTitle`` meta, the longest heading the ``<title>``
    starts with or contains, a ``<title>`` segment shown on the page as a line,
    a heading above the article when the ``<title>`` names only the site (or
    only column and site: ``新闻动态--某学会官网``), the ``<title>`` without its
    site suffix.
    """
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
    if page_lines:
        seg = _title_segment_on_page(head, page_lines)
        if seg:
            return seg
    site = meta(head, "site_name")
    stripped = next((strip_site_suffix(c, site) for c in (head.metas.get("og:title", ""),
                     head.metas.get("twitter:title", ""), head.page_title) if c), "")
    shown = bool(page_lines) and squash(stripped) in {squash(line) for line in page_lines or ()}
    if not shown and container is not None:
        above = heading_before(container)
        if above:
            return above
    if not shown and _title_is_site_name(head):  # every page of the site has the same <title>
        cands = _heading_candidates(root)
        if cands:
            return _best_heading(cands)
    if stripped:
        return stripped
    cands = _heading_candidates(root)
    return _best_heading(cands) if cands else ""


def title_index(lines: list[str], title: str) -> int:
    """Index of the page line holding the headline (the last line of a headline split over lines), or -1."""
    t = squash(title)
    if not t:
        return -1
    for i, line in enumerate(lines):
        s = squash(line)
        if s == t or (t in s and len(s) <= len(t) + 20):
            return i
    for i, line in enumerate(lines):  # 某某市人民政府办公室<br>关于印发…的通知
        joined = squash(line)
        if not joined or not t.startswith(joined):
            continue
        for j in range(i + 1, min(i + 4, len(lines))):
            joined += squash(lines[j])
            if joined == t:
                return j
            if not t.startswith(joined):
                break
    return -1


def _date_from_lines(lines: list[str]) -> DateHit | None:
    for line in lines:
        if len(line) <= P.INFO_MAX_LEN:
            hit = parse_date(line)
            if hit:
                return hit
    return None


def _labelled_date(lines: list[str], label_re: re.Pattern[str], last_first: bool = False) -> DateHit | None:
    """Date on a labelled line, or in the next line when the label stands alone (a table cell)."""
    order = range(len(lines) - 1, -1, -1) if last_first else range(len(lines))
    for i in order:
        line = lines[i]
        if len(line) <= P.INFO_MAX_LEN and label_re.search(line):
            hit = parse_date(line)
            if hit is None and len(line) <= LABEL_CELL_MAX and i + 1 < len(lines) \
                    and len(lines[i + 1]) <= LABEL_CELL_MAX:
                hit = parse_date(lines[i + 1])
            if hit:
                return hit
    return None


def find_date(head: Head, url: str, info_lines: list[str], page_lines: list[str], title: str,
              selector_text: str = "") -> DateHit | None:
    """Publication date: selector, meta, info line near the headline, then URL.

    A published meta that names another day than the date the page shows is a
    re-publication or update stamp: the shown date wins when it is labelled
    (发布时间：…) or the URL carries the same day.
    """
    visible: DateHit | None = None
    labelled: DateHit | None = None
    ti = title_index(page_lines, title)
    if ti >= 0:
        window = page_lines[ti + 1: ti + 1 + TITLE_WINDOW]
        above = page_lines[max(0, ti - TITLE_WINDOW): ti]  # a 信息公开 table above the headline
        # a 发布时间 label below a long article beats a date quoted in its text
        labelled = _labelled_date(window, P.PUBLISH_LABEL_RE) or _labelled_date(above, P.PUBLISH_LABEL_RE, True) \
            or _labelled_date(window, P.INFO_DATE_LABEL_RE) \
            or _labelled_date(page_lines[ti + 1 + TITLE_WINDOW:], P.PUBLISH_LABEL_RE)
        visible = labelled or _date_from_lines(window) or _date_from_lines(page_lines[max(0, ti - 4): ti])
    if visible is None:
        labelled = _labelled_date(info_lines, P.PUBLISH_LABEL_RE) or _labelled_date(info_lines, P.INFO_DATE_LABEL_RE)
        visible = labelled or _date_from_lines(info_lines)
    if selector_text:
        hit = parse_date(selector_text)
        if hit:
            return hit.with_time_from(visible) if visible else hit
    text = meta(head, "published")
    hit = parse_date(text) if text else None
    if hit:
        if visible and hit.when.date() != visible.when.date():
            in_url = url_date(url)
            if labelled is not None or (in_url is not None and in_url.when.date() == visible.when.date()):
                logger.debug("published meta %r disagrees with the shown date %r: shown kept", text, visible.raw)
                return visible
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
            name = _names(m.group("c") or m.group("s")) if m else ""
            if name:
                return name
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
