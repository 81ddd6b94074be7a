"""Site definitions and CMS profiles: TOML data in ``sites`` and ``sites/profiles``.

A site file names the site, its region, its list pages and how to page through
them; everything it leaves out comes from the CMS profile it names.  A bad file
is rejected with one line naming the file, the field and the problem
(``SiteConfigError``); ``load_sites`` skips it and still loads the others.
"""

from __future__ import annotations

import logging
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core import siteschema

logger = logging.getLogger(__name__)

SITES_DIR = Path(__file__).resolve().parent.parent / "sites"
"""The site files shipped with govpress (the top-level ``sites/`` data folder)."""
PROFILES_DIR = SITES_DIR / "profiles"
SITES_ENV = "GOVPRESS_SITES"
"""Environment variable naming another folder of site files (its ``profiles/`` too, if any)."""
SLUG_RE = re.compile(r"^[a-z]{2}_[a-z0-9_]+$")


class SiteConfigError(ValueError):
    """A site definition or profile that cannot be used; the message is one line."""


@dataclass(frozen=True)
class ListPage:
    url: str
    column: str
    pages: str = ""
    """Template for page N of the list, joined to ``url`` (``index_{n}.shtml``)."""
    first: int = 1
    """N of the second page (the first page is ``url`` itself)."""
    next_xpath: str = ""
    """XPath of the link to the next page, for lists without a URL template."""
    max_pages: int = 20


@dataclass(frozen=True)
class ArticleSelectors:
    """Optional CSS selectors that override extraction for one site."""

    title: str = ""
    body: str = ""
    published: str = ""
    source: str = ""
    prune: tuple[str, ...] = ()


@dataclass(frozen=True)
class Schedule:
    cron: str = "0 3 * * *"
    jitter: int = 600
    timeout: int = 3600


@dataclass(frozen=True)
class SiteDefinition:
    slug: str
    name: str
    cms: str
    allowed_domains: tuple[str, ...]
    province: str
    city: str
    region_code: str
    lists: tuple[ListPage, ...]
    article_pattern: str
    link_scope: str = ""
    datastore: bool = False
    selectors: ArticleSelectors = ArticleSelectors()
    schedule: Schedule = Schedule()
    revisit_days: int = 7
    encoding: str = ""
    canonical_drop_params: tuple[str, ...] = ()
    path: str = ""

    @property
    def article_re(self) -> re.Pattern[str]:
        return re.compile(self.article_pattern)


