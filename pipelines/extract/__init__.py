"""Article extraction: clean body text and metadata from one government HTML page.

>>> ex = extract(raw_bytes, url)          # doctest: +SKIP
>>> ex.title, ex.published, ex.body       # doctest: +SKIP

Stages (each a module): ``encoding`` decodes bytes; ``metadata`` reads the head
and finds headline/date/source; ``content`` picks the body container (site
selectors → CMS containers → ``density`` fallback) and prunes widget boxes;
``boilerplate`` filters the container's lines; ``media`` lists attachments and
images.  Rules and thresholds live in ``patterns``.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import boilerplate, content, dom, media, metadata, tables
from .dates import in_range
from .encoding import decode

if TYPE_CHECKING:  # pragma: no cover
    from core.siteconfig import ArticleSelectors

__all__ = ["Extraction", "extract", "own_text_chars"]

logger = logging.getLogger(__name__)


@dataclass
class Extraction:
    """Result of :func:`extract`; ``flags`` name anything doubtful."""

    title: str = ""
    published: str | None = None
    published_raw: str = ""
    published_meta_raw: str = ""
    """The published meta's value as found (PubDate …), kept when the shown date wins."""
    source: str = ""
    author: str = ""
    editors: list[str] = field(default_factory=list)
    body: str = ""
    site_name: str = ""
    column_meta: str = ""
    keywords: str = ""
    description: str = ""
    attachments: list[dict[str, Any]] = field(default_factory=list)
    tables: list[dict[str, Any]] = field(default_factory=list)
    """Data tables in the body: ``{"caption", "rows": [[cell, …], …]}`` (rows also in ``body``, tab-separated)."""
    images: list[dict[str, Any]] = field(default_factory=list)
    encoding: str = ""
    replacement_chars: int = 0
    extraction_method: str = ""
    flags: list[str] = field(default_factory=list)
    bold_leads: list[str] = field(default_factory=list)
    """Bold runs opening a body paragraph (speaker marks in transcripts), in order."""


_ATTACH_LABEL_RE = re.compile(r"^(?:相关)?附件(?:下载)?\d*")
_ATTACH_LINE_RE = re.compile(
    r"^\s*(?:相关)?附件(?:下载)?\s*\d*\s*[:：]|\.(?:pdf|docx?|xlsx?|zip|rar|wps|ofd)\s*$", re.I
)
MIN_TEXT_CHARS = 20
"""Own characters below which a page has ``no_text`` (``CLEANING_MIN_CHARS`` in a crawl)."""


def own_text_chars(body: str, attachments: list[dict[str, Any]]) -> int:
    """Characters of article text: attachment lines, labels and file names do not count."""
    names = [n for n in (boilerplate.squash(a.get("name", "")) for a in attachments) if n]
    own = 0
    for line in body.split("\n"):
        if _ATTACH_LINE_RE.search(line):
            continue
        s = _ATTACH_LABEL_RE.sub("", boilerplate.squash(line))
        for n in names:
            s = s.replace(n, "")
        own += len(s)
    return own


def _selector_text(root: Any, css: str) -> str:
    """Text (or ``content`` of a meta) of the first element matching a site selector."""
    for el in dom.select(root, css):
        if el.tag == "meta":
            return str(el.get("content", ""))
        text = dom.text_of(el)
        if text:
            return text
    return ""


