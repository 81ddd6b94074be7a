"""Simulated articles: the truth data (``SimArticle``) and the mutable store behind the server.

Article texts live in ``data/<slug>.json``.  Each entry gives the column, title, publish
time, source, author and paragraphs; URLs and numeric ids are derived deterministically
by the site module (ids grow with the publish time, as a real CMS's do).  An entry may
take its body from another entry (``body_from`` + ``changes``) to model a republished copy.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from .sites.common import SiteApp

logger = logging.getLogger(__name__)

CST = timezone(timedelta(hours=8))
DATA_DIR = Path(__file__).parent / "data"


@dataclass(frozen=True)
class SimArticle:
    """One article as the simulator serves it: the truth tests compare against.

    ``paragraphs`` are the article's own text (photo captions and the attachment line
    included; editor credits, share bars and footers excluded).  The fields after
    ``republished_from`` only steer rendering.
    """

    slug: str
    url: str
    column: str
    title: str
    published: str
    """ISO 8601 with offset, e.g. ``2026-01-21T10:30:00+08:00``."""
    source: str
    author: str
    paragraphs: list[str] = field(default_factory=list)
    republished_from: str | None = None
    credits: str = ""
    """Editor credit line rendered at the end of the body (not article text)."""
    image: str = ""
    """Image path rendered just before the caption paragraph ``caption_at``."""
    caption_at: int = -1
    attachment: str = ""
    """Showname of a PDF linked by the last paragraph (``附件：<showname>``)."""
    files: tuple[tuple[int, str, str], ...] = ()
    """Attached files ``(paragraph index, showname, path)``: that paragraph links the file
    (``simulator/attachments.py``)."""
    charset: bool = True
    """False: the page declares no charset anywhere (header nor meta)."""
    related_variant: str = ""
    """Query string used when other pages link to this article (``xxgkhide=1``)."""
    key: str = ""
    """The entry's key in ``data/<slug>.json`` (``added-…`` for ``add_article``)."""
    markup: tuple[str, ...] = ()
    """Paragraph HTML (``<strong>`` speaker marks) when the entry has markup; the plain
    text in ``paragraphs`` stays the truth."""

    @property
    def published_at(self) -> datetime:
        return datetime.fromisoformat(self.published)

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""


def parse_time(value: str | datetime) -> datetime:
    """Accept ``2026-01-21 10:30``, ISO strings or datetimes; naive values are Beijing time."""
    dt = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).strip())
    return dt if dt.tzinfo else dt.replace(tzinfo=CST)


def stable_int(*parts: object) -> int:
    """A deterministic integer from the parts (for ids and hex names)."""
    digest = hashlib.sha1("|".join(map(str, parts)).encode("utf-8")).hexdigest()
    return int(digest[:12], 16)


def load_entries(slug: str) -> list[dict[str, Any]]:
    path = DATA_DIR / f"{slug}.json"
    entries = list(json.loads(path.read_text("utf-8"))["articles"]) if path.is_file() else []
    from .conferences import extra_entries

    return entries + extra_entries(slug)