def _err(path: Path | str, fld: str, problem: str) -> SiteConfigError:
    return SiteConfigError(f"{Path(path).name}: {fld}: {problem}")


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SiteConfigError(f"{path.name}: TOML syntax error: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SiteConfigError(f"{path.name}: cannot read: {exc}") from None


def load_profile(name: str, profiles_dir: Path = PROFILES_DIR) -> dict[str, Any]:
    """Read a CMS profile; profiles are plain tables of site-file defaults."""
    path = profiles_dir / f"{name}.toml"
    if not path.is_file():
        raise SiteConfigError(f"{name}.toml: profile not found in {profiles_dir}")
    data = _read_toml(path)
    siteschema.validate_file(path, data, profile=True)
    return data


def _check_css(path: Path, fld: str, css: str) -> None:
    from parsel.csstranslator import HTMLTranslator

    try:
        HTMLTranslator().css_to_xpath(css)
    except Exception as exc:  # cssselect raises several error types
        raise _err(path, fld, f"bad CSS selector {css!r}: {exc}") from None


def _check_xpath(path: Path, fld: str, xp: str) -> None:
    from lxml import etree

    try:
        etree.XPath(xp)
    except etree.XPathSyntaxError as exc:
        raise _err(path, fld, f"bad XPath {xp!r}: {exc}") from None


_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _crontab_days(field: str) -> str:
    """Standard crontab day-of-week (0 or 7 = Sunday) as names APScheduler 3 reads alike.

    APScheduler 3 numbers days from Monday = 0, so a bare ``1`` would mean Tuesday.
    """
    if not re.search(r"\d", field):
        return field
    days: set[int] = set()
    for part in field.split(","):
        rng, _, step = part.partition("/")
        if rng == "*":
            lo, hi = 0, 6
        elif "-" in rng:
            a, b = rng.split("-", 1)
            lo, hi = int(a), int(b)
        else:
            lo = hi = int(rng)
        if not (0 <= lo <= 7 and 0 <= hi <= 7 and lo <= hi):
            raise ValueError(f"day of week {part!r} is out of range 0-7")
        days.update(range(lo, hi + 1, int(step) if step else 1))
    return ",".join(dict.fromkeys(_DAYS[d] for d in sorted(days)))


def cron_trigger(cron: str, *, jitter: int | None = None, timezone: Any = "Asia/Shanghai") -> Any:
    """An APScheduler ``CronTrigger`` for a standard 5-field crontab expression."""
    from apscheduler.triggers.cron import CronTrigger

    fields = cron.split()
    if len(fields) != 5:
        raise ValueError(f"expected 5 fields, got {len(fields)}")
    minute, hour, day, month, dow = fields
    return CronTrigger(minute=minute, hour=hour, day=day, month=month,
                       day_of_week=_crontab_days(dow), timezone=timezone, jitter=jitter or None)


def _check_cron(path: Path, cron: str) -> None:
    if problem := siteschema.cron_problem(cron):
        raise _err(path, "schedule.cron", problem)


def _require(path: Path, data: dict[str, Any], key: str, typ: type, where: str = "") -> Any:
    fld = f"{where}{key}"
    if key not in data:
        raise _err(path, fld, "missing required field")
    value = data[key]
    if not isinstance(value, typ) or (isinstance(value, str) and not value.strip()):
        raise _err(path, fld, f"expected a non-empty {typ.__name__}, got {value!r}")
    return value


def parse_site(path: Path, profiles_dir: Path = PROFILES_DIR) -> SiteDefinition:
    """Validate one site file (merged over its CMS profile) into a ``SiteDefinition``."""
    data = _read_toml(path)
    siteschema.validate_file(path, data)  # types, ranges, unknown fields: see core/siteschema.py
    slug = _require(path, data, "slug", str)
    if not SLUG_RE.match(slug):
        raise _err(path, "slug", f"{slug!r} is not a <province>_<place> pinyin slug")
    if path.stem != slug:
        raise _err(path, "slug", f"{slug!r} does not match the file name {path.stem!r}")
    name = _require(path, data, "name", str)
    cms = _require(path, data, "cms", str)
    profile = load_profile(cms, profiles_dir)
    merged: dict[str, Any] = {**profile, **data}
    for table in ("links", "article", "crawl"):
        merged[table] = {**profile.get(table, {}), **data.get(table, {})}

    region = _require(path, data, "region", dict)
    code = str(_require(path, region, "code", str, "region."))
    if not re.fullmatch(r"\d{6}", code):
        raise _err(path, "region.code", f"{code!r} is not a 6-digit administrative-division code")
    domains = _require(path, data, "allowed_domains", list)

    raw_lists = _require(path, data, "lists", list)
    lists = []
    for i, entry in enumerate(raw_lists):
        where = f"lists[{i}]."
        if not isinstance(entry, dict):
            raise _err(path, f"lists[{i}]", "expected a table")
        url = _require(path, entry, "url", str, where).strip()
        if not re.match(r"(?i)https?://", url):
            raise _err(path, f"{where}url", f"{url!r} is not an http(s) URL")
        url = url[:5].lower() + url[5:]  # HTTP:// and Https:// are http:// and https://
        if problem := siteschema.list_url_problem(url, tuple(domains)):
            raise _err(path, f"{where}url", problem)
        pages = entry.get("pages", merged.get("pages", ""))
        if pages and "{n}" not in pages:
            raise _err(path, f"{where}pages", f"{pages!r} has no {{n}} placeholder")
        next_xpath = entry.get("next_xpath", "")
        if next_xpath:
            _check_xpath(path, f"{where}next_xpath", next_xpath)
        lists.append(
            ListPage(
                url=url,
                column=_require(path, entry, "column", str, where),
                pages=pages,
                first=int(entry.get("first", merged.get("first", 1))),
                next_xpath=next_xpath,
                max_pages=int(entry.get("max_pages", merged["crawl"].get("max_pages", 20))),
            )
        )

    links = merged["links"]
    pattern = _require(path, links, "pattern", str, "links.")
    try:
        re.compile(pattern)
    except re.error as exc:
        raise _err(path, "links.pattern", f"bad regular expression {pattern!r}: {exc}") from None
    if links.get("scope"):
        _check_css(path, "links.scope", links["scope"])

    art = merged["article"]
    for key in ("title", "body", "published", "source"):
        if art.get(key):
            _check_css(path, f"article.{key}", art[key])
    for i, css in enumerate(art.get("prune", [])):
        _check_css(path, f"article.prune[{i}]", css)

    sched = data.get("schedule", {})
    schedule = Schedule(
        cron=str(sched.get("cron", Schedule.cron)),
        jitter=int(sched.get("jitter", Schedule.jitter)),
        timeout=int(sched.get("timeout", Schedule.timeout)),
    )
    _check_cron(path, schedule.cron)
    crawl = merged["crawl"]
    return SiteDefinition(
        slug=slug,
        name=name,
        cms=cms,
        allowed_domains=tuple(domains),
        province=str(region.get("province", "")),
        city=str(region.get("city", "")),
        region_code=code,
        lists=tuple(lists),
        article_pattern=pattern,
        link_scope=str(links.get("scope", "")),
        datastore=bool(links.get("datastore", False)),
        selectors=ArticleSelectors(
            title=art.get("title", ""),
            body=art.get("body", ""),
            published=art.get("published", ""),
            source=art.get("source", ""),
            prune=tuple(art.get("prune", ())),
        ),
        schedule=schedule,
        revisit_days=int(crawl.get("revisit_days", 7)),
        encoding=str(data.get("encoding", "")),
        canonical_drop_params=tuple(merged.get("canonical_drop_params", ())),
        path=str(path),
    )


def sites_dir() -> Path:
    """The folder of site files: ``$GOVPRESS_SITES`` if set, else the shipped ``sites/``."""
    return Path(os.environ.get(SITES_ENV) or SITES_DIR)


def load_sites(
    sites_dir: Path | None = None, profiles_dir: Path | None = None
) -> tuple[dict[str, SiteDefinition], list[str]]:
    """Load every ``*.toml`` site file; return the good sites and one error line per bad file.

    ``sites_dir`` defaults to ``sites_dir()``; profiles come from its ``profiles/``
    folder when it has one, else from the shipped profiles.
    """
    if sites_dir is None:
        sites_dir = globals()["sites_dir"]()
    if profiles_dir is None:
        own = Path(sites_dir) / "profiles"
        profiles_dir = own if own.is_dir() else PROFILES_DIR
    if not Path(sites_dir).is_dir():
        return {}, [f"{sites_dir}: not a folder of site files"]
    sites: dict[str, SiteDefinition] = {}
    errors: list[str] = []
    for path in sorted(Path(sites_dir).glob("*.toml")):
        try:
            site = parse_site(path, profiles_dir)
        except SiteConfigError as exc:
            errors.append(str(exc))
            logger.error("site definition rejected: %s", exc)
            continue
        sites[site.slug] = site
    return sites, errors
