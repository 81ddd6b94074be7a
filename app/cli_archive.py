"""``govpress`` commands that read (or reprocess) the archive: search, export, stats, runs, reprocess, serve."""

from __future__ import annotations

import csv
import dataclasses
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from archive import Archive

# The archive package (sqlite-utils) is imported by the commands that use it, so the CLI starts fast.

logger = logging.getLogger(__name__)

ARCHIVE_OPTION = click.option(
    "--archive", type=click.Path(dir_okay=False),
    help="SQLite archive (default: ARCHIVE_PATH, i.e. $GOVPRESS_ARCHIVE or ./data/govpress.sqlite)",
)
EXPORT_FIELDS = (
    "id", "canonical_url", "url", "site", "region_code", "column_name", "title", "published",
    "published_raw", "source", "author", "editors", "body", "body_hash", "cluster_id", "duplicate_of",
    "first_seen", "last_seen", "revision_count", "encoding", "flags", "attachments", "images",
)


def project_settings(overrides: dict[str, Any] | None = None) -> Any:
    from app.crawl import project_settings as settings

    return settings(overrides)


def archive_path(archive: str | None) -> str:
    return archive or project_settings().get("ARCHIVE_PATH")


@contextmanager
def reader(archive: str | None) -> Iterator[Archive]:
    """The read API over an existing archive; library errors become one-line CLI errors."""
    path = archive_path(archive)
    if not Path(path).is_file():
        raise click.ClickException(f"{path}: no archive here (run a crawl first, or give --archive)")
    from archive import Archive, ArchiveError

    try:
        with Archive(path) as a:
            yield a
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from None


def valid_date(_ctx: Any, _param: Any, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        date.fromisoformat(value[:10])
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None
    return value


@click.command()
@click.argument("query")
@ARCHIVE_OPTION
@click.option("--site", help="Only this site (slug).")
@click.option("--since", callback=valid_date, help="Published on or after (YYYY-MM-DD).")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per hit.")
def search(query: str, archive: str | None, site: str | None, since: str | None,
           limit: int, as_json: bool) -> None:
    """Full-text search (Chinese words of any length), best match first.

    Words are ANDed; "quoted phrases", -word to exclude, title:word to search headlines.

    \b
    Example:
        govpress search 营商环境 --site sd_qingdao --since 2026-01-01
    """
    from archive import ArchiveError

    with reader(archive) as a:
        try:
            hits = a.search(query, site=site, since=since, limit=limit)
        except ArchiveError as exc:
            raise click.ClickException(str(exc)) from None
    for hit in hits:
        doc = hit.document
        if as_json:
            click.echo(json.dumps({"url": doc.canonical_url, "site": doc.site, "title": doc.title,
                                   "published": doc.published, "rank": hit.rank,
                                   "snippet": hit.snippet}, ensure_ascii=False))
        else:
            click.echo(f"{(doc.published or '')[:10]}  {doc.site:12} {doc.title}"
                       f"\n    {doc.canonical_url}\n    {hit.snippet}")
    if not hits and not as_json:
        click.echo("no matches", err=True)


def _export_row(doc: Any) -> dict[str, Any]:
    return {f: getattr(doc, f) for f in EXPORT_FIELDS}


@click.command()
@ARCHIVE_OPTION
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True)
@click.option("--since", callback=valid_date, help="Published on or after (YYYY-MM-DD).")
@click.option("--site", help="Only this site (slug).")
@click.option("--duplicates", is_flag=True, help="Include exact-duplicate rows.")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8", lazy=True), default="-",
              help="Output file (default: standard output).")
def export(archive: str | None, fmt: str, since: str | None, site: str | None,
           duplicates: bool, output: IO[str]) -> None:
    """Stream documents as JSON lines or CSV (memory stays flat for any archive size).

    \b
    Example:
        govpress export --format csv --since 2026-01-01 -o docs.csv
    """
    with reader(archive) as a:
        docs = a.documents(site=site, since=since, include_duplicates=duplicates)
        if fmt == "csv":
            writer = csv.DictWriter(output, fieldnames=EXPORT_FIELDS)
            writer.writeheader()
            for doc in docs:
                row = _export_row(doc)
                for key in ("editors", "flags", "attachments", "images"):
                    row[key] = json.dumps(row[key], ensure_ascii=False)
                writer.writerow(row)
        else:
            for doc in docs:
                output.write(json.dumps(_export_row(doc), ensure_ascii=False) + "\n")


