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
from typing import TYPE_CHECKING, Any

import click

from app.cli_archive import COMMANDS, ArgError, archive_path, project_settings
from app.distributed import COMMANDS as DISTRIBUTED_COMMANDS

if TYPE_CHECKING:
    from app.crawl import RunSummary

logger = logging.getLogger(__name__)


# app.crawl (Scrapy, Twisted) is imported only when a command needs it, so that
# `govpress --help` and the archive commands start fast (docs/benchmarks.md).
def exit_code(runs: list[RunSummary]) -> int:
    from app.crawl import exit_code as code

    return code(runs)


def contact_warning(settings: Any) -> str:
    from app.crawl import contact_warning as warning

    return str(warning(settings) or "")

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
@click.option("--no-attachments", is_flag=True, help="Do not fetch attached files (ATTACHMENTS_ENABLED off).")
def crawl(slugs: tuple[str, ...], all_sites: bool, archive: str | None, demo: bool, full: bool,
          refresh: bool, trigger: str, overrides: tuple[str, ...], progress: bool | None,
          verbose: bool, no_attachments: bool) -> None:
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
    if no_attachments:
        extra["ATTACHMENTS_ENABLED"] = False
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
    code = _exit_code(runs)
    if all_sites and _site_errors():
        code = max(code, _exit_partial())  # a bad site file is a failure cron must hear about
    sys.exit(code)


def _exit_partial() -> int:
    from app.crawl import EXIT_PARTIAL

    return EXIT_PARTIAL


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
def _simulator(delay: float = DEMO_DELAY, *, attachments: bool = False) -> Iterator[dict[str, Any]]:
    """The offline simulator of every site, in this process; yields the settings that crawl it."""
    from crawler.handlers.loopback import loopback_settings
    from simulator import Simulator

    with Simulator(attachments=attachments) as sim:
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
@click.option("--no-attachments", is_flag=True, help="Do not fetch attached files (ATTACHMENTS_ENABLED off).")
def demo(archive: str | None, delay: float, quiet: bool, progress: bool | None, verbose: bool,
         no_attachments: bool) -> None:
    """Crawl the built-in offline simulator of every site into a temporary archive.

    The simulator runs in this process on 127.0.0.1 and serves realistic copies
    of the sites (attached files and a multi-page article too); the same spider
    and site definitions crawl it.  The archive is a new temporary file (its path
    is printed) unless --archive names one; an archive holding real (non-demo)
    runs is refused and left untouched.  Run it twice on one --archive: the
    second run adds nothing.

    \b
    Example:
        govpress demo
        govpress demo --archive /tmp/demo.sqlite
    """
    sites = _sites()
    extra: dict[str, Any] = {"GOVPRESS_TRIGGER": "demo"}
    if no_attachments:
        extra["ATTACHMENTS_ENABLED"] = False
    with _demo_archive(archive) as path, _simulator(delay, attachments=True) as sim_settings:
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
@click.option("--page", "page_file", type=click.Path(dir_okay=False),
              help="Check a saved page offline (with --url): list -> links and next page; article -> record.")
@click.option("--save", "save_dir", type=click.Path(file_okay=False),
              help="Write every response fetched (bytes, status, headers, final URL, time) to DIR.")
@click.option("--replay", "replay_dir", type=click.Path(file_okay=False, exists=True),
              help="Answer every request from a capture saved with --save, offline.")
