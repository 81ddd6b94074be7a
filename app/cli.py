"""The ``govpress`` command line (click, in the sqlite-utils style).

Library errors become one-line ``click.ClickException`` messages at this edge;
nothing here writes SQL or parses pages itself.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import click

from app.cli_archive import COMMANDS
from app.crawl import RunSummary, exit_code, project_settings, run_crawls
from app.distributed import COMMANDS as DISTRIBUTED_COMMANDS

logger = logging.getLogger(__name__)

ARCHIVE_HELP = "SQLite archive (default: ARCHIVE_PATH, i.e. $GOVPRESS_ARCHIVE or ./data/govpress.sqlite)"


def _sites() -> dict[str, Any]:
    from crawler.spiders.sites import SITE_ERRORS, SITES

    for line in SITE_ERRORS:
        click.echo(f"warning: site definition skipped: {line}", err=True)
    return SITES


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="govpress")
def cli() -> None:
    """Crawl Chinese government press releases into a SQLite archive.

    \b
    Example:
        govpress crawl --all
        govpress demo --archive /tmp/demo.sqlite
    """


@cli.command()
@click.argument("slugs", nargs=-1)
@click.option("--all", "all_sites", is_flag=True, help="Crawl every site definition.")
@click.option("--archive", type=click.Path(dir_okay=False), help=ARCHIVE_HELP)
@click.option("--full", is_flag=True, help="Walk every list page (backfill), not just the new ones.")
@click.option("--refresh", is_flag=True, help="Re-fetch known articles even when not due.")
@click.option("--trigger", default="manual", show_default=True,
              type=click.Choice(["manual", "cron", "scheduler", "demo"]), help="Recorded on the run.")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE",
              help="Override a Scrapy setting, as with scrapy crawl -s.")
@click.option("--progress/--no-progress", default=None,
              help="Live progress display (default: on when standard error is a terminal).")
@click.option("-v", "--verbose", is_flag=True, help="Keep Scrapy's INFO log lines under the progress display.")
def crawl(slugs: tuple[str, ...], all_sites: bool, archive: str | None, full: bool,
          refresh: bool, trigger: str, overrides: tuple[str, ...], progress: bool | None,
          verbose: bool) -> None:
    """Crawl SLUG... (or --all) into the archive.

    Exit status: 0 ok, 1 partial (some errors or some sites failed), 2 failed,
    3 skipped (another crawl of the site is running).

    \b
    Example:
        govpress crawl sd_qingdao sd_jinan
    """
    sites = _sites()
    if all_sites == bool(slugs):
        raise click.UsageError("give SLUG... or --all (not both)")
    chosen = list(sites) if all_sites else list(slugs)
    unknown = [s for s in chosen if s not in sites]
    if unknown:
        raise click.ClickException(
            f"unknown site {', '.join(unknown)} (known: {', '.join(sites)})"
        )
    extra: dict[str, Any] = {"INCREMENTAL_FULL": full, "INCREMENTAL_REFRESH": refresh,
                             "GOVPRESS_TRIGGER": trigger}
    if progress is None:
        progress = sys.stderr.isatty()
    if progress:
        extensions = project_settings().getdict("EXTENSIONS")
        extra["EXTENSIONS"] = {**extensions, "crawler.extensions.progress.ProgressExtension": 500}
        if not verbose:
            extra["LOG_LEVEL"] = "WARNING"
    for item in overrides:
        name, sep, value = item.partition("=")
        if not sep:
            raise click.UsageError(f"--set {item!r}: expected NAME=VALUE")
        extra[name] = value
    if archive:
        extra["ARCHIVE_PATH"] = archive
    runs = _run(chosen, extra)
    _print_summary(runs)
    sys.exit(exit_code(runs))


@cli.command()
@click.option("--archive", type=click.Path(dir_okay=False), help=ARCHIVE_HELP)
@click.option("--delay", type=click.FloatRange(min=0.01), default=0.05, show_default=True,
              help="Download delay against the simulator, in seconds.")
def demo(archive: str | None, delay: float) -> None:
    """Crawl the built-in offline simulator of every site into the archive.

    The simulator runs in this process on 127.0.0.1 and serves realistic copies
    of the sites; the same spider and site definitions crawl it.  Run it twice:
    the second run adds nothing.

    \b
    Example:
        govpress demo --archive /tmp/demo.sqlite
    """
    from crawler.handlers.loopback import loopback_settings
    from simulator import Simulator

    sites = _sites()
    with Simulator() as sim:
        extra = {
            **loopback_settings(sim.hostmap()),
            "DOWNLOAD_DELAY": delay,
            "AUTOTHROTTLE_ENABLED": False,
            "GOVPRESS_TRIGGER": "demo",
        }
        if archive:
            extra["ARCHIVE_PATH"] = archive
        runs = _run(list(sites), extra)
    _print_summary(runs)
    sys.exit(exit_code(runs))


@cli.command()
@click.argument("slug")
@click.option("--url", default="", help="Check this article URL instead of the first list page.")
@click.option("--demo", is_flag=True, help="Check against the built-in simulator instead of the live site.")
@click.option("--limit", default=3, show_default=True, type=click.IntRange(1, 50), help="Articles to fetch.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per article.")
def check(slug: str, url: str, demo: bool, limit: int, as_json: bool) -> None:
    """Try a site definition: fetch one list page and a few articles, show what would be archived.

    Nothing is written to the archive.  Use it to fix a site whose layout changed.

    \b
    Example:
        govpress check sd_qingdao --demo
    """
    from app.check import STATS, run_check

    sites = _sites()
    if slug not in sites:
        raise click.ClickException(f"unknown site {slug} (known: {', '.join(sites)})")
    extra: dict[str, Any] = {}
    sim = None
    if demo:
        from crawler.handlers.loopback import loopback_settings
        from simulator import Simulator

        sim = Simulator().start()
        extra = {**loopback_settings(sim.hostmap()), "DOWNLOAD_DELAY": 0.05, "AUTOTHROTTLE_ENABLED": False}
    try:
        items = run_check(slug, url=url, limit=limit, extra=extra)
    finally:
        if sim is not None:
            sim.stop()
    click.echo(f"{slug}: {STATS.get('lists/pages', 0)} list page(s), {STATS.get('lists/links', 0)} article links, "
               f"{len(items)} article(s) cleaned", err=True)
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


@cli.command()
@click.option("--archive", type=click.Path(dir_okay=False), help=ARCHIVE_HELP)
@click.option("--list", "list_only", is_flag=True, help="Print each site's next run time and exit.")
def schedule(archive: str | None, list_only: bool) -> None:
    """Run the scheduler daemon: each site's crawl on its cron schedule, in its own process.

    \b
    Example:
        govpress schedule --list
    """
    import scheduler

    argv = (["--archive", archive] if archive else []) + (["--list"] if list_only else [])
    sys.exit(scheduler.main(argv))


@cli.command("sites")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def sites_cmd(as_json: bool) -> None:
    """List the site definitions.

    \b
    Example:
        govpress sites
    """
    for site in _sites().values():
        row = {"slug": site.slug, "name": site.name, "cms": site.cms, "region_code": site.region_code,
               "lists": [lst.url for lst in site.lists], "schedule": site.schedule.cron}
        if as_json:
            click.echo(json.dumps(row, ensure_ascii=False))
        else:
            click.echo(f"{site.slug:14} {site.region_code}  {site.cms:8} {site.schedule.cron:12}  {site.name}")


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--url", default="", help="URL the page was fetched from (resolves links, dates).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line per file.")
def extract(files: tuple[str, ...], url: str, as_json: bool) -> None:
    """Extract headline, date, source and clean body from saved HTML FILE(s).

    \b
    Example:
        govpress extract page.html --url http://www.qingdao.gov.cn/a.shtml --json
    """
    import dataclasses

    from pipelines.extract import extract as run_extract

    for name in files:
        path = Path(name)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise click.ClickException(f"{name}: cannot read: {exc.strerror}") from None
        ex = run_extract(raw, url)
        if as_json:
            row = {"path": name, **dataclasses.asdict(ex)}
            click.echo(json.dumps(row, ensure_ascii=False))
        else:
            click.echo(f"== {name}\n{ex.title}\n{ex.published or ex.published_raw}  {ex.source}\n\n{ex.body}\n")


def _run(slugs: list[str], extra: dict[str, Any]) -> list[RunSummary]:
    from archive import ArchiveError

    try:
        return run_crawls(slugs, project_settings(extra))
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
    cli()


if __name__ == "__main__":
    main()
