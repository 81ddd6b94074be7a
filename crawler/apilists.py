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

A list page that turns out to be an empty shell although its site file declares none
of these (``crawler.blocks`` names it ``empty_shell``) gets, when the site file says
``[links] api = true``, the request a browser would make, built from what the page
shows (``api_request``), and the answer turned back into HTML (``rows_html``).  Nothing
is guessed: a page that does not show the parameters gets no request.  Supported
(SITES.md §1, §4):

``hanweb dataproxy.jsp``  ``POST /module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=45&perpage=15``
                          with the page's ``ajaxParam``/form fields (``col``, ``webid``, ``columnid``,
                          ``unitid``, ``sourceContentType``, ``webname``, ``permissiontype``, ``path``);
                          answers XML ``<record><![CDATA[…]]></record>`` rows.
``jpaas unit build``      ``GET <unitUrl>&paramJson={"pageNo":1,"pageSize":N}``; answers JSON ``data.html``.
``showJsContent.do``      ``GET`` the script URL; answers JavaScript that ``document.write``s the rows.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import scrapy
from parsel import Selector

from core.siteconfig import ListPage, SiteDefinition
from core.urls import safe_join
from crawler.blocks import Block
from crawler.links import article_links, datastore_records, next_page

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


def _unit_html(data: object) -> str | None:
    """The rows of a unit-build answer (``data.html``); ``None`` when it has no ``data`` object."""
    inner = data.get("data") if isinstance(data, dict) else None
    return str(inner.get("html") or "") if isinstance(inner, dict) else None


def _unit_paging(url: str, page: int, rows: int) -> str:
    """``url`` asking the unit-build API for page ``page`` of ``rows`` rows."""
    return _with_query(url, paramJson=json.dumps({"pageNo": page, "pageSize": rows}, separators=(",", ":")))


def _unit_page(text: str, url: str, site: SiteDefinition) -> ListResult:
    """Rows of a unit-build answer; the next page while its pagination div says there is one."""
    data = _json(text)
    html = _unit_html(data) if isinstance(data, dict) and data.get("success") else None
    if html is None:
        return ListResult(problem="unit-build API answered without success/data")
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
    return ListResult(found, _unit_paging(url, page + 1, rows) if more else None)


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
_JS_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)", re.S)
_JS_CONTROL = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


def _js_string(literal: str) -> str:
    """The value of one JavaScript string literal (quotes included), escapes as JavaScript reads them."""
    def one(m: re.Match[str]) -> str:
        esc = m.group(1)
        if len(esc) > 1:  # \uXXXX or \xXX
            return chr(int(esc[1:], 16))
        return _JS_CONTROL.get(esc, "" if esc == "\n" else esc)  # \/ is /, \' is ', a line continuation is nothing

    return _JS_ESCAPE.sub(one, literal[1:-1])


def script_html(js: str) -> str:
    """The HTML a ``document.write`` script writes (string literals only)."""
    return "".join(_js_string(lit) for lit in _WRITE_RE.findall(js))


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
            return ListResult(found, _unit_paging(shell, 2, max(len(found), 1)) if shell else None)
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


# --- empty shells without a declared mechanism (``[links] api = true``) -----------------

DATAPROXY_FIELDS = ("col", "appid", "webid", "path", "columnid", "sourceContentType", "unitid", "webname",
                    "permissiontype")
GROUP = 45
"""Records per dataproxy call: Hanweb's ``groupSize`` 3 × ``perpage`` 15 (SITES.md §1)."""
_PARAM_RE = r"""(?:["']?{name}["']?)\s*[:=]\s*(?:"([^"]*)"|'([^']*)'|([\w.\-/]+))"""
API_META = "govpress_list_api"


def _param(text: str, name: str) -> str | None:
    m = re.search(_PARAM_RE.format(name=re.escape(name)), text)
    if not m:
        return None
    return next(g for g in m.groups() if g is not None)


def dataproxy_form(text: str) -> dict[str, str]:
    """The dataproxy form fields the page shows (empty when it shows no ``columnid``)."""
    form = {k: v for k in DATAPROXY_FIELDS if (v := _param(text, k)) is not None}
    return form if "columnid" in form else {}


def api_request(block: Block, page_url: str, page_text: str, **kwargs: Any) -> scrapy.Request | None:
    """The request for the data API an empty-shell list page names, or ``None``.

    ``kwargs`` go to ``scrapy.Request`` (callback, errback, cb_kwargs …); the API's name is in
    ``meta[API_META]`` for ``rows_html``.
    """
    if block.kind != "empty_shell" or not block.api:
        return None
    api = urljoin(page_url, block.api)
    meta = {**kwargs.pop("meta", {}), API_META: block.detail}
    if "dataproxy.jsp" in api:
        form = dataproxy_form(page_text)
        if not form:
            logger.warning("dataproxy.jsp named but its parameters are not on the page: %s", page_url)
            return None
        per_page = _param(page_text, "perPage") or "15"
        sep = "&" if "?" in api else "?"
        url = f"{api}{sep}startrecord=1&endrecord={GROUP}&perpage={per_page}"
        return scrapy.FormRequest(url, formdata=form, meta=meta, headers={
            "X-Requested-With": "XMLHttpRequest", "Referer": page_url}, **kwargs)
    if "/page/build/unit" in api:
        rows = _param(page_text, "rows") or "15"
        url = _unit_paging(api, 1, int(rows) if rows.isdigit() else 15)
        return scrapy.Request(url, meta=meta, headers={"Referer": page_url}, **kwargs)
    if "showJsContent.do" in api:
        return scrapy.Request(api, meta=meta, headers={"Referer": page_url}, **kwargs)
    return None


def rows_html(body: str) -> str:
    """The rows of a data-API answer as HTML (XML records, JSON ``data.html``, or JS writes)."""
    text = body.strip()
    if text.startswith("{"):
        data = _json(text)
        if data is None:
            return text
        html = _unit_html(data)
        if html is not None:
            return html
        return str(data.get("data") or "") if isinstance(data, dict) else ""
    if "<record" in text:  # dataproxy XML: the rows are CDATA records
        return "\n".join(datastore_records(text))
    return script_html(text) or text
