"""Density fallback: find the article container when no known CMS container matches.

One bottom-up pass computes, for every element, its characters, link characters
and Chinese sentence punctuation.  Punctuated text counts fully, short labels a
quarter, link text and footer/legal text count against the node; article-like
class/id names raise the score and widget-like names lower it.  The best block
node wins; a descendant with almost the same score is the tighter container.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from lxml import etree
from lxml.html import HtmlElement

from . import boilerplate, dom
from . import patterns as P

logger = logging.getLogger(__name__)


@dataclass
class Stats:
    """Text statistics of a subtree."""

    chars: int = 0
    link: int = 0
    good: float = 0.0
    punct: int = 0
    pen: float = 0.0
    """Weighted characters that count against the node (links, footer text, widget boxes)."""
    attach: bool = False
    """The subtree links to an attachment."""


def is_link_box(el: HtmlElement, st: Stats) -> bool:
    """A box that is a list of links (``prune`` removes it from a container)."""
    return el.tag in P.BOX_TAGS and st.chars > 0 and st.link / st.chars > P.BOX_LINK_DENSITY \
        and st.punct <= P.BOX_MAX_PUNCT and not st.attach


def compute_stats(root: HtmlElement, keep: Collection[str] | None = None) -> dict[HtmlElement, Stats]:
    """Text statistics of every element under ``root`` in one bottom-up pass.

    What a child box adds to its ancestors depends on the box.  ``prune``
    removes widget boxes (class/id: share, related, sidebar …) and link lists
    (``is_link_box``) from the chosen container, so such a box must not
    outweigh the article it sits in: a widget box adds its characters at the
    low ``LINK_BOX_PENALTY`` and nothing to the good text (it is never article
    text); a link list adds its link text at ``LINK_BOX_PENALTY`` instead of
    ``LINK_PENALTY``.

    ``keep`` limits the returned statistics to those tags (and ``root``); every
    element still counts toward its ancestors.  The dict is in reverse document order.
    """
    linked: set[HtmlElement] = set()
    for a in root.iter("a"):
        linked.update(a.iter())
    stats: dict[HtmlElement, Stats] = {}
    # What a node adds to its parent: (chars, link, good, punct, pen, attach); none when nothing.
    contrib: dict[HtmlElement, tuple[Any, ...]] = {}
    findall = P.SENTENCE_PUNCT_RE.findall
    attach_re = P.ATTACHMENT_RE
    is_footer = boilerplate.is_footer
    negative = _negative_attrs
    link_pen, box_pen = P.LINK_PENALTY, P.LINK_BOX_PENALTY
    box_ratio = box_pen / link_pen
    short_len, short_w = P.SHORT_TEXT_LEN, P.SHORT_TEXT_WEIGHT
    box_tags, box_density, box_punct = P.BOX_TAGS, P.BOX_LINK_DENSITY, P.BOX_MAX_PUNCT
    get_contrib = contrib.get
    # iter(Element) filters comments and processing instructions in C, before any proxy is made
    for el in reversed(list(root.iter(etree.Element))):
        chars = link = punct = 0
        good = pen = 0.0
        tag = el.tag
        attach = tag == "a" and bool(attach_re.search(el.get("href") or ""))
        text = el.text
        texts = [text] if text else []
        if len(el):
            for child in el:
                cs = get_contrib(child)
                if cs is not None:
                    chars += cs[0]
                    link += cs[1]
                    good += cs[2]
                    punct += cs[3]
                    pen += cs[4]
                    if cs[5]:
                        attach = True
                tail = child.tail
                if tail:
                    texts.append(tail)
        if texts:
            in_link = el in linked
            for text in texts:
                words = text.split()
                if not words:
                    continue
                n = sum(map(len, words))  # non-whitespace characters (incl. U+3000, U+00A0)
                chars += n
                if in_link:
                    link += n
                    pen += link_pen * n
                elif is_footer(text):
                    pen += link_pen * n  # footer/legal text weighs like links
                else:
                    k = len(findall(text))
                    punct += k
                    good += n if (k or n >= short_len) else n * short_w
        if keep is None or tag in keep or el is root:
            stats[el] = Stats(chars, link, good, punct, pen, attach)
        if el is root or not (chars or attach):
            continue  # an empty subtree adds nothing to its ancestors
        cls, ident = el.get("class"), el.get("id")
        if (cls or ident) and negative(cls, ident):
            contrib[el] = (chars, link, 0.0, 0, box_pen * chars, attach)
        elif tag in box_tags and chars and link / chars > box_density and punct <= box_punct and not attach:
            contrib[el] = (chars, link, good, punct, pen * box_ratio, attach)  # a link list: is_link_box
        else:
            contrib[el] = (chars, link, good, punct, pen, attach)
    return stats


@lru_cache(maxsize=4096)
def _negative_attrs(cls: str | None, ident: str | None) -> bool:
    """``is_negative(dom.attr_text(el))`` from the element's class and id."""
    return is_negative(f"{cls or ''} {ident or ''}")