def check(slug: str, url: str, demo: bool, limit: int, as_json: bool, page_file: str | None,
          save_dir: str | None, replay_dir: str | None) -> None:
    """Try a site definition: fetch one list page and a few articles, show what would be archived.

    Nothing is written to the archive.  Use it to fix a site whose layout changed.
    With --page FILE --url URL nothing is fetched: the saved page is read as the
    site's list page (article links, next page, data call) or as an article.
    Someone who can reach the site records it with --save DIR; anyone replays that
    capture with --replay DIR and freezes it into fixtures with govpress freeze
    (docs/operations.md).

    \b
    Example:
        govpress check sd_qingdao --demo
        govpress check sd_qingdao --page saved.html --url http://www.qingdao.gov.cn/ywdt/zwyw/
        govpress check sd_province --save capture-sd_province/
        govpress check sd_province --replay capture-sd_province/
    """
    from app.capture import capture_settings, replay_settings
    from app.check import STATS, check_page, run_check

    sites = _sites()
    if slug not in sites:
        raise ArgError(f"unknown site {slug} (known: {', '.join(sites)})")
    if page_file:
        if not url:
            raise ArgError("--page needs --url (the address the page was saved from)")
        try:
            raw = Path(page_file).read_bytes()
        except OSError as exc:
            raise click.ClickException(f"{page_file}: cannot read: {exc.strerror}") from None
        report = check_page(sites[slug], raw, url)
        if as_json:
            click.echo(json.dumps(report, ensure_ascii=False))
        else:
            click.echo(_page_report(report))
        if not report.get("ok"):
            raise click.ClickException(f"{slug}: {page_file}: {report.get('problem') or 'nothing found'}")
        return
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
@click.argument("url")
@click.option("--demo", is_flag=True, help="Discover a portal of the built-in simulator instead of the live site.")
@click.option("--json", "as_json", is_flag=True, help="The discovery as one JSON object.")
@click.option("--write", "slug", default="", metavar="SLUG",
              help="Also write the site file and fixtures (as new-site).")
def discover(url: str, demo: bool, as_json: bool, slug: str) -> None:
    """Recognise a portal's platform and list its candidate news columns.

    Fetches the homepage and a few column pages (politely: robots.txt, one request
    at a time, a delay), scores each dialect, and shows per column (要闻, 政务动态,
    新闻发布会, 发布会实录, 权威发布) its list mechanism and sample article links.

    \b
    Example:
        govpress discover https://www.yantai.gov.cn/ --demo
    """
    _discover(url, demo, as_json, slug)


@cli.command("new-site")
@click.argument("slug")
@click.option("--from", "url", required=True, help="The portal's homepage URL.")
@click.option("--demo", is_flag=True, help="Discover a portal of the built-in simulator.")
@click.option("--name", default="", help="Site name (default: the homepage title).")
@click.option("--province", default="", help="Province, e.g. 山东省.")
@click.option("--city", default="", help="City, e.g. 烟台市.")
@click.option("--code", default="000000", help="Administrative-division code (6 digits).")
@click.option("--sites-dir", type=click.Path(file_okay=False), default=None, help="Where to write (default: sites/).")
@click.option("--fixtures-dir", type=click.Path(file_okay=False), default=None,
              help="Where to write the fixture folder (default: tests/fixtures/sites/).")
def new_site(slug: str, url: str, demo: bool, name: str, province: str, city: str, code: str,
             sites_dir: str | None, fixtures_dir: str | None) -> None:
    """Write a site file, a fixture folder and its expected.toml from a discovered portal.

    \b
    Example:
        govpress new-site sd_yantai2 --from https://www.yantai.gov.cn/ --demo --sites-dir /tmp/s
    """
    _discover(url, demo, False, slug, {"name": name, "province": province, "city": city, "code": code},
              sites_dir, fixtures_dir)


