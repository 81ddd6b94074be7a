"""BackoffRetryMiddleware (crawler/middlewares/backoff.py): spaced retries honouring Retry-After."""

from __future__ import annotations

import time
from pathlib import Path

from scrapy import Request
from scrapy.http import Response

from crawler.middlewares.backoff import NOT_BEFORE, BackoffRetryMiddleware, retry_after_seconds
from tests.conftest import component_crawler


def test_retry_after_seconds() -> None:
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds(b"Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def test_retries_wait_exponentially_and_honour_the_server(tmp_path: Path) -> None:
    crawler = component_crawler(tmp_path, RETRY_BACKOFF_BASE=2.0, RETRY_BACKOFF_MAX=10.0)
    mw = BackoffRetryMiddleware.from_crawler(crawler)
    req = Request("http://www.jinan.gov.cn/a.html")
    first = mw.process_response(req, Response(req.url, status=503))
    assert isinstance(first, Request)
    assert 1.5 < first.meta[NOT_BEFORE] - time.monotonic() <= 2.0
    second = mw.process_response(first, Response(req.url, status=503))
    assert isinstance(second, Request) and 3.5 < second.meta[NOT_BEFORE] - time.monotonic() <= 4.0
    told = mw.process_response(req, Response(req.url, status=503, headers={"Retry-After": "60"}))
    assert isinstance(told, Request) and told.meta[NOT_BEFORE] - time.monotonic() <= 10.0  # capped
    ok = Response(req.url, status=200)
    assert mw.process_response(req, ok) is ok
