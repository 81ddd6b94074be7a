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
