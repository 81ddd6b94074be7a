"""The ``govpress`` command line (click, in the sqlite-utils style).

Library errors become one-line ``click.ClickException`` messages at this edge;
nothing here writes SQL or parses pages itself.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from app.cli_archive import COMMANDS, ArgError, archive_path
from app.crawl import EXIT_PARTIAL, RunSummary, contact_warning, exit_code, project_settings, run_crawls

logger = logging.getLogger(__name__)

ARCHIVE_HELP = "SQLite archive (default: ARCHIVE_PATH, i.e. $GOVPRESS_ARCHIVE or ./data/govpress.sqlite)"


class BadConfig(click.ClickException):
    """A bad setting or environment variable: nothing ran (exit 2, like a usage error)."""

    exit_code = 2


def _sites() -> dict[str, Any]:
    from crawler.spiders.sites import SITE_ERRORS, SITES

    for line in SITE_ERRORS:
        click.echo(f"warning: site definition skipped: {line}", err=True)
    return SITES


class GovpressGroup(click.Group):
    """click's group with one-line usage errors and quiet broken pipes (``govpress export | head``)."""

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        try:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as exc:
            cmd = exc.ctx.command_path if exc.ctx is not None else "govpress"
            click.echo(f"Error: {exc.format_message()} (see {cmd} --help)", err=True)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(1)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            # The reader went away (``| head``): that is how pipes end, not an error.
            # Point stdout at /dev/null so the interpreter's final flush cannot fail again.
            try:
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
            except (OSError, ValueError, AttributeError):
                pass
            sys.exit(0)


@click.group(cls=GovpressGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="govpress")
@click.option("--sites", "sites_dir", type=click.Path(file_okay=False, exists=True),
              help="Folder of site files to use instead of the shipped ones (sets $GOVPRESS_SITES).")
def cli(sites_dir: str | None) -> None:
    """Crawl Chinese government press releases into a SQLite archive.

    \b
    First steps:
        govpress demo                      # offline, into a temporary archive
        export GOVPRESS_CONTACT=mailto:you@example.org
        govpress crawl sd_qingdao          # a first live crawl, then --all

    \b
    Example:
        govpress --sites /etc/govpress/sites sites
    """
    if sites_dir:
        import os

        from core.siteconfig import SITES_ENV

        os.environ[SITES_ENV] = sites_dir  # read when the site files load; inherited by crawls


DEMO_DELAY = 0.05
"""Download delay against the simulator, in seconds (``--delay`` of ``govpress demo``)."""


@cli.command()
@click.argument("slugs", nargs=-1)
@click.option("--all", "all_sites", is_flag=True, help="Crawl every site definition.")
@click.option("--archive", type=click.Path(dir_okay=False), help=ARCHIVE_HELP)
@click.option("--demo", is_flag=True,
              help="Crawl the built-in offline simulator instead of the live sites (temporary archive "
                   "unless --archive names a demo archive).")
@click.option("--full", is_flag=True, help="Walk every list page (backfill), not just the new ones.")
@click.option("--refresh", is_flag=True, help="Re-fetch known articles even when not due.")
@click.option("--trigger", default="manual", show_default=True,
              type=click.Choice(["manual", "cron", "scheduler", "demo"]), help="Recorded on the run.")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE",
              help="Override a Scrapy setting, as with scrapy crawl -s.")
@click.option("--progress/--no-progress", default=None,
              help="Live progress display (default: on when standard error is a terminal).")
