"""Download handler for demo and test mode: sends mapped hosts to the local simulator.

With ``HOSTMAP = {"www.qingdao.gov.cn": "127.0.0.1:8123", ...}`` a request for
``https://www.qingdao.gov.cn/a?b`` is sent as ``http://127.0.0.1:8123/a?b`` with
``Host: www.qingdao.gov.cn``, and the response carries the original URL again.
Working at the handler level keeps everything above it unchanged: robots.txt,
redirects, retries and per-domain download slots all see the real host.
A target written ``https://127.0.0.1:PORT`` keeps TLS, with the site's ``[tls]`` settings.
With ``HOSTMAP_STRICT`` (the default) a request for any other host is refused,
so a test can never reach the network.  It is never on in production: only
``loopback_settings`` (used by ``govpress demo`` and the tests) installs it.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from crawler.handlers.sitetls import SiteTLSDownloadHandler

logger = logging.getLogger(__name__)

HANDLER = "crawler.handlers.loopback.LoopbackDownloadHandler"


class LoopbackDownloadHandler(SiteTLSDownloadHandler):
    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        self.hostmap: dict[str, str] = dict(crawler.settings.getdict("HOSTMAP"))
        self.strict = crawler.settings.getbool("HOSTMAP_STRICT", True)
        for target in self.hostmap.values():
            host = target.removeprefix("https://").rsplit(":", 1)[0]
            if host not in ("127.0.0.1", "localhost", "[::1]"):
                raise ValueError(f"HOSTMAP target {target!r} is not a loopback address")

    async def download_request(self, request: Request) -> Response:
        parts = urlsplit(request.url)
        target = self.hostmap.get(parts.hostname or "")
        if target is None:
            if self.strict:
                raise IgnoreRequest(f"HOSTMAP: {parts.hostname} is not simulated; not leaving loopback")
            return await super().download_request(request)
        # "https://127.0.0.1:PORT" keeps TLS (the simulator's TLS hosts); plain targets are http.
        scheme, _, netloc = target.rpartition("://")
        local = urlunsplit((scheme or "http", netloc, parts.path or "/", parts.query, ""))
        local_request = request.replace(url=local)
        local_request.headers["Host"] = parts.netloc
        response = await super().download_request(local_request)
        return response.replace(url=request.url, request=request)


def loopback_settings(hostmap: dict[str, str]) -> dict[str, Any]:
    """Settings that route ``hostmap``'s hosts to the simulator (demo and tests only)."""
    return {
        "HOSTMAP": dict(hostmap),
        "DOWNLOAD_HANDLERS": {"http": HANDLER, "https": HANDLER},
    }
