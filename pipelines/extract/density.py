"""Density fallback: find the article container when no known CMS container matches.

One bottom-up pass computes, for every element, its characters, link characters
and Chinese sentence punctuation.  Punctuated text counts fully, short labels a
quarter, link text and footer/legal text count against the node; article-like
class/id names raise the score and widget-like names lower it.  The best block
node wins; a descendant with almost the same score is the tighter container.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

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


def compute_stats(root: HtmlElement) -> dict[HtmlElement, Stats]:
    """Text statistics of every element under ``root`` in one bottom-up pass."""
    linked: set[HtmlElement] = set()
    for a in root.iter("a"):
        linked.update(a.iter())
    stats: dict[HtmlElement, Stats] = {}
    nodes = [e for e in root.iter() if isinstance(e.tag, str)]
    punct_re = P.SENTENCE_PUNCT_RE
    is_footer = boilerplate.is_footer
    for el in reversed(nodes):
        st = Stats()
        pieces = [(el.text, el in linked)]
        for child in el:
            cs = stats.get(child)
            if cs is not None:
                st.chars += cs.chars
                st.link += cs.link
                st.good += cs.good
                st.punct += cs.punct
            pieces.append((child.tail, el in linked))
        for text, is_link in pieces:
            if not text:
                continue
            n = sum(map(len, text.split()))  # non-whitespace characters (incl. U+3000, U+00A0)
            if n <= 0:
                continue
            st.chars += n
            if is_link:
                st.link += n
                continue
            if is_footer(text):
                st.link += n  # footer/legal text weighs like links
                continue
            k = len(punct_re.findall(text))
            st.punct += k
            st.good += n if (k or n >= P.SHORT_TEXT_LEN) else n * P.SHORT_TEXT_WEIGHT
        stats[el] = st
    return stats


def is_negative(attrs: str) -> bool:
    """class/id naming a widget box (share, related, pager ...) and not an article body."""
    return bool(attrs.strip()) and bool(P.NEGATIVE_ATTR_RE.search(attrs)) \
        and not P.POSITIVE_OVERRIDE_RE.search(attrs)


def _density_score(el: HtmlElement, st: Stats) -> float:
    score = st.good - P.LINK_PENALTY * st.link
    attrs = dom.attr_text(el)
    if attrs.strip():
        if P.HINT_ATTR_RE.search(attrs):
            score *= P.HINT_ATTR_FACTOR
        elif is_negative(attrs):
            score *= P.NEGATIVE_ATTR_FACTOR
    return score


def density_container(root: HtmlElement) -> HtmlElement | None:
    """The block node with the best punctuated-text-minus-links score."""
    body = root.find("body")
    if body is None:
        body = root
    stats = compute_stats(body)
    scored = [
        (_density_score(el, st), el)
        for el, st in stats.items()
        if el.tag in P.DENSITY_TAGS and st.punct >= 1
    ]
    if not scored:
        return None
    best_score, best = max(scored, key=lambda x: x[0])
    if best_score <= 0:
        return None
    # a descendant with (almost) the same score is the tighter container
    near = [el for sc, el in scored if sc >= P.DESCEND_RATIO * best_score and _is_descendant(el, best)]
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
