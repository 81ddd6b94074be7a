"""Distributed crawls on a real Redis: two workers, one ingester, the simulator.

Each test starts its own ``redis-server`` on a free loopback port (skipped when
the binary is absent; ``.ci/run`` installs it) and runs ``govpress enqueue``,
``govpress worker`` and ``govpress ingest`` as an operator would, in child processes.
"""

from __future__ import annotations

import itertools
import json
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
        return sorted((d.canonical_url, d.title, d.published, d.body, d.body_hash,
                       sorted((f.url, f.kind, f.status, f.sha256, f.text) for f in a.attachments(d.canonical_url)))
                      for d in a.documents(include_duplicates=True))


def _integrity(archive: Path) -> str:
    import sqlite3

    with sqlite3.connect(archive) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


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
        time.sleep(0.01)


def _redis(url: str) -> Any:
    import redis

    return redis.Redis.from_url(url)


def _records(url: str) -> int:
    """Document records in the stream (an attachment's entry follows its document's)."""
    return sum(1 for _, fields in _redis(url).xrange("govpress:items") if b"record" in fields)


def _inflight(url: str, worker: str) -> int:
    server = _redis(url)
    return sum(int(server.hlen(f"govpress:inflight:{site}:{worker}")) for site in SITES)


def test_two_workers_and_one_ingester_archive_each_article_once_politely(
        tmp_path: Path, redis_url: str, reference: list[tuple[Any, ...]]) -> None:
    archive = tmp_path / "a.sqlite"
    with Simulator() as sim:
        sets = _sets(sim)
        assert sorted(enqueue(redis_url, SITES, archive=str(archive), overrides=_settings(sim)).values()) == [1, 2]
        workers = [subprocess.Popen(_cli("worker", *SITES, "--redis", redis_url, *sets, "-s", f"REDIS_WORKER_ID=w{i}"),
                                    stderr=subprocess.DEVNULL, cwd=tmp_path) for i in range(2)]
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
        runs = {r.site: r for r in a.runs(limit=10)}
    assert set(runs) == set(SITES) and {r.status for r in runs.values()} == {"ok"}
    assert sum(r.new or 0 for r in runs.values()) == len(reference)
    for site, host in zip(SITES, HOSTS):  # one run record per site covers both workers' fetches
        assert runs[site].pages == sum(1 for r in requests if r.host == host), site
        assert runs[site].stats["distributed/workers"] == 2
        assert runs[site].errors == 0
    assert {p.name for p in tmp_path.rglob("*.sqlite")} == {"a.sqlite"}  # the workers (cwd tmp_path) opened none


def _in_flight(requests: list[Any]) -> list[int]:
    events = sorted(e for r in requests for e in ((r.started, 1), (r.finished or float("inf"), -1)))
    cur, out = 0, []
    for _, delta in events:
        cur += delta
        out.append(cur)
    return out


class HoldPipeline:
    """Test-only item pipeline of the victim worker (before ``StreamPipeline``).

    It lets ``HOLD_PASS`` records through and holds every later one forever, counting
    them in ``govpress:test:held``: the victim is killed with articles whose callbacks
    have finished but whose records are not in the stream yet (still being processed),
    the window a worker spends extracting a page.
    """

    def __init__(self, crawler: Any) -> None:
        import redis

        self.server = redis.Redis.from_url(crawler.settings.get("REDIS_URL"))
        self.passes = crawler.settings.getint("HOLD_PASS", 2)
        self.held: list[Any] = []

    @classmethod
    def from_crawler(cls, crawler: Any) -> HoldPipeline:
        return cls(crawler)

    async def process_item(self, item: Any) -> Any:
        from scrapy.utils.defer import maybe_deferred_to_future
        from twisted.internet.defer import Deferred

        if self.server.incr("govpress:test:passed") <= self.passes:
            return item
        self.server.incr("govpress:test:held")
        self.held.append(Deferred())  # never fires: the worker dies holding the record
        await maybe_deferred_to_future(self.held[-1])
        return item  # pragma: no cover


def _pending(server: Any) -> int:
    """Stream entries delivered to the ingester and not acknowledged (0 before its group exists)."""
    import redis

    try:
        return int(server.xpending("govpress:items", "ingest")["pending"])
    except redis.ResponseError:  # NOGROUP: the ingester has not started reading
        return 0


def _kill_when(proc: subprocess.Popen[bytes], ready: Any, what: str, state: Any, log: Path,
               timeout: float = 120) -> None:
    """SIGKILL ``proc`` at a defined point: once ``ready()`` holds, frozen (SIGSTOP) and checked again."""
    deadline = time.monotonic() + timeout
    try:
        while True:
            assert proc.poll() is None, f"{what}: the process ended before the kill point ({state()})"
            if ready():
                proc.send_signal(signal.SIGSTOP)
                if ready():  # frozen: the state cannot move on any more
                    break
                proc.send_signal(signal.SIGCONT)
            if time.monotonic() > deadline:
                tail = log.read_text("utf-8", "replace")[-3000:] if log.exists() else ""
                raise AssertionError(f"timed out waiting for {what}: {state()}\n{tail}")
            time.sleep(0.01)
    finally:
        proc.kill()
        proc.wait()


