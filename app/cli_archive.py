"""``govpress`` commands that read (or reprocess) the archive: search, export, stats, runs, reprocess, serve."""

from __future__ import annotations

import csv
import dataclasses
import json
import logging
import os
import re
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
from io import TextIOWrapper
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from archive import Archive

logger = logging.getLogger(__name__)

ARCHIVE_OPTION = click.option(
    "--archive", type=click.Path(dir_okay=False),
    help="SQLite archive (default: ARCHIVE_PATH, i.e. $GOVPRESS_ARCHIVE or ./data/govpress.sqlite)",
)
EXPORT_FIELDS = (
    "id", "canonical_url", "url", "site", "site_name", "province", "city", "region_code", "column_name",
    "title", "published", "published_raw", "source", "author", "editors", "keywords", "body", "body_hash",
    "cluster_id", "duplicate_of", "first_seen", "last_seen", "revision_count", "encoding",
    "extraction_method", "flags", "attachments", "images",
)
"""Export columns: ``documents`` columns plus the site's name, province and city (docs/schema.md, Exports)."""
JSON_FIELDS = ("editors", "flags", "attachments", "images")


class ArgError(click.ClickException):
    """A bad argument: one line on standard error and exit status 2, like click's usage errors."""

    exit_code = 2


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
    from archive import Archive, ArchiveError, SearchQueryError

    try:
        with Archive(path) as a:
            if a.notice:
                click.echo(f"note: {a.notice}", err=True)
            yield a
    except SearchQueryError as exc:
        raise ArgError(str(exc)) from None
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from None


def check_site(a: Archive, site: str | None) -> None:
    """Refuse a ``--site`` that is neither a site definition nor a site the archive knows."""
    if site is None:
        return
    from core.siteconfig import load_sites

    known = set(load_sites()[0]) | a.site_slugs()
    if site not in known:
        raise ArgError(f"unknown site {site} (known: {', '.join(sorted(known))})")


def valid_date(_ctx: Any, _param: Any, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        date.fromisoformat(value[:10])
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None
    return value


FIELD_RE = re.compile(r"^-?([A-Za-z_]+):(?!//)")


def query_text(words: tuple[str, ...]) -> str:
    """The search words as one query; option-like words and unsupported fields are refused."""
    for word in words:
        if word.startswith("--"):
            raise ArgError(f"unknown option {word} (a query word starting with - goes after --, "
                           f"e.g. govpress search -- -word other)")
        m = FIELD_RE.match(word)
        if m and m.group(1).lower() not in ("title", "body"):
            raise ArgError(f"search field {m.group(1)}: is not supported (fields: title:, body:; "
                           "filter with --site, --since)")
    text = " ".join(words).strip()
    if not text:
        raise ArgError("give a search query, e.g. govpress search 营商环境")
    return text


@click.command(context_settings={"ignore_unknown_options": True})
@click.argument("query", nargs=-1)
@ARCHIVE_OPTION
@click.option("--site", help="Only this site (slug).")
@click.option("--since", callback=valid_date, help="Published on or after (YYYY-MM-DD).")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
@click.option("--speaker", help="Search within transcript turns spoken by NAME (as written or resolved).")
@click.option("--role", type=click.Choice(["host", "official", "reporter", "other"]),
              help="Search within transcript turns of this role.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per hit.")
def search(query: tuple[str, ...], archive: str | None, site: str | None, since: str | None,
           limit: int, speaker: str | None, role: str | None, as_json: bool) -> None:
    """Full-text search (Chinese words of any length), best match first.

    Words are ANDed (AND may be written); "quoted phrases"; -word or NOT word
    excludes; a OR b; title:word / body:word search one field.  A query that
    starts with - goes after --.  With --speaker or --role the search runs over
    press-conference turns and each hit shows who spoke.

    \b
    Example:
        govpress search 营商环境 --site sd_qingdao --since 2026-01-01
        govpress search -- -疫情 营商
        govpress search 城中村 --speaker 高本伟
    """
    text = query_text(query)
    if speaker or role:
        if site or since:
            raise click.UsageError("--site/--since do not apply to a search within turns (--speaker/--role)")
        _search_turns(text, archive, speaker, role, limit, as_json)
        return
    with reader(archive) as a:
        check_site(a, site)
        hits = a.search(text, site=site, since=since, limit=limit)
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


def _search_turns(query: str, archive: str | None, speaker: str | None, role: str | None,
                  limit: int, as_json: bool) -> None:
    from archive import ArchiveError

    with reader(archive) as a:
        try:
            hits = a.search_turns(query, speaker=speaker, role=role, limit=limit)
        except ArchiveError as exc:
            raise click.ClickException(str(exc)) from None
    for hit in hits:
        t = hit.turn
        who = t.speaker + (f"（{t.outlet}）" if t.outlet and t.outlet not in t.speaker else "")
        if as_json:
            click.echo(json.dumps({"document_id": t.document_id, "url": hit.canonical_url,
                                   "title": hit.document_title, "published": hit.published,
                                   "turn": t.position, "speaker": t.speaker, "role": t.role,
                                   "outlet": t.outlet, "rank": hit.rank, "snippet": hit.snippet},
                                  ensure_ascii=False))
        else:
            click.echo(f"{(hit.published or '')[:10]}  #{t.document_id} {hit.document_title}\n"
                       f"    {who} [{t.role}], turn {t.position + 1}\n    {hit.snippet}")
    if not hits and not as_json:
        click.echo("no matches", err=True)


def _export_row(doc: Any, sites: dict[str, Any]) -> dict[str, Any]:
    site = sites.get(doc.site)
    place = {"site_name": (site.name if site else "") or doc.site_name,
             "province": site.province if site else "", "city": site.city if site else ""}
    return {f: place[f] if f in place else getattr(doc, f) for f in EXPORT_FIELDS}


@contextmanager
def _output(path: str, encoding: str) -> Iterator[IO[str]]:
    """The export's text stream: a file, or standard output in ``encoding``; CSV needs ``newline=''``."""
    if path != "-":
        try:
            fh = open(path, "w", encoding=encoding, newline="")  # noqa: SIM115 - closed below; open errors are one line
        except OSError as exc:
            raise click.ClickException(f"{path}: cannot write: {exc.strerror}") from None
        with fh:
            yield fh
        return
    sys.stdout.flush()
    stream = TextIOWrapper(sys.stdout.buffer, encoding=encoding, newline="", write_through=True)
    try:
        yield stream
        stream.flush()
    finally:
        stream.detach()  # leave standard output open for click


@click.command()
@ARCHIVE_OPTION
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default=None,
              help="jsonl (default) or csv.")
