"""Multi-page articles (分页): find an article's own page links and join the pages' text.

A CMS that splits a long article serves page *n* next to page 1 under the same
name with a number suffix: ``t20260408_351.html`` → ``t20260408_351_1.html``
(TRS counts from ``_1``), ``art_1_2.html`` → ``art_1_2_2.html``,
``content.html`` → ``content_2.html``. ``page_links(html, url)`` returns the links
of the page that point to such siblings of the article – pager links
(``第2页``, ``下一页``, ``2``) and any other – in page order, and never a link
to another article (``下一篇`` points to another name). ``join(first, rest)``
makes one extraction of the pages' extractions.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import lxml.html
from lxml import etree

from core.urls import safe_join

if TYPE_CHECKING:  # pragma: no cover
    from . import Extraction

logger = logging.getLogger(__name__)

MAX_PAGES = 30
"""Page numbers above this are not followed (a hostile or broken pager)."""
_NAME_RE = re.compile(r"^(?P<stem>[^/]+?)(?P<ext>\.[A-Za-z]{2,6})?$")


def _split(url: str) -> tuple[str, str, str] | None:
    """``(scheme://host/dir/, stem, extension)`` of a URL without query."""
    p = urlsplit(url)
    directory, _, name = p.path.rpartition("/")
    m = _NAME_RE.match(name)
    if not m:
        return None
    return f"{p.scheme}://{p.netloc.lower()}{directory}/", m.group("stem"), (m.group("ext") or "").lower()


_PLAIN_STEM_RE = re.compile(r"^[A-Za-z0-9._~-]+$")


def _may_link_siblings(html: str | bytes, stem: str) -> bool:
    """False when no link to a sibling can be on the page: a sibling's href holds
    ``<stem>_`` literally (an ASCII stem), so pages without it are not parsed (every
    article page of a crawl passes here, on the reactor thread).  Pages whose bytes are
    not ASCII-compatible (UTF-16/32) are always parsed."""
    if not _PLAIN_STEM_RE.match(stem):
        return True
    needle = f"{stem}_".lower()
    if isinstance(html, str):
        return needle in html.lower()
    if b"\x00" in html[:4096]:
        return True
    return needle.encode("ascii") in html.lower()


def page_links(html: str | bytes, url: str, first_url: str = "") -> list[str]:
    """Absolute URLs of the article's pages after the first, in page order.

    ``first_url`` is page 1's URL when ``html`` is a later page (its pager
    names the same siblings); a page's own URL and page 1 are left out.
    """
    first = _split(first_url or url)
    if first is None:
        return []
    directory, stem, ext = first
    if not _may_link_siblings(html, stem):
        return []
    sibling = re.compile(re.escape(stem) + r"_(\d{1,3})" + re.escape(ext) + "$", re.IGNORECASE)
    try:
        root = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return []
    base = root.find(".//base[@href]")
    base_url = (safe_join(url, base.get("href", "").strip()) or url) if base is not None else url
    found: dict[int, str] = {}
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        joined = safe_join(base_url, href)  # a malformed link is skipped, never raised
        if joined is None:
            continue
        target = joined.split("#", 1)[0]
        try:
            parts = urlsplit(target)
        except ValueError:
            continue
        if parts.query or f"{parts.scheme}://{parts.netloc.lower()}" + parts.path.rpartition("/")[0] + "/" != directory:
            continue
        m = sibling.search(parts.path.rpartition("/")[2])
        if m and 0 < int(m.group(1)) <= MAX_PAGES:
            found.setdefault(int(m.group(1)), target)
    here = url.split("#", 1)[0]
    return [u for _, u in sorted(found.items()) if u != here]


def join(first: Extraction, rest: list[Extraction]) -> Extraction:
    """One extraction of all pages: bodies joined in order, media and tables collected."""
    if not rest:
        return first
    bodies = [first.body, *(ex.body for ex in rest)]
    out = replace(first, body="\n".join(b for b in bodies if b))
    seen = {a["url"] for a in first.attachments}
    atts = list(first.attachments)
    for ex in rest:
        atts += [a for a in ex.attachments if a["url"] not in seen and not seen.add(a["url"])]  # type: ignore[func-returns-value]
    imgs = list(first.images)
    img_seen = {i["url"] for i in imgs}
    for ex in rest:
        imgs += [i for i in ex.images if i["url"] not in img_seen and not img_seen.add(i["url"])]  # type: ignore[func-returns-value]
    out.attachments, out.images = atts, imgs
    out.tables = [t for ex in (first, *rest) for t in ex.tables]
    out.editors = list(dict.fromkeys([*first.editors, *(n for ex in rest for n in ex.editors)]))
    if "no_text" in first.flags and any("no_text" not in ex.flags for ex in rest):
        out.flags = [f for f in first.flags if f != "no_text"]
    else:
        out.flags = list(first.flags)
    out.flags.append("multi_page")
    return out
