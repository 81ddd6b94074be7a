"""Bad arguments get one-line errors and the documented exit codes; queries, pipes and batches behave."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

import scheduler
from app.cli import cli
from archive import open_archive, store
from core.siteconfig import load_sites

FIXTURES = Path(__file__).parent / "fixtures" / "sites"
SITES = load_sites()[0]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def one_line_error(code: int, err: str, want_code: int = 2) -> str:
    lines = err.strip().splitlines()
    assert code == want_code and len(lines) == 1 and "Traceback" not in err, (code, err)
    return lines[0]


def test_unknown_slug_exits_2_with_the_known_slugs() -> None:
    line = one_line_error(*run("crawl", "sd_nowhere")[::2])
    assert "unknown site sd_nowhere" in line and "sd_qingdao" in line
    line = one_line_error(*run("check", "sd_nowhere")[::2])
    assert "unknown site sd_nowhere" in line


def test_crawl_without_a_site_says_what_to_give() -> None:
    line = one_line_error(*run("crawl")[::2])
    assert "SLUG" in line and "--all" in line and "not both" not in line
    line = one_line_error(*run("crawl", "--all", "sd_qingdao")[::2])
    assert "not both" in line


@pytest.mark.parametrize("command", [["search", "营商"], ["export"], ["runs"], ["reprocess"]])
def test_an_unknown_site_filter_is_rejected(crawled, command: list[str]) -> None:
    _, archive, _ = crawled
    code, _, err = run(*command, "--site", "sd_nowhere", "--archive", str(archive))
    line = one_line_error(code, err)
    assert "sd_nowhere" in line and "sd_qingdao" in line


def test_queries_with_dashes_boolean_operators_and_fields(crawled) -> None:
    _, archive, _ = crawled
    a = ["--archive", str(archive), "--json", "--limit", "1000"]

    def urls(*query: str) -> list[str]:
        code, out, err = run("search", *a, *query)  # options first: after --, everything is the query
        assert code == 0, err
        return sorted(json.loads(line)["url"] for line in out.splitlines())

    both, excluded = urls("山东 发展"), urls("山东 -发展")
    assert both and excluded and not set(both) & set(excluded)
    assert urls("山东", "-发展") == excluded           # a leading dash is a word, not an option
    assert urls("--", "-发展", "山东") == excluded       # -- ends the options
    assert urls("山东 AND 发展") == both
    assert urls("山东 NOT 发展") == excluded
    assert set(urls("营商 OR 城中村")) >= set(urls("营商"))
    for bad, needle in (("title:", "title:"), ("site:sd_qingdao", "--site"), ("营商 AND", "AND"),
                        ("NOT 营商", "NOT"), ("营商 --sitee x", "--sitee")):
        code, out, err = run("search", *bad.split(" "), "--archive", str(archive))
        line = one_line_error(code, err, want_code=code)
        assert code != 0 and needle in line and "no matches" not in err, (bad, err)


def _quiet_on_a_closed_pipe(args: list[str]) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "app.cli", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    proc.stdout.close()  # like `| head -n 0`: the reader is gone before the first line
    err = proc.stderr.read()
    proc.wait(timeout=60)
    assert proc.returncode == 0 and err == "", (args, proc.returncode, err)


def test_broken_pipes_are_quiet(crawled) -> None:
    _, archive, _ = crawled
    _quiet_on_a_closed_pipe(["export", "--format", "jsonl", "--archive", str(archive)])
    _quiet_on_a_closed_pipe(["search", "营商", "--archive", str(archive)])


def test_extract_reports_bad_files_and_continues(tmp_path: Path) -> None:
    good = str(FIXTURES / "sd_dzwww" / "article_1.html")
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    noise = tmp_path / "noise.bin"
    noise.write_bytes(random.Random(4).randbytes(4096))  # fixed bytes: os.urandom once read as text
    missing = tmp_path / "missing.html"
    code, out, err = run("extract", str(missing), str(empty), str(noise), good, "--json")
    assert code == 1
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["path"] for r in rows] == [good]
    lines = err.strip().splitlines()
    assert len(lines) == 3, err
    assert "missing.html" in lines[0] and "empty.html" in lines[1] and "empty" in lines[1]
    assert "noise.bin" in lines[2] and "no article" in lines[2]
    assert "Traceback" not in err


def test_schedule_on_a_fresh_archive_says_it_will_not_crawl_everything_at_once(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.sqlite"
    code, out, err = run("schedule", "--list", "--archive", str(fresh))
    assert code == 0, err
    for slug in SITES:
        line = next(line for line in out.splitlines() if line.startswith(slug))
        assert "never crawled" in line and "--catch-up" in line, line
    assert not fresh.exists()

    now = datetime(2026, 11, 22, 9, 0, tzinfo=scheduler.TZ)
    runner = scheduler.CrawlRunner(str(fresh))
    jobs = scheduler.build_scheduler(SITES, runner, now=now).get_jobs()
    assert not [j for j in jobs if j.id.endswith("-catch-up")]
    jobs = scheduler.build_scheduler(SITES, runner, now=now, catch_up=True).get_jobs()
    starts = sorted(j.trigger.run_date for j in jobs if j.id.endswith("-catch-up"))
    assert len(starts) == len(SITES) and len(set(starts)) == len(SITES)  # staggered, not all at once


def test_schedule_catches_up_a_missed_run_of_a_site_that_has_run_before(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite"
    db = open_archive(path)
    slug = next(iter(SITES))
    store.start_run(db, slug, trigger="scheduler", pid=1, started_at="2026-11-01T00:00:00+00:00")
    db.close()
    now = datetime(2026, 11, 22, 9, 0, tzinfo=scheduler.TZ)
    jobs = scheduler.build_scheduler(SITES, scheduler.CrawlRunner(str(path)), now=now).get_jobs()
    assert [j.id for j in jobs if j.id.endswith("-catch-up")] == [f"{slug}-catch-up"]
    code, out, _ = run("schedule", "--list", "--archive", str(path))
    assert "catch-up" in next(line for line in out.splitlines() if line.startswith(slug))