@click.option("--excel", is_flag=True, help="CSV for Excel: UTF-8 with a byte-order mark (implies --format csv).")
@click.option("--since", callback=valid_date, help="Published on or after (YYYY-MM-DD).")
@click.option("--until", callback=valid_date, help="Published on or before (YYYY-MM-DD, that whole day).")
@click.option("--site", help="Only this site (slug).")
@click.option("--region", help="Only this region code: 370200 (Qingdao) or 370000 (all of Shandong).")
@click.option("--order", type=click.Choice(["published", "id"]), default="published", show_default=True,
              help="published: oldest first, undated last; id: archive order.")
@click.option("--duplicates", is_flag=True, help="Include exact-duplicate rows.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default="-",
              help="Output file (default: standard output).")
def export(archive: str | None, fmt: str | None, excel: bool, since: str | None, until: str | None,
           site: str | None, region: str | None, order: str, duplicates: bool, output: str) -> None:
    """Stream documents as JSON lines or CSV (memory stays flat for any archive size).

    Rows carry the site's name, province and city; JSON columns are JSON text in CSV.

    \b
    Example:
        govpress export --excel --since 2026-01-01 --region 370200 -o docs.csv
    """
    if excel and fmt == "jsonl":
        raise ArgError("--excel is for CSV; drop --format jsonl")
    fmt = "csv" if excel else (fmt or "jsonl")
    if region is not None and not region.strip():
        raise ArgError("--region needs a region code, e.g. 370200")
    with reader(archive) as a:
        check_site(a, site)
        sites = a.sites()
        docs = a.documents(site=site, since=since, until=until, region=region,
                           include_duplicates=duplicates, order=order)
        with _output(output, "utf-8-sig" if excel else "utf-8") as out:
            if fmt == "csv":
                writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS)
                writer.writeheader()
                for doc in docs:
                    row = _export_row(doc, sites)
                    for key in JSON_FIELDS:
                        row[key] = json.dumps(row[key], ensure_ascii=False)
                    writer.writerow(row)
            else:
                for doc in docs:
                    out.write(json.dumps(_export_row(doc, sites), ensure_ascii=False) + "\n")


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
        check_site(a, site)
        rows = a.runs(site=site, limit=limit)
    for r in rows:
        if as_json:
            row = {**dataclasses.asdict(r), "block_kind": r.block_kind}
            click.echo(json.dumps(row, ensure_ascii=False, default=str))
        else:
            kind = f"[{r.block_kind}] " if r.block_kind else ""
            click.echo(f"#{r.id:<5} {r.site:12} {r.trigger:9} {r.started_at}  {r.status:11} pages {r.pages:4}  "
                       f"new {r.new:3} upd {r.updated:3} same {r.unchanged:3} dup {r.duplicate:3} "
                       f"err {r.errors:3}  {kind}{r.error}")


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
    with reader(path) as a:
        check_site(a, site)  # before the archive is opened for write
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
                    # A multi-page article is one document of all its pages, as the crawl made it.
                    record.pages = [{"url": p.url, "raw": p.content} for p in a.later_pages(page)]
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