@click.command()
@ARCHIVE_OPTION
@click.option("--days", default=7, show_default=True, help="How many recent publication days to show.")
@click.option("--json", "as_json", is_flag=True)
def stats(archive: str | None, days: int, as_json: bool) -> None:
    """Documents per site and per day, and each site's last successful run.

    \b
    Example:
        govpress stats --days 14
    """
    with reader(archive) as a:
        per_site = a.stats()
    for site, s in per_site.items():
        recent = dict(list(s.per_day.items())[-days:])
        last_ok = s.last_success.finished_at if s.last_success else None
        if as_json:
            click.echo(json.dumps({"site": site, "documents": s.documents, "duplicates": s.duplicates,
                                   "revisions": s.revisions, "last_published": s.last_published,
                                   "last_success": last_ok, "per_day": recent}, ensure_ascii=False))
            continue
        click.echo(f"{site:14} {s.documents:6} documents  {s.duplicates:4} duplicates  "
                   f"{s.revisions:4} revisions  last ok run {last_ok or 'never'}")
        for day, n in recent.items():
            click.echo(f"    {day}  {n}")


@click.command()
@ARCHIVE_OPTION
@click.option("--site", help="Only this site (slug).")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10000))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per run, with its Scrapy stats.")
def runs(archive: str | None, site: str | None, limit: int, as_json: bool) -> None:
    """Crawl runs, newest first: trigger, times, status, counts and failed checks.

    \b
    Example:
        govpress runs --site sd_qingdao --limit 5
    """
    with reader(archive) as a:
        rows = a.runs(site=site, limit=limit)
    for r in rows:
        if as_json:
            click.echo(json.dumps(dataclasses.asdict(r), ensure_ascii=False, default=str))
        else:
            click.echo(f"#{r.id:<5} {r.site:12} {r.trigger:9} {r.started_at}  {r.status:11} pages {r.pages:4}  "
                       f"new {r.new:3} upd {r.updated:3} same {r.unchanged:3} dup {r.duplicate:3} "
                       f"err {r.errors:3}  {r.error}")


