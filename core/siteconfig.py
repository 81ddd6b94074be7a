"""Site definitions and platform dialects: TOML data in ``sites`` and ``sites/dialects``.

A site file names the site, its region, its list pages and how to page through
them; everything it leaves out comes from the dialect (the CMS platform's
conventions) it names.  Every fact a site file states carries its source in the
file's ``[evidence]`` table (``confirmed: <where, when>``, ``inferred: <why>`` or
``unverified``); a fact without one is refused.  A bad file is rejected with one
line naming the file, the field and the problem (``SiteConfigError``);
``load_sites`` skips it and still loads the others.
"""

from __future__ import annotations

import logging
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core import siteschema

logger = logging.getLogger(__name__)

SITES_DIR = Path(__file__).resolve().parent.parent / "sites"
"""The site files shipped with govpress (the top-level ``sites/`` data folder)."""
TLS_VERSIONS = ("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3")
DIALECTS_DIR = SITES_DIR / "dialects"
SITES_ENV = "GOVPRESS_SITES"
"""Environment variable naming other folders of site files (``os.pathsep``-separated; their
``dialects/`` too, if any), used instead of ``SITES_DIR``."""
SLUG_RE = re.compile(r"^[a-z]{2}_[a-z0-9_]+$")
MECHANISMS = ("html", "datastore", "jpaas_unit", "gkmlpt_api", "datacall")
"""How a list's rows reach the page: server-rendered HTML, Hanweb ``<datastore>`` CDATA,
the Hanweb jpaas unit-build JSON API, the Guangdong gkmlpt JSON API, a Hanweb datacall script."""
ROLES = ("要闻", "政务动态", "新闻发布会", "发布会实录", "权威发布", "其他")
EVIDENCE_TAGS = ("confirmed", "inferred", "unverified")
REQUIRED_FACTS = ("host", "scheme", "region", "article_url", "encoding")
"""Facts every site file states and must source; lists, selectors and page facts add theirs."""


class SiteConfigError(ValueError):
    """A site definition or dialect that cannot be used; the message is one line."""


@dataclass(frozen=True)
class ListPage:
    url: str
    column: str
    role: str = ""
    """What the column is for: one of ``ROLES`` (要闻, 新闻发布会 …)."""
    mechanism: str = "html"
    """One of ``MECHANISMS``."""
    pages: str = ""
    """Template for page N of the list, joined to ``url`` (``index_{n}.shtml``)."""
    first: int = 1
    """N of the second page (the first page is ``url`` itself)."""
    next_xpath: str = ""
    """XPath of the link to the next page, for lists without a URL template."""
    max_pages: int = 20
    api: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    """Parameters of an API-backed list (``jpaas_unit``, ``gkmlpt_api``), from the site file."""


