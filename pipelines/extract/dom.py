"""lxml helpers: parsing, cleaning and turning a subtree into text lines."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import lxml.html
from cssselect import SelectorError
from lxml import etree
from lxml.html import HtmlElement

from . import patterns as P

logger = logging.getLogger(__name__)

_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_WS_RE = re.compile(r"[\s\u00a0\u3000\u2002\u2003\u2009\u200b\ufeff]+")
_ZERO_WIDTH_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]+")


def norm_space(text: str) -> str:
    """Collapse all whitespace (incl. ideographic and no-break spaces) to single spaces."""
    # str.split() splits at exactly what the ``\\s`` of _WS_RE matches (Unicode whitespace)
    return " ".join(_ZERO_WIDTH_RE.sub("", text).split())


_local = threading.local()


def parser() -> lxml.html.HTMLParser:
    """This thread's HTML parser (lxml parsers are not thread-safe).

    Every element is a plain ``HtmlElement``: lxml.html's default class lookup is a
    Python method called for every element proxy (form controls get their own classes,
    which extraction never uses), about a tenth of the extraction time; a C-level
    default lookup is free.
    """
    p = getattr(_local, "parser", None)
    if p is None:
        # huge_tree lifts libxml2's default depth limit (about 256), past which text was silently dropped.
        p = _local.parser = lxml.html.HTMLParser(huge_tree=True)
        p.set_element_class_lookup(etree.ElementDefaultClassLookup(
            element=HtmlElement, comment=lxml.html.HtmlComment, pi=lxml.html.HtmlProcessingInstruction,
            entity=lxml.html.HtmlEntity))
    return p


MAX_NODES = 50_000
"""Tags parsed per page at most (``EXTRACT_MAX_NODES``); a normal government page has a few
thousand, and the walk costs about 40 µs per element, so the cap bounds a page at about 2 s."""
_BR_RUN_RE = re.compile(r"(?:<br\s*/?>\s*){3,}", re.IGNORECASE)
"""Runs of ``<br>``: two break a line as well as four million do (empty lines are never kept)."""
MAX_TAG_CHARS = 16_384
"""Longest start tag kept with its attributes; libxml2 checks attributes pairwise (100k on one
element took 16 s), so a longer tag keeps only its name."""
_HUGE_TAG_RE = re.compile(r"<([a-zA-Z][\w:-]{0,40})[^<>]{" + str(MAX_TAG_CHARS) + r",}>")
MAX_CHARS = 1_000_000
"""Characters of HTML kept per page (after over-long tags are cut): the text stages are linear
but run a few dozen regular expressions over every line, about 3.5 s per million characters."""
MAX_DEPTH = 1000
"""Nesting kept as elements; deeper tags are dropped, their text kept (libxml2 stops at 2048 even
with ``huge_tree`` and silently drops what is deeper)."""
_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9:-]{0,40})(?:\s[^<>]*?)?(/?)>")
_VOID = ("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
         "track", "wbr")
_END_TAG_OPTIONAL = ("p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "thead", "tbody", "tfoot",
                     "colgroup", "caption", "rb", "rt", "rp")
_NOT_NESTING = frozenset(_VOID + _END_TAG_OPTIONAL)


def guard(text: str, max_nodes: int = MAX_NODES) -> tuple[str, list[str]]:
    """Cut what would make parsing or walking the page pathological; return the flags it set.

    Every check is a linear scan of the text, done before libxml2 sees it:
    ``truncated_nodes`` when the page has more than ``max_nodes`` tags (the rest is dropped;
    the article comes before the 4 million ``<br>`` that follow it), ``truncated_attributes``
    when a start tag is longer than ``MAX_TAG_CHARS`` and ``truncated_text`` past ``MAX_CHARS``.
    Nesting is checked on the parsed tree (``parse_guarded``): a scan of every tag in Python
    cost three times the parse on ordinary pages.
    """
    flags: list[str] = []
    tags = text.count("<")
    if tags > max_nodes // 2:
        text = _BR_RUN_RE.sub("<br><br>", text)  # same lines, far fewer nodes
        tags = text.count("<")
    if tags > max_nodes:
        pos = -1
        for _ in range(max_nodes):
            pos = text.find("<", pos + 1)
        text = text[:pos]
        flags.append("truncated_nodes")
    if len(text) > MAX_TAG_CHARS:
        cut = _cut_huge_tags(text)
        if cut is not None:
            text = cut
            flags.append("truncated_attributes")
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS]
        flags.append("truncated_text")
    return text, flags


_TOO_DEEP = etree.XPath("/*" * (MAX_DEPTH + 1))
"""Any element nested deeper than ``MAX_DEPTH``: one XPath in libxml2 (a node set per level,
empty after the page's real depth), a tenth of the parse on ordinary pages."""


def parse_guarded(text: str, max_nodes: int = MAX_NODES) -> tuple[HtmlElement | None, str, list[str]]:
    """``guard`` then ``parse``; a tree nested deeper than ``MAX_DEPTH`` is parsed again from the
    text without the too-deep tags (their text kept), flagged ``flattened_depth``.

    Returns the root, the text parsed and the flags.
    """
    text, flags = guard(text, max_nodes)
    root = parse(text)
    if root is not None and _TOO_DEEP(root.getroottree()):
        flat = _flatten_deep(text, MAX_DEPTH)
        if flat is not None:
            text = flat
            flags.append("flattened_depth")
            root = parse(text)
    return root, text, flags


def _cut_huge_tags(text: str) -> str | None:
    """``text`` with every start tag longer than ``MAX_TAG_CHARS`` cut to its name, or ``None``.

    Such a tag is a stretch without ``<``, so only the long stretches are matched: the same
    substitution as a regex over the page, which took 30 ms on an 800 KB page with one.
    """
    segs = text.split("<")
    cut = False
    for i in range(1, len(segs)):
        seg = segs[i]
        if len(seg) > MAX_TAG_CHARS and (m := _HUGE_TAG_RE.match("<" + seg)):
            segs[i] = f"{m.group(1)}>{seg[m.end() - 1:]}"
            cut = True
    return "<".join(segs) if cut else None


def _flatten_deep(text: str, limit: int) -> str | None:
    """``text`` without the tags nested deeper than ``limit`` (their text stays), or ``None``."""
    depth = 0
    keep: list[str] = []
    last = 0
    dropped = False
    for m in _TAG_RE.finditer(text):
        closing, name, selfclosing = m.group(1), m.group(2).lower(), m.group(3)
        if name in _NOT_NESTING or selfclosing:
            continue
        if closing:
            drop = depth > limit
            depth = max(depth - 1, 0)
        else:
            depth += 1
            drop = depth > limit
        if drop:
            keep.append(text[last:m.start()])
            last = m.end()
            dropped = True
    if not dropped:
        return None
    keep.append(text[last:])
    return "".join(keep)


def parse(text: str) -> HtmlElement | None:
    """Parse an HTML document; ``None`` when nothing parseable is left."""
    text = _XML_DECL_RE.sub("", text, count=1)
    if not text.strip():
        return None
    try:
        root = lxml.html.document_fromstring(text, parser=parser())
    except (etree.ParserError, ValueError) as exc:
        logger.debug("parse failed: %s", exc)
        return None
    _merge_stray_roots(root)
    return root


def _merge_stray_roots(root: HtmlElement) -> None:
    """Move content found after a premature ``</html>`` back into ``<body>``.

    libxml2 puts such content into a second top-level ``<html>`` element that
    searches starting from the root would never see.
    """
    strays = [s for s in root.itersiblings() if isinstance(s.tag, str)]
    if not strays:
        return
    body = root.find("body")
    if body is None:
        body = etree.SubElement(root, "body")
    for stray in strays:
        for child in list(stray):
            if child.tag == "body":
                body.extend(list(child))
            elif child.tag != "head":
                body.append(child)


def fragment(text: str) -> HtmlElement | None:
    """Parse a fragment into a ``<div>`` wrapper."""
    try:
        return lxml.html.fragment_fromstring(text, create_parent="div", parser=parser())
    except (etree.ParserError, ValueError):
        return None


def clean(root: HtmlElement) -> None:
    """Remove scripts, styles, form controls, comments and hidden elements in place."""
    etree.strip_elements(root, *P.JUNK_TAGS, with_tail=False)
    etree.strip_elements(root, etree.Comment, etree.ProcessingInstruction, with_tail=False)
    for el in root.xpath("//*[@style or @hidden]"):
        hidden = el.get("hidden") is not None or P.HIDDEN_STYLE_RE.search(el.get("style", ""))
        if hidden and el.getparent() is not None:
            el.drop_tree()


@lru_cache(maxsize=256)
def css_xpath(css: str) -> etree.XPath:
    """Compile a CSS selector once (cached) into an XPath callable."""
    from lxml.cssselect import CSSSelector

    return CSSSelector(css)


def select(root: HtmlElement, css: str) -> list[HtmlElement]:
    """Elements matching a CSS selector; an invalid selector matches nothing."""
    if not css:
        return []
    try:
        found: list[Any] = css_xpath(css)(root)
        return found
    except (SelectorError, etree.XPathError, ValueError) as exc:
        logger.warning("bad selector %r: %s", css, exc)
        return []


def attr_text(el: HtmlElement) -> str:
    """``class`` and ``id`` of an element, for pattern matching."""
    return f"{el.get('class', '')} {el.get('id', '')}"


def iter_lines(el: HtmlElement, with_links: bool = False) -> Iterator[Any]:
    """Yield the text of a subtree as lines, breaking at block elements and ``<br>``.

    With ``with_links`` each item is ``(line, link_share)`` where ``link_share``
    is the fraction of the line's characters inside ``<a>``.
    """
    return iter(lines(el, with_links))


def lines(el: HtmlElement, with_links: bool = False) -> list[Any]:
    """``iter_lines`` as a list: one iterative walk, no generator per line break."""
    out: list[Any] = []
    blocks = P.BLOCK_TAGS
    norm = norm_space
    if not with_links:
        tbuf: list[str] = []
        stack: list[tuple[HtmlElement, bool]] = [(el, False)]
        pop, push = stack.pop, stack.append
        while stack:
            node, closing = pop()
            if closing:
                if node.tag in blocks and tbuf:
                    line = norm("".join(tbuf))
                    tbuf.clear()
                    if line:
                        out.append(line)
                if node.tail and node is not el:
                    tbuf.append(node.tail)
                continue
            tag = node.tag
            if not isinstance(tag, str):
                if node.tail:
                    tbuf.append(node.tail)
                continue
            if (tag == "br" or tag in blocks) and tbuf:
                line = norm("".join(tbuf))
                tbuf.clear()
                if line:
                    out.append(line)
            if node.text:
                tbuf.append(node.text)
            push((node, True))
            stack.extend([(c, False) for c in node[::-1]])
        if tbuf:
            line = norm("".join(tbuf))
            if line:
                out.append(line)
        return out

    buf: list[tuple[str, bool]] = []

    def flush() -> None:
        s = norm("".join(t for t, _ in buf))
        if s:
            # letters only: a date or count after a link (``标题 2026-06-15``) does not
            # make a link line look like text
            total = sum(_letters(t) for t, _ in buf) or 1
            linked = sum(_letters(t) for t, is_link in buf if is_link)
            out.append((s, linked / total))
        buf.clear()

    # stack items: (node, closing, node_in_link, parent_in_link)
    lstack: list[tuple[HtmlElement, bool, bool, bool]] = [(el, False, el.tag == "a", False)]
    while lstack:
        node, closing, in_link, parent_link = lstack.pop()
        tag = node.tag
        if closing:
            if tag in blocks and buf:
                flush()
            if node.tail and node is not el:
                buf.append((node.tail, parent_link))
            continue
        if not isinstance(tag, str):
            if node.tail:
                buf.append((node.tail, parent_link))
            continue
        if (tag == "br" or tag in blocks) and buf:
            flush()
        if node.text:
            buf.append((node.text, in_link))
        lstack.append((node, True, in_link, parent_link))
        if in_link:
            lstack.extend([(c, False, True, True) for c in node[::-1]])
        else:
            lstack.extend([(c, False, c.tag == "a" and _is_nav_link(c), False) for c in node[::-1]])
    if buf:
        flush()
    return out


_LETTER_RE = re.compile(r"[^\W\d_]")


def _letters(text: str) -> int:
    """Letters (CJK included) in ``text``; digits, punctuation and spaces do not count."""
    return len(_LETTER_RE.findall(text))


def _is_nav_link(el: HtmlElement) -> bool:
    """An ``<a>`` that is not a link to an attachment (attachments are article content)."""
    return el.tag == "a" and not P.ATTACHMENT_RE.search(el.get("href") or "")


def text_of(el: HtmlElement) -> str:
    """Whitespace-normalized text content of one element."""
    return norm_space(el.text_content())


_BOLD_TAGS = frozenset({"strong", "b"})
_BOLD_STYLE_RE = re.compile(r"font-weight\s*:\s*(?:bold|[6-9]00)", re.I)


def _is_bold(el: HtmlElement) -> bool:
    return el.tag in _BOLD_TAGS or bool(_BOLD_STYLE_RE.search(el.get("style", "")))


def bold_leads(el: HtmlElement) -> list[str]:
    """Bold runs (``<strong>``, ``<b>``, bold style) that open a block, in document order.

    ``<p><strong>高本伟：</strong>省委…</p>`` gives ``高本伟：``: the transcript parser uses
    them as speaker marks.  Only a run with no text before it in its block counts.
    """
    out: list[str] = []
    for block in el.iter(*P.BLOCK_TAGS):
        node = block
        while True:
            if (node.text or "").strip():
                break
            kids = [c for c in node if isinstance(c.tag, str)]
            if not kids or kids[0].tag in P.BLOCK_TAGS or kids[0].tag == "br":
                break
            node = kids[0]
            if _is_bold(node):
                lead = text_of(node)
                if lead:
                    out.append(lead)
                break
    return out
