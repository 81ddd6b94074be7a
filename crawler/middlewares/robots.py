"""RobotsMiddleware: Scrapy's robots.txt handling, with RFC 9309's rules for failures.

RFC 9309 §2.3.1.3-4: a robots.txt answering 4xx ("unavailable") allows everything; one
answering 5xx, or that cannot be fetched at all (refused, reset, timed out), means
**complete disallow**.  Scrapy allows everything in both cases, so a site whose
robots.txt is broken would be crawled in full.  Here every request to such a host is
refused with ``IgnoreRequest("robots.txt unreachable (...): complete disallow ...")``,
which the spider counts as ``fetch_errors/robots_unreachable`` so the run reports it.
429 counts as 5xx (the server asks us to slow down, not to go ahead).
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response

logger = logging.getLogger(__name__)

UNREACHABLE = "robots.txt unreachable"


class DisallowAll:
    """A robots parser that allows nothing, remembering why."""

    def __init__(self, reason: str):
        self.reason = reason

    def allowed(self, url: str, user_agent: Any) -> bool:
        return False


class RobotsMiddleware(RobotsTxtMiddleware):
    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        status = response.status
        if 400 <= status < 500 and status != 429:
            # unavailable: allowed, as if robots.txt were empty
            response = response.replace(body=b"")
        elif status >= 500 or status == 429:
            self._stats.inc_value("robotstxt/response_count")
            self._stats.inc_value(f"robotstxt/response_status_count/{status}")
            self._disallow(netloc, f"HTTP {status}")
            return
        await super()._parse_robots(response, netloc, request)

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        if not isinstance(exc, IgnoreRequest):
            self._stats.inc_value(f"robotstxt/exception_count/{type(exc)}")
        self._disallow(netloc, f"{type(exc).__name__}: {exc}"[:200])

    def _disallow(self, netloc: str, why: str) -> None:
        reason = f"{UNREACHABLE} ({why}): complete disallow (RFC 9309)"
        logger.error("%s: %s", netloc, reason)
        self._stats.inc_value("robotstxt/unreachable")
        rp_dfd = self._parsers[netloc]
        parser = DisallowAll(reason)
        self._parsers[netloc] = parser  # type: ignore[assignment]
        rp_dfd.callback(parser)  # type: ignore[union-attr,arg-type]

    def process_request_2(self, rp: Any, request: Request) -> None:
        if isinstance(rp, DisallowAll):
            self._stats.inc_value("robotstxt/forbidden")
            raise IgnoreRequest(f"{rp.reason}: {request.url}")
        super().process_request_2(rp, request)
