"""``govpress`` commands that read (or reprocess) the archive: search, export, stats, runs, reprocess, serve."""

from __future__ import annotations

import csv
import dataclasses
import json
import logging
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import IO, Any

import click

from archive import Archive, ArchiveError

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


def project_settings() -> Any:
    from app.crawl import project_settings as settings

    return settings()


def archive_path(archive: str | None) -> str:
    return archive or project_settings().get("ARCHIVE_PATH")


@contextmanager
def reader(archive: str | None) -> Iterator[Archive]:
    """The read API over an existing archive; library errors become one-line CLI errors."""
    path = archive_path(archive)
    if not Path(path).is_file():
        raise click.ClickException(f"{path}: no archive here (run a crawl first, or give --archive)")
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
@click.option("--speaker", help="Search within transcript turns spoken by NAME (as written or resolved).")
@click.option("--role", type=click.Choice(["host", "official", "reporter", "other"]),
              help="Search within transcript turns of this role.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per hit.")
def search(query: str, archive: str | None, site: str | None, since: str | None,
           limit: int, speaker: str | None, role: str | None, as_json: bool) -> None:
    """Full-text search (Chinese words of any length), best match first.

    Words are ANDed; "quoted phrases", -word to exclude, title:word to search headlines.
    With --speaker or --role the search runs over press-conference turns and each hit
    shows who spoke.

    \b
    Example:
        govpress search 营商环境 --site sd_qingdao --since 2026-01-01
        govpress search 城中村 --speaker 高本伟
    """
    if speaker or role:
        if site or since:
            raise click.UsageError("--site/--since do not apply to a search within turns (--speaker/--role)")
        _search_turns(query, archive, speaker, role, limit, as_json)
        return
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


def _search_turns(query: str, archive: str | None, speaker: str | None, role: str | None,
                  limit: int, as_json: bool) -> None:
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
    from pipelines.process import Options, process_page
    from pipelines.session import identity_for

    path = archive_path(archive)
    sites = load_sites()[0]
    settings = project_settings()
    options = Options(min_chars=settings.getint("CLEANING_MIN_CHARS", 20),
                      near=settings.getbool("DEDUP_NEAR_ENABLED", True))
    counts: dict[str, int] = {}
    with reader(path) as a, ArchiveSession(path, identity=identity_for(options.near), store_raw=False) as session:
        for page in a.raw_pages(site=site, latest=True):
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
    click.echo("reprocessed: " + (", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "nothing"))


@click.command()
@ARCHIVE_OPTION
@click.option("--port", default=8001, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
def serve(archive: str | None, port: int, host: str) -> None:
    """Browse the archive in Datasette (pip install 'govpress[serve]').

    \b
    Example:
        govpress serve --port 8001
    """
    path = archive_path(archive)
    if not Path(path).is_file():
        raise click.ClickException(f"{path}: no archive here (run a crawl first, or give --archive)")
    exe = shutil.which("datasette")
    if exe is None:
        raise click.ClickException("Datasette is not installed: pip install 'govpress[serve]'")
    with tempfile.TemporaryDirectory() as tmp:
        meta = Path(tmp) / "metadata.json"
        meta.write_text(json.dumps(datasette_metadata(Path(path).stem), ensure_ascii=False), "utf-8")
        sys.exit(subprocess.call([exe, "serve", path, "--metadata", str(meta), "--plugins-dir",
                                  str(DATASETTE / "plugins"), "--host", host, "--port", str(port)]))


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


def datasette_metadata(database: str) -> dict[str, Any]:
    """govpress's Datasette metadata (descriptions, canned queries) for the database ``database``.

    ``metadata.json`` keeps it under ``"*"``; Datasette names a database after its file stem.
    """
    meta: dict[str, Any] = json.loads((DATASETTE / "metadata.json").read_text("utf-8"))
    meta["databases"] = {database: meta["databases"]["*"]}
    return meta


COMMANDS = [search, export, stats, runs, reprocess, serve, transcript, refs, cited_by]
