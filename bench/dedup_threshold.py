"""Measure near-duplicate similarity on labelled pairs and justify NEAR_THRESHOLD and the LSH banding.

Positives: copies of one press release made with the perturbations republishers apply
(footer/byline appended, header lines, a 原标题 note, punctuation re-typeset, paragraphs
re-wrapped, one or two sentences changed or removed, a paragraph dropped, and mixes).
Negatives: different releases; the hard ones are of the same group (two press conferences,
two notices of one kind, two 营商环境 articles, two executive meetings) and share framing.
Bases and perturbation material: ``bench/data/dedup_pairs.json``; the real articles of
``shared/corpus/truth`` are added as extra bases when present.

Run: ``python bench/dedup_threshold.py`` (about 15 s; fixed random seed), or with
``--seeds 20240101,1,2,3`` (about a minute) for the pooled figures in ``docs/dedup.md``;
``--no-corpus`` uses only the bases of ``dedup_pairs.json``.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import re
import sys
from collections.abc import Callable
from itertools import combinations
from pathlib import Path

import numpy as np
from datasketch import MinHash

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from pipelines import fingerprint as fp

logger = logging.getLogger(__name__)
DATA = Path(__file__).parent / "data" / "dedup_pairs.json"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "truth"
Paras = list[str]
_SENT_RE = re.compile(r"(?<=[。；！？!?;])")
_RETYPE = [("，", ","), ("：", ":"), ("；", ";"), ("（", "("), ("）", ")"), ("？", "?"), ("！", "!")]


# ---------------------------------------------------------------- perturbations
def _sentences(p: str) -> list[str]:
    return [s for s in _SENT_RE.split(p) if s]


def edit(rng: random.Random, paras: Paras, mat: dict, n: int = 1) -> Paras:
    """Change or remove ``n`` sentences: delete it, replace a span, or change its numbers."""
    paras = list(paras)
    for _ in range(n):
        i = rng.choice([j for j, p in enumerate(paras) if len(p) > 20] or [0])
        sents = _sentences(paras[i])
        j = rng.randrange(len(sents))
        s, how = sents[j], rng.choice(["delete", "replace", "replace", "number"])
        if how == "delete" and len(sents) > 1:
            s = ""
        elif how == "number" and re.search(r"\d", s):
            s = re.sub(r"\d+", lambda m: str(int(m.group()) + rng.randint(1, 9)), s, count=2)
        elif len(s) > 12:
            a = rng.randrange(len(s) - 10)
            s = s[:a] + rng.choice(mat["replacements"]) + s[a + rng.randint(2, 8) :]
        sents[j] = s
        paras[i] = "".join(sents)
    return [p for p in paras if p]


def retype(rng: random.Random, paras: Paras, mat: dict) -> Paras:
    """Re-typeset punctuation (full/half width, quote and dash styles) and spacing."""
    full_to_half = rng.random() < 0.5
    out = []
    for p in paras:
        for full, half in _RETYPE:
            p = p.replace(full, half) if full_to_half else p.replace(half, full)
        p = p.replace("“", "「").replace("”", "」") if rng.random() < 0.5 else p
        p = p.replace("——", "—").replace("…", "...")
        p = re.sub(r"(\d+)", r" \1 ", p) if rng.random() < 0.5 else p
        out.append("\u3000\u3000" + p)
    return out


def rewrap(rng: random.Random, paras: Paras, mat: dict) -> Paras:
    """Re-wrap: hard line breaks every N characters, or paragraphs joined, with blank lines."""
    text = "".join(paras)
    if rng.random() < 0.5:
        n = rng.randint(30, 80)
        return [text[i : i + n] for i in range(0, len(text), n)]
    return ["\n\n".join(paras[i : i + 2]) for i in range(0, len(paras), 2)]


def footer(rng: random.Random, paras: Paras, mat: dict) -> Paras:
    return paras + rng.sample(mat["footers"], rng.randint(1, 3))


def header(rng: random.Random, paras: Paras, mat: dict) -> Paras:
    return rng.sample(mat["headers"], rng.randint(1, 2)) + paras


def drop_para(rng: random.Random, paras: Paras, mat: dict) -> Paras:
    if len(paras) < 4:
        return edit(rng, paras, mat, 2)
    i = rng.randrange(1, len(paras))
    return paras[:i] + paras[i + 1 :]


PERTURB: dict[str, Callable[[random.Random, Paras, dict], Paras]] = {
    "footer": footer,
    "header": header,
    "retype": retype,
    "rewrap": rewrap,
    "edit1": lambda r, p, m: edit(r, p, m, 1),
    "edit2": lambda r, p, m: edit(r, p, m, 2),
    "drop_para": drop_para,
}
EDITS = ["edit1", "edit2", "drop_para"]
COSMETIC = ["footer", "header", "retype", "rewrap"]


def copies(rng: random.Random, base: dict, mat: dict, n_mixed: int) -> list[tuple[str, str]]:
    """(kind, text) copies of ``base``: each single perturbation, 原标题 notes, and mixes."""
    paras, title = base["paragraphs"], base["title"]
    out = [(k, "\n".join(f(rng, paras, mat))) for k, f in PERTURB.items()]
    note = rng.choice(mat["original_title_notes"]).format(title=title)
    retitle = rng.choice(mat["retitles"]).format(title=title)
    out.append(("orig_title", "\n".join([retitle, note, *paras])))
    out.append(("footer+edit1", "\n".join(footer(rng, edit(rng, paras, mat, 1), mat))))
    for _ in range(n_mixed):  # one content edit and one to three cosmetic changes
        p = PERTURB[rng.choice(EDITS)](rng, list(paras), mat)
        for k in rng.sample(COSMETIC, rng.randint(1, 3)):
            p = PERTURB[k](rng, p, mat)
        out.append(("mixed", "\n".join(p)))
    return out


# ---------------------------------------------------------------- measurement
def load_bases(use_corpus: bool) -> tuple[list[dict], list[dict], dict]:
    data = json.loads(DATA.read_text("utf-8"))
    bases = list(data["bases"])
    if use_corpus and CORPUS.is_dir():
        for f in sorted(CORPUS.glob("*.json")):
            d = json.loads(f.read_text("utf-8"))
            paras = [p for p in d["body"].split("\n") if p.strip()]
            if len(d["body"]) >= 200:
                bases.append({"id": f"corpus{f.stem}", "group": f"corpus{f.stem}",
                              "title": d["title"], "paragraphs": paras})
    return bases, data["templated"], data["material"]


def build_pairs(bases: list[dict], templated: list[dict], mat: dict, seed: int, rounds: int) -> dict[str, list]:
    """Labelled pairs ``(label_detail, text_a, text_b)`` by category; ``rounds`` sets of copies per base."""
    rng = random.Random(seed)
    text = {b["id"]: "\n".join(b["paragraphs"]) for b in bases}
    variants = {b["id"]: [c for _ in range(rounds) for c in copies(rng, b, mat, 12)] for b in bases}
    cats: dict[str, list] = {"positive": [], "neg_same_group": [], "neg_other": [], "templated": []}
    for b in bases:
        cats["positive"] += [(k, text[b["id"]], t) for k, t in variants[b["id"]]]
        vs = variants[b["id"]]
        cats["positive"] += [("copy_vs_copy", rng.choice(vs)[1], rng.choice(vs)[1]) for _ in range(4 * rounds)]
    for a, b in combinations(bases, 2):
        cat = "neg_same_group" if a["group"] == b["group"] else "neg_other"
        cats[cat].append(("base", text[a["id"]], text[b["id"]]))
        if cat == "neg_same_group":  # perturbed copies of two same-topic releases
            for _ in range(6 * rounds):
                cats[cat].append(("copies", rng.choice(variants[a["id"]])[1], rng.choice(variants[b["id"]])[1]))
    for a, b in combinations(templated, 2):
        if a["group"] == b["group"]:
            cats["templated"].append(("base", "\n".join(a["paragraphs"]), "\n".join(b["paragraphs"])))
    return cats


def cached(f: Callable[[str], np.ndarray]) -> Callable[[str], np.ndarray]:
    """Memoise ``f`` on its text argument (the same copies appear in many pairs)."""
    cache: dict[str, np.ndarray] = {}

    def get(text: str) -> np.ndarray:
        if text not in cache:
            cache[text] = f(text)
        return cache[text]

    get.cache = cache  # type: ignore[attr-defined]
    return get


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Exact Jaccard of two sorted distinct shingle-hash arrays."""
    inter = len(np.intersect1d(a, b, assume_unique=True))
    union = len(a) + len(b) - inter
    return inter / union if union else 0.0


