"""Distributed crawls on a real Redis: two workers, one ingester, the simulator.

Each test starts its own ``redis-server`` on a free loopback port (skipped when
the binary is absent; ``.ci/run`` installs it) and runs ``govpress enqueue``,
``govpress worker`` and ``govpress ingest`` as an operator would, in child processes.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.distributed import enqueue, ingest
from simulator import Simulator
from tests.conftest import NOW, crawl

SITES = ["sd_qingdao", "sd_jinan"]
HOSTS = ["www.qingdao.gov.cn", "www.jinan.gov.cn"]
DELAY = 0.1
SMALL = {"LIST_MAX_PAGES": 2}
"""Two list pages per column: enough articles to kill something mid-run, few enough to be quick."""


@pytest.fixture()
def redis_url(tmp_path: Path) -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (apt-get install -y redis-server)")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
    import redis

    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    else:
        proc.kill()
        pytest.fail("redis-server did not start")
    yield f"redis://127.0.0.1:{port}/0"
    proc.kill()
    proc.wait()


def _settings(sim: Simulator) -> dict[str, Any]:
    from crawler.handlers.loopback import loopback_settings

    return {**loopback_settings(sim.hostmap()), "DOWNLOAD_DELAY": DELAY, "AUTOTHROTTLE_ENABLED": False,
            "GOVPRESS_NOW": NOW, "MAX_IDLE_TIME_BEFORE_CLOSE": 1, "REDIS_HEARTBEAT": 0.3,
            "DOWNLOAD_TIMEOUT": 3, **SMALL}


def _sets(sim: Simulator) -> list[str]:
    out: list[str] = []
    for name, value in _settings(sim).items():
        out += ["-s", f"{name}={json.dumps(value) if isinstance(value, dict) else value}"]
    return out


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "app.cli", *args]


def _rows(archive: Path) -> list[tuple[Any, ...]]:
    from archive import Archive

    with Archive(archive) as a:
        return sorted((d.canonical_url, d.title, d.published, d.body, d.body_hash)
                      for d in a.documents(include_duplicates=True))


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Any, ...]]:
    """The same two sites crawled on one machine."""
    archive = tmp_path_factory.mktemp("single") / "a.sqlite"
    with Simulator() as sim:
        crawl(sim, archive, SITES, DOWNLOAD_DELAY=DELAY, **SMALL)
    return _rows(archive)


def _wait(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _streamed(url: str) -> int:
    import redis

    return int(redis.Redis.from_url(url).xlen("govpress:items"))


def test_two_workers_and_one_ingester_archive_each_article_once_politely(
        tmp_path: Path, redis_url: str, reference: list[tuple[Any, ...]]) -> None:
    archive = tmp_path / "a.sqlite"
    with Simulator() as sim:
        sets = _sets(sim)
        assert sorted(enqueue(redis_url, SITES, archive=str(archive), overrides=_settings(sim)).values()) == [1, 2]
        workers = [subprocess.Popen(_cli("worker", *SITES, "--redis", redis_url, *sets, "-s", f"REDIS_WORKER_ID=w{i}"),
                                    stderr=subprocess.DEVNULL) for i in range(2)]
        report = ingest(redis_url, archive=str(archive))  # returns once drained and the workers are gone
        assert all(w.wait(timeout=60) == 0 for w in workers)
        requests = sim.requests.snapshot()
    rows = _rows(archive)
    assert len(reference) >= 10
    assert rows == reference  # every article once, same text and fingerprint as one machine
    assert sorted(report.closed) == [1, 2] and report.outcomes == {"new": len(reference)}
    for host in HOSTS:
        mine = sorted((r for r in requests if r.host == host), key=lambda r: r.started)
        assert len(mine) >= 6
        assert max(_in_flight(mine)) == 1, host
        gaps = [b.started - a.finished for a, b in itertools.pairwise(mine) if a.finished is not None]
        assert min(gaps) >= DELAY - 0.02, (host, min(gaps))
    from archive import Archive

    with Archive(archive) as a:
        runs = a.runs(limit=10)
    assert {r.site for r in runs} == set(SITES) and {r.status for r in runs} == {"ok"}
    assert sum(r.new or 0 for r in runs) == len(reference)


def _in_flight(requests: list[Any]) -> list[int]:
    events = sorted(e for r in requests for e in ((r.started, 1), (r.finished or float("inf"), -1)))
    cur, out = 0, []
    for _, delta in events:
        cur += delta
        out.append(cur)
    return out


@pytest.mark.xfail(strict=False, reason="timing-sensitive: failed 1 run in 4 on a loaded 2-core machine "
                   "(issue #18 stays open until the kill points are made deterministic)")
def test_a_killed_worker_and_a_killed_ingester_lose_nothing_and_double_nothing(
        tmp_path: Path, redis_url: str, reference: list[tuple[Any, ...]]) -> None:
    archive = tmp_path / "a.sqlite"
    with Simulator() as sim:
        sets = _sets(sim)
        assert sorted(enqueue(redis_url, SITES, archive=str(archive), overrides=_settings(sim)).values()) == [1, 2]
        victim = subprocess.Popen(_cli("worker", *SITES, "--redis", redis_url, *sets, "-s", "REDIS_WORKER_ID=victim"),
                                  stderr=subprocess.DEVNULL)
        _wait(lambda: _streamed(redis_url) >= 2, 60, "the first worker's records")
        os.kill(victim.pid, signal.SIGKILL)  # mid-run: requests popped, in flight, leases held
        victim.wait()
        assert _streamed(redis_url) < len(reference)
        survivor = subprocess.Popen(_cli("worker", *SITES, "--redis", redis_url, *sets, "-s", "REDIS_WORKER_ID=w2"),
                                    stderr=subprocess.DEVNULL)
        ingester = subprocess.Popen(_cli("ingest", "--redis", redis_url, "--archive", str(archive)),
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait(lambda: archive.exists() and len(_rows(archive)) >= 3, 60, "the first saves")
        os.kill(ingester.pid, signal.SIGKILL)  # mid-drain: some records saved, maybe not yet acknowledged
        ingester.wait()
        assert survivor.wait(timeout=90) == 0
        report = ingest(redis_url, archive=str(archive))
    assert _rows(archive) == reference  # nothing lost, nothing archived twice
    assert sorted(report.closed) == [1, 2]


def test_a_redelivered_record_is_saved_once_and_acknowledged(tmp_path: Path, redis_url: str) -> None:
    """An ingester killed between its commit and its XACK: the redelivery gives ``unchanged``."""
    import redis

    from archive import Archive
    from archive.session import ArchiveSession
    from crawler.distributed import STREAM_GROUP, decode_record, encode_record
    from pipelines.process import clean, fingerprint
    from tests.conftest import fixture_record

    record = fixture_record()
    clean(record, None)
    fingerprint(record)
    assert decode_record(encode_record(record)) == record
    server = redis.Redis.from_url(redis_url)
    server.xgroup_create("govpress:items", STREAM_GROUP, id="0", mkstream=True)
    server.xadd("govpress:items", {"record": encode_record(record)})
    server.xreadgroup(STREAM_GROUP, "ingest-1", {"govpress:items": ">"})  # delivered ...
    archive = tmp_path / "a.sqlite"
    with ArchiveSession(archive) as session:
        assert session.save(decode_record(encode_record(record))).outcome == "new"  # ... committed, killed
    report = ingest(redis_url, archive=str(archive), finish=True)
    assert report.outcomes == {"unchanged": 1}
    assert server.xpending("govpress:items", STREAM_GROUP)["pending"] == 0
    with Archive(archive) as a:
        assert a.count(include_duplicates=True) == 1
