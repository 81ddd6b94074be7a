"""What the reading pages show, built from the archive's read API (no SQL here).

Each ``*_page`` function takes an open ``Archive`` and returns the template
context of one page; the Datasette plugin (``reading/datasette/plugins``)
renders it.  Optional parts of the archive (press-conference transcripts,
attachment texts) are used when the read API offers them and left out
otherwise, so these pages work on every schema version the read API accepts.
"""

from __future__ import annotations

import logging
import sqlite3
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup, escape

from archive import Archive, ArchiveError, Document, SearchQueryError
from archive.fts import parse_query, snippet
from reading.diff import VersionDiff, diff_versions, paragraphs

logger = logging.getLogger(__name__)

BEIJING = timezone(timedelta(hours=8), "Beijing")
SEARCH_LIMIT = 50
MAX_LIMIT = 800
LATEST_LIMIT = 30
COVERAGE_WEEKS = 52
"""Most weeks shown on the coverage chart, ending with the newest publication week."""
_MARK = ("\x02", "\x03")


def beijing(ts: str | None) -> str:
    """An ISO time as ``YYYY-MM-DD HH:MM`` Beijing time; a bare date stays a date."""
    if not ts:
        return ""
    text = ts.strip()
    if len(text) == 10:
        return text
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        return text
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=BEIJING)  # page dates without an offset are China time
    return dt.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def marked(text: str) -> Markup:
    """Escape ``text`` and turn the search marks into ``<mark>`` elements."""
    return Markup(str(escape(text)).replace(_MARK[0], "<mark>").replace(_MARK[1], "</mark>"))


def field_of(obj: Any, *names: str, default: Any = "") -> Any:
    """The first present attribute or key of ``obj`` among ``names``."""
    for name in names:
        if isinstance(obj, Mapping) and obj.get(name) not in (None, ""):
            return obj[name]
        value = getattr(obj, name, None)
        if value not in (None, ""):
            return value
    return default


def web_link(url: str) -> str:
    """``url`` if it is an http(s) address, else '' (a page's ``javascript:`` link never becomes ours)."""
    return url if urlsplit(url.strip()).scheme.lower() in ("http", "https") else ""


def _optional(archive: Archive, method: str, *args: Any) -> Any:
    """Call an optional read-API method; None when this archive or govpress has no such data."""
    fn = getattr(archive, method, None)
    if fn is None:
        return None
    try:
        return fn(*args)
    except (ArchiveError, sqlite3.Error) as exc:
        logger.info("%s unavailable: %s", method, exc)
        return None


# -- document page --------------------------------------------------------------------------
@dataclass(frozen=True)
class Version:
    number: int
    title: str
    fetched_at: str
    replaced_at: str
    diff: VersionDiff | None
    """Diff to the next version (None for the current one)."""


@dataclass(frozen=True)
class Member:
    id: int
    title: str
    site: str
    published: str
    url: str
    original: bool
    current: bool
    duplicate_of: int | None


@dataclass
class DocPage:
    doc: Document
    site_name: str
    region: str
    published: str
    first_seen: str
    fetched_at: str
    paragraphs: list[str]
    raw_pages: list[tuple[int, str]]
    raw_id: int | None
    versions: list[Version]
    cluster: list[Member]
    transcript: dict[str, Any] | None
    attachments: list[dict[str, str]]
    citation: str
    flags: list[str] = field(default_factory=list)
    link: str = ""
    """The page's URL when it is safe to link (http or https)."""


def _transcript(archive: Archive, doc_id: int) -> dict[str, Any] | None:
    t = _optional(archive, "transcript", doc_id)
    if not t:
        return None
    participants = [
        {"name": str(field_of(p, "name")), "title": str(field_of(p, "title")),
         "org": str(field_of(p, "org", "organization")), "role": str(field_of(p, "role"))}
        for p in field_of(t, "participants", default=[]) or []
    ]
    turns = [
        {"speaker": str(field_of(u, "speaker", "name")), "role": str(field_of(u, "role")),
         "outlet": str(field_of(u, "outlet")), "text": str(field_of(u, "text", "body"))}
        for u in field_of(t, "turns", default=[]) or []
    ]
    if not participants and not turns:
        return None
    event = field_of(t, "event", default=t)  # the stored form is flat, the parsed one nests it
    return {"participants": participants, "turns": turns,
            "title": str(field_of(event, "title")), "kind": str(field_of(event, "kind")),
            "date": str(field_of(event, "date")), "organiser": str(field_of(event, "organiser")),
            "venue": str(field_of(event, "venue"))}


