"""Datasette hooks of the reading side: document, search and coverage pages; tables that read.

Loaded by ``reading/datasette/plugins/govpress_reading.py`` (``govpress serve``
passes that folder as ``--plugins-dir``).  Pages are built by ``reading.pages``
from the archive's read API, on Datasette's own read-only connection and
executor thread; nothing here writes.

Routes: ``/doc/<id>`` (document), ``/doc/<id>/original`` (the archived page,
sanitized, for the sandboxed frame), ``/search``, ``/coverage``.  The ASGI
wrapper makes the stock table views read better: ``documents`` opens with the
reading columns, ``?_search=`` goes to ``/search``, a row page goes to its
document page, and binary or internal columns cannot be faceted.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl
from datasette.facets import Facet
from datasette.utils.asgi import Request, Response
from markupsafe import Markup, escape
from sqlite_utils import Database

from archive import Archive, ArchiveError
from reading import pages
from reading.original import FRAME_HEADERS, render_original

logger = logging.getLogger(__name__)

T = TypeVar("T")
ASGIApp = Callable[..., Awaitable[None]]

READING_COLUMNS = (
    "title", "published", "site", "column_name", "source", "body", "revision_count", "cluster_id",
    "duplicate_of", "url",
)
"""Columns the documents table opens with, in this order (``id`` comes first anyway)."""
UNFACETABLE = frozenset({
    "minhash", "band_keys", "body", "body_hash", "content", "headers", "stats", "canonical_url",
    "url", "title", "description", "keywords",
})
"""Binary, internal or free-text columns: never offered as facets."""
BODY_CELL = 48
URL_CELL = 48

CSS = """
.gp-doc { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 1.5em; }
@media (max-width: 1000px) { .gp-doc { grid-template-columns: 1fr; } }
.gp-meta { display: grid; grid-template-columns: max-content 1fr; gap: .15em 1em; margin: .5em 0 1em; }
.gp-meta dt { color: #555; } .gp-meta dd { margin: 0; overflow-wrap: anywhere; }
.gp-text p { line-height: 1.8; text-indent: 2em; margin: 0 0 .8em; }
.gp-original { position: sticky; top: 0; align-self: start; }
.gp-frame { width: 100%; height: 85vh; border: 1px solid #bbb; background: #fff; }
.gp-note { color: #555; font-size: .9em; }
.gp-hits li { margin-bottom: 1em; list-style: none; } .gp-hits { padding-left: 0; }
.gp-hits .title { font-size: 1.1em; } .gp-hits .where { color: #555; font-size: .9em; }
mark { background: #ffe066; padding: 0 .1em; }
.gp-error { background: #fdecea; border-left: 4px solid #c0392b; padding: .5em 1em; }
.gp-diff del { background: #fbb; text-decoration: line-through; }
.gp-diff ins { background: #bfb; text-decoration: none; }
.gp-diff .folded { color: #777; font-style: italic; }
.gp-cite { background: #f5f5f5; padding: .5em 1em; font-family: monospace; overflow-wrap: anywhere; }
tr.failing td { background: #fdecea; } .gp-runs td.when { white-space: nowrap; }
.failed-check { color: #c0392b; font-weight: bold; }
.coverage-chart text { font-size: 11px; font-family: sans-serif; }
.coverage-chart .site { font-size: 13px; } .coverage-chart .n { text-anchor: middle; font-size: 9px; }
.coverage-chart .bar { fill: #3b7dd8; } .coverage-chart .bar.empty { fill: #ddd; }
.coverage-chart .axis { stroke: #999; }
.gp-nav a { margin-right: 1em; }
.gp-turn { margin: .4em 0; line-height: 1.7; } .gp-turn .speaker { font-weight: bold; }
.gp-turn.role-reporter { margin-left: 1.5em; color: #333; } .gp-turn.role-host { color: #555; }
table.rows-and-columns td.col-title { min-width: 18em; }
table.rows-and-columns td.col-body { min-width: 16em; color: #333; }
"""


def archive_db(datasette: Any) -> Any:
    """The Datasette database holding the archive (the first one attached)."""
    return datasette.get_database()


async def with_archive(datasette: Any, fn: Callable[[Archive], T]) -> T:
    """Run ``fn`` with the read API over Datasette's read-only connection, in its thread."""

    def run(conn: sqlite3.Connection) -> T:
        factory = conn.row_factory
        conn.row_factory = None  # the read API expects plain tuples
        try:
            return fn(Archive(Database(conn, execute_plugins=False)))
        finally:
            conn.row_factory = factory

    result: T = await archive_db(datasette).execute_fn(run)
    return result


async def render(datasette: Any, request: Request, template: str, context: dict[str, Any],
                 status: int = 200) -> Response:
    html = await datasette.render_template(template, {"database": archive_db(datasette).name, **context},
                                           request=request)
    return Response.html(html, status=status)


async def not_found(datasette: Any, request: Request, message: str) -> Response:
    return await render(datasette, request, "govpress_message.html",
                        {"title": "Not found", "message": message}, status=404)


async def doc_view(datasette: Any, request: Request) -> Response:
    doc_id = int(request.url_vars["id"])
    try:
        page = await with_archive(datasette, lambda a: pages.doc_page(a, doc_id))
    except ArchiveError as exc:
        return await render(datasette, request, "govpress_message.html",
                            {"title": "Archive error", "message": str(exc)}, status=500)
    if page is None:
        return await not_found(datasette, request, f"There is no document {doc_id} in this archive.")
    return await render(datasette, request, "govpress_doc.html", {"page": page, "doc": page.doc})


async def original_view(datasette: Any, request: Request) -> Response:
    doc_id = int(request.url_vars["id"])
    raw_arg = request.args.get("raw", "")
    raw_id = int(raw_arg) if raw_arg.isdigit() else None
    raw = await with_archive(datasette, lambda a: a.raw_page(doc_id, raw_id))
    if raw is None:
        html = "<!DOCTYPE html><meta charset=utf-8><p>No stored page for this document.</p>"
        return Response(html, status=404, headers=dict(FRAME_HEADERS), content_type="text/html; charset=utf-8")
    return Response(render_original(raw.content, raw.encoding, raw.url), headers=dict(FRAME_HEADERS),
                    content_type="text/html; charset=utf-8")


async def search_view(datasette: Any, request: Request) -> Response:
    args = {k: request.args.get(k, "").strip() for k in ("q", "site", "since", "until", "speaker")}
    raw_limit = request.args.get("limit", "")
    limit = int(raw_limit) if raw_limit.isdigit() else pages.SEARCH_LIMIT
    page = await with_archive(datasette, lambda a: pages.search_page(a, **args, limit=limit))
    return await render(datasette, request, "govpress_search.html", {"page": page},
                        status=400 if page.error else 200)


async def coverage_view(datasette: Any, request: Request) -> Response:
    page = await with_archive(datasette, pages.coverage_page)
    return await render(datasette, request, "govpress_coverage.html", {"page": page})


async def css_view() -> Response:
    return Response(CSS, content_type="text/css; charset=utf-8",
                    headers={"Cache-Control": "max-age=60"})


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [
        (r"^/doc/(?P<id>\d{1,18})$", doc_view),
        (r"^/doc/(?P<id>\d{1,18})/original$", original_view),
        (r"^/search$", search_view),
        (r"^/coverage$", coverage_view),
        (r"^/-/govpress\.css$", css_view),
    ]


@hookimpl
def extra_css_urls() -> list[str]:
    return ["/-/govpress.css"]


@hookimpl
def menu_links() -> list[dict[str, str]]:
    return [{"href": "/search", "label": "Search the archive"},
            {"href": "/coverage", "label": "Coverage"}]


def _short(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


@hookimpl
def render_cell(row: Any, value: Any, column: str, table: str | None) -> Markup | None:
    if table != "documents":
        return None
    if isinstance(value, bytes):
        return Markup(f'<span class="gp-note">binary, {len(value)} bytes</span>')
    if column == "title" and value and "id" in row.keys():  # noqa: SIM118 - a Row's `in` looks at values
        return Markup(f'<a href="/doc/{int(row["id"])}">{escape(value)}</a>')
    if column == "published" and isinstance(value, str) and len(value) > 10:
        return Markup(f'<span title="{escape(value)}">{escape(pages.beijing(value))}</span>')
    if column == "body" and isinstance(value, str):
        return Markup(escape(_short(value, BODY_CELL)))
    if column in ("url", "canonical_url") and isinstance(value, str) and pages.web_link(value):
        return Markup(f'<a href="{escape(value)}" title="{escape(value)}" rel="noreferrer">'
                      f"{escape(_short(value, URL_CELL))}</a>")
    return None


class YearFacet(Facet):  # type: ignore[misc]
    """``{"year": "published"}``: documents per year of an ISO date column."""

    type = "year"

    async def suggest(self) -> list[dict[str, Any]]:
        return []

    async def facet_results(self) -> tuple[list[dict[str, Any]], list[str]]:
        from datasette.utils import (
            escape_sqlite,
            path_with_added_args,
            path_with_removed_args,
        )

        results: list[dict[str, Any]] = []
        timed_out: list[str] = []
        qs = parse_qsl(self.request.query_string, keep_blank_values=True)
        for cfg in self.get_configs():
            column = cfg["config"].get("column") or cfg["config"]["simple"]
            sql = (f"select substr({escape_sqlite(column)}, 1, 4) as value, count(*) as count"
                   f" from ({self.sql}) where {escape_sqlite(column)} is not null"
                   " group by value order by value desc limit 51")
            try:
                rows = await self.ds.execute(self.database, sql, self.params, truncate=False,
                                             custom_time_limit=self.ds.setting("facet_time_limit_ms"))
            except Exception:
                timed_out.append(column)
                continue
            key = f"{column}__startswith"
            values = []
            for r in rows.rows[:50]:
                selected = (key, str(r["value"])) in qs
                path = (path_with_removed_args(self.request, {key: str(r["value"])}) if selected
                        else path_with_added_args(self.request, {key: r["value"]}))
                values.append({"value": r["value"], "label": r["value"], "count": r["count"],
                               "toggle_url": self.ds.absolute_url(self.request, self.ds.urls.path(path)),
                               "selected": selected})
            results.append({"name": column, "type": self.type, "hideable": False,
                            "toggle_url": "", "results": values, "truncated": len(rows.rows) > 50})
        return results, timed_out


@hookimpl
def register_facet_classes() -> list[type]:
    return [YearFacet]


def _redirect(location: str) -> Response:
    return Response.redirect(location, status=302)


def rewrite(path: str, query: str, db: str) -> tuple[str | None, str]:
    """(redirect location or None, query string to pass on) for one GET of the table views."""
    pairs = parse_qsl(query, keep_blank_values=True)
    args = dict(pairs)
    prefix = f"/{db}/"
    if path == f"/{db}/search":
        return "/search?" + urlencode({"q": args.get("q", "")}), query
    if path.startswith(prefix + "documents/") and path[len(prefix + "documents/"):].isdigit():
        return f"/doc/{path.rsplit('/', 1)[1]}", query
    if not path.startswith(prefix) or "." in path.rsplit("/", 1)[-1]:
        return None, query  # .json / .csv and other formats are left exactly as asked
    if path == prefix + "documents" and "_search" in args:
        return "/search?" + urlencode({"q": args["_search"]}), query
    kept = [(k, v) for k, v in pairs if not (k.startswith("_facet") and v in UNFACETABLE)]
    if path == prefix + "documents" and not any(k in ("_col", "_nocol") for k, _ in kept):
        kept += [("_col", c) for c in READING_COLUMNS]
    return None, urlencode(kept)


@hookimpl
def asgi_wrapper(datasette: Any) -> Callable[[ASGIApp], ASGIApp]:
    def wrap(app: ASGIApp) -> ASGIApp:
        async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope.get("type") == "http" and scope.get("method") in ("GET", "HEAD"):
                try:
                    db = archive_db(datasette).name
                except (KeyError, IndexError):
                    db = None
                if db:
                    query = scope.get("query_string", b"").decode("latin-1")
                    location, query2 = rewrite(scope.get("path", ""), query, db)
                    if location is not None:
                        await _redirect(location).asgi_send(send)
                        return
                    if query2 != query:
                        scope = {**scope, "query_string": query2.encode("latin-1")}
            await app(scope, receive, send)

        return wrapped

    return wrap
