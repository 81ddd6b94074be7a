"""Exports that travel: Excel-readable CSV, the columns researchers need, date order, date and region filters."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from click.testing import CliRunner

from app.cli import cli
from archive import Archive
from core.siteconfig import load_sites

SITES = load_sites()[0]


def export(archive: Path, *args: str) -> tuple[int, bytes, str]:
    result = CliRunner().invoke(cli, ["export", "--archive", str(archive), *args])
    return result.exit_code, result.stdout_bytes, result.stderr


def test_excel_csv_has_a_bom_and_the_chinese_survives(crawled, tmp_path: Path) -> None:
    _, archive, _ = crawled
    out = tmp_path / "docs.csv"
    code, _, err = export(archive, "--excel", "-o", str(out))
    assert code == 0, err
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows and any("山东" in r["province"] for r in rows)
    code, plain, _ = export(archive, "--format", "csv")
    assert code == 0 and not plain.startswith(b"\xef\xbb\xbf")
    code, _, err = export(archive, "--format", "jsonl", "--excel")
    assert code == 2 and "--excel" in err


def test_export_rows_carry_place_site_keywords_and_method_in_date_order(crawled) -> None:
    _, archive, _ = crawled
    code, out, err = export(archive)
    assert code == 0, err
    rows = [json.loads(line) for line in out.decode("utf-8").splitlines()]
    with Archive(archive) as a:
        docs = {d.canonical_url: d for d in a.documents()}
    assert len(rows) == len(docs)
    for row in rows:
        site = SITES[row["site"]]
        doc = docs[row["canonical_url"]]
        assert (row["province"], row["city"], row["site_name"]) == (site.province, site.city, site.name)
        assert row["keywords"] == doc.keywords and row["extraction_method"] == doc.extraction_method
        assert row["extraction_method"]
    dated = [r["published"] for r in rows if r["published"]]
    assert dated == sorted(dated) and len(set(dated)) > 3
    undated = [i for i, r in enumerate(rows) if not r["published"]]
    assert undated == list(range(len(dated), len(rows)))  # undated documents last


def test_export_until_and_region(crawled) -> None:
    _, archive, _ = crawled
    with Archive(archive) as a:
        docs = list(a.documents())
    days = sorted({d.published[:10] for d in docs if d.published})
    cut = days[len(days) // 2]
    code, out, err = export(archive, "--until", cut)
    assert code == 0, err
    rows = [json.loads(line) for line in out.decode().splitlines()]
    assert rows and all(r["published"][:10] <= cut for r in rows)
    assert len(rows) == sum(1 for d in docs if d.published and d.published[:10] <= cut)
    qingdao = SITES["sd_qingdao"].region_code
    code, out, err = export(archive, "--region", qingdao)
    assert code == 0, err
    rows = [json.loads(line) for line in out.decode().splitlines()]
    assert rows and {r["region_code"] for r in rows} == {qingdao}
    code, out, _ = export(archive, "--region", qingdao[:2] + "0000")
    assert len(out.decode().splitlines()) > len(rows)
    code, _, err = export(archive, "--until", "soon")
    assert code == 2 and "not a date" in err
