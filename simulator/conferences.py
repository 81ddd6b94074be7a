"""Extra simulated articles from ``data/conferences.json``: press conferences and the
documents they cite (issue #13), each entry naming its site.

A paragraph may carry ``<strong>`` markup (a bold speaker mark); the entry's
``paragraphs`` become the plain text (the truth) and ``markup`` the HTML served.
"""

from __future__ import annotations

import html
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data" / "conferences.json"
_TAG_RE = re.compile(r"(</?(?:strong|b)>)")


@lru_cache(maxsize=1)
def _entries() -> tuple[dict[str, Any], ...]:
    if not DATA.is_file():
        return ()
    return tuple(json.loads(DATA.read_text("utf-8"))["articles"])


def extra_entries(slug: str) -> list[dict[str, Any]]:
    """Fresh copies of the entries for ``slug`` (the store mutates what it loads)."""
    out: list[dict[str, Any]] = []
    for raw in _entries():
        if raw["site"] != slug:
            continue
        e = {k: v for k, v in raw.items() if k != "site"}
        paras = list(raw["paragraphs"])
        if any(_TAG_RE.search(p) for p in paras):
            e["markup"] = ["".join(part if _TAG_RE.fullmatch(part) else html.escape(part, quote=False)
                                   for part in _TAG_RE.split(p)) for p in paras]
            e["paragraphs"] = [_TAG_RE.sub("", p) for p in paras]
        e["extra"] = True
        out.append(e)
    return out