@click.option("-v", "--verbose", is_flag=True, help="Keep Scrapy's INFO log lines under the progress display.")
def crawl(slugs: tuple[str, ...], all_sites: bool, archive: str | None, demo: bool, full: bool,
          refresh: bool, trigger: str, overrides: tuple[str, ...], progress: bool | None,
          verbose: bool) -> None:
    """Crawl SLUG... (or --all) into the archive.

    Exit status: 0 ok, 1 partial (some errors or some sites failed), 2 failed
    (or a usage error, e.g. an unknown site), 3 skipped (another crawl of the
    site is running).

    \b
    Example:
        govpress crawl sd_qingdao sd_jinan
        govpress crawl --demo sd_qingdao
    """
    sites = _sites()
    if not all_sites and not slugs:
        raise ArgError("give the sites to crawl (govpress crawl SLUG..., see govpress sites) or --all")
    if all_sites and slugs:
        raise ArgError("give SLUG... or --all, not both")
    chosen = list(sites) if all_sites else list(slugs)
    unknown = [s for s in chosen if s not in sites]
    if unknown:
        raise ArgError(f"unknown site {', '.join(unknown)} (known: {', '.join(sites)})")
    extra: dict[str, Any] = {"INCREMENTAL_FULL": full, "INCREMENTAL_REFRESH": refresh,
                             "GOVPRESS_TRIGGER": trigger}
    for item in overrides:
        name, sep, value = item.partition("=")
        if not sep:
            raise ArgError(f"--set {item!r}: expected NAME=VALUE")
        extra[name] = value
    if demo:
        with _demo_archive(archive) as path, _simulator() as sim_settings:
            extra = {**sim_settings, **extra, "GOVPRESS_TRIGGER": "demo", "ARCHIVE_PATH": path}  # -s wins
            _display(extra, progress, verbose)
            runs = _run(chosen, extra)
        _print_summary(runs)
        click.echo(f"demo archive: {path}", err=True)
        sys.exit(exit_code(runs))
    if archive:
        extra["ARCHIVE_PATH"] = archive
    if not chosen:
        raise click.ClickException("no usable site definitions (see the lines above)")
    _display(extra, progress, verbose)
    warning = contact_warning(project_settings(extra))
    if warning:
        click.echo(f"warning: {warning}", err=True)
    runs = _run(chosen, extra)
    _print_summary(runs)
    code = exit_code(runs)
    if all_sites and _site_errors():
        code = max(code, EXIT_PARTIAL)  # a bad site file is a failure cron must hear about
    sys.exit(code)


def _site_errors() -> list[str]:
    from crawler.spiders.sites import SITE_ERRORS

    return list(SITE_ERRORS)


def _display(extra: dict[str, Any], progress: bool | None, verbose: bool, quiet: bool = False) -> None:
    """The live progress display on a terminal (and only warnings below it unless ``verbose``)."""
    if progress is None:
        progress = sys.stderr.isatty() and not quiet
    if progress:
        extensions = project_settings().getdict("EXTENSIONS")
        extra["EXTENSIONS"] = {**extensions, "crawler.extensions.progress.ProgressExtension": 500}
    if quiet:
        extra["LOG_LEVEL"] = "ERROR"
    elif (progress or extra.get("GOVPRESS_TRIGGER") == "demo") and not verbose:
        extra["LOG_LEVEL"] = "WARNING"


@contextmanager
def _simulator(delay: float = DEMO_DELAY) -> Iterator[dict[str, Any]]:
    """The offline simulator of every site, in this process; yields the settings that crawl it."""
    from crawler.handlers.loopback import loopback_settings
    from simulator import Simulator

    with Simulator() as sim:
        yield {**loopback_settings(sim.hostmap()), "DOWNLOAD_DELAY": delay, "AUTOTHROTTLE_ENABLED": False}


@contextmanager
def _demo_archive(archive: str | None) -> Iterator[str]:
    """The archive a demo may write: a new temporary file, or ``archive`` if it holds only demo runs.

    A refused file is only read (never opened for write), so it is left exactly as it was.
    """
    from archive import ArchiveError
    from archive.backup import run_triggers

    if archive is None:
        path = str(Path(tempfile.mkdtemp(prefix="govpress-demo-")) / "demo.sqlite")
        click.echo(f"demo archive: {path} (temporary; --archive PATH to choose one)", err=True)
        yield path
        return
    try:
        triggers = run_triggers(archive)
    except ArchiveError as exc:
        raise ArgError(f"{exc}; the demo writes only to a new or demo archive") from None
    real = {t: n for t, n in triggers.items() if t != "demo"}
    if real:
        which = ", ".join(f"{n} {t}" for t, n in sorted(real.items()))
        raise ArgError(f"{archive}: holds real runs ({which}); the demo writes only to a new or demo "
                       "archive (omit --archive for a temporary one)")
    yield archive


@cli.command()
@click.option("--archive", type=click.Path(dir_okay=False),
              help="Demo archive (default: a new temporary file, printed); never one with real runs.")
@click.option("--delay", type=click.FloatRange(min=0.01), default=DEMO_DELAY, show_default=True,
              help="Download delay against the simulator, in seconds.")
@click.option("-q", "--quiet", is_flag=True, help="No progress display and no table: one summary line.")
@click.option("--progress/--no-progress", default=None,
              help="Live progress display (default: on when standard error is a terminal).")