@dataclass(frozen=True)
class Evidence:
    """Where one fact of a site file comes from."""

    tag: str
    """``confirmed``, ``inferred`` or ``unverified``."""
    source: str = ""


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
class TLSConfig:
    """A site file's ``[tls]`` table: how this site's HTTPS requests are made (never global)."""

    legacy: bool = False
    """Ciphers at ``SECLEVEL=1`` and legacy renegotiation (``OP_LEGACY_SERVER_CONNECT``)."""
    min_version: str = ""
    """Lowest protocol version offered (``TLSv1`` … ``TLSv1.3``); empty: OpenSSL's default."""
    verify: bool = True
    """Certificate and host-name checks; ``false`` is logged at every crawl."""
    ca_file: str = ""
    """Extra trusted CA certificates (PEM), e.g. a missing intermediate; relative to the site file."""

    @property
    def is_default(self) -> bool:
        return self == TLSConfig()


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
    county: str = ""
    dialect: str = ""
    """The dialect file the site names (``cms`` holds the same name, as stored in the archive)."""
    platform: str = ""
    """The dialect's human name (Hanweb 大汉 JCMS classic …)."""
    footer: tuple[str, ...] = ()
    """Strings the site's page footer carries (ICP, 公网安备, 网站标识码 …): boilerplate to expect."""
    metas: tuple[str, ...] = ()
    """``<meta name>`` values article pages carry, with their case."""
    evidence: dict[str, Evidence] = field(default_factory=dict)
    tls: TLSConfig = TLSConfig()
    proxy: str = ""
    """HTTP(S) proxy for this site's requests (``http://host:port``); ``GOVPRESS_PROXY`` for all."""
    list_api: bool = False
    """``[links] api``: request the data API an empty-shell list page names (``crawler.apilists.api_request``)."""
    probe_urls: tuple[str, ...] = ()
    """Sample article URLs ``govpress probe`` requests (besides the first link of each list)."""

    @property
    def article_re(self) -> re.Pattern[str]:
        return re.compile(self.article_pattern)

    @property
    def region(self) -> dict[str, str]:
        return {"province": self.province, "city": self.city, "county": self.county,
                "code": self.region_code}

    def confirmed_share(self) -> float:
        """Share of the file's facts tagged ``confirmed`` (0.0-1.0)."""
        if not self.evidence:
            return 0.0
        return sum(e.tag == "confirmed" for e in self.evidence.values()) / len(self.evidence)

    def evidence_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(EVIDENCE_TAGS, 0)
        for e in self.evidence.values():
            counts[e.tag] += 1
        return counts


