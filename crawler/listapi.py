"""Data-API requests for list pages whose rows are rendered client-side (``empty_shell``).

When a list page names the API its rows come from, the request a browser would
make is built from what the page shows, and the answer is turned back into HTML
that ``crawler.links.article_links`` reads.  Nothing is guessed: a page that
does not show the parameters gets no request.  Supported (SITES.md §1, §4):

``hanweb dataproxy.jsp``  ``POST /module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=45&perpage=15``
                          with the page's ``ajaxParam``/form fields (``col``, ``webid``, ``columnid``,
                          ``unitid``, ``sourceContentType``, ``webname``, ``permissiontype``, ``path``);
                          answers XML ``<record><![CDATA[…]]></record>`` rows.
``jpaas unit build``      ``GET <unitUrl>&paramJson={"pageNo":1,"pageSize":N}``; answers JSON ``data.html``.
``showJsContent.do``      ``GET`` the script URL; answers JavaScript that ``document.write``s the rows.

A platform dialect can call ``api_request`` / ``rows_html`` directly; ``SiteSpider``
calls them for sites whose file sets ``[links] api = true``.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any
from urllib.parse import urlencode, urljoin

import scrapy

from crawler.blocks import Block
from crawler.links import datastore_records

logger = logging.getLogger(__name__)

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
        url = api + ("&" if "?" in api else "?") + urlencode(
            {"paramJson": json.dumps({"pageNo": 1, "pageSize": int(rows) if rows.isdigit() else 15},
                                     separators=(",", ":"))})
        return scrapy.Request(url, meta=meta, headers={"Referer": page_url}, **kwargs)
    if "showJsContent.do" in api:
        return scrapy.Request(api, meta=meta, headers={"Referer": page_url}, **kwargs)
    return None


_WRITE_RE = re.compile(r"""document\.write(?:ln)?\(\s*(["'])(.*?)(?<!\\)\1\s*\)""", re.DOTALL)


def rows_html(body: str) -> str:
    """The rows of a data-API answer as HTML (XML records, JSON ``data.html``, or JS writes)."""
    text = body.strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            return text
        inner = data.get("data") if isinstance(data, dict) else None
        if isinstance(inner, dict):
            return str(inner.get("html") or "")
        return str(inner or "")
    if "<record" in text:  # dataproxy XML: the rows are CDATA records
        return "\n".join(datastore_records(text))
    writes = _WRITE_RE.findall(text)
    if writes:
        return "".join(w[1].replace("\\'", "'").replace('\\"', '"').replace("\\/", "/") for w in writes)
    return text