def _attachments(archive: Archive, doc: Document) -> list[dict[str, str]]:
    stored = _optional(archive, "attachments", doc.id) or []
    out: list[dict[str, str]] = []
    seen: set[str] = set()
    for a in stored:
        url = str(field_of(a, "url", "href"))
        seen.add(url)
        out.append({"url": url, "link": web_link(url), "name": str(field_of(a, "name", "title", default=url)),
                    "text": str(field_of(a, "text", "body", "content")),
                    "status": str(field_of(a, "status", "error"))})
    for a in doc.attachments:
        url = str(a.get("url", ""))
        if url and url not in seen:
            out.append({"url": url, "link": web_link(url), "name": str(a.get("name") or url), "text": "",
                        "status": ""})
    return out


def citation(doc: Document, site_name: str) -> str:
    """A plain citation: headline, issuer, date, URL, archived time and govpress id."""
    who = doc.source or site_name or doc.site
    day = (doc.published or "")[:10] or "n.d."
    return (f"{who}. “{doc.title}”. {day}. {doc.url}. Archived by govpress {beijing(doc.fetched_at)[:10]},"
            f" document {doc.id}, body hash {doc.body_hash[:16]}.")


def doc_page(archive: Archive, doc_id: int) -> DocPage | None:
    doc = archive.document(doc_id)
    if doc is None:
        return None
    site = archive.sites().get(doc.site)
    site_name = site.name if site else doc.site_name
    region = " ".join(x for x in (site.province if site else "", site.city if site else "") if x)
    if doc.region_code:
        region = f"{region} ({doc.region_code})" if region else doc.region_code
    revs = archive.revisions_of(doc.id)
    chain: list[tuple[int, str, str, str, str, str]] = [
        (r.revision, r.title, r.body, r.fetched_at, r.replaced_at, "") for r in revs]
    chain.append((doc.revision_count, doc.title, doc.body, doc.fetched_at, "", ""))
    versions = []
    for i, (num, title, body, fetched, replaced, _) in enumerate(chain):
        nxt = chain[i + 1] if i + 1 < len(chain) else None
        d = diff_versions(title, body, nxt[1], nxt[2]) if nxt else None
        versions.append(Version(num, title, beijing(fetched), beijing(replaced), d))
    members = archive.cluster(doc.id)
    first = members[0].id if members else None  # earliest published: the original
    cluster = [
        Member(m.id, m.title, m.site, beijing(m.published), m.url, m.id == first, m.id == doc.id,
               m.duplicate_of)
        for m in members
    ] if len(members) > 1 else []
    raws = archive.raw_page_ids(doc.id)
    return DocPage(
        doc=doc, site_name=site_name, region=region, published=beijing(doc.published),
        first_seen=beijing(doc.first_seen), fetched_at=beijing(doc.fetched_at),
        paragraphs=paragraphs(doc.body), raw_pages=raws, raw_id=raws[-1][0] if raws else None,
        versions=versions, cluster=cluster, transcript=_transcript(archive, doc.id),
        attachments=_attachments(archive, doc), citation=citation(doc, site_name),
        flags=list(doc.flags), link=web_link(doc.url),
    )


# -- search ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Hit:
    id: int
    title: Markup
    site: str
    site_name: str
    published: str
    source: str
    snippet: Markup


@dataclass
class SearchPage:
    q: str
    site: str
    since: str
    until: str
    speaker: str
    sites: list[tuple[str, str]]
    hits: list[Hit]
    error: str
    latest: bool
    """No query: the hits are the latest documents."""
    speaker_search: bool
    """The archive holds transcripts, so the speaker filter works."""
    limit: int = SEARCH_LIMIT

    @property
    def more(self) -> int | None:
        """A larger limit to ask for when this page may not show every hit."""
        return min(self.limit * 4, MAX_LIMIT) if len(self.hits) >= self.limit and self.limit < MAX_LIMIT else None


def _date_arg(value: str, label: str) -> str:
    value = value.strip()
    if not value:
        return ""
    try:
        date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{label} date {value!r} is not a date like 2026-05-01") from None
    return value


def _speaks(archive: Archive, doc_id: int, speaker: str) -> bool:
    t = _transcript(archive, doc_id)
    if t is None:
        return False
    names = [p["name"] for p in t["participants"]] + [u["speaker"] for u in t["turns"]]
    return any(speaker in n for n in names if n)