def _err(path: Path | str, fld: str, problem: str) -> SiteConfigError:
    return SiteConfigError(f"{Path(path).name}: {fld}: {problem}")


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SiteConfigError(f"{path.name}: TOML syntax error: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SiteConfigError(f"{path.name}: cannot read: {exc}") from None


def load_dialect(name: str, dialects_dir: Path = DIALECTS_DIR) -> dict[str, Any]:
    """Read a platform dialect; dialects are plain tables of site-file defaults."""
    path = Path(dialects_dir) / f"{name}.toml"
    if not re.fullmatch(r"[a-z0-9_]+", name) or not path.is_file():
        raise SiteConfigError(f"{name}.toml: dialect not found in {dialects_dir}")
    data = _read_toml(path)
    siteschema.validate_file(path, data, profile=True)
    return data


def load_dialects(dialects_dir: Path = DIALECTS_DIR) -> dict[str, dict[str, Any]]:
    """Every dialect, by name (for ``govpress discover``)."""
    return {p.stem: _read_toml(p) for p in sorted(Path(dialects_dir).glob("*.toml"))}


def parse_evidence(value: Any) -> Evidence | None:
    """``"confirmed: <source>"`` / ``"inferred: <why>"`` / ``"unverified"``; ``None`` if malformed."""
    if not isinstance(value, str):
        return None
    tag, sep, source = value.partition(":")
    tag, source = tag.strip(), source.strip()
    if tag == "unverified":
        return Evidence("unverified", source)
    if tag in EVIDENCE_TAGS and sep and source:
        return Evidence(tag, source)
    return None


def _evidence(path: Path, data: dict[str, Any], facts: list[str]) -> dict[str, Evidence]:
    """The ``[evidence]`` table, checked against the facts the file states: each has one entry."""
    table = data.get("evidence")
    if not isinstance(table, dict):
        raise _err(path, "evidence", "missing table: every fact needs its source or 'unverified'")
    out: dict[str, Evidence] = {}
    for key in facts:
        if key not in table:
            raise _err(path, f"evidence.{key}", "missing: give its source or 'unverified'")
    for key, value in table.items():
        if key not in facts:
            raise _err(path, f"evidence.{key}", f"names no fact of this file (facts: {', '.join(facts)})")
        ev = parse_evidence(value)
        if ev is None:
            raise _err(path, f"evidence.{key}",
                       f"{value!r} is not 'confirmed: <source>', 'inferred: <why>' or 'unverified'")
        out[key] = ev
    return out


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


def parse_site(path: Path, dialects_dir: Path = DIALECTS_DIR) -> SiteDefinition:
    """Validate one site file (merged over its dialect) into a ``SiteDefinition``."""
    path = Path(path)
    data = _read_toml(path)
    siteschema.validate_file(path, data)  # types, ranges, unknown fields: see core/siteschema.py
    slug = _require(path, data, "slug", str)
    if not SLUG_RE.match(slug):
        raise _err(path, "slug", f"{slug!r} is not a <province>_<place> pinyin slug")
    if path.stem != slug:
        raise _err(path, "slug", f"{slug!r} does not match the file name {path.stem!r}")
    name = _require(path, data, "name", str)
    cms = _require(path, data, "dialect", str)
    dialect_data = load_dialect(cms, dialects_dir)
    merged: dict[str, Any] = {**dialect_data, **data}
    for table in ("links", "article", "crawl"):
        merged[table] = {**dialect_data.get(table, {}), **data.get(table, {})}

    region = _require(path, data, "region", dict)
    code = str(_require(path, region, "code", str, "region."))
    if not re.fullmatch(r"\d{6}", code):
        raise _err(path, "region.code", f"{code!r} is not a 6-digit administrative-division code")
    domains = _require(path, data, "allowed_domains", list)

    for i, dom in enumerate(domains):
        if not isinstance(dom, str) or not re.fullmatch(r"[a-z0-9.-]+", dom):
            raise _err(path, f"allowed_domains[{i}]", f"{dom!r} is not a host name")
    facts = list(REQUIRED_FACTS)
    raw_lists = _require(path, data, "lists", list)
    lists = []
    columns: set[str] = set()
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
        column = _require(path, entry, "column", str, where)
        if column in columns:
            raise _err(path, f"{where}column", f"{column!r} is listed twice")
        columns.add(column)
        role = str(entry.get("role", "其他"))
        if role not in ROLES:
            raise _err(path, f"{where}role", f"{role!r} is not one of {', '.join(ROLES)}")
        mechanism = str(entry.get("mechanism", merged.get("mechanism", "html")))
        if mechanism not in MECHANISMS:
            raise _err(path, f"{where}mechanism", f"{mechanism!r} is not one of {', '.join(MECHANISMS)}")
        api = entry.get("api", {})
        if not isinstance(api, dict):
            raise _err(path, f"{where}api", "expected a table")
        facts += [f"lists.{column}.url", f"lists.{column}.mechanism"]
        pages = entry.get("pages", merged.get("pages", ""))
        if pages and "{n}" not in pages:
            raise _err(path, f"{where}pages", f"{pages!r} has no {{n}} placeholder")
        next_xpath = entry.get("next_xpath", "")
        if next_xpath:
            _check_xpath(path, f"{where}next_xpath", next_xpath)
        if "pages" in entry or "next_xpath" in entry:
            facts.append(f"lists.{column}.pages")
        lists.append(
            ListPage(
                url=url,
                column=column,
                role=role,
                mechanism=mechanism,
                api={str(k): str(v) for k, v in api.items()},
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
    if data.get("links", {}).get("scope"):
        facts.append("links.scope")

    art = merged["article"]
    for key in ("title", "body", "published", "source"):
        if art.get(key):
            _check_css(path, f"article.{key}", art[key])
    for i, css in enumerate(art.get("prune", [])):
        _check_css(path, f"article.prune[{i}]", css)
    facts += [f"article.{k}" for k in data.get("article", {})]
    page = data.get("page", {})
    if not isinstance(page, dict):
        raise _err(path, "page", "expected a table")
    for key in ("footer", "metas"):
        value = page.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise _err(path, f"page.{key}", "expected a list of non-empty strings")
    facts += [f"page.{k}" for k in page]
    evidence = _evidence(path, data, facts)

    sched = data.get("schedule", {})
    schedule = Schedule(
        cron=str(sched.get("cron", Schedule.cron)),
        jitter=int(sched.get("jitter", Schedule.jitter)),
        timeout=int(sched.get("timeout", Schedule.timeout)),
    )
    _check_cron(path, schedule.cron)
    crawl = merged["crawl"]
    tls = _parse_tls(path, data.get("tls", {}))
    proxy = data.get("proxy", "")
    if proxy and not (isinstance(proxy, str) and re.match(r"https?://[^/\s]+(:\d+)?/?$", proxy)):
        raise _err(path, "proxy", f"{proxy!r} is not an http(s)://host:port proxy URL")
    probe_urls = data.get("probe", {}).get("articles", [])
    if not isinstance(probe_urls, list) or not all(
            isinstance(u, str) and re.match(r"https?://", u) for u in probe_urls):
        raise _err(path, "probe.articles", "expected a list of http(s) URLs")
    return SiteDefinition(
        slug=slug,
        name=name,
        cms=cms,
        allowed_domains=tuple(domains),
        province=_require(path, region, "province", str, "region."),
        city=str(region.get("city", "")),
        county=str(region.get("county", "")),
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
        dialect=cms,
        platform=str(dialect_data.get("platform", cms)),
        footer=tuple(page.get("footer", ())),
        metas=tuple(page.get("metas", ())),
        evidence=evidence,
        tls=tls,
        proxy=str(proxy),
        probe_urls=tuple(probe_urls),
        list_api=bool(links.get("api", False)),
    )


def _parse_tls(path: Path, table: Any) -> TLSConfig:
    if not isinstance(table, dict):
        raise _err(path, "tls", "expected a table")
    unknown = set(table) - {"legacy", "min_version", "verify", "ca_file"}
    if unknown:
        raise _err(path, "tls", f"unknown key {', '.join(sorted(unknown))}")
    for key in ("legacy", "verify"):
        if key in table and not isinstance(table[key], bool):
            raise _err(path, f"tls.{key}", f"expected true or false, got {table[key]!r}")
    version = table.get("min_version", "")
    if version and version not in TLS_VERSIONS:
        raise _err(path, "tls.min_version", f"{version!r} is not one of {', '.join(TLS_VERSIONS)}")
    ca_file = str(table.get("ca_file", ""))
    if ca_file:
        ca_path = (path.parent / ca_file).resolve()
        if not ca_path.is_file():
            raise _err(path, "tls.ca_file", f"{ca_file!r} not found")
        ca_file = str(ca_path)
    return TLSConfig(legacy=table.get("legacy", False), min_version=version,
                     verify=table.get("verify", True), ca_file=ca_file)


def sites_dirs() -> list[Path]:
    """The folders of site files: ``$GOVPRESS_SITES`` (one or more, ``os.pathsep``-separated) if set,
    else the shipped ``sites/``."""
    value = os.environ.get(SITES_ENV) or ""
    return [Path(p) for p in value.split(os.pathsep) if p.strip()] or [SITES_DIR]


def sites_dir() -> Path:
    """The (first) folder of site files: ``$GOVPRESS_SITES`` if set, else the shipped ``sites/``."""
    return sites_dirs()[0]


def load_sites(
    sites_dir: Path | None = None, dialects_dir: Path | None = None
) -> tuple[dict[str, SiteDefinition], list[str]]:
    """Load every ``*.toml`` site file; return the good sites and one error line per bad file.

    ``sites_dir`` defaults to the folders of ``sites_dirs()``, in order (a slug defined twice is
    refused); dialects come from each folder's ``dialects/`` when it has one, else from the
    shipped dialects.
    """
    folders = [Path(sites_dir)] if sites_dir is not None else sites_dirs()
    sites: dict[str, SiteDefinition] = {}
    errors: list[str] = []
    for folder in folders:
        if not folder.is_dir():
            errors.append(f"{folder}: not a folder of site files")
            continue
        own = folder / "dialects"
        dialects = dialects_dir or (own if own.is_dir() else DIALECTS_DIR)
        for path in sorted(folder.glob("*.toml")):
            try:
                site = parse_site(path, dialects)
                if site.slug in sites:
                    raise _err(path, "slug", f"{site.slug!r} is already defined by {sites[site.slug].path}")
            except SiteConfigError as exc:
                errors.append(str(exc))
                logger.error("site definition rejected: %s", exc)
                continue
            sites[site.slug] = site
    return sites, errors