class Store:
    """All articles of all sites, with list order and modification times; thread-safe."""

    def __init__(self, apps: dict[str, SiteApp]) -> None:
        self.lock = threading.RLock()
        self.apps = apps  # slug -> app
        self._articles: dict[str, SimArticle] = {}
        self._order: dict[tuple[str, str], list[str]] = {}
        self._by_path: dict[tuple[str, str], str] = {}
        self._modified: dict[str, datetime] = {}
        self._next_num: dict[str, int] = {}
        self._load()

    # -- loading -----------------------------------------------------------------
    def _load(self) -> None:
        raw: dict[str, dict[str, Any]] = {}
        per_slug: dict[str, list[dict[str, Any]]] = {}
        for slug in self.apps:
            entries = self.apps[slug].entries()
            for e in entries:
                e["slug"] = slug
                raw[e["key"]] = e
            per_slug[slug] = entries
        for e in raw.values():
            if "body_from" in e:
                paras = list(raw[e["body_from"]]["paragraphs"])
                for idx, text in e.get("changes", {}).items():
                    paras[int(idx)] = text
                e["paragraphs"] = paras
        urls: dict[str, str] = {}
        for slug, entries in per_slug.items():
            app = self.apps[slug]
            num = app.first_num
            # entries from extra data files are numbered after the site's own, so adding
            # them leaves the older URLs as they were
            for e in sorted(entries, key=lambda x: (bool(x.get("extra")), parse_time(x["published"]))):
                num += 17 + stable_int(e["key"]) % 311
                urls[e["key"]] = app.article_url(
                    e["column"], parse_time(e["published"]), num, e["key"], e.get("form", "")
                )
            self._next_num[slug] = num
        for e in raw.values():
            src = e.get("republished_from")
            self._put(self._make(e, urls[e["key"]], urls[src] if src else None))
        for key in self._order:
            self._order[key].sort(key=lambda u: self._articles[u].published_at, reverse=True)
        logger.debug("simulator store: %d articles", len(self._articles))

    @staticmethod
    def _make(e: dict[str, Any], url: str, republished_from: str | None) -> SimArticle:
        return SimArticle(
            slug=e["slug"],
            url=url,
            column=e["column"],
            title=e["title"],
            published=parse_time(e["published"]).isoformat(),
            source=e.get("source", ""),
            author=e.get("author", ""),
            paragraphs=list(e["paragraphs"]),
            republished_from=republished_from,
            credits=e.get("credits", ""),
            image=e.get("image", ""),
            caption_at=int(e.get("caption_at", -1)),
            attachment=e.get("attachment", ""),
            files=tuple(tuple(f) for f in e.get("files", ())),
            charset=bool(e.get("charset", True)),
            related_variant=e.get("related_variant", ""),
            key=e.get("key", ""),
            markup=tuple(e.get("markup", ())),
        )

    def _put(self, art: SimArticle, top: bool = False) -> None:
        self._articles[art.url] = art
        self._by_path[(art.host, art.path)] = art.url
        self._modified[art.url] = art.published_at.astimezone(UTC)
        order = self._order.setdefault((art.slug, art.column), [])
        order.insert(0, art.url) if top else order.append(art.url)

    # -- reading -----------------------------------------------------------------
    def articles(self, slug: str | None = None) -> list[SimArticle]:
        with self.lock:
            return [a for a in self._articles.values() if slug is None or a.slug == slug]

    def column(self, slug: str, column: str) -> list[SimArticle]:
        """The column's articles in list order (newest first)."""
        with self.lock:
            return [self._articles[u] for u in self._order.get((slug, column), [])]

    def lookup(self, host: str, path: str) -> SimArticle | None:
        with self.lock:
            url = self._by_path.get((host, path))
            return self._articles[url] if url else None

    def modified(self, url: str) -> datetime:
        with self.lock:
            return self._modified[url]

    # -- changing ----------------------------------------------------------------
    def edit(self, url: str, title: str | None = None, paragraphs: list[str] | None = None) -> SimArticle:
        with self.lock:
            old = self._articles[url]
            new = replace(
                old,
                title=old.title if title is None else title,
                paragraphs=list(old.paragraphs if paragraphs is None else paragraphs),
                markup=old.markup if paragraphs is None else (),
            )
            self._articles[url] = new
            now = datetime.now(UTC).replace(microsecond=0)
            self._modified[url] = max(now, self._modified[url] + timedelta(seconds=1))
            return new

    def grow(self, slug: str, n: int, *, seed: int = 1) -> list[SimArticle]:
        """Append ``n`` generated articles, older than every existing one, to the site's columns.

        Texts come from ``simulator.synthetic`` (seeded, so two simulators grown alike serve
        the same site); used to build sites of any size for benchmarks.
        """
        from .synthetic import Generator

        gen = Generator(seed=seed, pool_chars=200_000)
        with self.lock:
            app = self.apps[slug]
            columns = app.column_names()
            oldest = min((a.published_at for a in self._articles.values() if a.slug == slug),
                         default=datetime(2026, 1, 1, tzinfo=CST))
            made = []
            for i in range(n):
                self._next_num[slug] += 97
                num = self._next_num[slug]
                key = f"grown-{slug}-{num}"
                dt = oldest - timedelta(hours=6 * (i + 1))
                column = columns[i % len(columns)]
                paragraphs = [p for p in gen.text(gen.rng.randint(300, 1500)).split("\n") if p]
                title = gen.text(gen.rng.randint(10, 24), paragraphs=False).replace("。", "") + f"（{i}）"
                entry = {"key": key, "slug": slug, "column": column, "title": title, "published": dt,
                         "source": "市政府办公厅", "paragraphs": paragraphs}
                art = self._make(entry, app.article_url(column, dt, num, key, ""), None)
                self._put(art)
                made.append(art)
            return made

    def add(self, slug: str, column: str, title: str, paragraphs: list[str],
            published: str | datetime, **extra: Any) -> SimArticle:
        with self.lock:
            app = self.apps[slug]
            if column not in app.column_names():
                raise KeyError(f"{slug} has no column {column!r}")
            self._next_num[slug] += 97
            num = self._next_num[slug]
            key = f"added-{slug}-{num}"
            dt = parse_time(published)
            url = app.article_url(column, dt, num, key, str(extra.pop("form", "")))
            entry = {"key": key, "slug": slug, "column": column, "title": title, "published": dt,
                     "paragraphs": paragraphs, **extra}
            art = self._make(entry, url, extra.get("republished_from"))
            self._put(art, top=True)
            return art