def _turn_hits(archive: Archive, q: str, speaker: str, site: str, since: str, until: str, limit: int
               ) -> list[tuple[Document, str, tuple[str, ...]]]:
    """Documents in which ``speaker`` said something matching ``q``, best turn first."""
    terms = parse_query(q).terms
    out: list[tuple[Document, str, tuple[str, ...]]] = []
    seen: set[int] = set()
    search_turns = getattr(archive, "search_turns")  # noqa: B009 - present once transcripts are archived
    for hit in search_turns(q, speaker=speaker, limit=limit * 4, mark=_MARK):
        doc_id = int(hit.turn.document_id)
        if doc_id in seen:
            continue
        doc = archive.document(doc_id)
        day = (doc.published or "")[:10] if doc else ""
        if doc is None or (site and doc.site != site) or (since and day < since) or (until and day > until):
            continue
        seen.add(doc_id)
        out.append((doc, f"{hit.turn.speaker}：{hit.snippet}", terms))
    return out[:limit]


def search_page(archive: Archive, q: str = "", site: str = "", since: str = "", until: str = "",
                speaker: str = "", limit: int = SEARCH_LIMIT) -> SearchPage:
    """Ranked hits for ``q`` (or the latest documents), with friendly errors."""
    sites = {slug: s.name for slug, s in archive.sites().items()}
    speaker_search = hasattr(archive, "transcript")
    limit = max(1, min(int(limit), MAX_LIMIT))
    page = SearchPage(q, site, since, until, speaker, sorted(sites.items()), [], "", not q.strip(),
                      speaker_search, limit)
    try:
        since_d, until_d = _date_arg(since, "from"), _date_arg(until, "to")
    except ValueError as exc:
        page.error = str(exc)
        return page
    if site and site not in sites:
        page.error = f"unknown site {site!r}"
        return page
    want = limit * 4 if speaker else limit
    if not q.strip():
        docs = archive.latest(site=site or None, since=since_d or None, until=until_d or None,
                              limit=want if speaker else min(limit, LATEST_LIMIT))
        found: list[tuple[Document, str, tuple[str, ...]]] = [
            (d, d.body[:160] + ("…" if len(d.body) > 160 else ""), ()) for d in docs]
    elif speaker and hasattr(archive, "search_turns"):
        try:
            found = _turn_hits(archive, q, speaker, site, since_d, until_d, limit)
        except SearchQueryError as exc:
            page.error = f"{exc}. Words are ANDed; use \"quoted phrases\", -word, a OR b, title:word."
            return page
        speaker = ""  # already applied
    else:
        try:
            terms = parse_query(q).terms
            hits = archive.search(q, site=site or None, since=since_d or None, until=until_d or None,
                                  limit=want, mark=_MARK)
        except SearchQueryError as exc:
            page.error = f"{exc}. Words are ANDed; use \"quoted phrases\", -word, a OR b, title:word."
            return page
        found = [(h.document, h.snippet, terms) for h in hits]
    if speaker:
        if not speaker_search:
            page.error = "this archive has no press-conference transcripts: the speaker filter needs them"
            return page
        found = [f for f in found if _speaks(archive, f[0].id, speaker)][:limit]
    for d, snip, terms in found:
        title = snippet(d.title, terms, width=len(d.title) + 1, mark=_MARK) if terms else d.title
        page.hits.append(Hit(d.id, marked(title), d.site, sites.get(d.site, d.site_name),
                             beijing(d.published), d.source, marked(snip)))
    return page


# -- coverage -------------------------------------------------------------------------------
@dataclass(frozen=True)
class SiteRun:
    site: str
    name: str
    documents: int
    last_published: str
    status: str
    started: str
    finished: str
    counts: str
    error: str
    block_kind: str
    failed_checks: list[str]
    checked: bool
    """The breakage checks ran (they run after a crawl that finished)."""
    last_ok: str

    @property
    def failing(self) -> bool:
        return self.status not in ("ok", "running") or bool(self.failed_checks)


@dataclass
class CoveragePage:
    weeks: list[str]
    chart: Markup
    runs: list[SiteRun]
    total: int


def block_kind(stats: Mapping[str, Any]) -> str:
    """How the site refused the crawl, as the run's stats record it (``block/kind``, its detail)."""
    kind = stats.get("block/kind") or stats.get("block_kind")
    if kind:
        detail = stats.get("block/detail")
        return f"{kind} ({detail})" if detail else str(kind)
    return "blocked (kind not recorded)" if stats.get("fetch_errors/blocked") else ""


