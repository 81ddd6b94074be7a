"""The demo cannot pollute a real archive; ``crawl --demo`` and ``schedule --demo`` use the simulator."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from archive import Archive, open_archive, store

GOVPRESS = [sys.executable, "-m", "app.cli"]
ROOT = Path(__file__).resolve().parent.parent


def run(args: list[str], cwd: Path, timeout: int = 180) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GOVPRESS_ARCHIVE", "GOVPRESS_CONTACT")}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run([*GOVPRESS, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def _announced(text: str) -> Path:
    m = re.search(r"demo archive: (\S+\.sqlite)", text)
    assert m, text[-2000:]
    return Path(m.group(1))


def test_demo_archives_into_a_temporary_file_and_says_where(tmp_path: Path) -> None:
    result = run(["demo", "--quiet", "--delay", "0.01"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert not (tmp_path / "data").exists(), "the demo wrote into ./data, the production archive"
    path = _announced(result.stdout + result.stderr)
    try:
        assert path.is_file() and not str(path).startswith(str(tmp_path))
        with Archive(path) as a:
            assert a.count() > 20
            assert {r.trigger for r in a.runs()} == {"demo"}
        # --quiet: no Scrapy banners, no per-page log lines; the summary and where it went.
        lines = (result.stdout + result.stderr).strip().splitlines()
        assert len(lines) <= 5, "\n".join(lines[:40])
        assert "[scrapy" not in result.stderr and "INFO" not in result.stderr
    finally:
        path.unlink(missing_ok=True)


def _invoke(args: list[str]) -> tuple[int, str]:
    """In this process: a refusal happens before the simulator or any crawl starts."""
    from click.testing import CliRunner

    from app.cli import cli

    result = CliRunner().invoke(cli, args)
    return result.exit_code, result.stderr


def test_demo_refuses_an_archive_with_real_runs_without_touching_it(tmp_path: Path) -> None:
    real = tmp_path / "govpress.sqlite"
    db = open_archive(real)
    run_id = store.start_run(db, "sd_qingdao", trigger="cron", pid=1)
    store.finish_run(db, run_id, status="ok", counts={}, stats={})
    db.conn.execute("PRAGMA journal_mode = DELETE")
    db.close()
    before = real.read_bytes()
    for args in (["demo", "--archive", str(real)], ["crawl", "--demo", "sd_dzwww", "--archive", str(real)],
                 ["schedule", "--demo", "--archive", str(real)]):
        code, stderr = _invoke(args)
        assert code == 2, stderr
        err = stderr.strip().splitlines()
        assert len(err) == 1 and "real" in err[0] and "govpress.sqlite" in err[0], stderr
        assert real.read_bytes() == before
        assert sorted(p.name for p in tmp_path.iterdir()) == ["govpress.sqlite"]


def test_demo_refuses_another_programs_sqlite_file_without_switching_it_to_wal(tmp_path: Path) -> None:
    other = tmp_path / "notes.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (x TEXT)")
    conn.close()
    before = other.read_bytes()
    code, stderr = _invoke(["demo", "--archive", str(other)])
    assert code == 2 and "not a govpress archive" in stderr, stderr
    assert other.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.sqlite"]


def test_crawl_demo_crawls_the_simulator_into_a_temporary_archive(tmp_path: Path) -> None:
    result = run(["crawl", "--demo", "sd_dzwww", "--no-progress", "-s", "DOWNLOAD_DELAY=0.01"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert not (tmp_path / "data").exists()
    path = _announced(result.stdout + result.stderr)
    try:
        with Archive(path) as a:
            docs = list(a.documents())
            assert len(docs) == 13 and {d.site for d in docs} == {"sd_dzwww"}  # 11 + 2 in data/conferences.json
            assert [r.trigger for r in a.runs()] == ["demo"]
        assert "GOVPRESS_CONTACT" not in result.stderr  # the simulator does not need a contact
        assert "[scrapy" not in result.stderr  # no Scrapy banners, only warnings under the summary
    finally:
        path.unlink(missing_ok=True)


def test_schedule_demo_catches_up_every_site_against_the_simulator(tmp_path: Path) -> None:
    archive = tmp_path / "demo.sqlite"
    env = {k: v for k, v in os.environ.items() if k != "GOVPRESS_ARCHIVE"}
    env["PYTHONPATH"] = str(ROOT)
    proc = subprocess.Popen([*GOVPRESS, "schedule", "--demo", "--archive", str(archive)], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 120
        done: list[str] = []
        while time.monotonic() < deadline:
            time.sleep(0.5)
            if archive.exists():
                try:
                    with Archive(archive) as a:
                        done = [r.site for r in a.runs() if r.finished_at]
                except Exception:
                    continue
            if len(done) >= 4:
                break
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0, out[-3000:]
    assert len(set(done)) >= 4, out[-3000:]
    with Archive(archive) as a:
        assert {r.trigger for r in a.runs()} == {"demo"}
        assert a.count() > 20
    assert "catch" in out.lower()
