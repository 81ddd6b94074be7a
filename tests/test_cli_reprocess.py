"""``govpress reprocess`` takes the site lock, as a crawl does (issue #17): a reprocess during
a crawl of the site would otherwise write text extracted from older pages back over newer ones."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from app.cli import cli
from archive import open_archive, store
from crawler.extensions.sitelock import SiteLock
from simulator.synthetic import Generator


def _archive(path: Path) -> Path:
    db = open_archive(path)
    store.upsert_site(db, {"slug": "sd_site00"})  # as a crawl would: --site checks the known sites
    gen = Generator(seed=4, pool_chars=20_000)
    for i in range(6):
        store.save_document(db, gen.record(i, site="sd_site00"))
    db.conn.close()
    return path


def test_reprocess_skips_a_site_being_crawled_and_says_so(tmp_path: Path) -> None:
    archive = _archive(tmp_path / "a.sqlite")
    crawl_lock = SiteLock(tmp_path / "locks", "sd_site00")
    assert crawl_lock.acquire()
    try:
        result = CliRunner().invoke(cli, ["reprocess", "--archive", str(archive)])
        assert result.exit_code == 1
        assert "sd_site00 is being crawled" in result.output
        assert "reprocessed: nothing" in result.output
    finally:
        crawl_lock.release()
    result = CliRunner().invoke(cli, ["reprocess", "--archive", str(archive)])
    assert result.exit_code == 0, result.output
    assert "reprocessed: " in result.output and "nothing" not in result.output