def test_a_killed_worker_and_a_killed_ingester_lose_nothing_and_double_nothing(
        tmp_path: Path, redis_url: str, reference: list[tuple[Any, ...]]) -> None:
    archive = tmp_path / "a.sqlite"
    server = _redis(redis_url)
    with Simulator() as sim:
        sets = _sets(sim)
        assert sorted(enqueue(redis_url, SITES, archive=str(archive), overrides=_settings(sim)).values()) == [1, 2]
        hold = json.dumps({"pipelines.cleaning.CleaningPipeline": 300, "pipelines.dedup.DedupPipeline": 400,
                           "tests.test_crawler_distributed.HoldPipeline": 450,
                           "pipelines.attachments.AttachmentPipeline": 600})
        log = tmp_path / "victim.log"
        with log.open("wb") as err:
            victim = subprocess.Popen(_cli("worker", *SITES, "--redis", redis_url, *sets, "-s",
                                           "REDIS_WORKER_ID=victim", "-s", f"ITEM_PIPELINES={hold}", "-s", "HOLD_PASS=2"),
                                      stderr=err, cwd=Path(__file__).parents[1])

        def crawl_state() -> tuple[int, int, int]:
            return _records(redis_url), int(server.get("govpress:test:held") or 0), _inflight(redis_url, "victim")

        def mid_crawl() -> bool:  # 2 records streamed, 3 more processed but held, requests still in flight
            streamed, held, inflight = crawl_state()
            return streamed == 2 and held >= 3 and inflight >= 4

        _kill_when(victim, mid_crawl, "the victim mid-crawl (streamed, held, in flight)", crawl_state, log)
        assert _records(redis_url) == 2 < len(reference)
        assert _inflight(redis_url, "victim") >= 4  # its popped requests, held articles among them
        survivor = subprocess.Popen(_cli("worker", *SITES, "--redis", redis_url, *sets, "-s", "REDIS_WORKER_ID=w2"),
                                    stderr=subprocess.DEVNULL)
        assert survivor.wait(timeout=120) == 0  # requeued the victim's requests, crawled the rest, ended idle
        assert _records(redis_url) >= len(reference)
        log = tmp_path / "ingest.log"
        with log.open("wb") as err:
            ingester = subprocess.Popen(_cli("ingest", "--redis", redis_url, "--archive", str(archive)),
                                        stdout=subprocess.DEVNULL, stderr=err)

        def drain_state() -> tuple[int, int]:
            return sum(int(v) for site in SITES for v in server.hvals(f"govpress:counts:{site}")), _pending(server)

        def mid_drain() -> bool:  # some records saved and acknowledged, some delivered and not yet
            saved, pending = drain_state()
            return saved >= 3 and pending >= 1

        _kill_when(ingester, mid_drain, "the ingester mid-drain (saved, pending)", drain_state, log)
        assert _pending(server) >= 1
        report = ingest(redis_url, archive=str(archive))
    assert _rows(archive) == reference  # nothing lost, nothing archived twice
    assert _integrity(archive) == "ok"
    assert sorted(report.closed) == [1, 2]
    assert server.xpending("govpress:items", "ingest")["pending"] == 0
    assert not any(server.scan_iter(match="govpress:inflight:*"))


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


def test_the_scheduler_records_each_pop_and_carries_a_backoff_deadline_across_machines(
        redis_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pop and in-flight record are one step; a retry's monotonic deadline survives another clock."""
    from scrapy import Request
    from scrapy.crawler import Crawler

    from app.distributed import distributed_settings, spider_class
    from crawler.distributed.scheduler import WALL_NOT_BEFORE, WorkerScheduler
    from crawler.middlewares.backoff import NOT_BEFORE

    settings = distributed_settings(redis_url)
    cls = spider_class("sd_jinan")
    scheduler = WorkerScheduler.from_settings(settings)
    scheduler.worker = "w1"
    scheduler.open(cls.from_crawler(Crawler(cls, settings)))
    server = _redis(redis_url)
    retry = Request("https://www.jinan.gov.cn/a.html", meta={NOT_BEFORE: time.monotonic() + 30,
                                                               "govpress_inflight": "old"})
    assert scheduler.enqueue_request(retry)
    assert not scheduler.enqueue_request(Request("https://www.jinan.gov.cn/a.html"))  # seen
    (stored,) = server.zrange("govpress:sd_jinan:requests", 0, -1)
    real = time.monotonic
    monkeypatch.setattr(time, "monotonic", lambda: real() + 1000)  # popped on a machine up 1000 s longer
    popped = scheduler.next_request()
    assert server.zcard("govpress:sd_jinan:requests") == 0
    token = popped.meta["govpress_inflight"]
    assert token != "old" and server.hgetall("govpress:inflight:sd_jinan:w1") == {token.encode(): stored}
    assert WALL_NOT_BEFORE not in popped.meta and 29 < popped.meta[NOT_BEFORE] - time.monotonic() <= 30
    scheduler.done(token)
    assert not server.exists("govpress:inflight:sd_jinan:w1")


def test_finish_with_the_frontier_not_crawled_closes_the_run_interrupted(tmp_path: Path, redis_url: str) -> None:
    """``ingest --finish`` while list pages are still queued: the run says so, it is not ``ok``."""
    from archive import Archive

    archive = tmp_path / "a.sqlite"
    with Simulator() as sim:
        (run_id,) = enqueue(redis_url, ["sd_jinan"], archive=str(archive), overrides=_settings(sim)).values()
    queued = int(_redis(redis_url).zcard("govpress:sd_jinan:requests"))
    assert queued >= 1
    report = ingest(redis_url, archive=str(archive), finish=True)
    assert report.closed == [run_id]
    with Archive(archive) as a:
        (run,) = a.runs(site="sd_jinan")
    assert (run.status, run.pages) == ("interrupted", 0)
    assert run.error == f"closed by ingest --finish with {queued} requests queued or in flight"
