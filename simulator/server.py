"""The simulator: one HTTP server on 127.0.0.1 that plays every mapped host, routed by ``Host``.

The crawler's demo/test middleware sends ``http://127.0.0.1:PORT/<path>`` with the real
``Host`` header; pages link with the real scheme and host, as the real sites do.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from datetime import UTC, datetime
from email.utils import formatdate, parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from . import faults as F
from .attachments import install as install_attachments
from .handler import SimServer
from .model import SimArticle, Store
from .requestlog import RequestLog
from .sites import EXTRA_HOSTS, SITE_CLASSES, Page, SiteApp
from .sites.blocks import BlockEndpoints

logger = logging.getLogger(__name__)

PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360f8cfc0f01f0005000201a5f1a4b10000000049454e44ae426082"
)


class Simulator:
    """Serves realistic copies of the mapped sites; see ``docs/simulator.md``."""

    def __init__(self, page_size: int = 5, attachments: bool = False) -> None:
        self.page_size = page_size
        self._apps: dict[str, SiteApp] = {cls.slug: cls(page_size) for cls in SITE_CLASSES}
        self._store = Store(self._apps)
        self._hosts: dict[str, SiteApp] = {}
        for app in [*self._apps.values(), *(cls(page_size) for cls in EXTRA_HOSTS)]:
            app.store = self._store
            self._hosts[app.host] = app
        self.requests = RequestLog()
        self._faults = F.FaultTable()
        self._stopping = threading.Event()
        self._server: SimServer | None = None
        self._thread: threading.Thread | None = None
        self.files = install_attachments(self) if attachments else None
        """Attached files served (``simulator/attachments.py``), with their texts as truth."""
        self.blocks = BlockEndpoints(self)
        """Below-HTTP block hosts: legacy TLS, timeout, blackhole, refused (``sites/blocks.py``)."""

    # -- lifecycle ---------------------------------------------------------------
    def start(self) -> Simulator:
        if self._server is None:
            self._stopping.clear()
            self._server = SimServer(self)
            self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                            name="govpress-simulator", daemon=True)
            self._thread.start()
            self.blocks.start()
            logger.info("simulator listening on 127.0.0.1:%s", self.port)
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._stopping.set()
        self.blocks.stop()
        self._server.shutdown()
        self._server.drop_connections()
        self._server.server_close()
        if self._thread:
            self._thread.join(timeout=5)
        self._server = self._thread = None
        logger.info("simulator stopped")

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("simulator not started")
        return int(self._server.server_address[1])

    @property
    def address(self) -> tuple[str, int]:
        if self._server is None:
            raise RuntimeError("simulator not started")
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    def hostmap(self) -> dict[str, str]:
        """``{"www.qingdao.gov.cn": "127.0.0.1:PORT", …}`` for every served host."""
        return {**dict.fromkeys(self._hosts, f"127.0.0.1:{self.port}"), **self.blocks.hostmap()}

    def schemes(self) -> dict[str, str]:
        """Each served host's real scheme (``https`` for www.shandong.gov.cn)."""
        return {host: app.scheme for host, app in self._hosts.items()}

    def list_urls(self, slug: str) -> dict[str, str]:
        """``{column: URL of its first list page}`` for the site, as real URLs."""
        app = self._apps[slug]
        return {c.name: app.base + c.list_path for c in app.columns}

    # -- truth and changes -------------------------------------------------------
    def articles(self, slug: str | None = None) -> list[SimArticle]:
        """Every article (of ``slug``), by slug, then oldest first."""
        return sorted(self._store.articles(slug), key=lambda a: (a.slug, a.published_at, a.url))

    def column(self, slug: str, column: str) -> list[SimArticle]:
        """A column's articles in list order (newest first), as its list pages show them."""
        return self._store.column(slug, column)

    def article(self, url: str) -> SimArticle:
        parts = urlsplit(url)
        art = self._store.lookup(parts.hostname or "", parts.path)
        if art is None:
            raise KeyError(url)
        return art

    def edit_article(self, url: str, *, title: str | None = None,
                     paragraphs: list[str] | None = None) -> SimArticle:
        """Change what the page serves; bumps its Last-Modified and ETag."""
        return self._store.edit(self.article(url).url, title=title, paragraphs=paragraphs)

    def add_article(self, slug: str, column: str, title: str, paragraphs: list[str],
                    published: str | datetime, **extra: Any) -> SimArticle:
        """A new article at the top of the column's list (pushing the rest down a page).

        ``extra`` takes ``source``, ``author``, ``republished_from`` and the rendering fields
        of ``SimArticle`` (``credits``, ``charset`` …), plus ``form`` (``classic``/``jpaas``, Jinan).
        """
        return self._store.add(slug, column, title, paragraphs, published, **extra)

    def grow(self, slug: str, n: int, *, seed: int = 1) -> list[SimArticle]:
        """Make the site ``n`` articles bigger (generated, older than the rest; see ``Store.grow``)."""
        return self._store.grow(slug, n, seed=seed)

    def reset_requests(self) -> None:
        self.requests.clear()

    def set_fault(self, host: str, path: str, kind: str, **params: Any) -> F.Fault:
        """Make requests for ``host`` + ``path`` misbehave; kinds in ``faults.py``."""
        return self._faults.add(host, path, kind, dict(params))

    def clear_faults(self) -> None:
        self._faults.clear()

    # -- rendering ---------------------------------------------------------------
    def _page(self, app: SiteApp, target: str, method: str, headers: Any) -> Page:
        parts = urlsplit(target)
        path = unquote(parts.path) or "/"
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        if path == "/robots.txt":
            return Page(body=app.robots.encode("ascii"), content_type="text/plain")
        served = self.files.serve(app.host, path) if self.files is not None else None
        if served is not None:
            return Page(body=served[0], content_type=served[1])
        art = self._store.lookup(app.host, path)
        if art is not None:
            return self._article_page(app, art, headers)
        if path.endswith(".png") and any(a.image == path for a in self._store.articles(app.slug)):
            return Page(body=PNG_1X1, content_type="image/png")
        return app.route(path, query, method) or app.not_found()

    def _article_page(self, app: SiteApp, art: SimArticle, headers: Any) -> Page:
        modified = self._store.modified(art.url)
        digest = hashlib.sha1("\x1f".join([art.url, art.title, *art.paragraphs, modified.isoformat()])
                              .encode("utf-8")).hexdigest()
        validators = [("ETag", f'"{digest[:16]}"'),
                      ("Last-Modified", formatdate(modified.timestamp(), usegmt=True))]
        if _not_modified(headers, f'"{digest[:16]}"', modified):
            return Page(status=304, body=b"", content_type="text/html", headers=validators)
        page = app.render_article(art)
        page.headers += validators
        return page


def _not_modified(headers: Any, etag: str, modified: datetime) -> bool:
    inm = headers.get("If-None-Match")
    if inm is not None:
        tags = [t.strip().removeprefix("W/") for t in inm.split(",")]
        return "*" in tags or etag in tags
    ims = headers.get("If-Modified-Since")
    if ims:
        try:
            since = parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        return modified <= since
    return False
