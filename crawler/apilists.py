"""List mechanisms that need a second request: JSON list APIs and list scripts.

A site's list column names its mechanism (``core.siteconfig.MECHANISMS``).  For the
server-rendered ones (``html``, ``datastore``) ``crawler.links`` reads the page; for
the others the column page is a JavaScript shell whose rows only a data call returns:

- ``jpaas_unit`` (Hanweb jpaas): the shell's unitbuild.js script tag carries ``url`` and
  ``queryData``; the rows come from
  ``/api-gateway/jpaas-publish-server/front/page/build/unit?<queryData>`` (page N adds
  ``paramJson={"pageNo":N,"pageSize":R}``) as ``{"success": true, "code": "200",
  "data": {"html": "<ul><li>…</li></ul><div class=pagination rows count pageNo>"}}``.
- ``gkmlpt_api`` (Guangdong): the list URL is ``/gkmlpt/api/all/<cat>?page=N&sid=S``,
  answering ``{"classify": {"post_count": N}, "articles": [{"url": …}]}``.
- ``datacall`` (Hanweb): the shell includes ``/jact/front/datacall/showJsContent.do?iid=N``,
  a script that ``document.write``s the rows.

``list_page`` is the one entry point: it returns the article links, the next list URL,
and, for a shell, the data URL to fetch in its place.
"""

from __future__ import annotations

import ast
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from parsel import Selector

from core.siteconfig import ListPage, SiteDefinition
from core.urls import safe_join
from crawler.links import article_links, next_page

logger = logging.getLogger(__name__)

UNIT_PATH = "/api-gateway/jpaas-publish-server/front/page/build/unit"


@dataclass
class ListResult:
    links: list[str] = field(default_factory=list)
    next_url: str | None = None
    data_url: str | None = None
    """A shell page's data call: fetch it as this same list page."""
    problem: str = ""
    """Why a page that should hold data does not (bad JSON, API refusal)."""


def _with_query(url: str, **params: object) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update({k: str(v) for k, v in params.items()})
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def _filter(hrefs: list[str], base_url: str, site: SiteDefinition) -> list[str]:
    pattern = site.article_re
    seen: set[str] = set()
    out: list[str] = []
    for href in hrefs:
        href = href.strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        url = safe_join(base_url, href)  # a malformed link is skipped, never raised
        if url and pattern.search(url.split("?", 1)[0].split("#", 1)[0]) and url not in seen:
            seen.add(url)
            out.append(url)
    return out


def _json(text: str) -> object | None:
    try:
        data: object = json.loads(text)
    except ValueError:
        return None
    return data


def unit_shell(html: str, url: str, lst: ListPage) -> str | None:
    """The unit-build API URL for page 1 of a jpaas shell, or ``None`` when it has none.

    unitbuild.js reads the ``url`` (or ``unitUrl``) and ``queryData`` attributes of its
    script tag (or of a pagination div) and sends the ``queryData`` keys as GET parameters;
    page 1 carries no paging parameter.
    """
    sel = Selector(text=html)
    node = sel.xpath("//*[@querydata][@url or @uniturl]")
    params: dict[str, str] = {}
    unit_url = UNIT_PATH
    if node:
        attrs = node[0].attrib
        unit_url = attrs.get("url") or attrs.get("uniturl") or UNIT_PATH
        raw = attrs.get("querydata", "{}")
        try:
            data = json.loads(raw.replace("'", '"'))
        except ValueError:
            data = {}
        if isinstance(data, dict):
            params = {str(k): str(v) for k, v in data.items()}
    params.update(lst.api)
    if "pageId" not in params:
        return None
    params.setdefault("parseType", "bulidstatic")
    base = safe_join(url, unit_url)
    return f"{base}?{urlencode(params)}" if base else None


def _unit_page_number(url: str) -> int:
    query = dict(parse_qsl(urlsplit(url).query))
    try:
        paging = json.loads(query.get("paramJson", "{}"))
        return int(paging.get("pageNo", 1)) if isinstance(paging, dict) else 1
    except (ValueError, TypeError):
        return 1