@click.option("-v", "--verbose", is_flag=True, help="Keep Scrapy's INFO log lines.")
def demo(archive: str | None, delay: float, quiet: bool, progress: bool | None, verbose: bool) -> None:
    """Crawl the built-in offline simulator of every site into a temporary archive.

    The simulator runs in this process on 127.0.0.1 and serves realistic copies
    of the sites; the same spider and site definitions crawl it.  The archive is
    a new temporary file (its path is printed) unless --archive names one; an
    archive holding real (non-demo) runs is refused and left untouched.  Run it
    twice on one --archive: the second run adds nothing.

    \b
    Example:
        govpress demo
        govpress demo --archive /tmp/demo.sqlite
    """
    sites = _sites()
    extra: dict[str, Any] = {"GOVPRESS_TRIGGER": "demo"}
    with _demo_archive(archive) as path, _simulator(delay) as sim_settings:
        extra.update(sim_settings, ARCHIVE_PATH=path)
        _display(extra, False if quiet else progress, verbose, quiet=quiet)
        runs = _run(list(sites), extra)
    if quiet:
        total = {k: sum(getattr(r, k) for r in runs) for k in ("pages", "new", "updated", "errors")}
        click.echo(f"demo: {len(runs)} sites, {total['pages']} pages, {total['new']} new, "
                   f"{total['updated']} updated, {total['errors']} errors; archive: {path}")
    else:
        _print_summary(runs)
        click.echo(f"demo archive: {path}")
    sys.exit(exit_code(runs))


@cli.command()
@click.argument("slug")
@click.option("--url", default="", help="Check this article URL instead of the first list page.")
@click.option("--demo", is_flag=True, help="Check against the built-in simulator instead of the live site.")
@click.option("--limit", default=3, show_default=True, type=click.IntRange(1, 50), help="Articles to fetch.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per article.")
@click.option("--save", "save_dir", type=click.Path(file_okay=False),
              help="Write every response fetched (bytes, status, headers, final URL, time) to DIR.")
@click.option("--replay", "replay_dir", type=click.Path(file_okay=False, exists=True),
              help="Answer every request from a capture saved with --save, offline.")
def check(slug: str, url: str, demo: bool, limit: int, as_json: bool, save_dir: str | None,
          replay_dir: str | None) -> None:
    """Try a site definition: fetch one list page and a few articles, show what would be archived.

    Nothing is written to the archive.  Use it to fix a site whose layout changed.  Someone who
    can reach the site records it with --save DIR; anyone replays that capture with --replay DIR
    and freezes it into fixtures with govpress freeze (docs/operations.md).

    \b
    Example:
        govpress check sd_qingdao --demo
        govpress check sd_province --save capture-sd_province/
        govpress check sd_province --replay capture-sd_province/
    """
    from app.capture import capture_settings, replay_settings
    from app.check import STATS, run_check

    sites = _sites()
    if slug not in sites:
        raise ArgError(f"unknown site {slug} (known: {', '.join(sites)})")
    if replay_dir and (demo or save_dir):
        raise click.UsageError("--replay runs offline: not with --demo or --save")
    extra: dict[str, Any] = {}
    sim = None
    if demo:
        from crawler.handlers.loopback import loopback_settings
        from simulator import Simulator

        sim = Simulator().start()
        extra = {**loopback_settings(sim.hostmap()), "DOWNLOAD_DELAY": 0.05, "AUTOTHROTTLE_ENABLED": False}
    if save_dir:
        extra.update(capture_settings(save_dir))
    if replay_dir:
        from crawler.capture import CaptureError, read_capture

        try:
            read_capture(replay_dir)
        except CaptureError as exc:
            raise click.ClickException(str(exc)) from None
        extra.update(replay_settings(replay_dir))
    try:
        items = run_check(slug, url=url, limit=limit, extra=extra)
    finally:
        if sim is not None:
            sim.stop()
    click.echo(f"{slug}: {STATS.get('lists/pages', 0)} list page(s), {STATS.get('lists/links', 0)} article links, "
               f"{len(items)} article(s) cleaned", err=True)
    if save_dir:
        click.echo(f"{slug}: saved {STATS.get('capture/responses', 0)} response(s) and "
                   f"{STATS.get('capture/errors', 0)} failed request(s) to {save_dir}", err=True)
    broke = _broke(STATS)
    if replay_dir:
        click.echo(f"{slug}: replayed {STATS.get('replay/answered', 0)} request(s) from {replay_dir}; "
                   f"{STATS.get('replay/missing', 0)} not in the capture", err=True)
    for line in broke:
        click.echo(f"{slug}: broke: {line}", err=True)
    for item in items:
        start = item.body[:80].replace("\n", " ")
        row = {"url": item.url, "title": item.title, "published": item.published, "source": item.source,
               "method": item.extraction_method, "flags": item.flags, "chars": len(item.body),
               "body_start": start}
        if as_json:
            click.echo(json.dumps(row, ensure_ascii=False))
        else:
            flags = "  flags: " + ",".join(item.flags) if item.flags else ""
            click.echo(f"- {item.title or '(NO HEADLINE)'}\n  {item.published or '(NO DATE)'}  {item.source}"
                       f"  [{item.extraction_method}, {len(item.body)} chars]{flags}"
                       f"\n  {item.url}\n  {start}")
    if not items:
        raise click.ClickException(f"{slug}: nothing would be archived (see the log above)")


