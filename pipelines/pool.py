"""A process pool for page processing, so extraction leaves the reactor thread.

Every crawl in a process shares one ``ProcessPoolExecutor`` (``forkserver`` workers with
``pipelines.extract`` preloaded).  ``run`` sends one call to a worker and gives it a
time budget: the worker arms a ``SIGALRM`` timer and a page that takes longer raises
``PageTimeout`` there, so a hostile page costs at most ``budget`` seconds of one worker
and never stalls the fetches or the other sites' pages.  A worker that dies (a crash in
C code, the OOM killer) raises ``WorkerDied`` for the pages it held; the pool is
replaced for the next page.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")


class PageTimeout(Exception):
    """The page took longer than its time budget in the worker."""


class WorkerDied(Exception):
    """The worker process holding the page exited (crash, kill, out of memory)."""


def _on_alarm(_signum: int, _frame: Any) -> None:
    raise PageTimeout


def _call_with_budget(budget: float, fn: Callable[..., T], args: tuple[Any, ...]) -> T:
    """In the worker: ``fn(*args)``, interrupted by ``PageTimeout`` after ``budget`` seconds."""
    if budget > 0:
        signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, budget)
    try:
        return fn(*args)
    finally:
        if budget > 0:
            signal.setitimer(signal.ITIMER_REAL, 0)


def _warm() -> int:
    import pipelines.process  # noqa: F401  (extraction, structure, fingerprints)

    return os.getpid()


class PagePool:
    """``workers`` processes running page-processing calls, each within a time budget."""

    def __init__(self, workers: int, budget: float) -> None:
        self.workers = workers
        self.budget = budget
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None

    def _pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                ctx = multiprocessing.get_context("forkserver")
                ctx.set_forkserver_preload(["pipelines.process"])
                self._executor = ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx)
                logger.debug("page pool: %d workers, %.1f s budget a page", self.workers, self.budget)
            return self._executor

    def start(self) -> None:
        """Start the workers now (they import the extraction code once)."""
        pool = self._pool()
        for f in [pool.submit(_warm) for _ in range(self.workers)]:
            f.result()

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        return self._pool().submit(_call_with_budget, self.budget, fn, args)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` in a worker, awaited on the running asyncio loop (Scrapy's reactor)."""
        try:
            fut = self.submit(fn, *args)
            return await asyncio.wrap_future(fut)
        except BrokenProcessPool:
            self._replace()
            raise WorkerDied("a page-processing worker exited") from None

    def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Blocking form of ``run`` (for callers without an event loop)."""
        try:
            return self.submit(fn, *args).result()
        except BrokenProcessPool:
            self._replace()
            raise WorkerDied("a page-processing worker exited") from None

    def _replace(self) -> None:
        with self._lock:
            old, self._executor = self._executor, None
        if old is not None:
            old.shutdown(wait=False, cancel_futures=True)
            logger.warning("page pool: a worker died; starting a new pool")

    def close(self) -> None:
        with self._lock:
            old, self._executor = self._executor, None
        if old is not None:
            old.shutdown(wait=True, cancel_futures=True)


_shared: PagePool | None = None
_users = 0
_shared_lock = threading.Lock()


def acquire(workers: int, budget: float) -> PagePool:
    """The process's shared pool (created on first use); pair every call with ``release``."""
    global _shared, _users
    with _shared_lock:
        if _shared is None or (_shared.workers, _shared.budget) != (workers, budget):
            if _shared is not None and _users == 0:
                _shared.close()
            _shared = PagePool(workers, budget)
        _users += 1
        return _shared


def release(pool: PagePool) -> None:
    """Drop one user of the shared pool; the last one shuts the workers down."""
    global _shared, _users
    with _shared_lock:
        _users = max(0, _users - 1)
        if _users == 0 and pool is _shared:
            _shared = None
            pool.close()
        elif pool is not _shared:
            pool.close()
