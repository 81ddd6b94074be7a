"""The request log tests read: who asked for what, when, and what they got."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any


@dataclass
class RequestRecord:
    """One request as the server saw it; ``started``/``finished`` are ``time.monotonic()``."""

    host: str
    method: str
    path: str
    """The request target, query included."""
    headers: dict[str, str]
    """Request headers, names lower-cased."""
    started: float
    """When the request had been read."""
    finished: float | None = None
    """When the response started going out (the client cannot have any of it earlier)."""
    status: int | None = None
    """``None`` while in flight; ``0`` when the connection was dropped without an answer."""


class RequestLog:
    """A thread-safe, list-like log of ``RequestRecord``; iterating gives a snapshot."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[RequestRecord] = []

    def begin(self, rec: RequestRecord) -> RequestRecord:
        with self._lock:
            self._items.append(rec)
        return rec

    def commit(self, rec: RequestRecord, status: int) -> None:
        """The answer is decided and about to be sent: the client may read it before ``end``."""
        with self._lock:
            rec.status = status
            if rec.finished is None:
                rec.finished = time.monotonic()

    def end(self, rec: RequestRecord, status: int) -> None:
        with self._lock:
            rec.status = status
            if rec.finished is None:
                rec.finished = time.monotonic()

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def snapshot(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._items)

    def __iter__(self) -> Any:
        return iter(self.snapshot())

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def __getitem__(self, i: int) -> RequestRecord:
        with self._lock:
            return self._items[i]

    def max_in_flight(self, host: str | None = None) -> int:
        """The most requests (to ``host``, or any) that were in flight at one moment."""
        events: list[tuple[float, int]] = []
        for r in self.snapshot():
            if host is None or r.host == host:
                events += [(r.started, 1), (r.finished if r.finished is not None else float("inf"), -1)]
        best = cur = 0
        for _, delta in sorted(events):  # at equal times an end (-1) sorts before a start
            cur += delta
            best = max(best, cur)
        return best
