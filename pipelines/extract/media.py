"""Attachments (PDF/DOC/XLS/ZIP/OFD …) and images inside the article container."""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qs, unquote, urlsplit

from lxml.html import HtmlElement

from core.urls import safe_join

from . import dom
from . import patterns as P

logger = logging.getLogger(__name__)

_IMG_SRC_ATTRS = ("data-src", "data-original", "original", "data-echo", "src")
_JUNK_ALT_RE = re.compile(r"^(?:图片|image|img|pic|photo|\S+\.(?:jpe?g|png|gif|webp|bmp))$", re.IGNORECASE)
_MAX_CAPTION = 120
_MIN_IMG_SIDE = 30


def _int(value: str | None) -> int | None:
    try:
        return int(str(value).strip().rstrip("px"))
    except (TypeError, ValueError):
        return None


def attachments(container: HtmlElement, base_url: str, bad: list[str] | None = None) -> list[dict[str, str]]:
    """Links to documents, with absolute URLs; Hanweb ``downfile.jsp`` names come from ``showname``.

    A malformed link is skipped and appended to ``bad``.
    """
    out: list[dict[str, str]] = []
    seen: set[str] = set()
    for a in container.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")) or not P.ATTACHMENT_RE.search(href):
            continue
        url = safe_join(base_url, href)
        if url is None:
            _bad(bad, href)
            continue
        if url in seen:
            continue
        seen.add(url)
        name = dom.text_of(a)
        if not name:
            qs = parse_qs(urlsplit(url).query)
            name = (qs.get("showname") or qs.get("filename") or [""])[0]
            name = unquote(name) or unquote(urlsplit(url).path.rsplit("/", 1)[-1])
        out.append({"url": url, "name": name})
    return out


def _caption(img: HtmlElement) -> str:
    for anc in img.iterancestors("figure"):
        cap = anc.find(".//figcaption")
        if cap is not None:
            return dom.text_of(cap)[:_MAX_CAPTION]
        break
    parent = img.getparent()
    if parent is not None and parent.tag in ("p", "div", "span", "center", "td"):
        text = dom.text_of(parent)
        if 0 < len(text) <= _MAX_CAPTION:
            return text
    for attr in ("alt", "title"):
        v = dom.norm_space(img.get(attr) or "")
        if v and not _JUNK_ALT_RE.match(v):
            return v[:_MAX_CAPTION]
    return ""


def _bad(bad: list[str] | None, href: str) -> None:
    logger.warning("malformed link skipped: %r", href[:200])
    if bad is not None:
        bad.append(href)


def images(container: HtmlElement, base_url: str, bad: list[str] | None = None) -> list[dict[str, str]]:
    """Images inside the article with absolute URLs and a caption when one is near.

    A malformed ``src`` is skipped and appended to ``bad``.
    """
    out: list[dict[str, str]] = []
    seen: set[str] = set()
    for img in container.iter("img"):
        src = next((img.get(k).strip() for k in _IMG_SRC_ATTRS if (img.get(k) or "").strip()), "")
        if not src or src.startswith("data:"):
            continue
        w, h = _int(img.get("width")), _int(img.get("height"))
        if (w is not None and w < _MIN_IMG_SIDE) or (h is not None and h < _MIN_IMG_SIDE):
            continue
        url = safe_join(base_url, src)
        if url is None:
            _bad(bad, src)
            continue
        if url in seen:
            continue
        seen.add(url)
        out.append({"url": url, "caption": _caption(img)})
    return out
