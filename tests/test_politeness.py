"""Politeness under the default settings: one request at a time per site, spaced by the delay."""

from __future__ import annotations

import itertools
from pathlib import Path

from app.crawl import project_settings
from simulator import Simulator
from tests.conftest import crawl


def test_default_settings_never_overlap_requests_and_keep_the_delay(tmp_path: Path) -> None:
    defaults = project_settings()
    assert defaults.getbool("ROBOTSTXT_OBEY") and defaults.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 1
    delay = defaults.getfloat("DOWNLOAD_DELAY")
    assert delay >= 1.0
    with Simulator() as sim:
        # Only the simulator wiring, the archive and a one-page cap differ from production.
        crawl(sim, tmp_path / "a.sqlite", ["sd_qingdao"], LIST_MAX_PAGES=1,
              DOWNLOAD_DELAY=delay, AUTOTHROTTLE_ENABLED=True)
        requests = sorted((r for r in sim.requests if r.host == "www.qingdao.gov.cn"), key=lambda r: r.started)
    assert len(requests) >= 6
    assert sim.requests.max_in_flight("www.qingdao.gov.cn") == 1
    gaps = [b.started - a.started for a, b in itertools.pairwise(requests)]
    jitter = defaults.getfloat("DOWNLOAD_DELAY_JITTER")
    assert min(gaps) >= delay * (1 - jitter) - 0.05, gaps
