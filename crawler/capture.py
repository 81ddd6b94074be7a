"""The capture format: every response a crawl fetched, as files an operator can carry around.

``DIR/index.jsonl`` holds one JSON object per fetch, in fetch order::

    {"n": 3, "method": "GET", "url": "…", "final_url": "…", "status": 200,
     "headers": {"Content-Type": ["text/html; charset=gbk"], …}, "body": "bodies/000003.bin",
     "bytes": 5120, "sha1": "…", "fetched_at": "2026-…Z", "seconds": 0.41, "egress": "direct"}

or, for a request that got no response, ``"error": "legacy_tls (dh key too small)"`` and no body.
Bodies are the bytes as the server sent them (still compressed when the server compressed them),
so a replay goes through the same decompression, redirects and decoding as the crawl did.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

INDEX = "index.jsonl"
BODIES = "bodies"


@dataclass
class Entry:
    n: int
    method: str
    url: str
    final_url: str = ""
    status: int | None = None
    headers: dict[str, list[str]] = field(default_factory=dict)
    body: str = ""
    bytes: int = 0
    sha1: str = ""
    fetched_at: str = ""
    seconds: float | None = None
    egress: str = "direct"
    error: str = ""
    request_body: str = ""
    """Form body of a POST (data APIs), as text, so a replay can tell POSTs apart."""

    def key(self) -> tuple[str, str, str]:
        return (self.method, self.url, self.request_body)


class CaptureWriter:
    """Appends entries to a capture folder (thread-safe; one writer per crawl)."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        (self.folder / BODIES).mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        index = self.folder / INDEX
        self._n = sum(1 for _ in index.open("rb")) if index.exists() else 0

    def write(self, entry: Entry, body: bytes | None) -> Entry:
        with self._lock:
            self._n += 1
            entry.n = self._n
            if body is not None:
                name = f"{BODIES}/{entry.n:06d}.bin"
                (self.folder / name).write_bytes(body)
                entry.body, entry.bytes, entry.sha1 = name, len(body), hashlib.sha1(body).hexdigest()
            with (self.folder / INDEX).open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(entry.__dict__, ensure_ascii=False) + "\n")
        return entry


class CaptureError(ValueError):
    """A capture folder that cannot be read; the message names the folder/line."""


def read_capture(folder: str | Path) -> list[Entry]:
    """Every entry of a capture, in fetch order; raises ``CaptureError`` for a bad folder."""
    folder = Path(folder)
    index = folder / INDEX
    if not index.is_file():
        raise CaptureError(f"{folder}: not a capture (no {INDEX})")
    out = []
    for i, line in enumerate(index.read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            data: dict[str, Any] = json.loads(line)
            out.append(Entry(**data))
        except (ValueError, TypeError) as exc:
            raise CaptureError(f"{index}:{i}: bad capture entry: {exc}") from None
    return out


def body_of(folder: str | Path, entry: Entry) -> bytes:
    """The raw body of ``entry``; raises ``CaptureError`` when the file is missing or altered."""
    if not entry.body:
        return b""
    path = Path(folder) / entry.body
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CaptureError(f"{path}: cannot read: {exc.strerror}") from None
    if entry.sha1 and hashlib.sha1(data).hexdigest() != entry.sha1:
        raise CaptureError(f"{path}: body does not match its sha1 in {INDEX}")
    return data
