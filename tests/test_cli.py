"""The govpress command line, with CliRunner, over an archive crawled from the simulator."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from click.testing import CliRunner

from app.cli import cli

FIXTURES = Path(__file__).parent / "fixtures" / "sites"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_sites_lists_every_site() -> None:
    code, out, _ = run("sites", "--json")
    assert code == 0
    slugs = {json.loads(line)["slug"] for line in out.splitlines()}
    assert {"sd_province", "sd_jinan", "sd_qingdao", "sd_dzwww"} <= slugs


def test_extract_json_one_object_per_file() -> None:
    files = [str(FIXTURES / "sd_dzwww" / "article_1.html"), str(FIXTURES / "sd_qingdao" / "article_2.html")]
    code, out, _ = run("extract", *files, "--json")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["path"] for r in rows] == files
    for row in rows:
        assert {"title", "published", "source", "body", "editors", "attachments", "encoding"} <= set(row)
        assert row["title"] and row["body"] and "ICP备" not in row["body"]
    assert rows[0]["encoding"].lower() in ("gb18030", "gbk", "gb2312")


def test_bad_input_gets_one_line_errors(tmp_path: Path) -> None:
    code, out, err = run("crawl", "sd_nowhere")
    assert code != 0 and "unknown site sd_nowhere" in err and "Traceback" not in err + out
    code, _, err = run("extract", str(tmp_path / "missing.html"))
    assert code != 0 and "missing.html" in err and len(err.strip().splitlines()) == 1
    code, _, err = run("search", "营商", "--archive", str(tmp_path / "none.sqlite"))
    assert code != 0 and "no archive here" in err
    code, _, err = run("export", "--since", "yesterday", "--archive", str(tmp_path / "none.sqlite"))
    assert code != 0 and "not a date" in err
    not_sqlite = tmp_path / "junk.sqlite"
    not_sqlite.write_text("this is not a database")
    code, out, err = run("stats", "--archive", str(not_sqlite))
    assert code != 0 and "junk.sqlite" in err and "Traceback" not in err + out


def test_search_finds_two_character_words_and_reports_bad_syntax(crawled) -> None:
    _, archive, _ = crawled
    code, out, _ = run("search", "营商", "--archive", str(archive), "--json")
    assert code == 0
    hits = [json.loads(line) for line in out.splitlines()]
    assert hits and all("营商" in h["title"] + h["snippet"] for h in hits)
    code, out, _ = run("search", "城中村", "--site", "sd_province", "--archive", str(archive), "--json")
    assert code == 0 and all(json.loads(line)["site"] == "sd_province" for line in out.splitlines())
    code, out, err = run("search", '"unbalanced', "--archive", str(archive))
    assert "Traceback" not in out + err


def test_export_streams_jsonl_and_csv(crawled) -> None:
    sim, archive, _ = crawled
    code, out, _ = run("export", "--archive", str(archive))
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    copies = sum(1 for a in sim.articles() if a.republished_from)
    assert len(sim.articles()) - copies <= len(rows) <= len(sim.articles())
    code, out, _ = run("export", "--format", "csv", "--site", "sd_dzwww", "--since", "2026-01-01",
                       "--archive", str(archive))
    assert code == 0
    table = list(csv.DictReader(io.StringIO(out)))
    assert table and all(r["site"] == "sd_dzwww" and r["published"] >= "2026-01-01" for r in table)


def test_stats_and_runs(crawled) -> None:
    sim, archive, _ = crawled
    code, out, _ = run("stats", "--archive", str(archive), "--json")
    assert code == 0
    per_site = {json.loads(line)["site"]: json.loads(line) for line in out.splitlines()}
    assert per_site["sd_qingdao"]["documents"] == len(sim.articles("sd_qingdao"))
    assert per_site["sd_qingdao"]["last_success"]
    code, out, _ = run("runs", "--archive", str(archive), "--json")
    runs = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and {r["site"] for r in runs} >= {"sd_qingdao", "sd_dzwww"}
    assert all(r["status"] == "ok" and r["stats"]["finish_reason"] == "finished" for r in runs)


def test_reprocess_reapplies_cleaning_and_records_revisions(tmp_path: Path, monkeypatch) -> None:
    from archive import Archive
    from simulator import Simulator
    from tests.conftest import crawl

    archive = tmp_path / "a.sqlite"
    with Simulator() as sim:
        crawl(sim, archive, ["sd_dzwww"])
        n = len(sim.articles("sd_dzwww"))
    code, out, _ = run("reprocess", "--archive", str(archive))
    assert code == 0 and out.strip() == f"reprocessed: unchanged {n}", out

    import pipelines.process as cleaning

    original = cleaning.extract

    def better(*args, **kwargs):  # stands in for an improved extractor
        ex = original(*args, **kwargs)
        ex.body += "\n（本文已由新版清洗规则重新处理）"
        return ex

    monkeypatch.setattr(cleaning, "extract", better)
    code, out, _ = run("reprocess", "--archive", str(archive), "--site", "sd_dzwww")
    assert code == 0 and out.strip() == f"reprocessed: updated {n}", out
    reader = Archive(archive)
    docs = list(reader.documents(site="sd_dzwww"))
    assert all(d.body.endswith("重新处理）") and d.revision_count == 1 for d in docs)
    assert all(not reader.revisions(d.canonical_url)[0].body.endswith("重新处理）") for d in docs)


def test_scrapy_list_shows_one_spider_per_site_file() -> None:
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    result = subprocess.run([sys.executable, "-m", "scrapy", "list"], cwd=root,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == sorted(p.stem for p in (root / "sites").glob("*.toml"))


def test_cli_import_leaves_heavy_modules_for_the_commands() -> None:
    """``govpress --help`` must not pay for Scrapy, sqlite-utils or numpy (0.2 s against 2.5 s)."""
    import subprocess
    import sys

    code = ("import sys, app.cli; heavy = [m for m in ('scrapy', 'twisted', 'sqlite_utils', 'numpy', 'lxml') "
            "if m in sys.modules]; print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"imported at start-up: {out.stdout.strip()}"
