"""pipelines/textfold.py: the NFKC shortcut gives exactly NFKC."""

from __future__ import annotations

import random
import unicodedata

from pipelines.textfold import nfkc


def test_nfkc_equals_unicodedata_on_random_mixed_text() -> None:
    rng = random.Random(11)
    alphabet = [chr(c) for c in [*range(0x20, 0x7F), *range(0xFF00, 0xFF70), 0x3000, 0x301, 0x308, 0x2460,
                                 0xFE59, 0xFE5D, 0x3392, 0xFB01, 0x212B, 0xC5, 0x1100, 0x1161, 0xA0]]
    alphabet += list("鲁政发〔〕号中国政府，。、；：？！（）《》“”【】")
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        assert nfkc(text) == unicodedata.normalize("NFKC", text), repr(text)
