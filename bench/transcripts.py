#!/usr/bin/env python3
"""Precision and recall of the transcript parser and the reference extractor.

Runs the extractor and ``pipelines.structure`` over ``tests/fixtures/transcripts/*.html``
and scores them against the hand-written ``*.expected.json``:

- transcript detection: a page is a transcript or ``null``;
- turn boundaries: a predicted turn is right when its text starts with the expected
  turn's first characters (expected and predicted turns aligned in order);
- speakers, roles, outlets: right when the turn is aligned and the field is equal;
- participants: matched by name (by organisation + title when the page gives no name);
  title and organisation counted right only on matched participants;
- references: the document's own 文号 (exact) and the sets of cited 文号 / titles
  (compared by normal form).

    python bench/transcripts.py [--heldout | --corpus] [--json]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pipelines.extract import extract
from pipelines.references import normalize_number, normalize_title
from pipelines.structure import structure

FIXTURES = ROOT / "tests" / "fixtures" / "transcripts"
HELDOUT = FIXTURES / "heldout"


@dataclass
class Count:
    tp: int = 0
    pred: int = 0
    gold: int = 0

    def add(self, tp: int, pred: int, gold: int) -> None:
        self.tp, self.pred, self.gold = self.tp + tp, self.pred + pred, self.gold + gold

    @property
    def precision(self) -> float:
        return self.tp / self.pred if self.pred else 1.0

    @property
    def recall(self) -> float:
        return self.tp / self.gold if self.gold else 1.0


@dataclass
class Report:
    counts: dict[str, Count] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    pages: int = 0

    def c(self, name: str) -> Count:
        return self.counts.setdefault(name, Count())


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def align(pred: list[dict[str, Any]], gold: list[list[str]]) -> list[tuple[int, int]]:
    """In-order pairs (pred index, gold index) whose texts start alike."""
    pairs: list[tuple[int, int]] = []
    j = 0
    for i, t in enumerate(pred):
        for k in range(j, len(gold)):
            if _flat(t["text"]).startswith(_flat(gold[k][3])):
                pairs.append((i, k))
                j = k + 1
                break
    return pairs


CORPUS = next((p for p in (ROOT.parent / "shared" / "corpus", ROOT.parent.parent / "shared" / "corpus")
               if p.is_dir()), ROOT.parent / "shared" / "corpus")
"""``../shared/corpus`` relative to the repository (or to the worktree's parent)."""
CORPUS_TRUTH = ROOT / "bench" / "data" / "corpus_transcripts.json"
PLAIN = {"url": "", "content_type": "text/html; charset=utf-8", "column": ""}


def load_page(folder: Path, key: str, pages: dict[str, dict[str, str]]) -> tuple[Any, Any]:
    meta = pages.get(key, PLAIN)
    raw = (folder / f"{key}.html").read_bytes()
    ex = extract(raw, meta["url"], content_type=meta["content_type"])
    return structure(ex, meta["column"])


def score(folder: Path = FIXTURES) -> Report:
    """Score every ``*.expected.json`` page of ``folder`` (``pages.json`` gives URL and type)."""
    index = folder / "pages.json"
    pages = json.loads(index.read_text("utf-8")) if index.is_file() else {}
    rep = Report()
    for path in sorted(folder.glob("*.expected.json")):
        key = path.name.removesuffix(".expected.json")
        exp = json.loads(path.read_text("utf-8"))
        transcript, refs = load_page(folder, key, pages)
        rep.pages += 1
        got = transcript.public() if transcript is not None else None
        gold = exp["transcript"]
        rep.c("detection").add(int(got is not None and gold is not None), int(got is not None), int(gold is not None))
        if (got is None) != (gold is None):
            rep.errors.append(f"{key}: transcript {'found' if got else 'missed'}")
        _score_transcript(rep, key, got, gold)
        _score_refs(rep, key, refs.public(), exp["references"])
    return rep


def score_corpus(folder: Path = CORPUS) -> Report:
    """Detection over every real page of ``shared/corpus``; speakers, roles and participants
    of the transcripts among them (turn texts are not in the truth: turns align by position)."""
    truth = json.loads(CORPUS_TRUTH.read_text("utf-8"))["pages"]
    rep = Report()
    for path in sorted((folder / "html").glob("*.html")):
        key = path.stem
        t, _ = structure(extract(path.read_bytes(), ""))
        gold = truth.get(key)
        rep.pages += 1
        rep.c("detection").add(int(t is not None and gold is not None), int(t is not None), int(gold is not None))
        if (t is None) != (gold is None):
            rep.errors.append(f"{key}: transcript {'found' if t else 'missed'}")
        if t is None or gold is None:
            continue
        got = t.public()
        pt = [[x["speaker"], x["role"], x["outlet"], x["text"]] for x in got["turns"]]
        gt = [[*g, ""] for g in gold["turns"]]
        same = sum(1 for a, b in zip(pt, gt) if a[0] == b[0])
        rep.c("turns (by position)").add(sum(1 for a, b in zip(pt, gt) if a[:3] == b[:3]), len(pt), len(gt))
        rep.c("speakers").add(same, len(pt), len(gt))
        rep.c("roles").add(sum(1 for a, b in zip(pt, gt) if a[1] == b[1]), len(pt), len(gt))
        _score_people(rep, key, got["participants"], gold["participants"])
    return rep


def _score_people(rep: Report, key: str, pp: list[dict[str, str]], gp: list[dict[str, str]]) -> None:
    def ident(p: dict[str, str]) -> tuple[str, ...]:
        return (p["name"],) if p["name"] else (p["org"], p["title"])

    gold_ids = {ident(p): p for p in gp}
    matched = [(p, gold_ids[ident(p)]) for p in pp if ident(p) in gold_ids]
    rep.c("participants").add(len(matched), len(pp), len(gp))
    for fld in ("title", "org"):
        ok = sum(1 for p, g in matched if p[fld] == g[fld])
        rep.c(f"participant {fld}s").add(ok, len(pp), len(gp))
        rep.errors += [f"{key}: {g['name'] or g['org']} {fld} {p[fld]!r}, expected {g[fld]!r}"
                       for p, g in matched if p[fld] != g[fld]]
    rep.errors += [f"{key}: participant missed {g}" for i, g in gold_ids.items() if i not in {ident(p) for p in pp}]
    rep.errors += [f"{key}: participant not in the text {p}" for p in pp if ident(p) not in gold_ids]


def _score_transcript(rep: Report, key: str, got: dict[str, Any] | None, gold: dict[str, Any] | None) -> None:
    pt = got["turns"] if got else []
    gt = gold["turns"] if gold else []
    pairs = align(pt, gt)
    rep.c("turn boundaries").add(len(pairs), len(pt), len(gt))
    for name, idx in (("speakers", 0), ("roles", 1), ("outlets (reporter turns)", 2)):
        fld = ("speaker", "role", "outlet")[idx]
        if idx == 2:
            ok = sum(1 for i, k in pairs if gt[k][1] == "reporter" and pt[i]["outlet"] == gt[k][2])
            rep.c(name).add(ok, sum(1 for t in pt if t["role"] == "reporter"), sum(1 for t in gt if t[1] == "reporter"))
        else:
            ok = sum(1 for i, k in pairs if pt[i][fld] == gt[k][idx])
            rep.c(name).add(ok, len(pt), len(gt))
        for i, k in pairs:
            if pt[i][fld] != gt[k][idx] and (idx < 2 or gt[k][1] == "reporter"):
                rep.errors.append(f"{key}: turn {k + 1} {fld} {pt[i][fld]!r}, expected {gt[k][idx]!r}")
    if len(pairs) < max(len(pt), len(gt)):
        rep.errors.append(f"{key}: {len(pt)} turns found, {len(gt)} expected, {len(pairs)} aligned")
    _score_people(rep, key, got["participants"] if got else [], gold["participants"] if gold else [])
    if got and gold:
        for fld in ("kind", "date", "organiser", "venue"):
            ok = int(got["event"][fld] == gold["event"][fld])
            rep.c(f"event {fld}").add(ok, 1, 1)
            if not ok:
                rep.errors.append(f"{key}: event {fld} {got['event'][fld]!r}, expected {gold['event'][fld]!r}")


def _score_refs(rep: Report, key: str, got: dict[str, Any], gold: dict[str, Any]) -> None:
    gd, pd = gold["doc_number"], got["doc_number"]
    rep.c("own 文号").add(int(gd is not None and pd == normalize_number(gd)), int(pd is not None), int(gd is not None))
    if (pd or None) != (normalize_number(gd) if gd else None):
        rep.errors.append(f"{key}: own number {pd!r}, expected {gd!r}")
    for name, norm, fld in (("cited 文号", normalize_number, "numbers"), ("cited titles", normalize_title, "titles")):
        g = {norm(x) for x in gold[fld]}
        p = {norm(x) for x in got[fld]}
        rep.c(name).add(len(g & p), len(p), len(g))
        rep.errors += [f"{key}: {fld} missed {x}" for x in sorted(g - p)]
        rep.errors += [f"{key}: {fld} extra {x}" for x in sorted(p - g)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--heldout", action="store_true", help="Score the held-out pages (fixtures/transcripts/heldout).")
    ap.add_argument("--corpus", action="store_true", help="Score the real pages of ../shared/corpus.")
    args = ap.parse_args(argv)
    if args.corpus and not (CORPUS / "html").is_dir():
        print(f"{CORPUS}: no corpus here", file=sys.stderr)
        return 2
    rep = score_corpus() if args.corpus else score(HELDOUT if args.heldout else FIXTURES)
    if args.json:
        print(json.dumps({k: {"precision": v.precision, "recall": v.recall, "tp": v.tp, "predicted": v.pred,
                              "expected": v.gold} for k, v in rep.counts.items()}, ensure_ascii=False))
        return 0
    print(f"{rep.pages} pages\n")
    print("| measure | precision | recall | right / found / expected |\n| --- | ---: | ---: | ---: |")
    for name, c in rep.counts.items():
        print(f"| {name} | {c.precision:.3f} | {c.recall:.3f} | {c.tp} / {c.pred} / {c.gold} |")
    if rep.errors:
        print("\nerrors:")
        for e in rep.errors:
            print("  " + e)
    return 0


if __name__ == "__main__":
    sys.exit(main())
