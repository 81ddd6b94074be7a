"""``govpress probe``: every recognised state from the simulator's hosts, kept in the archive and
shown by ``govpress sites``."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from archive import Archive, open_archive, store
from simulator.sites.blocks import SITES_DIR as BLOCK_SITES

STATES = {"legacy_tls", "js_challenge", "geo_blocked", "timeout", "unreachable", "dead_redirect",
          "empty_shell", "http_404", "ok"}


@pytest.fixture(scope="module")
def probed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict]]:
    archive = tmp_path_factory.mktemp("probe") / "a.sqlite"
    out = subprocess.run([sys.executable, "-m", "app.cli", "probe", "--all", "--demo", "--json",
                          "--archive", str(archive)], capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    return archive, [json.loads(line) for line in out.stdout.splitlines()]


def test_every_state_is_reported(probed) -> None:
    _, rows = probed
    assert {r["state"] for r in rows} == STATES


def test_each_block_host_gets_its_expected_state(probed) -> None:
    _, rows = probed
    by_site = {r["site"]: r for r in rows if r["kind"] == "list"}
    for path in BLOCK_SITES.glob("*.toml"):
        expected = _expect(path)
        assert by_site[path.stem]["state"] == expected, by_site[path.stem]


def test_the_real_sites_answer_with_one_request_per_list_and_a_sample_article(probed) -> None:
    from core.siteconfig import load_sites

    _, rows = probed
    for slug, site in load_sites()[0].items():
        mine = [r for r in rows if r["site"] == slug]
        assert [r["kind"] for r in mine].count("list") == len(site.lists)
        assert [r["kind"] for r in mine].count("article") == len(site.lists)
        assert all(r["state"] == "ok" and r["http_status"] == 200 and r["bytes"] > 0 for r in mine), mine
        assert all(r["egress"] == "direct" and r["seconds"] is not None for r in mine)


def test_a_challenge_row_carries_status_and_bytes(probed) -> None:
    _, rows = probed
    ruishu = next(r for r in rows if r["site"] == "xx_ruishu")
    assert (ruishu["http_status"], ruishu["detail"]) == (412, "Ruishu 412") and ruishu["bytes"] > 0


def test_results_are_kept_and_sites_shows_the_last_state(probed) -> None:
    archive, rows = probed
    kept = Archive(archive).last_probes()
    assert sum(len(v) for v in kept.values()) == len(rows)
    from click.testing import CliRunner

    from app.cli import cli

    out = CliRunner().invoke(cli, ["sites", "--json", "--archive", str(archive)]).output
    sites = [json.loads(line) for line in out.splitlines()]
    assert sites and all(s["last_probe"]["state"] == "ok" for s in sites)


def test_only_the_newest_probe_of_a_site_counts(tmp_path: Path) -> None:
    db = open_archive(tmp_path / "a.sqlite")
    row = {"site": "sd_x", "kind": "list", "column_name": "c", "url": "http://x/", "http_status": None,
           "bytes": 0, "seconds": 1.0, "egress": "direct", "detail": ""}
    store.save_probes(db, [row | {"state": "timeout"}], probed_at="2026-01-01T00:00:00+00:00")
    store.save_probes(db, [row | {"state": "ok", "http_status": 200}], probed_at="2026-01-02T00:00:00+00:00")
    db.close()
    last = Archive(tmp_path / "a.sqlite").last_probes()
    assert [r["state"] for r in last["sd_x"]] == ["ok"]


def _expect(path: Path) -> str:
    """The state a block site must give, from its file's "Expected probe state: KIND." comment."""
    m = re.search(r"^# Expected probe state: (\w+)\.", path.read_text("utf-8"), re.M)
    assert m, path
    return m.group(1)