def extract(
    raw: bytes | str,
    url: str = "",
    *,
    content_type: str | None = None,
    selectors: ArticleSelectors | None = None,
    encoding: str | None = None,
    min_text: int = MIN_TEXT_CHARS,
    max_nodes: int = dom.MAX_NODES,
) -> Extraction:
    """Extract the article of one page; never raises (what it gave up on is in ``flags``).

    The quality flags are decided here and only here: ``no_text`` (fewer than
    ``min_text`` own characters), ``no_title``, ``no_date`` (no date found),
    ``date_out_of_range`` (a date found but implausible), ``replacement_chars``.
    Flags of what was given up: ``truncated_nodes`` / ``truncated_attributes`` /
    ``flattened_depth`` (a pathological page cut, see ``dom.parse_guarded``),
    ``charset_mismatch`` (a declared charset that cannot be right was ignored),
    ``bad_url`` (a malformed link skipped) and ``extract_error`` (an unexpected failure;
    the fields found so far are kept).
    """
    ex = Extraction()
    try:
        _extract(ex, raw, url, content_type, selectors, encoding, min_text, max_nodes)
    except Exception:  # the guarantee: one hostile page never takes the crawl down
        logger.exception("extraction failed on %s; keeping what was found", url)
        ex.flags.append("extract_error")
    return ex


def _extract(ex: Extraction, raw: bytes | str, url: str, content_type: str | None,
             selectors: ArticleSelectors | None, encoding: str | None, min_text: int,
             max_nodes: int) -> None:
    dec = decode(raw, content_type=content_type, encoding=encoding)
    ex.encoding, ex.replacement_chars = dec.encoding, dec.replacement_chars
    if dec.mismatch:
        ex.flags.append("charset_mismatch")
    root, text, cut = dom.parse_guarded(dec.text, max_nodes)
    ex.flags += cut
    if root is None:
        ex.extraction_method = "none"
        ex.flags += ["no_text", "no_title", "no_date"]
        return
    head = metadata.read_head(root, url)
    sel_title = _selector_text(root, selectors.title) if selectors and selectors.title else ""
    sel_date = _selector_text(root, selectors.published) if selectors and selectors.published else ""
    sel_source = _selector_text(root, selectors.source) if selectors and selectors.source else ""

    dom.clean(root)
    page_lines = list(dom.iter_lines(root))  # before the container is pruned or moved
    container, ex.extraction_method = content.find_container(root, text, selectors.body if selectors else "")
    ex.title = metadata.find_title(root, head, sel_title, page_lines, container)

    info: list[str] = []
    bad_urls: list[str] = [head.bad_base] if head.bad_base else []
    if container is not None:
        ex.attachments = media.attachments(container, head.base_url, bad_urls)
        content.prune(container, selectors.prune if selectors else ())
        ex.images = media.images(container, head.base_url, bad_urls)
        found = tables.take_tables(container)
        ex.bold_leads = dom.bold_leads(container)
        filtered = boilerplate.filter_lines(list(dom.iter_lines(container, with_links=True)), ex.title)
        body_lines, ex.tables = tables.render(filtered.lines, found)
        ex.body = "\n".join(body_lines)
        ex.editors = filtered.editors
        if not ex.editors and container.getparent() is not None:
            for line in content.nearby_credits(container):
                ex.editors += [n for n in boilerplate.credit_names(line) if n not in ex.editors]
        info = filtered.info

    hit = metadata.find_date(head, url, info, page_lines, ex.title, sel_date)
    ex.published_meta_raw = metadata.meta(head, "published")
    if hit is not None:
        ex.published_raw = hit.raw
        if in_range(hit):
            ex.published = hit.iso
        else:
            ex.flags.append("date_out_of_range")
    ex.source = metadata.find_source(head, info, page_lines, ex.title, sel_source)
    ex.author = metadata.find_author(head, info, ex.body.split("\n") if ex.body else [], page_lines, ex.title)
    ex.site_name = metadata.site_name(head)
    ex.column_meta = metadata.meta(head, "column")
    ex.keywords = metadata.meta(head, "keywords")
    ex.description = metadata.meta(head, "description")

    if own_text_chars(ex.body, ex.attachments) < min_text:
        ex.flags.append("no_text")
    if not ex.title:
        ex.flags.append("no_title")
    if hit is None:
        ex.flags.append("no_date")
    if dec.replacement_chars:
        ex.flags.append("replacement_chars")
    if bad_urls:
        ex.flags.append("bad_url")  # a malformed link, image or <base href> was skipped
    logger.debug("extracted %s via %s (%d chars)", url, ex.extraction_method, len(ex.body))