def _broke(stats: dict[str, Any]) -> list[str]:
    """One line per kind of failure in a check's stats: fetch errors, blocks, empty lists."""
    lines = []
    for key in sorted(stats):
        if (key.startswith(("fetch_errors/", "blocks/")) and key not in
                ("fetch_errors/count", "fetch_errors/first", "fetch_errors/blocked", "blocks/count", "blocks/pages")):
            lines.append(f"{key.split('/', 1)[1]} x{stats[key]}")
    if stats.get("block/kind"):
        lines.append(f"first: {stats['block/kind']} ({stats.get('block/detail', '')}): {stats.get('block/url', '')}")
    if stats.get("lists/empty"):
        lines.append(f"list pages without article links x{stats['lists/empty']}")
    if stats.get("cleaning/too_short"):
        lines.append(f"articles too short x{stats['cleaning/too_short']}")
    return lines


@cli.command()
@click.argument("capture", type=click.Path(file_okay=False, exists=True))
@click.argument("slug")
@click.option("--out", default="tests/fixtures/sites", show_default=True, type=click.Path(file_okay=False),
              help="Fixture root; the site's folder is OUT/SLUG.")
@click.option("--articles", default=3, show_default=True, type=click.IntRange(1, 20), help="Article pages to keep.")
@click.option("--force", is_flag=True, help="Replace the site's existing fixtures.")
def freeze(capture: str, slug: str, out: str, articles: int, force: bool) -> None:
    """Turn a capture (govpress check SLUG --save DIR) into the site's test fixtures.

    Writes OUT/SLUG/list.html, article_N.html (the bytes the server sent) and expected.toml;
    check expected.toml's values against the pages before committing.

    \b
    Example:
        govpress freeze capture-sd_province/ sd_province --force
    """
    from app.capture import freeze as run_freeze
    from crawler.capture import CaptureError

    sites = _sites()
    if slug not in sites:
        raise click.ClickException(f"unknown site {slug} (known: {', '.join(sites)})")
    try:
        written = run_freeze(capture, sites[slug], out, articles=articles, force=force)
    except CaptureError as exc:
        raise click.ClickException(str(exc)) from None
    for path in written:
        click.echo(str(path))


@cli.command()
@click.option("--archive", type=click.Path(dir_okay=False), help=ARCHIVE_HELP)
@click.option("--list", "list_only", is_flag=True, help="Print the plan (each site's next run, catch-ups) and exit.")
@click.option("--catch-up", is_flag=True,
              help="Also crawl now, one a minute, the sites never crawled (default: they wait for their time).")
@click.option("--demo", is_flag=True, help="Schedule crawls of the offline simulator (temporary archive, catch-up on).")
def schedule(archive: str | None, list_only: bool, catch_up: bool, demo: bool) -> None:
    """Run the scheduler daemon: each site's crawl on its cron schedule, in its own process.

    At start it prints its plan.  A site that missed its last scheduled run
    (daemon down) is caught up at once; on a fresh archive nothing is crawled
    before each site's scheduled time unless --catch-up is given, and catch-up
    crawls start a minute apart, not all at once.

    \b
    Example:
        govpress schedule --list
        govpress schedule --catch-up
    """
    import scheduler

    if not demo:
        warning = contact_warning(project_settings())
        if warning and not list_only:
            click.echo(f"warning: {warning}", err=True)
        sys.exit(scheduler.run(archive, list_only=list_only, catch_up=catch_up))
    from datetime import timedelta

    with _demo_archive(archive) as path, _simulator() as sim_settings:
        sets = ["--no-progress"]
        for name, value in sim_settings.items():
            sets += ["-s", f"{name}={json.dumps(value) if isinstance(value, dict) else value}"]
        runner = scheduler.CrawlRunner(path, trigger="demo", extra_args=sets)
        code = scheduler.run(path, list_only=list_only, catch_up=True, runner=runner,
                             stagger=timedelta(seconds=1))
    sys.exit(code)


