"""Choose the element that holds the article body (the container cascade).

1. site selectors (``ArticleSelectors.body``), when given;
2. known CMS containers (``patterns.CMS_CONTAINERS``), then CMS comment
   markers (Founder ``<!--enpcontent-->``, Hanweb ``<!--<$[信息内容]>begin-->``);
3. a density fallback: every block node is scored by its punctuated non-link
   text minus a penalty for link text; the best node wins.

The chosen container is then pruned of widget boxes (share/print/related ...)
and link lists before it is turned into lines.
"""

from __future__ import annotations

import logging
import re
from copy import deepcopy
from functools import lru_cache
from typing import Any

from lxml import etree
from lxml.html import HtmlElement

from . import dom
from . import patterns as P
from .density import compute_stats, density_container, is_link_box, is_negative

logger = logging.getLogger(__name__)


def _outermost(nodes: list[HtmlElement]) -> list[HtmlElement]:
    """Drop nodes nested inside another node of the list."""
    ids = set(map(id, nodes))
    out = []
    for n in nodes:
        p = n.getparent()
        while p is not None and id(p) not in ids:
            p = p.getparent()
        if p is None:
            out.append(n)
    return out


def _has_media(el: HtmlElement) -> bool:
    return el.find(".//img") is not None or any(
        True for a in el.iter("a") if P.ATTACHMENT_RE.search(a.get("href", ""))
    )


_SIMPLE_SEL_RE = re.compile(r"^([.#])([\w-]+)$")


@lru_cache(maxsize=8)
def _selector_table(containers: tuple[tuple[str, str], ...]) -> tuple[dict[str, Any], dict[str, Any], list[Any]]:
    """Split container selectors into class and id lookups plus complex CSS."""
    by_class: dict[str, str] = {}
    by_id: dict[str, str] = {}
    complex_: list[tuple[str, str]] = []
    for name, css in containers:
        for part in css.split(","):
            m = _SIMPLE_SEL_RE.match(part.strip())
            if not m:
                complex_.append((name, part.strip()))
            elif m.group(1) == ".":
                by_class.setdefault(m.group(2), name)
            else:
                by_id.setdefault(m.group(2), name)
    return by_class, by_id, complex_


def cms_container(root: HtmlElement) -> tuple[HtmlElement | None, str]:
    """First known CMS container holding text (or media); ``(None, '')`` otherwise.

    One pass over the tree matches the simple ``.class`` / ``#id`` selectors.
    """
    by_class, by_id, complex_ = _selector_table(P.CMS_CONTAINERS)
    found: dict[str, list[HtmlElement]] = {}
    for el in root.iter(etree.Element):
        ident = el.get("id")
        if ident and ident in by_id:
            found.setdefault(by_id[ident], []).append(el)
        cls = el.get("class")
        if cls:
            for c in cls.split():
                if c in by_class:
                    found.setdefault(by_class[c], []).append(el)
                    break
    for name, css in complex_:
        found.setdefault(name, []).extend(dom.select(root, css))
    for name, _ in P.CMS_CONTAINERS:
        nodes = _outermost(found.get(name, []))
        if not nodes:
            continue
        best = max(nodes, key=lambda e: len(dom.text_of(e)))
        if len(dom.text_of(best)) >= P.MIN_CONTAINER_CHARS or _has_media(best):
            return _join_siblings(best, nodes), f"cms:{name}"
    return None, ""


def _join_siblings(best: HtmlElement, nodes: list[HtmlElement]) -> HtmlElement:
    """An article split over several containers of one kind under one parent (a share bar
    between the parts) is joined: the parts are wrapped, in place, in one ``<div>``."""
    parent = best.getparent()
    parts = [n for n in nodes if n.getparent() is parent and (n is best or dom.text_of(n) or _has_media(n))]
    if len(parts) < 2 or parent is None:
        return best
    parts.sort(key=parent.index)
    wrapper = parent.makeelement("div")
    parent.insert(parent.index(parts[0]), wrapper)
    for n in parts:
        tail, n.tail = n.tail, None
        wrapper.append(n)
        if tail and tail.strip():
            n.tail = tail
    return wrapper


def marker_container(html_text: str) -> tuple[HtmlElement | None, str]:
    """A body region delimited by CMS comment markers, parsed as a fragment."""
    for name, rx in P.COMMENT_MARKERS:
        parts = rx.findall(html_text)
        if not parts:
            continue
        frag = dom.fragment("".join(parts))
        if frag is None:
            continue
        dom.clean(frag)
        if len(dom.text_of(frag)) >= P.MIN_CONTAINER_CHARS or _has_media(frag):
            return frag, name
    return None, ""


def selector_container(root: HtmlElement, css: str) -> HtmlElement | None:
    """Container from a site selector; several matches are wrapped in one ``<div>``."""
    found = _outermost(dom.select(root, css))
    if not found:
        return None
    if len(found) == 1:
        return found[0]
    wrapper = root.makeelement("div")
    for el in found:
        wrapper.append(deepcopy(el))  # a copy: the page tree stays whole for the headline search
    return wrapper


