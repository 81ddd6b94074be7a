"""Per-site TLS, proxy and block handling on distributed workers: the same runs as one machine.

The sites of ``tests/test_crawler_tls.py`` (sd_province's copies behind the simulator's
legacy-only TLS listener: without the option, with it, with it through a forwarding
proxy) and the simulator's Ruishu challenge are crawled once on one machine and once
by ``govpress enqueue`` / ``worker`` / ``ingest`` on a real Redis; each site's run
record (status, block kind, error, counts) and the archived documents must agree.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from app.distributed import ingest
from simulator import Simulator
from simulator.sites.blocks import SITES_DIR as BLOCK_SITES
from tests.conftest import NOW, crawl
from tests.test_crawler_distributed import redis_url as redis_url  # the fixture, shared
from tests.test_crawler_proxy import ForwardingProxy
from tests.test_crawler_tls import _variant

SLUGS = ["xx_tls_modern", "xx_tls_legacy", "xx_tls_proxied", "xx_ruishu"]


def _sites(folder: Path, sim: Simulator, proxy: ForwardingProxy) -> None:
    _variant(folder, "xx_tls_modern", "")  # refused: legacy_tls
    _variant(folder, "xx_tls_legacy", "\n[tls]\nlegacy = true\n", column=0)
    _variant(folder, "xx_tls_proxied", "\n[tls]\nlegacy = true\n", column=0)
    path = folder / "xx_tls_proxied.toml"
    path.write_text(path.read_text("utf-8").replace('col97802/index.html"', 'col97802/index.html?uid=509499&pageNum=2"')
                    .replace('dialect = "hanweb_classic"', f'dialect = "hanweb_classic"\nproxy = "{proxy.url}"'),
                    "utf-8")
    (folder / "ca").mkdir()
    (folder / "ca" / "sim.pem").write_bytes(sim.blocks.ca_file.read_bytes())
    for slug in ("xx_tls_modern", "xx_tls_legacy", "xx_tls_proxied"):
        path = folder / f"{slug}.toml"
        text = path.read_text("utf-8")
        path.write_text(text + ('ca_file = "ca/sim.pem"\n' if "[tls]" in text else '\n[tls]\nca_file = "ca/sim.pem"\n'),
                        "utf-8")


def _runs(archive: Path) -> dict[str, tuple[Any, ...]]:
    from archive import Archive

    with Archive(archive) as a:
        # The error names the first page that failed: which list page comes first is queue order.
        return {r.site: (r.status, r.block_kind, r.error.split(": https://")[0], r.new, r.errors)
                for r in a.runs(limit=20)}


def _docs(archive: Path) -> list[tuple[Any, ...]]:
    from archive import Archive

    with Archive(archive) as a:
        return sorted((d.site, d.canonical_url, d.title, d.body_hash) for d in a.documents(include_duplicates=True))


def test_tls_proxy_and_blocks_work_on_workers_as_on_one_machine(
        tmp_path: Path, redis_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from crawler.handlers.loopback import loopback_settings

    folder = tmp_path / "sites"
    folder.mkdir()
    proxy = ForwardingProxy()
    threading.Thread(target=proxy.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        with Simulator() as sim:
            _sites(folder, sim, proxy)
            monkeypatch.setenv("GOVPRESS_SITES", os.pathsep.join([str(folder), str(BLOCK_SITES)]))
            settings: dict[str, Any] = {**loopback_settings(sim.hostmap()), "DOWNLOAD_DELAY": 0.05,
                                        "AUTOTHROTTLE_ENABLED": False, "GOVPRESS_NOW": NOW, "RETRY_TIMES": 0,
                                        "LIST_MAX_PAGES": 1}
            settings["HOSTMAP"] = {**settings["HOSTMAP"], "www.shandong.gov.cn": sim.blocks.tls_target()}
            local = tmp_path / "local.sqlite"
            crawl(sim, local, SLUGS, **settings)
            proxy.seen.clear()
            sets: list[str] = []
            for name, value in {**settings, "MAX_IDLE_TIME_BEFORE_CLOSE": 1, "REDIS_HEARTBEAT": 0.3}.items():
                sets += ["-s", f"{name}={json.dumps(value) if isinstance(value, dict) else value}"]
            spread = tmp_path / "spread.sqlite"
            cli = [sys.executable, "-m", "app.cli"]
            subprocess.run([*cli, "enqueue", *SLUGS, "--redis", redis_url, "--archive", str(spread), *sets],
                           check=True, capture_output=True, timeout=120)
            worker = subprocess.Popen([*cli, "worker", *SLUGS, "--redis", redis_url, *sets],
                                      stderr=subprocess.DEVNULL, cwd=tmp_path)
            ingest(redis_url, archive=str(spread))
            assert worker.wait(timeout=120) == 0
            tunnels = [t for m, t, _ in proxy.seen if m == "CONNECT"]
            target = sim.blocks.tls_target().removeprefix("https://")
    finally:
        proxy.shutdown()
        proxy.server_close()
    runs = _runs(local)
    assert runs["xx_tls_modern"][:2] == ("blocked", "legacy_tls")  # the local crawl is the reference ...
    assert runs["xx_tls_legacy"][0] == runs["xx_tls_proxied"][0] == "ok"
    assert runs["xx_ruishu"][:2] == ("blocked", "js_challenge")
    assert _runs(spread) == runs  # ... and the workers' runs are the same, error text and counts included
    assert _docs(spread) == _docs(local) and _docs(local)
    assert tunnels and set(tunnels) == {target}  # the worker went through the site's proxy