def _unit_page(text: str, url: str, site: SiteDefinition) -> ListResult:
    """Rows of a unit-build answer; the next page while its pagination div says there is one."""
    data = _json(text)
    if not isinstance(data, dict) or not data.get("success") or not isinstance(data.get("data"), dict):
        return ListResult(problem="unit-build API answered without success/data")
    html = str(data["data"].get("html", ""))
    sel = Selector(text=f"<div>{html}</div>")
    found = _filter(sel.xpath("//a/@href").getall(), url, site) if html.strip() else []
    page = _unit_page_number(url)
    pager = sel.xpath("//div[@count][@rows]")
    try:
        rows = int(pager.attrib["rows"]) if pager else len(found)
        count = int(pager.attrib["count"]) if pager else 0
    except ValueError:
        rows, count = len(found), 0
    more = bool(found) and (page * rows < count if pager else False)
    nxt = _with_query(url, paramJson=json.dumps({"pageNo": page + 1, "pageSize": rows}, separators=(",", ":")))
    return ListResult(found, nxt if more else None)


def _gkmlpt_page(text: str, url: str, site: SiteDefinition) -> ListResult:
    """Links of a gkmlpt API page; the next page until ``classify.post_count`` is reached."""
    data = _json(text)
    if not isinstance(data, dict) or not isinstance(data.get("articles"), list):
        return ListResult(problem="gkmlpt API answered without an articles list")
    arts = [a for a in data["articles"] if isinstance(a, dict)]
    found = _filter([str(a.get("url") or "") for a in arts], url, site)
    query = dict(parse_qsl(urlsplit(url).query))
    try:
        page = int(query.get("page", "1"))
    except ValueError:
        page = 1
    classify = data.get("classify")
    total = classify.get("post_count") if isinstance(classify, dict) else None
    more = bool(arts) and (not isinstance(total, int) or page * len(arts) < total)
    return ListResult(found, _with_query(url, page=page + 1) if more else None)


_WRITE_RE = re.compile(r"document\.write(?:ln)?\(\s*(\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*')\s*\)", re.S)


def script_html(js: str) -> str:
    """The HTML a ``document.write`` script writes (string literals only)."""
    out = []
    for lit in _WRITE_RE.findall(js):
        try:
            out.append(str(json.loads(lit)) if lit.startswith('"') else str(ast.literal_eval(lit)))
        except (ValueError, SyntaxError):
            out.append(lit[1:-1])
    return "".join(out)


def datacall_src(html: str, url: str) -> str | None:
    src = Selector(text=html).xpath("//script/@src[contains(., 'showJsContent.do')]").get()
    return safe_join(url, src) if src else None


def list_page(text: str, url: str, lst: ListPage, site: SiteDefinition, page: int,
              content_type: str = "", *, on_bad: Callable[[str], None] | None = None) -> ListResult:
    """Article links and the next list URL of one list response (HTML, JSON or script).

    ``on_bad`` is told of each malformed link, which is skipped (never raised).
    """
    mech = lst.mechanism
    is_json = "json" in content_type or text.lstrip().startswith(("{", "["))
    if mech == "gkmlpt_api":
        return _gkmlpt_page(text, url, site)
    if mech == "jpaas_unit":
        if is_json:
            return _unit_page(text, url, site)
        found = article_links(text, url, site, on_bad=on_bad)
        shell = unit_shell(text, url, lst)
        if found:  # pre-rendered first page: the API serves page 2 on
            paging = json.dumps({"pageNo": 2, "pageSize": max(len(found), 1)}, separators=(",", ":"))
            return ListResult(found, _with_query(shell, paramJson=paging) if shell else None)
        return ListResult(data_url=shell, problem="" if shell else "jpaas shell without unit parameters")
    if mech == "datacall":
        if "javascript" in content_type or "document.write" in text[:200]:
            html = script_html(text)
            return ListResult(_filter(Selector(text=html or "<p/>").xpath("//a/@href").getall(), url, site))
        found = article_links(text, url, site, on_bad=on_bad)
        if found:
            return ListResult(found)
        src = datacall_src(text, url)
        return ListResult(data_url=src, problem="" if src else "no datacall script on the shell page")
    return ListResult(article_links(text, url, site, on_bad=on_bad), next_page(text, url, lst, page))