def prune(container: HtmlElement, extra_css: tuple[str, ...] = ()) -> None:
    """Remove widget boxes and link lists inside the container, in place."""
    for css in extra_css:
        for el in dom.select(container, css):
            if el is not container and el.getparent() is not None:
                el.drop_tree()
    total = max(1, len(dom.text_of(container)))
    for el in list(container.iter(etree.Element)):
        if el is container or el.getparent() is None:
            continue
        if is_negative(dom.attr_text(el)) and len(dom.text_of(el)) < 0.5 * total:
            el.drop_tree()
    stats = compute_stats(container, P.BOX_TAGS)
    for el in list(container.iter(*P.BOX_TAGS)):
        if el is container or el.getparent() is None:
            continue
        st = stats.get(el)
        if st is None or not st.chars:
            continue
        limit = P.XXGK_BOX_MAX_CHARS if el.tag != "div" else P.XXGK_BOX_MAX_CHARS // 2
        if st.chars <= limit and len(set(P.XXGK_LABEL_RE.findall(el.text_content()))) >= 2:
            el.drop_tree()  # 信息公开 metadata table
            continue
        if el.tag in ("ul", "ol") and _is_menu(el) and _text_after(el, container) < P.MENU_TAIL_SHARE * total:
            el.drop_tree()  # a menu after the article (feedback options, tag cloud)
            continue
        if is_link_box(el, st):
            el.drop_tree()


def _is_menu(el: HtmlElement) -> bool:
    """A list of many short unpunctuated items (feedback menus, tag clouds)."""
    items = [dom.text_of(li) for li in el.iterchildren("li")]
    if len(items) < P.MENU_MIN_ITEMS:
        return False
    return all(len(t) <= P.MENU_ITEM_MAX_LEN and not P.SENTENCE_PUNCT_RE.search(t) for t in items)


def _text_after(el: HtmlElement, container: HtmlElement) -> int:
    """Characters of text that follow ``el`` inside ``container``."""
    n = 0
    node = el
    while node is not None and node is not container:
        n += len((node.tail or "").strip())
        for sib in node.itersiblings():
            if isinstance(sib.tag, str):
                n += len(sib.text_content().strip())
            n += len((sib.tail or "").strip())
        node = node.getparent()
    return n


def nearby_credits(container: HtmlElement, levels: int = 2, siblings: int = 3) -> list[str]:
    """Editor-credit lines just after the container (credits often sit outside it)."""
    out: list[str] = []
    node = container
    for _ in range(levels):
        if node is None:
            break
        for sib in list(node.itersiblings())[:siblings]:
            if not isinstance(sib.tag, str):
                continue
            for line in dom.iter_lines(sib):
                if len(line) <= P.CREDIT_MAX_LEN and P.CREDIT_LINE_RE.search(line):
                    out.append(line)
        node = node.getparent()
    return out


_FILE_HREF_RE = re.compile(r"\.(?:pdf|docx?|xlsx?|wps|ofd|zip|rar)(?:[?#]|$)|downfile\.jsp", re.I)
MIN_BOX_TEXT = 20
"""Characters below which the density pick cannot be the article box."""


def attachment_box(root: HtmlElement) -> HtmlElement | None:
    """The innermost block holding every file link of the page (``None`` without any)."""
    links = [a for a in root.iter("a") if _FILE_HREF_RE.search(a.get("href", ""))]
    if not links:
        return None
    common = list(links[0].iterancestors())
    for a in links[1:]:
        mine = set(a.iterancestors())
        common = [el for el in common if el in mine]
    for el in common:
        if el.tag in ("div", "td", "section", "article") and not is_negative(dom.attr_text(el)):
            return el
    return None


def find_container(root: HtmlElement, html_text: str, body_css: str = "") -> tuple[HtmlElement | None, str]:
    """Run the cascade; returns the container and the method name."""
    if body_css:
        node = selector_container(root, body_css)
        if node is not None:
            return node, "selector"
        logger.debug("body selector %r matched nothing; falling back", body_css)
    node, method = cms_container(root)
    if node is not None:
        return node, method
    node, name = marker_container(html_text)
    if node is not None:
        return node, f"cms:{name}"
    node = density_container(root)
    if node is None or len(dom.text_of(node).strip()) < MIN_BOX_TEXT:
        box = attachment_box(root)
        if box is not None:  # an attachment-only notice: its box is where its files are linked
            return box, "attachments"
    if node is not None:
        # A lone paragraph is never the article: a short notice whose other lines are
        # link-heavy (附件 lists) or salutations scores highest on one <p>; its box is the parent.
        parent = node.getparent()
        if node.tag == "p" and parent is not None and parent.tag not in ("body", "html"):
            node = parent
        return node, "density"
    return None, "none"
