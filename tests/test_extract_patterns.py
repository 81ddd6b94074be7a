"""Tests for ``pipelines.extract.patterns``: the lookahead-led regexes match exactly as the plain ones."""

from __future__ import annotations

import random
import re

import pytest

from pipelines.extract import patterns as P

LED = [
    (P.FOOTER_LINE_RE, re.compile(P._FOOTER_LINE, re.IGNORECASE)),
    (P.SENTENCE_PUNCT_RE, re.compile(P._SENTENCE_PUNCT)),
]


def _samples(plain: re.Pattern[str]) -> list[str]:
    """Every alternative's literal text inside noise, plus random mixtures of its characters."""
    rng = random.Random(11)
    pieces = [p for p in re.split(r"\|", plain.pattern) if p]
    literal = [re.sub(r"\\s[*+]|\(\?:|\)|\?|\[.*?\]|\\.|[*+{}\d,]", "", p) for p in pieces]
    alphabet = sorted(set("".join(literal)) | set("abcdefg ：:，。中国 \u3000ALL rights RESERVED©2026大"))
    out = [f"前文{w}后文" for w in literal] + [w.upper() for w in literal] + [w.lower() for w in literal]
    out += ["本站版权所有 Copyright © 2026", "ICP 备 12345号", "All  Rights Reserved", "当前位置 ：首页",
            "【 大 】【中】", "字号：[大 中 小]", "中国,发展;好!", "2,3;4!", "分享到：", "您当前所在位置"]
    out += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40))) for _ in range(3000)]
    return out


@pytest.mark.parametrize("led,plain", LED, ids=["footer_line", "sentence_punct"])
def test_led_regex_finds_what_the_plain_one_finds(led: re.Pattern[str], plain: re.Pattern[str]) -> None:
    for text in _samples(plain):
        a, b = led.search(text), plain.search(text)
        assert (a and a.span()) == (b and b.span()), text
        assert led.findall(text) == plain.findall(text), text


FOLDED = [(P.NEGATIVE_ATTR, P.NEGATIVE_ATTR_RE), (P.REGION_ATTR, P.REGION_ATTR_RE),
          (P.POSITIVE_OVERRIDE, P.POSITIVE_OVERRIDE_RE)]


@pytest.mark.parametrize("folded,rx", FOLDED, ids=["negative", "region", "positive"])
def test_ascii_folded_search_agrees_with_ignorecase(folded: object, rx: re.Pattern[str]) -> None:
    rng = random.Random(5)
    words = [re.sub(r"\\[a-z]|[()?!<=\[\]*+\\]", "", w) for w in rx.pattern.split("|")]
    alphabet = sorted(set("".join(words)) | set("-_ 0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    samples = [f"{a}{w}{b}" for w in words for a, b in (("", ""), ("x", ""), ("", "x"), ("main-", "-box"))]
    samples += [s.upper() for s in samples] + [s.title() for s in samples]
    samples += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30))) for _ in range(5000)]
    samples += [f"分享{s}" for s in samples[:200]] + ["ſhare", "\u212aeyword", "İnside"]
    for text in samples:
        assert folded(text) == bool(rx.search(text)), text  # type: ignore[operator]


def test_ascii_folded_refuses_patterns_it_cannot_fold() -> None:
    with pytest.raises(ValueError):
        P.ascii_folded(re.compile(r"\Wshare", re.IGNORECASE))
    with pytest.raises(ValueError):
        P.ascii_folded(re.compile("share"))
