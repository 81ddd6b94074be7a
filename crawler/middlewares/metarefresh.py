"""SafeMetaRefreshMiddleware: Scrapy's ``<meta http-equiv=refresh>`` redirects, never losing a page.

Scrapy's middleware decodes every HTML response and resolves its ``<base href>``; a page
declaring a non-text charset (``charset=hex``) or a malformed base (``http://[::1/``)
makes it raise, and the page is lost as a download error.  Here such a page is passed
on unchanged (the extractor copes with both), counted ``metarefresh/errors`` and logged.
"""

from __future__ import annotations

import logging

from scrapy import Request
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.http import Response

logger = logging.getLogger(__name__)


class SafeMetaRefreshMiddleware(MetaRefreshMiddleware):
    def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        try:
            return super().process_response(request, response)
        except (ValueError, LookupError, UnicodeError, TypeError) as exc:
            self.crawler.stats.inc_value("metarefresh/errors")
            logger.warning("meta refresh not read on %s (%s: %s); page kept", response.url,
                           type(exc).__name__, exc)
            return response