@click.command()
@ARCHIVE_OPTION
@click.option("--site", help="Only this site (slug).")
def reprocess(archive: str | None, site: str | None) -> None:
    """Re-run cleaning and dedup over the stored raw pages; changed text becomes a revision.

    \b
    Example:
        govpress reprocess --site sd_dzwww
    """
    from archive.record import DocumentRecord
    from archive.session import ArchiveSession
    from core.siteconfig import load_sites
    from crawler.extensions.sitelock import SiteLock, lock_dir
    from pipelines.process import Options, process_page
    from pipelines.session import identity_for

    path = archive_path(archive)
    sites = load_sites()[0]
    settings = project_settings({"ARCHIVE_PATH": path})
    options = Options(min_chars=settings.getint("CLEANING_MIN_CHARS", 20),
                      near=settings.getbool("DEDUP_NEAR_ENABLED", True),
                      max_nodes=settings.getint("EXTRACT_MAX_NODES", Options.max_nodes))
    counts: dict[str, int] = {}
    busy: list[str] = []
    with reader(path) as a, ArchiveSession(path, identity=identity_for(options.near), store_raw=False) as session:
        slugs = [site] if site else sorted(a.stats())
        for slug in slugs:
            # A crawl of the site writes newer pages meanwhile: take its lock, as a crawl does (#17).
            lock = SiteLock(lock_dir(settings), slug)
            try:
                if not lock.acquire():
                    busy.append(f"{slug} is being crawled ({lock.holder()})")
                    continue
            except OSError as exc:
                raise click.ClickException(
                    f"{slug}: cannot take the site lock {lock.path}: {exc.strerror or exc}") from None
            try:
                for page in a.raw_pages(site=slug, latest=True):
                    stored = session.reader.get(page.canonical_url)
                    record = DocumentRecord.from_headers(
                        page.headers, site=page.site, url=page.url, canonical_url=page.canonical_url,
                        raw=page.content, http_status=page.status or 200, fetched_at=page.fetched_at,
                        column_name=stored.column_name if stored else "",
                    )
                    outcome = process_page(record, sites.get(page.site), session, options=options,
                                           run_id=stored.run_id if stored else None)
                    key = outcome.saved.outcome if outcome.saved else f"dropped ({outcome.dropped})"
                    counts[key] = counts.get(key, 0) + 1
            finally:
                lock.release()
    click.echo("reprocessed: " + (", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "nothing"))
    if busy:
        raise click.ClickException("not reprocessed: " + "; ".join(busy) + "; run it again after the crawl")


@click.command()
@ARCHIVE_OPTION
@click.option("--port", default=8001, show_default=True, type=click.IntRange(1, 65535))
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
def serve(archive: str | None, port: int, host: str) -> None:
    """Browse the archive in Datasette (pip install 'govpress[serve]').

    Pages: /search (full-text search), /doc/ID (a document beside its archived
    original), /coverage (documents per week, last runs), and the tables.
    Ctrl-C (or SIGTERM) stops Datasette too.

    \b
    Example:
        govpress serve --port 8001
    """
    from archive import Archive, ArchiveError

    path = archive_path(archive)
    if not Path(path).is_file():
        raise click.ClickException(f"{path}: no archive here (run a crawl first, or give --archive)")
    try:
        Archive(path).close()  # a one-line error for a file that is not a (current) archive
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from None
    command = datasette_command()
    _check_port(host, port)
    with tempfile.TemporaryDirectory(prefix="govpress-serve-") as tmp:
        meta = Path(tmp) / "metadata.json"
        meta.write_text(json.dumps(datasette_metadata(Path(path).stem), ensure_ascii=False), "utf-8")
        args = [*command, "serve", path, "--metadata", str(meta), "--host", host, "--port", str(port),
                *datasette_options()]
        sys.exit(_run_server(args, f"http://{_url_host(host)}:{port}/", host, port))


DATASETTE = Path(__file__).resolve().parent.parent / "reading" / "datasette"
DATASETTE_SETTINGS = {
    "suggest_facets": "off",  # never offer binary or free-text columns as facets
    "default_page_size": "50",
    "facet_time_limit_ms": "500",
}


def datasette_options() -> list[str]:
    """``datasette serve`` options of govpress: plugins, templates and settings (not metadata)."""
    out = ["--plugins-dir", str(DATASETTE / "plugins"), "--template-dir", str(DATASETTE / "templates")]
    for name, value in DATASETTE_SETTINGS.items():
        out += ["--setting", name, value]
    return out


def datasette_command() -> list[str]:
    """How to run Datasette: from this interpreter's environment first, then ``PATH``."""
    import importlib.util

    beside = Path(sys.executable).parent / "datasette"
    if beside.is_file() and os.access(beside, os.X_OK):
        return [str(beside)]
    if importlib.util.find_spec("datasette") is not None:
        return [sys.executable, "-m", "datasette"]
    found = shutil.which("datasette")
    if found:
        return [found]
    raise click.ClickException("Datasette is not installed: pip install 'govpress[serve]'")


def _url_host(host: str) -> str:
    if host in ("0.0.0.0", "::", ""):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def _check_port(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def _wait_listening(proc: subprocess.Popen[bytes], host: str, port: int, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    target = _url_host(host).strip("[]")
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with socket.create_connection((target, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.1)
    return False


def _die_with_parent() -> None:
    """In the child: get SIGTERM if govpress itself dies (Linux), so Datasette never lingers."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _run_server(args: list[str], url: str, host: str, port: int) -> int:
    """Run Datasette until it exits or we are told to stop; forward SIGINT/SIGTERM/SIGHUP."""
    # preexec_fn is safe here: the CLI has started no threads yet.
    linux = sys.platform.startswith("linux")
    proc = subprocess.Popen(args, start_new_session=True,
                            preexec_fn=_die_with_parent if linux else None)
    stopping: list[int] = []

    def forward(signum: int, _frame: Any) -> None:
        stopping.append(signum)
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT if signum == signal.SIGINT else signal.SIGTERM)

    previous = {s: signal.signal(s, forward) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        if _wait_listening(proc, host, port):
            click.echo(f"govpress: serving the archive at {url}  (search: {url}search,"
                       f" coverage: {url}coverage; Ctrl-C to stop)", err=False)
            sys.stdout.flush()
        deadline = None
        while (code := proc.poll()) is None:
            if stopping and deadline is None:
                deadline = time.monotonic() + 10
            if deadline is not None and time.monotonic() > deadline:
                proc.kill()  # did not stop within 10 s of being asked
            time.sleep(0.1)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if stopping:
        return 0
    if code != 0:
        click.echo(f"govpress: Datasette exited with status {code}", err=True)
    return 1 if code else 0


def datasette_metadata(database: str) -> dict[str, Any]:
    """govpress's Datasette metadata (descriptions, canned queries) for the database ``database``.

    ``metadata.json`` keeps it under ``"*"``; Datasette names a database after its file stem.
    """
    meta: dict[str, Any] = json.loads((DATASETTE / "metadata.json").read_text("utf-8"))
    meta["databases"] = {database: meta["databases"]["*"]}
    return meta


COMMANDS = [search, export, stats, runs, reprocess, serve]
