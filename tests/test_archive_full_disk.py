"""A full disk or a read-only archive: a clear one-line message, nothing already stored lost.

Uses a small tmpfs (root and mount(8) needed; skipped elsewhere), so the disk really fills
and the file system really turns read-only, as it would under a crawl in production.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from simulator import Simulator
from tests.conftest import crawl, govpress_args


@pytest.fixture()
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mnt = tmp_path / "disk"
    mnt.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("mount(8) not available")
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mnt)], capture_output=True)
    if res.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {res.stderr.decode().strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def contents(archive: Path) -> dict[str, str]:
    conn = sqlite3.connect(f"file:{archive}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return dict(conn.execute("SELECT canonical_url, body FROM documents"))
    finally:
        conn.close()


def fill(directory: Path) -> Path:
    """Fill the file system up to the last byte."""
    filler = directory / "filler"
    with open(filler, "wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError:
            pass
    return filler


def test_disk_full_fails_clearly_and_keeps_the_archive(small_disk: Path) -> None:
    archive = small_disk / "govpress.sqlite"
    with Simulator() as sim:
        crawl(sim, archive, ["sd_qingdao", "sd_dzwww"])
        before = contents(archive)
        for article in sim.articles("sd_qingdao"):
            sim.edit_article(article.url, paragraphs=article.paragraphs + ["补充说明。" * 400])
        filler = fill(small_disk)
        result = subprocess.run(govpress_args(sim, archive, "crawl", "sd_qingdao", "--refresh"),
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 2, result.stdout + result.stderr
        assert f"sd_qingdao: {archive}: disk full" in result.stdout
        assert "Traceback" not in result.stderr
        filler.unlink()
        assert contents(archive).keys() >= before.keys()
        runs = crawl(sim, archive, ["sd_qingdao"], INCREMENTAL_REFRESH=True)
    assert runs[0]["status"] == "ok" and runs[0]["updated"] >= 1


def test_read_only_archive_fails_with_one_line_and_changes_nothing(small_disk: Path) -> None:
    archive = small_disk / "govpress.sqlite"
    with Simulator() as sim:
        crawl(sim, archive, ["sd_jinan"])
        before = contents(archive)
        subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
        result = subprocess.run(govpress_args(sim, archive, "crawl", "sd_jinan"),
                                capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = [l for l in result.stderr.splitlines() if l.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: ") and str(archive) in lines[0], lines
    assert "read-only" in lines[0] or "not writable" in lines[0]
    assert contents(archive) == before