def dist_row(name: str, xs: list[float]) -> str:
    x = np.asarray(xs)
    q = np.percentile(x, [1, 5, 50, 95, 99])
    return f"{name:<22}{len(x):>6}{x.min():>7.3f}" + "".join(f"{v:>7.3f}" for v in q) + f"{x.max():>7.3f}"


HEAD = f"{'':<22}{'n':>6}{'min':>7}{'p1':>7}{'p5':>7}{'p50':>7}{'p95':>7}{'p99':>7}{'max':>7}"


_TEMPLATES: dict[int, MinHash] = {}


def estimate(ha: np.ndarray, hb: np.ndarray, num_perm: int) -> float:
    """MinHash estimate of the Jaccard of two shingle-hash sets with ``num_perm`` permutations."""
    if num_perm not in _TEMPLATES:
        _TEMPLATES[num_perm] = MinHash(num_perm=num_perm, seed=fp.SEED, scheme=fp.SCHEME, hashfunc=int)
    ms = []
    for h in (ha.tolist(), hb.tolist()):
        m = _TEMPLATES[num_perm].copy()
        for i in range(0, len(h), 1024):
            m.update_batch(h[i : i + 1024])
        ms.append(m)
    return ms[0].jaccard(ms[1])


def area(f: Callable[[np.ndarray], np.ndarray], lo: float, hi: float) -> float:
    xs = np.linspace(lo, hi, 2001)
    ys = f(xs)
    return float(np.sum((ys[1:] + ys[:-1]) / 2 * np.diff(xs)))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-corpus", action="store_true", help="only the bases in dedup_pairs.json")
    ap.add_argument("--seeds", default="20240101",
                    help="comma-separated seeds; pairs of all seeds are pooled (docs: 20240101,1,2,3)")
    ap.add_argument("--rounds", type=int, default=3, help="sets of generated copies per base")
    args = ap.parse_args(argv)
    bases, templated, mat = load_bases(not args.no_corpus)
    cats: dict[str, list] = {}
    for seed in (int(x) for x in args.seeds.split(",")):
        for c, ps in build_pairs(bases, templated, mat, seed, args.rounds).items():
            cats.setdefault(c, []).extend(ps)
    print(f"bases: {len(bases)} ({sum(b['id'].startswith('corpus') for b in bases)} from shared/corpus), "
          f"pairs: " + ", ".join(f"{k}={len(v)}" for k, v in cats.items()))

    print("\n== exact Jaccard of character k-shingles (letters and digits of normalize_body) ==")
    exact: dict[int, dict[str, list[float]]] = {}
    summary = []
    for k in (3, 4, 5):
        get = cached(lambda t, k=k: fp.shingle_hashes(t, k))
        exact[k] = {c: [jaccard(get(a), get(b)) for _, a, b in ps] for c, ps in cats.items()}
        pos, neg = exact[k]["positive"], exact[k]["neg_same_group"] + exact[k]["neg_other"]
        summary.append(f"k={k}{min(pos):>10.3f}{np.percentile(pos, 1):>10.3f}{max(neg):>10.3f}"
                       f"{min(pos) - max(neg):>+10.3f}{np.percentile(pos, 1) - max(neg):>+10.3f}"
                       f"{np.percentile(exact[k]['neg_other'], 99):>16.3f}")
        print(f"\nk={k}")
        print(HEAD)
        for c, xs in exact[k].items():
            print(dist_row(c, xs))
    print("\nexact Jaccard by k: gap = min(pos) - max(neg); margin = p1(pos) - max(neg)")
    print(f"{'':<3}{'min(pos)':>10}{'p1(pos)':>10}{'max(neg)':>10}{'gap':>10}{'margin':>10}{'p99(neg_other)':>16}")
    for line in summary:
        print(line)

    k = fp.SHINGLE_K
    print(f"\n== positives by perturbation, exact Jaccard, k={k} ==")
    print(HEAD)
    kinds = sorted({d for d, _, _ in cats["positive"]})
    for kind in kinds:
        print(dist_row(kind, [x for (d, _, _), x in zip(cats["positive"], exact[k]["positive"]) if d == kind]))

    print(f"\n== estimated Jaccard: fingerprint.signature (k={k}, NUM_PERM={fp.NUM_PERM}) ==")
    sig = cached(fp.signature)
    est = {c: [fp.similarity(sig(a), sig(b)) for _, a, b in ps] for c, ps in cats.items()}
    print(HEAD)
    for c, xs in est.items():
        print(dist_row(c, xs))

    negs = est["neg_same_group"] + est["neg_other"]
    keys = {tx: set(fp.band_keys(s)) for tx, s in sig.cache.items()}  # type: ignore[attr-defined]
    lsh = {c: [bool(keys[a] & keys[b]) for _, a, b in ps] for c, ps in cats.items()}
    lsh_negs = lsh["neg_same_group"] + lsh["neg_other"]
    print(f"\n== threshold sweep on estimated similarity ({len(est['positive'])} positives / "
          f"{len(negs)} negatives; templated reported apart) ==")
    print("compare: every pair compared; lsh: only pairs sharing a band key are compared (end to end)")
    print(f"{'threshold':>10}{'missed pos':>12}{'false pos':>11}{'templated':>11}"
          f"{'lsh missed':>12}{'lsh false':>11}{'lsh templ.':>12}")
    for t in (0.25, 0.30, 0.325, 0.35, 0.375, 0.40, 0.425, 0.45, 0.50, 0.60, 0.70):
        print(f"{t:>10.3f}{sum(x < t for x in est['positive']):>12}{sum(x >= t for x in negs):>11}"
              f"{sum(x >= t for x in est['templated']):>11}"
              f"{sum(not (x >= t and h) for x, h in zip(est['positive'], lsh['positive'])):>12}"
              f"{sum(x >= t and h for x, h in zip(negs, lsh_negs)):>11}"
              f"{sum(x >= t and h for x, h in zip(est['templated'], lsh['templated'])):>12}")

    low = sorted(zip(est["positive"], (d for d, _, _ in cats["positive"]),
                     (len(a) for _, a, _ in cats["positive"])))[:6]
    print("lowest positives (estimate, kind, length of the first text): "
          + ", ".join(f"{x:.3f} {d} {n}" for x, d, n in low))
    neg_sg = sorted(zip(est["neg_same_group"], (len(a) for _, a, _ in cats["neg_same_group"])), reverse=True)
    print("highest negatives (estimate, length): " + ", ".join(f"{x:.3f} {n}" for x, n in neg_sg[:6]))

    print(f"\n== estimator noise vs NUM_PERM (k={k}, all pairs, |estimate - exact|) ==")
    hashes = cached(fp.shingle_hashes)
    allpairs = [(a, b, x) for c in cats for (_, a, b), x in zip(cats[c], exact[k][c])]
    sample = allpairs[:: max(1, len(allpairs) // 300)]
    print(f"{'NUM_PERM':>10}{'mean err':>10}{'p99 err':>10}{'max err':>10}{'sd at J=0.25':>14}{'sd at J=0.5':>13}")
    for n in (64, 128, 256):
        errs = [abs(estimate(hashes(a), hashes(b), n) - x) for a, b, x in sample]
        print(f"{n:>10}{np.mean(errs):>10.3f}{np.percentile(errs, 99):>10.3f}{max(errs):>10.3f}"
              f"{(0.25 * 0.75 / n) ** 0.5:>14.3f}{(0.25 / n) ** 0.5:>13.3f}")

    t = fp.NEAR_THRESHOLD
    pos_lo = float(np.percentile(est["positive"], 1))
    print(f"\n== LSH banding, NUM_PERM={fp.NUM_PERM}, NEAR_THRESHOLD={t} ==")
    print("P(s) = chance two bodies of Jaccard s share >= 1 band key; FP area = integral_0^t P, "
          "FN area = integral_t^1 (1-P) (datasketch's _optimal_param criteria)")
    print("recall = mean P(J) over labelled positives with exact J >= t; cand = mean P(J) over "
          "same-group negatives (candidates fetched for nothing)")
    pos_ok = np.asarray([x for x in exact[k]["positive"] if x >= t])
    neg_sg = np.asarray(exact[k]["neg_same_group"])
    print(f"{'bands x rows':>13}{'s-curve':>9}{'P(0.2)':>9}{'P(0.3)':>9}{'P(t)':>9}"
          f"{'P(p1pos)':>10}{'FP area':>9}{'FN area':>9}{'recall':>9}{'cand':>8}")
    for b, r in ((8, 16), (16, 8), (21, 6), (32, 4), (42, 3), (64, 2)):
        P = lambda s, b=b, r=r: 1 - (1 - np.asarray(s) ** r) ** b  # noqa: E731
        mark = "  <- chosen" if (b, r) == (fp.BANDS, fp.ROWS) else ""
        print(f"{f'{b} x {r}':>13}{(1 / b) ** (1 / r):>9.3f}{P(0.2):>9.4f}{P(0.3):>9.4f}{P(t):>9.4f}"
              f"{P(pos_lo):>10.5f}{area(P, 0, t):>9.4f}{area(lambda s: 1 - P(s), t, 1):>9.4f}"
              f"{P(pos_ok).mean():>9.4f}{P(neg_sg).mean():>8.4f}{mark}")

    from datasketch.lsh import _optimal_param  # private: only a cross-check of the choice

    for w_fp in (0.5, 0.3):
        b, r = _optimal_param(t, fp.NUM_PERM, w_fp, 1 - w_fp)
        print(f"datasketch _optimal_param(threshold={t}, weights fp={w_fp} fn={1 - w_fp:.1f}) -> {b} x {r}")

    sd = lambda j: (j * (1 - j) / fp.NUM_PERM) ** 0.5  # noqa: E731
    wn = max(exact[k]["neg_same_group"] + exact[k]["neg_other"])
    below = sum(x < t for x in est["positive"])
    e2e = sum(not (x >= t and h) for x, h in zip(est["positive"], lsh["positive"]))
    print(f"\nchosen NEAR_THRESHOLD={t}: highest negative {max(negs):.3f} (exact {wn:.3f}, "
          f"{(t - wn) / sd(wn):.1f} sd below t); positives below t {below}/{len(est['positive'])}, "
          f"missed end to end {e2e}; negatives accepted end to end "
          f"{sum(x >= t and h for x, h in zip(negs, lsh_negs))}/{len(negs)}")

    print(f"\n== empirical band-key collisions ({fp.BANDS} x {fp.ROWS}) ==")
    for c, hits in lsh.items():
        print(f"{c:<22}{sum(hits):>5}/{len(hits):<5} pairs share >= 1 band key")


if __name__ == "__main__":
    main()
