"""``archive.urlset.UrlSet``: a set semantics on disk, whose memory does not grow with its size."""

from __future__ import annotations

import ctypes
import tracemalloc

import pytest

from archive.urlset import CACHE_KIB, UrlSet


def _url(i: int) -> str:
    return f"http://www.jinan.gov.cn/col/col27544/art/2026/art_{i:032x}.html?uid=564862&pageNum={i % 97}"


def test_add_contains_len_and_iteration_behave_as_a_set() -> None:
    with UrlSet(["a", "b"]) as s:
        assert len(s) == 2 and "a" in s and "c" not in s
        assert s.add("c") is True
        assert s.add("c") is False and s.add("a") is False
        assert len(s) == 3
        assert sorted(s) == ["a", "b", "c"]
        assert 3 not in s  # not a string: never a member


def test_a_closed_set_refuses_use() -> None:
    s = UrlSet(["a"])
    s.close()
    s.close()  # twice is fine
    with pytest.raises(ValueError, match="closed"):
        s.add("b")


def _sqlite_memory_used() -> int | None:
    try:
        lib = ctypes.CDLL("libsqlite3.so.0")
    except OSError:
        return None
    lib.sqlite3_memory_used.restype = ctypes.c_int64
    return int(lib.sqlite3_memory_used())


def test_memory_stays_bounded_however_many_urls_it_holds() -> None:
    """50,000 URLs of ~100 characters (~5 MB as text, ~9 MB as a Python set) cost neither
    Python memory nor more SQLite memory than the set's page cache."""
    n = 50_000
    before_sqlite = _sqlite_memory_used()
    tracemalloc.start()
    try:
        s = UrlSet()
        base, _ = tracemalloc.get_traced_memory()
        for i in range(n):
            s.add(_url(i))
        grown, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    after_sqlite = _sqlite_memory_used()
    try:
        assert len(s) == n and _url(0) in s and _url(n - 1) in s and _url(n) not in s
        assert grown - base < 256 * 1024, f"Python memory grew {grown - base} bytes for {n} URLs"
        assert s.memory_bytes() <= CACHE_KIB * 1024
        if before_sqlite is not None and after_sqlite is not None:
            # the page cache plus SQLite's fixed overhead; the URLs themselves are ~5 MB
            assert after_sqlite - before_sqlite < CACHE_KIB * 1024 + 1024 * 1024
    finally:
        s.close()
