"""Fault injection: which request gets which misbehaviour, and the payloads faults send.

Kinds (``Simulator.set_fault(host, path, kind, **params)``):

``status``        answer ``code`` (default 503), ``Retry-After: retry_after`` if given
``delay``         wait ``seconds`` (default 1.0), then answer normally
``reset``         close the socket without answering (TCP RST)
``truncate``      declare the full Content-Length, send only ``fraction`` (0.5) of the body
``redirect``      ``code`` (302) to ``location``
``redirect_loop`` 302 from the path to ``path?_loop=1`` and back, for ever
``big``           ``size`` bytes (10 MiB) of HTML
``gzip_bomb``     a small gzip body (``Content-Encoding: gzip``) inflating to ``mb`` MiB (64)
``binary``        ``size`` random bytes (64 KiB) served as text/html
``down``          every path of the host resets (``path`` is ignored)

Every kind takes ``times=N`` to fire on the next N matching requests only.  ``path`` is
the request target: with a query it must match exactly, without one it matches any query;
``"*"`` matches every path of the host.  The newest matching fault wins.
"""

from __future__ import annotations

import functools
import gzip
import random
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

KINDS = frozenset({"status", "delay", "reset", "truncate", "redirect", "redirect_loop",
                   "big", "gzip_bomb", "binary", "down"})


@dataclass
class Fault:
    host: str
    path: str
    kind: str
    params: dict[str, Any] = field(default_factory=dict)
    times: int | None = None
    """How many more requests it fires on; ``None`` = until cleared."""


class FaultTable:
    """The faults in force; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, host: str, path: str, kind: str, params: dict[str, Any]) -> Fault:
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {sorted(KINDS)}")
        if kind == "redirect" and "location" not in params:
            raise ValueError("a redirect fault needs location=")
        times = params.pop("times", None)
        fault = Fault(host.lower(), "*" if kind == "down" else path, kind, params,
                      None if times is None else int(times))
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def match(self, host: str, target: str) -> Fault | None:
        """The fault for this request, consuming one of its ``times``."""
        path = target.split("?", 1)[0]
        with self._lock:
            for fault in reversed(self._faults):
                if fault.host != host:
                    continue
                if fault.path not in ("*", target) and ("?" in fault.path or fault.path != path):
                    continue
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                return fault
        return None


def status_body(code: int) -> bytes:
    return (f"<html><head><title>{code}</title></head><body><center><h1>{code}</h1></center>"
            "<hr><center>nginx</center></body></html>\r\n").encode("ascii")


def big_chunks(size: int, chunk: int = 64 * 1024) -> Iterator[bytes]:
    """Exactly ``size`` bytes of plausible HTML, in chunks."""
    head = b'<!DOCTYPE html><html><head><meta charset="utf-8"><title>big</title></head><body>\n'
    tail = b"\n</body></html>\n"
    if size <= len(head) + len(tail):
        yield (head + tail)[:size]
        return
    filler = (b"<p>govpress simulator filler paragraph, repeated to make a very large page.</p>\n"
              * (chunk // 60 + 1))[:chunk]
    yield head
    middle = size - len(head) - len(tail)
    while middle > 0:
        piece = filler[:middle]
        yield piece
        middle -= len(piece)
    yield tail


@functools.lru_cache(maxsize=4)
def gzip_bomb(mb: int) -> bytes:
    """A gzip member of ``mb`` MiB of spaces after an HTML head (compresses ~1000:1)."""
    raw = b"<!DOCTYPE html><html><head><title>bomb</title></head><body>" + b" " * (mb * 1024 * 1024)
    return gzip.compress(raw, compresslevel=9, mtime=0)


def binary(size: int, seed: int = 1) -> bytes:
    return random.Random(seed).randbytes(size)
