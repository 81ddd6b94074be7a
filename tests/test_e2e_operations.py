"""Operations end to end: the per-site lock, exit codes, run records, kills and recovery."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import time
from pathlib import Path

from archive import Archive, ArchiveError
from simulator import Simulator
from tests.conftest import crawl, govpress_args


def wait_for(predicate, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_two_crawls_of_one_site_at_once_one_is_skipped(tmp_path: Path) -> None:
    archive = tmp_path / "a.sqlite"
    with Simulator() as sim:
        # Slow the list pages down so the first crawl is surely still running.
        sim.set_fault("www.qingdao.gov.cn", "*", "delay", seconds=1.0)
        first = subprocess.Popen(govpress_args(sim, archive, "crawl", "sd_qingdao"),
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert wait_for(lambda: any(r.host == "www.qingdao.gov.cn" for r in sim.requests))
        second = subprocess.run(govpress_args(sim, archive, "crawl", "sd_qingdao"),
                                capture_output=True, text=True, timeout=120)
        out, err = first.communicate(timeout=300)
    assert second.returncode == 3, second.stdout + second.stderr
    assert "skipped: sd_qingdao is being crawled (pid" in second.stdout + second.stderr
    assert first.returncode == 0, out + err
    runs = Archive(archive).runs(site="sd_qingdao")
    assert sorted(r.status for r in runs) == ["ok", "skipped"]


def test_a_killed_crawl_leaves_a_consistent_archive_and_the_next_run_recovers(tmp_path: Path) -> None:
    archive = tmp_path / "a.sqlite"
    with Simulator() as sim:
        sim.set_fault("www.qingdao.gov.cn", "*", "delay", seconds=0.2)
        proc = subprocess.Popen(govpress_args(sim, archive, "crawl", "sd_qingdao"),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def some_saved() -> bool:
            try:
                return archive.exists() and Archive(archive).count() >= 3
            except ArchiveError:  # created but not yet migrated by the crawl
                return False

        assert wait_for(some_saved, timeout=120)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        kept = {d.canonical_url for d in Archive(archive).documents()}
        sim.clear_faults()
        runs = crawl(sim, archive, ["sd_qingdao"])
    assert runs[0]["status"] == "ok"
    reader = Archive(archive)
    with sqlite3.connect(archive) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    after = {d.canonical_url for d in reader.documents()}
    assert kept <= after and len(after) == len(sim.articles("sd_qingdao"))
    statuses = [r.status for r in reader.runs(site="sd_qingdao")]
    assert statuses[0] == "ok" and statuses[1] in ("running", "interrupted")


def test_an_unreachable_site_fails_with_exit_code_2(tmp_path: Path) -> None:
    archive = tmp_path / "a.sqlite"
    with Simulator() as sim:
        sim.set_fault("www.qingdao.gov.cn", "*", "down")
        result = subprocess.run(govpress_args(sim, archive, "crawl", "sd_qingdao", "-s", "RETRY_TIMES=0"),
                                capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stdout + result.stderr
    run = Archive(archive).runs(site="sd_qingdao")[0]
    assert run.status == "failed" and run.errors >= 1


def test_check_shows_what_would_be_archived_and_writes_nothing(tmp_path: Path) -> None:
    import json
    import sys

    result = subprocess.run([sys.executable, "-m", "app.cli", "check", "sd_dzwww", "--demo", "--json"],
                            capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 3
    for row in rows:
        assert row["title"] and row["published"] and row["chars"] > 50 and not row["flags"]
    assert "1 list page(s)" in result.stderr
    assert not list(tmp_path.rglob("*.sqlite"))


def test_schedule_list_prints_each_sites_next_run() -> None:
    import sys

    result = subprocess.run([sys.executable, "-m", "app.cli", "schedule", "--list"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert {line.split()[0] for line in lines} >= {"sd_province", "sd_jinan", "sd_qingdao", "sd_dzwww"}
    assert all(" next 20" in line for line in lines)


def test_sigterm_stops_a_crawl_cleanly_and_records_it_interrupted(tmp_path: Path) -> None:
    archive = tmp_path / "a.sqlite"
    with Simulator() as sim:
        sim.set_fault("www.qingdao.gov.cn", "*", "delay", seconds=0.3)
        proc = subprocess.Popen(govpress_args(sim, archive, "crawl", "sd_qingdao"),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        assert wait_for(lambda: any("/t20" in r.path for r in sim.requests), timeout=120)
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=120)
    assert code != 0
    run = Archive(archive).runs(site="sd_qingdao")[0]
    assert run.status == "interrupted" and run.finished_at


def test_a_failed_check_is_posted_to_the_webhook(tmp_path: Path) -> None:
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    received: list[dict] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    archive = tmp_path / "a.sqlite"
    try:
        with Simulator() as sim:
            # Every list page of Jinan loses its rows: a layout change the checks must catch.
            sim.set_fault("www.jinan.gov.cn", "*", "big", size=2000)
            runs = crawl(sim, archive, ["sd_jinan"],
                         MONITOR_WEBHOOK_URL=f"http://127.0.0.1:{server.server_port}/hook")
    finally:
        server.shutdown()
    assert runs[0]["status"] == "partial" and "checks failed" in runs[0]["error"]
    assert received and received[0]["site"] == "sd_jinan"
    assert any("list page" in f for f in received[0]["failed"])
