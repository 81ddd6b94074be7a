"""The archived original page, made safe to show in a frame beside the clean text.

Two independent layers keep the stored page inert:

* ``render_original`` rewrites the HTML: scripts, frames, plugins, ``<base>``,
  ``<link>``, refresh/CSP ``<meta>`` and event-handler attributes are removed;
  every URL that would load something (``src``, ``srcset``, ``poster``,
  ``background``, ``data``, ``action``, CSS ``url()`` / ``@import``) is dropped
  unless it is a ``data:`` URI, and links keep their absolute target only as a
  tooltip, so clicking one does not navigate the frame away;
* the response carries ``FRAME_CSP``, which forbids scripts and every load
  except same-server and ``data:`` images and inline styles, and sandboxes the
  document even when it is opened on its own; the ``<iframe>`` that shows it
  has a ``sandbox`` attribute without ``allow-scripts``.

The stored bytes themselves are never changed: they stay in ``raw_pages``.
"""

from __future__ import annotations

import codecs
import logging
import re
from urllib.parse import urljoin

import lxml.html
from lxml import etree

logger = logging.getLogger(__name__)

FRAME_CSP = (
    "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; font-src data:;"
    " form-action 'none'; base-uri 'none'; frame-ancestors 'self'; sandbox"
)
"""Content-Security-Policy of the framed original page."""
FRAME_HEADERS = {
    "Content-Security-Policy": FRAME_CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cache-Control": "private, max-age=300",
}
"""Every header of the framed original page's response."""

_DROP_TAGS = {
    "script", "noscript", "iframe", "frame", "frameset", "object", "embed", "applet", "base",
    "link", "portal", "template", "video", "audio", "source", "track",
}
_URL_ATTRS = {
    "src", "srcset", "poster", "background", "data", "action", "formaction", "ping", "lowsrc",
    "dynsrc", "longdesc", "codebase", "archive", "manifest", "cite", "imagesrcset",
}
_CSS_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE | re.DOTALL)
_CSS_IMPORT = re.compile(r"@import\b[^;]*;?", re.IGNORECASE)
_SCRIPT_URL = re.compile(r"^\s*(?:javascript|vbscript|data):", re.IGNORECASE)


def decode(content: bytes, encoding: str) -> str:
    """The stored bytes as text, in the charset they were decoded with when archived."""
    name = encoding or "utf-8"
    try:
        codecs.lookup(name)
    except LookupError:
        logger.warning("unknown stored encoding %r; decoding as utf-8", encoding)
        name = "utf-8"
    return content.decode(name, errors="replace")


def _inert_css(css: str) -> str:
    css = _CSS_IMPORT.sub("", css)
    return _CSS_URL.sub(lambda m: m.group(0) if m.group(2).strip().lower().startswith("data:")
                        else "none", css)


def render_original(content: bytes, encoding: str, url: str) -> str:
    """A self-contained, script-free HTML document made from a stored response."""
    text = decode(content, encoding)
    if not text.strip():
        text = "<p></p>"
    try:
        doc = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        doc = lxml.html.document_fromstring("<pre></pre>")
        doc.find(".//pre").text = text
    for el in list(doc.iter()):
        if not isinstance(el.tag, str):  # comments, processing instructions
            if el.getparent() is not None:
                el.drop_tree()
            continue
        tag = el.tag.lower().rsplit("}", 1)[-1]
        if tag in _DROP_TAGS or (tag == "meta" and (el.get("http-equiv") or el.get("charset"))):
            el.drop_tree()
            continue
        for name in list(el.attrib):
            low = name.lower().rsplit("}", 1)[-1]
            value = el.attrib[name]
            if low.startswith("on"):
                del el.attrib[name]
            elif low in _URL_ATTRS:
                if not value.strip().lower().startswith("data:image/"):
                    del el.attrib[name]
                    if low == "src":
                        el.set("data-archived-src", urljoin(url, value.strip()))
            elif low == "href":
                del el.attrib[name]
                if tag == "a" and value.strip() and not _SCRIPT_URL.match(value):
                    el.set("title", urljoin(url, value.strip()))
            elif low == "style":
                el.set(name, _inert_css(value))
        if tag == "style" and el.text:
            el.text = _inert_css(el.text)
    head = doc.find("head")
    if head is None:
        head = etree.Element("head")
        doc.insert(0, head)
    meta = etree.Element("meta", charset="utf-8")
    head.insert(0, meta)
    style = etree.SubElement(head, "style")
    style.text = "a[title]{text-decoration:underline;cursor:help}img{min-width:1em;min-height:1em}"
    return "<!DOCTYPE html>\n" + str(lxml.html.tostring(doc, encoding="unicode", method="html"))