def run_counts(r: Any) -> str:
    """``16 pages, 11 new, 2 errors``: pages and new always, the other counters when not zero."""
    parts = [f"{r.pages} pages", f"{r.new} new"]
    parts += [f"{n} {label}" for n, label in ((r.updated, "updated"), (r.unchanged, "unchanged"),
                                               (r.duplicate, "duplicate"), (r.errors, "errors")) if n]
    return ", ".join(parts)


def week_of(day: str) -> str:
    d = date.fromisoformat(day[:10])
    return (d - timedelta(days=d.weekday())).isoformat()


def coverage_chart(series: dict[str, dict[str, int]], weeks: list[str]) -> Markup:
    """Documents per site per week as small-multiple bar charts in one inline SVG."""
    label_w, bar_w, gap, row_h, top = 110, 12, 3, 56, 10
    width = label_w + len(weeks) * (bar_w + gap) + 40
    height = top + len(series) * row_h + 40
    peak = max((n for s in series.values() for n in s.values()), default=0) or 1
    first, last = (weeks[0], weeks[-1]) if weeks else ("", "")
    out = [(f'<svg xmlns="http://www.w3.org/2000/svg" class="coverage-chart" role="img"'
            f' width="{width}" height="{height}" viewBox="0 0 {width} {height}">'),
           f"<title>Documents per site per week, {escape(first)} to {escape(last)}</title>"]
    for i, (site, per_week) in enumerate(series.items()):
        y0 = top + i * row_h
        base = y0 + row_h - 16
        out.append(f'<text x="0" y="{base - 14}" class="site">{escape(site)}</text>')
        out.append(f'<line x1="{label_w}" y1="{base}" x2="{width - 40}" y2="{base}" class="axis"/>')
        for j, wk in enumerate(weeks):
            n = per_week.get(wk, 0)
            h = round((row_h - 24) * n / peak)
            x = label_w + j * (bar_w + gap)
            cls = "bar" if n else "bar empty"
            out.append(f'<rect x="{x}" y="{base - max(h, 1)}" width="{bar_w}" height="{max(h, 1)}"'
                       f' class="{cls}"><title>{escape(site)}, week of {wk}: {n}</title></rect>')
            if n:
                out.append(f'<text x="{x + bar_w / 2}" y="{base - h - 2}" class="n">{n}</text>')
    axis_y = top + len(series) * row_h + 4
    for j, wk in enumerate(weeks):
        if j % 4 == 0 or (j == len(weeks) - 1 and j % 4 >= 2):
            x = label_w + j * (bar_w + gap)
            out.append(f'<text x="{x}" y="{axis_y + 12}" class="week">{wk[5:]}</text>')
    out.append(f'<text x="{label_w}" y="{axis_y + 28}" class="week">week starting (Monday);'
               f" tallest bar = {peak} documents</text>")
    out.append("</svg>")
    return Markup("".join(out))


def coverage_page(archive: Archive, weeks: int = COVERAGE_WEEKS) -> CoveragePage:
    stats = archive.stats()
    series: dict[str, dict[str, int]] = {}
    newest = ""
    for slug, s in stats.items():
        per: dict[str, int] = defaultdict(int)
        for day, n in s.per_day.items():
            try:
                per[week_of(day)] += n
            except ValueError:
                continue
        series[slug] = dict(per)
        newest = max([newest, *per])
    axis: list[str] = []
    if newest:
        end = date.fromisoformat(newest)
        oldest = min(wk for per in series.values() for wk in per)
        span = min(weeks, (end - date.fromisoformat(oldest)).days // 7 + 1)
        axis = [(end - timedelta(weeks=k)).isoformat() for k in range(span - 1, -1, -1)]
    runs = []
    for slug, s in stats.items():
        r = s.last_run
        st = r.stats if r else {}
        failed = st.get("monitor/failed") or []
        runs.append(SiteRun(
            site=slug, name=s.name, documents=s.documents, last_published=beijing(s.last_published),
            status=r.status if r else "never run", started=beijing(r.started_at) if r else "",
            finished=beijing(r.finished_at) if r else "",
            counts=run_counts(r) if r else "",
            error=r.error if r else "", block_kind=block_kind(st),
            failed_checks=[str(f) for f in failed] if isinstance(failed, list) else [str(failed)],
            checked=r is not None and r.status in ("ok", "partial"),
            last_ok=beijing(s.last_success.finished_at) if s.last_success else "",
        ))
    return CoveragePage(axis, coverage_chart(series, axis), runs,
                        sum(s.documents for s in stats.values()))