@click.command()
@click.argument("doc_id", type=int)
@ARCHIVE_OPTION
@click.option("--json", "as_json", is_flag=True, help="The transcript as one JSON object.")
@click.option("--markdown", "as_markdown", is_flag=True, help="The Q&A as Markdown.")
def transcript(doc_id: int, archive: str | None, as_json: bool, as_markdown: bool) -> None:
    """Print a press conference's event, participants and questions and answers.

    \b
    Example:
        govpress transcript 12 --markdown
    """
    if as_json and as_markdown:
        raise click.UsageError("give --json or --markdown, not both")
    with reader(archive) as a:
        t = a.transcript(doc_id)
        doc = a.document(doc_id)
    if doc is None:
        raise click.ClickException(f"document {doc_id} is not in the archive")
    if t is None:
        raise click.ClickException(f"document {doc_id} is not a transcript: {doc.title}")
    if as_json:
        click.echo(json.dumps(dataclasses.asdict(t), ensure_ascii=False))
        return
    md = as_markdown
    click.echo(f"# {t.title}" if md else t.title)
    facts = [x for x in (t.kind, t.date, t.organiser, t.venue) if x]
    click.echo(("\n" if md else "") + " · ".join(facts) + ("\n" if md else ""))
    if t.participants:
        click.echo("## 出席" if md else "出席:")
        for p in t.participants:
            line = "".join(x for x in (p.org, p.title, (" " if p.title and p.name else "") + p.name) if x)
            click.echo(("- " if md else "  ") + line + (f" ({p.role})" if p.role != "official" else ""))
        click.echo("")
    for turn in t.turns:
        who = turn.speaker + (f"（{turn.outlet}）" if turn.outlet and turn.outlet not in turn.speaker else "")
        if md:
            prefix = "**问**" if turn.role == "reporter" else ("**答**" if turn.answers_id else "")
            body = turn.text.replace("\n", "\n\n")
            click.echo(f"{prefix + ' ' if prefix else ''}**{who}**：{body}\n")
        else:
            click.echo(f"[{turn.role}] {who}：{turn.text}\n")


def _ref_line(r: Any, target_of: bool = True) -> str:
    text = r.text if r.kind == "number" else f"《{r.text}》"
    if not target_of:
        return f"#{r.document_id} {r.document_title}  cites {text}"
    return f"{text}  -> " + (f"#{r.target_id} {r.target_title}" if r.target_id else "(not archived)")


@click.command()
@click.argument("doc_id", type=int)
@ARCHIVE_OPTION
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
def refs(doc_id: int, archive: str | None, as_json: bool) -> None:
    """The document's own 文号 and the 文号 and 《titles》 it cites, resolved where archived.

    \b
    Example:
        govpress refs 12
    """
    with reader(archive) as a:
        if a.document(doc_id) is None:
            raise click.ClickException(f"document {doc_id} is not in the archive")
        r = a.refs(doc_id)
    if as_json:
        click.echo(json.dumps(dataclasses.asdict(r), ensure_ascii=False))
        return
    click.echo(f"发文字号: {r.doc_number or '(none stated)'}")
    for ref in r.numbers + r.titles:
        click.echo("  " + _ref_line(ref))
    if not r.numbers and not r.titles:
        click.echo("  (cites nothing)")


@click.command("cited-by")
@click.argument("doc_id", type=int)
@ARCHIVE_OPTION
@click.option("--json", "as_json", is_flag=True, help="One JSON object per citation.")
def cited_by(doc_id: int, archive: str | None, as_json: bool) -> None:
    """Archived documents that cite this one by its 文号 or title.

    \b
    Example:
        govpress cited-by 12
    """
    with reader(archive) as a:
        doc = a.document(doc_id)
        if doc is None:
            raise click.ClickException(f"document {doc_id} is not in the archive")
        rows = a.cited_by(doc_id)
    for ref in rows:
        if as_json:
            click.echo(json.dumps(dataclasses.asdict(ref), ensure_ascii=False))
        else:
            click.echo(_ref_line(ref, target_of=False))
    if not rows and not as_json:
        click.echo(f"no archived document cites #{doc_id} {doc.title}", err=True)


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


COMMANDS = [search, export, stats, runs, reprocess, serve, transcript, refs, cited_by]
