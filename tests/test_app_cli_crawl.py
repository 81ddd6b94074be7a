"""``govpress crawl`` as an operator runs it: no listening sockets, a complete main file, the contact warning."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from archive import Archive
from simulator import Simulator
from tests.conftest import TEST_AGENT, govpress_args


def listening_inodes() -> set[str]:
    """Socket inodes in LISTEN state (TCP over IPv4 and IPv6) in this network namespace."""
    out: set[str] = set()
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(name).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            if len(parts) > 9 and parts[3] == "0A":
                out.add(parts[9])
    return out


def socket_inodes(pid: int) -> set[str]:
    out: set[str] = set()
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return out
    for fd in fds:
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            out.add(target[8:-1])
    return out


def test_a_crawl_opens_no_listening_socket_warns_of_the_placeholder_contact_and_leaves_a_complete_file(
    tmp_path: Path,
) -> None:
    archive = tmp_path / "a.sqlite"
    env = {k: v for k, v in os.environ.items() if k != "GOVPRESS_CONTACT"}
    with Simulator() as sim:
        # The simulator serves from this test process: every listening socket of the crawl is its own.
        args = govpress_args(sim, archive, "crawl", "sd_dzwww")
        at = args.index(f"USER_AGENT={TEST_AGENT}")
        args = args[: at - 1] + args[at + 1 :]  # the default User-Agent, as an operator who set nothing
        proc = subprocess.Popen(args, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        listening: set[str] = set()
        samples = 0
        while proc.poll() is None:
            listening |= socket_inodes(proc.pid) & listening_inodes()
            samples += 1
            time.sleep(0.02)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert samples > 10
    assert not listening, f"the crawl listened on {len(listening)} socket(s) (remote control / telnet?)"
    warning = [line for line in err.splitlines() if "GOVPRESS_CONTACT" in line]
    assert warning and "placeholder" in warning[0], err[-2000:]

    # The .sqlite file alone, copied without its -wal, holds every document and run.
    alone = tmp_path / "copy" / "a.sqlite"
    alone.parent.mkdir()
    shutil.copyfile(archive, alone)
    with Archive(archive) as full, Archive(alone) as copy:
        assert copy.count(include_duplicates=True) == full.count(include_duplicates=True) > 0
        assert [r.status for r in copy.runs()] == [r.status for r in full.runs()] == ["ok"]


def test_with_the_contact_set_there_is_no_warning(tmp_path: Path) -> None:
    env = {**os.environ, "GOVPRESS_CONTACT": "mailto:archive@example.org"}
    with Simulator() as sim:
        args = govpress_args(sim, tmp_path / "a.sqlite", "crawl", "sd_dzwww", "-s", "LIST_MAX_PAGES=1")
        at = args.index(f"USER_AGENT={TEST_AGENT}")
        args = args[: at - 1] + args[at + 1 :]
        result = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode in (0, 1), result.stderr
    assert "GOVPRESS_CONTACT" not in result.stderr


def test_a_killed_crawl_leaves_a_main_file_that_reads_alone_and_a_backup_with_everything(tmp_path: Path) -> None:
    archive = tmp_path / "a.sqlite"
    with Simulator() as sim:
        sim.set_fault("www.jinan.gov.cn", "*", "delay", seconds=0.05)
        proc = subprocess.Popen(govpress_args(sim, archive, "crawl", "--all"),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            time.sleep(0.2)
            if archive.exists() and _count(archive) >= 5:
                break
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    alone = tmp_path / "copy" / "a.sqlite"
    alone.parent.mkdir()
    shutil.copyfile(archive, alone)
    with sqlite3.connect(alone) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with Archive(alone) as copy:  # a govpress archive, schema and all
        assert copy.count(include_duplicates=True) >= 0
    backup = tmp_path / "backup.sqlite"
    result = subprocess.run([sys.executable, "-m", "app.cli", "backup", str(backup), "--archive", str(archive)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    with Archive(archive) as full, Archive(backup) as copy:
        assert copy.count(include_duplicates=True) == full.count(include_duplicates=True) >= 5


def _count(path: Path) -> int:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            return int(conn.execute("SELECT count(*) FROM documents").fetchone()[0])
    except sqlite3.Error:
        return 0