def _discover(url: str, demo: bool, as_json: bool, slug: str, extra: dict[str, Any] | None = None,
              sites_dir: str | None = None, fixtures_dir: str | None = None) -> None:
    from app import discover as D
    from core.siteconfig import SITES_DIR, SLUG_RE, SiteConfigError, parse_site

    if slug and not SLUG_RE.match(slug):
        raise click.ClickException(f"{slug!r} is not a <province>_<place> pinyin slug")
    sim = None
    try:
        if demo:
            from simulator import Simulator

            sim = Simulator().start()
            fetch = D.simulator_fetcher(sim)
        else:
            fetch = D.live_fetcher()
        disc = D.discover(url, fetch)
    except D.DiscoverError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        if sim is not None:
            sim.stop()
    if as_json:
        click.echo(json.dumps(disc.as_dict(), ensure_ascii=False))
    else:
        ranked = sorted(disc.scores.items(), key=lambda kv: -kv[1])
        click.echo(f"{disc.url}: {disc.site_name}\nplatform: {disc.dialect}  "
                   f"(marker hits: {', '.join(f'{k} {v}' for k, v in ranked[:4])})")
        for c in disc.candidates:
            click.echo(f"- {c.column} [{c.role}] {c.url}\n  list: {c.mechanism}, {c.count} article link(s)"
                       + (f", rows from {c.data_url}" if c.data_url else "")
                       + (f", next {c.next_url}" if c.next_url else ""))
            for s in c.samples:
                click.echo(f"    {s}")
        if not disc.candidates:
            click.echo("no candidate column found")
    if slug:
        root = Path(__file__).resolve().parent.parent
        sdir = Path(sites_dir) if sites_dir else SITES_DIR
        fdir = Path(fixtures_dir) if fixtures_dir else root / "tests" / "fixtures" / "sites"
        try:
            written = D.write_site(slug, disc, sdir, fdir, demo=demo, **(extra or {}))
            parse_site(written[0])
        except (D.DiscoverError, SiteConfigError) as exc:
            raise click.ClickException(str(exc)) from None
        for path in written:
            click.echo(f"wrote {path}", err=True)


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
    """List the site definitions: region, platform, columns, how much is confirmed, last run, last probe.

    \b
    Example:
        govpress sites
        govpress sites --json
    """
    from app.probe import site_state
    from app.sitelist import site_rows

    path = archive_path(archive)
    rows = site_rows(_sites(), path)
    probes = _last_probes(path)
    for row in rows:
        got = probes.get(row["slug"], [])
        row["last_probe"] = {"state": site_state(got), "at": got[0]["probed_at"]} if got else None
    if as_json:
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"govpress sites ({len(rows)})")
    for col in ("slug", "name", "region", "platform", "columns", "confirmed", "last run", "documents",
                "last probe"):
        table.add_column(col, justify="right" if col in ("confirmed", "documents") else "left")
    for r in rows:
        ev = r["evidence_counts"]
        total = sum(ev.values())
        probe = r["last_probe"]
        table.add_row(r["slug"], r["name"], f"{r['province']}{r['city']} {r['region_code']}", r["cms"],
                      " / ".join(f"{c['column']} ({c['mechanism']})" for c in r["columns"]),
                      f"{ev['confirmed']}/{total}", r["last_run"] or "-", str(r["documents"]),
                      f"{probe['state']} ({probe['at'][:16]})" if probe else "not probed")
    Console(width=220).print(table)

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
    from pipelines.structure import structure_json

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
            row = {"path": name, **dataclasses.asdict(ex), **structure_json(ex)}
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


def _page_report(report: dict[str, Any]) -> str:
    if report["kind"] == "list":
        lines = [f"list page of column {report['column']} ({report['mechanism']}): "
                 f"{len(report['links'])} article link(s)"]
        lines += [f"  {u}" for u in report["links"]]
        if report.get("data_url"):
            lines.append(f"rows come from a data call: {report['data_url']}")
        lines.append(f"next page: {report.get('next_url') or '(none)'}")
        return "\n".join(lines)
    a = report["article"]
    return (f"article: {a['title'] or '(NO HEADLINE)'}\n  {a['published'] or '(NO DATE)'}  {a['source']}"
            f"  [{a['method']}, {len(a['body'])} chars]" + (f"  flags: {','.join(a['flags'])}" if a["flags"] else "")
            + f"\n  region: {a['region_code']}  column: {a['column'] or '-'}\n\n{a['body']}")


def _exit_code(runs: list[RunSummary]) -> int:
    from app.crawl import exit_code

    return exit_code(runs)


def _run(slugs: list[str], extra: dict[str, Any]) -> list[RunSummary]:
    from app.crawl import project_settings, run_crawls
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


for _command in [*COMMANDS, *DISTRIBUTED_COMMANDS]:
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
