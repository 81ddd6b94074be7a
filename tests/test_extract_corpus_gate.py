"""Quality gate on the shared truth corpus (skipped when the corpus is absent).

The corpus lives outside the repo (``/work/shared/corpus`` or ``$GOVPRESS_CORPUS``);
the official scorer is imported from ``CORPUS/../tools/score_extraction.py``.
Floors are in ``tests/extract_floor.json``.
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import pytest

from pipelines.extract import extract

CORPUS = Path(os.environ.get("GOVPRESS_CORPUS", "/work/shared/corpus"))
FLOORS = json.loads((Path(__file__).parent / "extract_floor.json").read_text("utf-8"))


def _scorer():
    path = CORPUS.resolve().parent / "tools" / "score_extraction.py"
    if not (CORPUS / "truth").is_dir() or not path.exists():
        pytest.skip(f"truth corpus or scorer not found under {CORPUS}")
    spec = importlib.util.spec_from_file_location("score_extraction", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def scored() -> tuple[list[dict], dict]:
    scorer = _scorer()
    preds = {}
    for tf in sorted((CORPUS / "truth").glob("*.json")):
        ex = extract((CORPUS / "html" / f"{tf.stem}.html").read_bytes())
        preds[tf.stem] = {"id": tf.stem, "title": ex.title, "published": ex.published, "body": ex.body}
    rows = scorer.score(str(CORPUS), preds)
    assert rows, "no truth pages scored"
    return rows, scorer.summary(rows)


def test_mean_body_f1(scored) -> None:
    rows, summary = scored
    low = {r["id"]: round(r["f1"], 3) for r in rows if r["f1"] < FLOORS["min_page_f1"]}
    assert summary["mean_f1"] >= FLOORS["mean_f1"], f"mean F1 {summary['mean_f1']:.3f}; low pages {low}"
    assert not low, f"pages below {FLOORS['min_page_f1']}: {low}"


def test_no_page_leaks_boilerplate(scored) -> None:
    rows, summary = scored
    leaking = {r["id"]: r["leaks"] for r in rows if r["leaks"]}
    assert summary["leak_pages"] <= FLOORS["max_leak_pages"], f"leaks: {leaking}"


def test_headline_and_date_accuracy(scored) -> None:
    rows, summary = scored
    bad_titles = [r["id"] for r in rows if r["has_title"] and not r["title_ok"]]
    bad_dates = [r["id"] for r in rows if r["has_date"] and not r["date_ok"]]
    assert summary["title_acc"] >= FLOORS["title_acc"], f"wrong headlines: {bad_titles}"
    assert summary["date_acc"] >= FLOORS["date_acc"], f"wrong dates: {bad_dates}"