@cli.command("sites")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.option("--archive", type=click.Path(dir_okay=False), help=ARCHIVE_HELP)
def sites_cmd(as_json: bool, archive: str | None) -> None:
    """List the site definitions, with the state of each site's last probe.

    \b
    Example:
        govpress sites
    """
    from app.probe import site_state

    probes = _last_probes(archive_path(archive))
    for site in _sites().values():
        rows = probes.get(site.slug, [])
        probe = {"state": site_state(rows), "at": rows[0]["probed_at"]} if rows else None
        row = {"slug": site.slug, "name": site.name, "cms": site.cms, "region_code": site.region_code,
               "lists": [lst.url for lst in site.lists], "schedule": site.schedule.cron,
               "last_probe": probe}
        if as_json:
            click.echo(json.dumps(row, ensure_ascii=False))
        else:
            state = f"{probe['state']} ({probe['at'][:16]})" if probe else "not probed"
            click.echo(f"{site.slug:14} {site.region_code}  {site.cms:8} {site.schedule.cron:12}  "
                       f"{state:30} {site.name}")


def _last_probes(path: str) -> dict[str, list[dict[str, Any]]]:
    from archive import Archive, ArchiveError

    if not Path(path).is_file():
        return {}
    try:
        with Archive(path) as reader:
            return reader.last_probes()
    except ArchiveError as exc:
        click.echo(f"warning: no probe states: {exc}", err=True)
        return {}


@cli.command()
@click.argument("slugs", nargs=-1)
@click.option("--all", "all_sites", is_flag=True, help="Probe every site definition.")
@click.option("--demo", is_flag=True, help="Probe the built-in simulator (and its block hosts) instead.")
@click.option("--archive", type=click.Path(dir_okay=False), help=ARCHIVE_HELP)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per request.")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE",
              help="Override a Scrapy setting, as with scrapy crawl -s.")
def probe(slugs: tuple[str, ...], all_sites: bool, demo: bool, archive: str | None, as_json: bool,
          overrides: tuple[str, ...]) -> None:
    """Probe SLUG... (or --all): one polite request per list URL and per sample article.

    Shows per site and column the state (ok, legacy_tls, js_challenge, geo_blocked, timeout,
    unreachable, dead_redirect, empty_shell, http_NNN …), HTTP status, bytes, time and egress
    (direct or the proxy), and keeps the results in the archive (see govpress sites).

    \b
    Example:
        govpress probe --all
        GOVPRESS_PROXY=http://proxy.example.cn:3128 govpress probe sd_province
    """
    from app.probe import run_probe, save

    sites = dict(_sites())
    extra: dict[str, Any] = {}
    sim = None
    if demo:
        from core.siteconfig import load_sites
        from crawler.handlers.loopback import loopback_settings
        from simulator import Simulator
        from simulator.sites.blocks import SITES_DIR as BLOCK_SITES

        sites.update(load_sites(BLOCK_SITES)[0])
        sim = Simulator().start()
        extra = {**loopback_settings(sim.hostmap()), "DOWNLOAD_DELAY": 0.05, "AUTOTHROTTLE_ENABLED": False,
                 "DOWNLOAD_TIMEOUT": 3, "TLS_CA_FILE": str(sim.blocks.ca_file)}
    if all_sites == bool(slugs):
        raise click.UsageError("give SLUG... or --all (not both)")
    unknown = [s for s in slugs if s not in sites]
    if unknown:
        raise click.ClickException(f"unknown site {', '.join(unknown)} (known: {', '.join(sites)})")
    for item in overrides:
        name, sep, value = item.partition("=")
        if not sep:
            raise click.UsageError(f"--set {item!r}: expected NAME=VALUE")
        extra[name] = value
    chosen = [sites[s] for s in (list(sites) if all_sites else slugs)]
    try:
        results = run_probe(chosen, extra)
    finally:
        if sim is not None:
            sim.stop()
    from archive import ArchiveError

    try:
        save(archive_path(archive), results)
    except ArchiveError as exc:
        click.echo(f"warning: probe results not kept: {exc}", err=True)
    if as_json:
        for r in results:
            click.echo(json.dumps(r.row(), ensure_ascii=False))
        return
    _print_probe(results)