@lru_cache(maxsize=4096)
def is_negative(attrs: str) -> bool:
    """class/id naming a widget box (share, related, pager ...) and not an article body."""
    return bool(attrs.strip()) and P.NEGATIVE_ATTR(attrs) and not P.POSITIVE_OVERRIDE(attrs)


@lru_cache(maxsize=4096)
def _is_region(attrs: str) -> bool:
    return bool(attrs.strip()) and P.REGION_ATTR(attrs) and not P.POSITIVE_OVERRIDE(attrs)


@lru_cache(maxsize=4096)
def is_article_name(attrs: str) -> bool:
    """class/id with an article-body word (``article-con``, ``pages_content``, ``zw``, ``endText`` …)."""
    return any(P.HINT_WORD_RE.match(w.lower()) for w in P.ATTR_WORD_SPLIT_RE.split(attrs) if w)


def _density_score(el: HtmlElement, st: Stats, named: set[HtmlElement]) -> float:
    score = st.good - st.pen
    if el in named:
        score *= P.HINT_ATTR_FACTOR
    elif is_negative(dom.attr_text(el)):
        score *= P.NEGATIVE_ATTR_FACTOR
    return score


def _innermost_article_names(nodes: list[HtmlElement]) -> set[HtmlElement]:
    """Nodes with an article-like class/id and no such node inside (``text_con_left`` > ``box_con``)."""
    named = [el for el in nodes if is_article_name(dom.attr_text(el))]
    outer: set[HtmlElement] = set()
    for el in named:
        outer.update(el.iterancestors())
    return {el for el in named if el not in outer}


def _in_regions(body: HtmlElement) -> set[HtmlElement]:
    """Elements inside a page region named by class/id: sidebar, comments, related links, footer.

    These are the class-named equivalents of ``aside``/``footer``, which
    ``dom.clean`` removes outright; text in them is never the article.
    """
    out: set[HtmlElement] = set()
    for el in body.iter(etree.Element):
        if el in out:
            continue
        cls, ident = el.get("class"), el.get("id")
        if (cls or ident) and _region_attrs(cls, ident):
            out.update(el.iter())
    return out


@lru_cache(maxsize=4096)
def _region_attrs(cls: str | None, ident: str | None) -> bool:
    """``_is_region(dom.attr_text(el))`` from the element's class and id."""
    return _is_region(f"{cls or ''} {ident or ''}")


def density_container(root: HtmlElement) -> HtmlElement | None:
    """The block node with the best punctuated-text-minus-links score."""
    body = root.find("body")
    if body is None:
        body = root
    stats = compute_stats(body, P.DENSITY_TAGS)
    regions = _in_regions(body)
    cands = [el for el, st in stats.items() if el.tag in P.DENSITY_TAGS and st.punct >= 1 and el not in regions]
    named = _innermost_article_names(cands)
    scored = [(_density_score(el, stats[el], named), el) for el in cands]
    if not scored:
        return None
    best_score, best = max(scored, key=lambda x: x[0])
    if best_score <= 0:
        return None
    # a descendant with (almost) the same score that keeps (almost) all its text is the tighter
    # container; a single paragraph of a longer article never is
    floor = P.DESCEND_MIN_TEXT_SHARE * stats[best].good
    near = [el for sc, el in scored if sc >= P.DESCEND_RATIO * best_score and stats[el].good >= floor
            and _is_descendant(el, best)]
    if near:
        best = max(near, key=_depth)
    return best


def _depth(el: HtmlElement) -> int:
    d = 0
    while el is not None:
        el = el.getparent()
        d += 1
    return d


def _is_descendant(el: HtmlElement, anc: HtmlElement) -> bool:
    p = el.getparent()
    while p is not None:
        if p is anc:
            return True
        p = p.getparent()
    return False
