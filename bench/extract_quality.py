#!/usr/bin/env python3
"""Benchmark govpress's article extractor against peers on a truth corpus.

Usage: python bench/extract_quality.py [CORPUS] [--predictions DIR] [--repeat N]

CORPUS (default ``../shared/corpus`` relative to the repo root) holds
``html/NNN.html`` and ``truth/NNN.json``; the official scorer is imported from
``CORPUS/../tools/score_extraction.py``.  Every extractor runs over the same
pages in one process; peers (trafilatura, readability-lxml, GNE) are imported
lazily and skipped with a note when missing.  Peers get the text decoded by
govpress (their best chance); govpress gets the raw bytes and decodes itself,
so its timing includes decoding.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import logging
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipelines.extract import extract
from pipelines.extract.dom import fragment, iter_lines
from pipelines.extract.encoding import decode

logger = logging.getLogger("bench.extract_quality")

Prediction = dict  # {"title", "published", "body"}
Runner = Callable[[bytes, str], Prediction]


def load_scorer(corpus: Path):
    """Import the official scorer from ``CORPUS/../tools`` without copying it."""
    path = corpus.resolve().parent / "tools" / "score_extraction.py"
    if not path.exists():
        sys.exit(f"scorer not found: {path}")
    spec = importlib.util.spec_from_file_location("score_extraction", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def run_govpress(raw: bytes, text: str) -> Prediction:
    ex = extract(raw)
    return {"title": ex.title, "published": ex.published, "body": ex.body}


def make_trafilatura() -> Runner | None:
    try:
        import trafilatura
    except ImportError:
        return None

    def run(raw: bytes, text: str) -> Prediction:
        doc = trafilatura.bare_extraction(text, with_metadata=True)
        if doc is None:
            return {}
        get = doc.get if isinstance(doc, dict) else (lambda k: getattr(doc, k, None))
        return {"title": get("title") or "", "published": get("date"), "body": get("text") or ""}

    return run


def make_readability() -> Runner | None:
    try:
        from readability import Document
    except ImportError:
        return None
    logging.getLogger("readability.readability").setLevel(logging.ERROR)

    def run(raw: bytes, text: str) -> Prediction:
        doc = Document(text)
        frag = fragment(doc.summary(html_partial=True))
        body = "\n".join(iter_lines(frag)) if frag is not None else ""
        return {"title": doc.short_title(), "published": None, "body": body}

    return run


def make_gne() -> Runner | None:
    try:
        from gne import GeneralNewsExtractor
    except ImportError:
        return None
    gne = GeneralNewsExtractor()

    def run(raw: bytes, text: str) -> Prediction:
        res = gne.extract(text)
        return {"title": res.get("title", ""), "published": res.get("publish_time"),
                "body": res.get("content", "")}

    return run


FLOORS = REPO / "tests" / "extract_floor.json"


def write_floors(summary: dict, rows: list[dict]) -> None:
    """Record the measured scores as the gate's floors: any later drop fails CI."""
    floors = json.loads(FLOORS.read_text("utf-8")) if FLOORS.exists() else {}
    floors.update({
        "measured": datetime.now().strftime("%Y-%m-%d"),
        "mean_f1": round(summary["mean_f1"], 4), "max_leak_pages": summary["leak_pages"],
        "title_acc": round(summary["title_acc"], 4), "date_acc": round(summary["date_acc"], 4),
        "pages": {r["id"]: {"f1": round(r["f1"], 4), "title_ok": r["title_ok"], "date_ok": r["date_ok"],
                            "leaks": len(r["leaks"])} for r in rows},
    })
    FLOORS.write_text(json.dumps(floors, ensure_ascii=False, indent=1) + "\n", "utf-8")
    print(f"floors written to {FLOORS}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus", nargs="?", default=str(REPO.parent / "shared" / "corpus"))
    ap.add_argument("--predictions", metavar="DIR", help="write each extractor's JSONL here")
    ap.add_argument("--repeat", type=int, default=3, help="timing repetitions per page (median kept)")
    ap.add_argument("-v", "--verbose", action="store_true", help="per-page F1 for every extractor")
    ap.add_argument("--write-floors", action="store_true",
                    help="write govpress's scores as the corpus gate's floors (tests/extract_floor.json)")
    args = ap.parse_args(argv)

    corpus = Path(args.corpus)
    scorer = load_scorer(corpus)
    ids = sorted(p.stem for p in (corpus / "truth").glob("*.json"))
    pages = {i: (corpus / "html" / f"{i}.html").read_bytes() for i in ids}
    texts = {i: decode(raw).text for i, raw in pages.items()}

    runners: list[tuple[str, Runner]] = [("govpress", run_govpress)]
    notes = []
    for name, factory in (("trafilatura", make_trafilatura), ("readability", make_readability),
                          ("gne", make_gne)):
        r = factory()
        if r is None:
            notes.append(f"{name}: not installed, skipped")
        else:
            runners.append((name, r))

    # Pages outer, extractors inner: a load spike on the machine hits every
    # extractor alike, so the timing ratios stay comparable.
    preds = {name: {} for name, _ in runners}
    times = {name: [] for name, _ in runners}
    errors = {name: 0 for name, _ in runners}
    for i in ids:
        for name, run in runners:
            samples = []
            pred: Prediction = {}
            for _ in range(max(1, args.repeat)):
                t0 = time.perf_counter()
                try:
                    pred = run(pages[i], texts[i]) or {}
                except Exception as exc:
                    logger.debug("%s failed on %s: %s", name, i, exc)
                    pred = {}
                samples.append(time.perf_counter() - t0)
            errors[name] += not pred
            times[name].append(min(samples))
            preds[name][i] = {"id": i, "title": pred.get("title") or "",
                              "published": pred.get("published"), "body": pred.get("body") or ""}
    results = {}
    for name, _ in runners:
        rows = scorer.score(str(corpus), preds[name])
        results[name] = (scorer.summary(rows), statistics.median(times[name]) * 1000, rows, errors[name])
        if args.predictions:
            out = Path(args.predictions)
            out.mkdir(parents=True, exist_ok=True)
            with open(out / f"{name}.jsonl", "w", encoding="utf-8") as fh:
                for i in ids:
                    fh.write(json.dumps(preds[name][i], ensure_ascii=False) + "\n")

    print(f"# extract_quality  corpus={corpus}  pages={len(ids)}  "
          f"{datetime.now().strftime('%Y-%m-%d %H:%M')}  python {platform.python_version()}  "
          f"{platform.machine()}")
    header = f"{'extractor':<12} {'P':>6} {'R':>6} {'F1':>6} {'F1>=.95':>8} {'leaks':>6} {'title':>6} {'date':>6} {'ms/page':>8}"
    print(header)
    print("-" * len(header))
    base_ms = results.get("trafilatura", (None, None))[1]
    for name, (s, ms, _, err) in results.items():
        print(f"{name:<12} {s['mean_p']:>6.3f} {s['mean_r']:>6.3f} {s['mean_f1']:>6.3f} "
              f"{s['share_f1_ge_0.95']:>8.2f} {s['leak_pages']:>6d} {s['title_acc']:>6.2f} "
              f"{s['date_acc']:>6.2f} {ms:>8.1f}" + (f"  ({err} pages failed/empty)" if err else ""))
    if base_ms:
        print(f"govpress median time = {results['govpress'][1] / base_ms:.2f} x trafilatura's")
    for n in notes:
        print(f"note: {n}")
    if args.write_floors:
        write_floors(results["govpress"][0], results["govpress"][2])
    if args.verbose:
        print()
        print("per-page F1: " + "  ".join(f"{n:>11}" for n in results))
        for k, i in enumerate(ids):
            print(f"{i:<11}  " + "  ".join(f"{results[n][2][k]['f1']:>11.3f}" for n in results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