def _print_probe(results: list[Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=160)
    for slug in dict.fromkeys(r.site for r in results):
        table = Table(title=slug, title_justify="left")
        for col in ("column", "request", "state", "status", "bytes", "time", "egress", "url / detail"):
            table.add_column(col, justify="right" if col in ("status", "bytes", "time") else "left")
        for r in (x for x in results if x.site == slug):
            table.add_row(r.column, r.kind, r.state, str(r.http_status or "-"), str(r.bytes),
                          f"{r.seconds:.2f}s" if r.seconds is not None else "-", r.egress,
                          f"{r.url}\n{r.detail}" if r.detail else r.url)
        console.print(table)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--url", default="", help="URL the page was fetched from (resolves links, dates).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line per file.")
def extract(files: tuple[str, ...], url: str, as_json: bool) -> None:
    """Extract headline, date, source and clean body from saved HTML FILE(s).

    A file that cannot be read or holds no article is reported on standard
    error; the others are still extracted, and the exit status is then 1.

    \b
    Example:
        govpress extract page.html --url http://www.qingdao.gov.cn/a.shtml --json
    """
    import dataclasses

    from pipelines.extract import extract as run_extract

    failed = 0
    for name in files:
        path = Path(name)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            click.echo(f"Error: {name}: cannot read: {exc.strerror}", err=True)
            failed += 1
            continue
        if not raw.strip():
            click.echo(f"Error: {name}: empty file", err=True)
            failed += 1
            continue
        ex = run_extract(raw, url)
        if not ex.body.strip() and not ex.title.strip():
            click.echo(f"Error: {name}: no article found (no headline, no text; is it an HTML page?)", err=True)
            failed += 1
            continue
        if as_json:
            row = {"path": name, **dataclasses.asdict(ex)}
            click.echo(json.dumps(row, ensure_ascii=False))
        else:
            click.echo(f"== {name}\n{ex.title}\n{ex.published or ex.published_raw}  {ex.source}\n\n{ex.body}\n")
    if failed:
        sys.exit(1)


@cli.command()
@click.argument("dest", type=click.Path())
@click.option("--archive", type=click.Path(dir_okay=False), help=ARCHIVE_HELP)
@click.option("--force", is_flag=True, help="Replace DEST if it exists.")
def backup(dest: str, archive: str | None, force: bool) -> None:
    """Write a consistent single-file copy of the archive to DEST (safe while a crawl writes).

    The copy is one snapshot of committed documents, in rollback-journal mode:
    one file to copy, mail or put on read-only media.  DEST may be a directory.

    \b
    Example:
        govpress backup /mnt/backup/govpress-$(date +%F).sqlite
    """
    from archive import ArchiveError
    from archive.backup import backup as run_backup

    path = archive_path(archive)
    try:
        result = run_backup(path, dest, overwrite=force)
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{result.path}: {result.documents} documents, {result.bytes / 1e6:.1f} MB")


def _run(slugs: list[str], extra: dict[str, Any]) -> list[RunSummary]:
    from archive import ArchiveError
    from crawler.config import ConfigError

    try:
        settings = project_settings(extra)
    except ConfigError as exc:
        raise BadConfig(str(exc)) from None
    try:
        return run_crawls(slugs, settings)
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from None


def _print_summary(runs: list[RunSummary]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="govpress crawl summary")
    for col in ("site", "status", "pages", "new", "updated", "unchanged", "duplicate", "errors"):
        table.add_column(col, justify="left" if col in ("site", "status") else "right")
    total = [0] * 6
    for r in runs:
        nums = [r.pages, r.new, r.updated, r.unchanged, r.duplicate, r.errors]
        total = [a + b for a, b in zip(total, nums)]
        table.add_row(r.site, r.status, *map(str, nums))
    table.add_row("total", "", *map(str, total), end_section=True)
    console = Console(width=100)
    console.print(table)
    for r in runs:
        if r.error:
            click.echo(f"{r.site}: {r.error}")  # one unwrapped line, for grep and cron mail


for _command in COMMANDS:
    cli.add_command(_command)


def main() -> None:
    from crawler.config import ConfigError

    try:
        cli()
    except ConfigError as exc:  # a bad environment variable, read wherever settings load
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
