"""Quality gate on the shared truth corpus (skipped when the corpus is absent).

The corpus lives outside the repo (``/work/shared/corpus`` or ``$GOVPRESS_CORPUS``);
the official scorer is imported from ``CORPUS/../tools/score_extraction.py``.
Floors in ``tests/extract_floor.json`` are the scores measured last
(``python bench/extract_quality.py --write-floors``): the mean, the headline and
date accuracy and every page's own F1, headline, date and leaks. Any drop fails;
the per-page results are printed with the test run.
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
EPS = 5e-5  # floors are rounded to 4 places


def _scorer():
    path = CORPUS.resolve().parent / "tools" / "score_extraction.py"
    if not (CORPUS / "truth").is_dir() or not path.exists():
        pytest.skip(f"truth corpus or scorer not found under {CORPUS}")
    spec = importlib.util.spec_from_file_location("score_extraction", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def scored(request: pytest.FixtureRequest) -> tuple[list[dict], dict]:
    scorer = _scorer()
    preds = {}
    for tf in sorted((CORPUS / "truth").glob("*.json")):
        ex = extract((CORPUS / "html" / f"{tf.stem}.html").read_bytes())
        preds[tf.stem] = {"id": tf.stem, "title": ex.title, "published": ex.published, "body": ex.body}
    rows = scorer.score(str(CORPUS), preds)
    assert rows, "no truth pages scored"
    summary = scorer.summary(rows)
    report = ["", f"corpus gate: {len(rows)} pages, mean F1 {summary['mean_f1']:.4f}, "
              f"leaking {summary['leak_pages']}, title {summary['title_acc']:.3f}, date {summary['date_acc']:.3f}",
              f"{'page':<6} {'P':>6} {'R':>6} {'F1':>6} {'floor':>6} title date leaks"]
    for r in rows:
        floor = FLOORS.get("pages", {}).get(r["id"], {}).get("f1", 0.0)
        report.append(f"{r['id']:<6} {r['p']:>6.3f} {r['r']:>6.3f} {r['f1']:>6.3f} {floor:>6.3f} "
                      f"{'ok' if r['title_ok'] else '--':>5} {'ok' if r['date_ok'] or not r['has_date'] else '--':>4} "
                      f"{len(r['leaks']):>5}")
    tr = request.config.pluginmanager.get_plugin("terminalreporter")
    cm = request.config.pluginmanager.get_plugin("capturemanager")
    if tr is not None and cm is not None:
        with cm.global_and_fixture_disabled():
            tr.write_line("\n".join(report))
    return rows, summary


def test_mean_body_f1(scored) -> None:
    rows, summary = scored
    assert summary["mean_f1"] >= FLOORS["mean_f1"] - EPS, f"mean F1 {summary['mean_f1']:.4f} < {FLOORS['mean_f1']}"


def test_no_page_drops_below_its_floor(scored) -> None:
    rows, _ = scored
    pages = FLOORS["pages"]
    missing = sorted(set(pages) - {r["id"] for r in rows})
    assert not missing, f"truth pages gone from the corpus: {missing}"
    drops = {}
    for r in rows:
        f = pages.get(r["id"])
        if f is None:
            continue  # a new truth page: no floor yet (write floors to add it)
        what = []
        if r["f1"] < f["f1"] - EPS:
            what.append(f"F1 {r['f1']:.4f} < {f['f1']}")
        if f["title_ok"] and not r["title_ok"]:
            what.append("headline wrong")
        if f["date_ok"] and not r["date_ok"]:
            what.append("date wrong")
        if len(r["leaks"]) > f["leaks"]:
            what.append(f"leaks {r['leaks']}")
        if what:
            drops[r["id"]] = what
    assert not drops, f"pages below their floors: {drops}"


def test_no_page_leaks_boilerplate(scored) -> None:
    rows, summary = scored
    leaking = {r["id"]: r["leaks"] for r in rows if r["leaks"]}
    assert summary["leak_pages"] <= FLOORS["max_leak_pages"], f"leaks: {leaking}"


def test_headline_and_date_accuracy(scored) -> None:
    rows, summary = scored
    bad_titles = [r["id"] for r in rows if r["has_title"] and not r["title_ok"]]
    bad_dates = [r["id"] for r in rows if r["has_date"] and not r["date_ok"]]
    assert summary["title_acc"] >= FLOORS["title_acc"] - EPS, f"wrong headlines: {bad_titles}"
    assert summary["date_acc"] >= FLOORS["date_acc"] - EPS, f"wrong dates: {bad_dates}"
