"""Captures: ``govpress check --save`` writes every response, ``--replay`` runs the site definition
over it offline and says what broke, ``govpress freeze`` turns it into fixtures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import cli
from crawler.capture import CaptureError, body_of, read_capture
from simulator.sites.blocks import SITES_DIR as BLOCK_SITES


def govpress(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app.cli", *args], capture_output=True, text=True, check=False,
                          timeout=120, env={**os.environ, **(env or {})})


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict]]:
    folder = tmp_path_factory.mktemp("capture") / "sd_qingdao"
    out = govpress("check", "sd_qingdao", "--demo", "--save", str(folder), "--json")
    assert out.returncode == 0, out.stderr[-2000:]
    return folder, [json.loads(line) for line in out.stdout.splitlines()]


def test_every_response_is_saved_with_status_headers_url_and_time(saved) -> None:
    folder, items = saved
    entries = read_capture(folder)
    urls = [e.url for e in entries]
    assert urls[0] == "http://www.qingdao.gov.cn/robots.txt"
    assert "http://www.qingdao.gov.cn/ywdt/zwyw/" in urls
    assert {i["url"] for i in items} <= set(urls)
    for e in entries:
        assert e.status == 200 and e.final_url == e.url and e.seconds is not None and e.fetched_at
        assert any(k.lower() == "content-type" for k in e.headers)
        assert len(body_of(folder, e)) == e.bytes > 0
    article = next(e for e in entries if e.url == items[0]["url"])
    assert items[0]["title"] in body_of(folder, article).decode("utf-8")


def test_a_replay_runs_offline_and_archives_the_same(saved) -> None:
    folder, items = saved
    out = govpress("check", "sd_qingdao", "--replay", str(folder), "--json")
    assert out.returncode == 0, out.stderr[-2000:]
    replayed = [json.loads(line) for line in out.stdout.splitlines()]
    assert [(i["url"], i["title"], i["published"]) for i in replayed] == \
        [(i["url"], i["title"], i["published"]) for i in items]
    assert "0 not in the capture" in out.stderr


def test_a_replay_reports_what_broke(saved, tmp_path: Path) -> None:
    folder, items = saved
    lines = (folder / "index.jsonl").read_text("utf-8").splitlines()
    kept = [line for line in lines if json.loads(line)["url"] != items[0]["url"]]
    assert len(kept) == len(lines) - 1
    (tmp_path / "bodies").symlink_to(folder / "bodies")
    (tmp_path / "index.jsonl").write_text("\n".join(kept) + "\n", "utf-8")
    out = govpress("check", "sd_qingdao", "--replay", str(tmp_path), "--json")
    assert "1 not in the capture" in out.stderr
    assert f"not in the capture: {items[0]['url']}" in out.stderr
    assert items[0]["url"] not in out.stdout


def test_a_captured_challenge_replays_as_the_same_block(tmp_path: Path) -> None:
    env = {"GOVPRESS_SITES": str(BLOCK_SITES)}
    saved = govpress("check", "xx_ruishu", "--demo", "--save", str(tmp_path), env=env)
    assert saved.returncode == 1 and "js_challenge" in saved.stderr
    assert [e.status for e in read_capture(tmp_path) if not e.url.endswith("robots.txt")] == [412]
    out = govpress("check", "xx_ruishu", "--replay", str(tmp_path), env=env)
    assert out.returncode == 1
    assert "broke: first: js_challenge (Ruishu 412): http://ruishu.block.test/col/col1001/index.html" in out.stderr


def test_freeze_writes_fixtures_that_match_the_simulator(saved, tmp_path: Path) -> None:
    from simulator import Simulator

    folder, _ = saved
    out = CliRunner().invoke(cli, ["freeze", str(folder), "sd_qingdao", "--out", str(tmp_path)])
    assert out.exit_code == 0, out.output
    site_dir = tmp_path / "sd_qingdao"
    expected = tomllib.loads((site_dir / "expected.toml").read_text("utf-8"))
    assert expected["list.html"]["kind"] == "list" and expected["list.html"]["article_links"] == 5
    arts = {k: v for k, v in expected.items() if v["kind"] == "article"}
    assert len(arts) == 3
    entries = {e.url: e for e in read_capture(folder)}
    with Simulator() as sim:  # the truth: the simulator's own data, not the extraction
        for name, exp in arts.items():
            assert (site_dir / name).read_bytes() == body_of(folder, entries[exp["url"]])
            truth = sim.article(exp["url"])
            assert exp["title"] == truth.title
            assert exp["published"][:16] == truth.published_at.isoformat()[:16]
    again = CliRunner().invoke(cli, ["freeze", str(folder), "sd_qingdao", "--out", str(tmp_path)])
    assert again.exit_code == 1 and "give --force" in again.output


def test_a_folder_that_is_not_a_capture_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(CaptureError, match="not a capture"):
        read_capture(tmp_path)
    out = CliRunner().invoke(cli, ["check", "sd_qingdao", "--replay", str(tmp_path)])
    assert out.exit_code == 1 and f"{tmp_path}: not a capture (no index.jsonl)" in out.output
