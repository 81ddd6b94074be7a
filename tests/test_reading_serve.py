"""``govpress serve``: the URL it prints works, signals stop Datasette, temp files go, bad files are one line."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("datasette")

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_cmd(archive: Path, port: int) -> list[str]:
    return [sys.executable, "-m", "app.cli", "serve", "--archive", str(archive), "--port", str(port)]


@contextmanager
def serving(archive: Path, port: int, env: dict[str, str] | None = None) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """Run ``govpress serve``; yield it and the URL it printed once Datasette answers."""
    proc = subprocess.Popen(serve_cmd(archive, port), cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env=env)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # printed only once Datasette listens
        assert "serving the archive at " in line, line
        url = line.split("serving the archive at ", 1)[1].split()[0]
        yield proc, url
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc to find the child process")
def test_serve_prints_the_url_and_stops_datasette_on_ctrl_c(reading_archive: Any) -> None:
    """SIGINT here; SIGTERM in the browser tests' server teardown (``stop_and_check``)."""
    archive, _ = reading_archive
    port = free_port()
    env = {**os.environ, "PATH": "/nonexistent"}  # Datasette is found beside the interpreter
    with serving(archive, port, env) as (proc, url):
        assert url == f"http://127.0.0.1:{port}/"
        with urllib.request.urlopen(url + "search", timeout=10) as resp:
            assert resp.status == 200 and "Search the archive" in resp.read().decode()
        stop_and_check(proc, port, signal.SIGINT)


def stop_and_check(proc: subprocess.Popen[str], port: int, signum: int) -> None:
    """Send ``signum`` to ``govpress serve``; Datasette, its port and its temp files must all go."""
    kids = children(proc.pid)
    assert len(kids) == 1
    cmdline = Path(f"/proc/{kids[0]}/cmdline").read_bytes().split(b"\0")
    meta = Path(cmdline[cmdline.index(b"--metadata") + 1].decode())
    assert meta.is_file() and meta.parent.name.startswith("govpress-serve-")
    proc.send_signal(signum)
    assert proc.wait(20) == 0
    assert not alive(kids[0]), "Datasette outlived govpress serve"
    assert not meta.parent.exists(), "temporary metadata left behind"
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()


def run_serve(archive: Path, port: int) -> Any:
    from click.testing import CliRunner

    from app.cli import cli

    return CliRunner().invoke(cli, ["serve", "--archive", str(archive), "--port", str(port)])


def test_serve_refuses_a_file_that_is_not_an_archive(tmp_path: Path) -> None:
    junk = tmp_path / "notes.sqlite"
    junk.write_bytes(b"these are not the pages you are looking for\n" * 20)
    other = tmp_path / "other.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    for path, problem in ((junk, "not a SQLite database"), (other, "not a govpress archive"),
                          (tmp_path / "missing.sqlite", "no archive here")):
        out = run_serve(path, free_port())
        assert out.exit_code == 1
        lines = out.output.strip().splitlines()
        assert len(lines) == 1 and str(path) in lines[0] and problem in lines[0], out.output


def test_serve_reports_a_port_in_use(reading_archive: Any) -> None:
    archive, _ = reading_archive
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        out = run_serve(archive, port)
    assert out.exit_code == 1
    lines = out.output.strip().splitlines()
    assert len(lines) == 1 and f"cannot listen on 127.0.0.1:{port}" in lines[0], out.output
