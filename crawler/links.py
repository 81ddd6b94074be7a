"""List-page parsing: article links and the next page, driven by a site definition.

Rows may be server-rendered or, on Hanweb JCMS, CDATA records inside
``<script type="text/xml"><datastore>…</datastore></script>`` that a browser
would render with JavaScript.  Both are read here, without a browser.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from parsel import Selector

from core.siteconfig import ListPage, SiteDefinition
from core.urls import safe_join

logger = logging.getLogger(__name__)

_CDATA_RE = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.S)
_RECORD_RE = re.compile(r"<record>\s*(.*?)\s*</record>", re.S | re.I)


def datastore_records(html: str) -> list[str]:
    """HTML fragments of the Hanweb ``<record>`` rows embedded in a list page."""
    fragments: list[str] = []
    for record in _RECORD_RE.findall(html):
        cdata = _CDATA_RE.search(record)
        fragments.append(cdata.group(1) if cdata else record)
    return fragments


def _hrefs(sel: Selector, scope: str) -> list[str]:
    roots = sel.css(scope) if scope else [sel]
    return [h for root in roots for h in root.xpath(".//a/@href").getall()]


def article_links(
    html: str, base_url: str, site: SiteDefinition, *, on_bad: Callable[[str], None] | None = None
) -> list[str]:
    """Absolute article URLs on a list page, in page order, without repeats.

    Links are taken from the site's ``links.scope`` (whole page when unset) and
    from datastore records, and kept when they match ``links.pattern``.  A
    malformed link (``http://[::1/a``) is skipped and passed to ``on_bad``; the
    page's other links are still returned.
    """
    sel = Selector(text=html)
    hrefs = _hrefs(sel, site.link_scope)
    if site.datastore:
        for fragment in datastore_records(html):
            hrefs.extend(Selector(text=fragment).xpath("//a/@href").getall())
    pattern = site.article_re
    seen: set[str] = set()
    links: list[str] = []
    for href in hrefs:
        href = href.strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        url = safe_join(base_url, href)
        if url is None:
            if on_bad is not None:
                on_bad(href)
            continue
        if pattern.search(url.split("?", 1)[0].split("#", 1)[0]) and url not in seen:
            seen.add(url)
            links.append(url)
    return links


_PAGER_RE = re.compile(
    r"createPageHTML\(\s*(?:'[^']*'\s*,\s*)?(\w+)\s*,\s*(\w+)\s*,\s*[\"']([\w-]+)[\"']\s*,\s*[\"'](\w+)[\"']")


def trs_pager(html: str) -> tuple[int, int, str, str] | None:
    """``(page count, current page (0-based), name, extension)`` from a TRS pager script.

    Reads ``createPageHTML(89, 1, "index", "shtml", …)`` and the variable form
    ``var countPage = 9; var currentPage = 0; createPageHTML(countPage, currentPage, "index", "shtml")``.
    """
    m = _PAGER_RE.search(html)
    if not m:
        return None
    values = []
    for token in m.group(1, 2):
        if token.isdigit():
            values.append(int(token))
            continue
        var = re.search(rf"\b{re.escape(token)}\s*=\s*(\d+)", html)
        if not var:
            return None
        values.append(int(var.group(1)))
    return values[0], values[1], m.group(3), m.group(4)


def next_page(html: str, base_url: str, lst: ListPage, page: int) -> str | None:
    """URL of list page ``page + 1`` (pages count from 1), or ``None`` at the cap or the end.

    A TRS ``createPageHTML`` pager script on the page is authoritative: it names the
    page count, so the crawl stops on the last page instead of probing for a 404.
    """
    if page >= lst.max_pages:
        return None
    pager = trs_pager(html) if "createPageHTML" in html else None
    if pager is not None:
        count, current, name, ext = pager
        return safe_join(base_url, f"{name}_{current + 1}.{ext}") if current + 1 < count else None
    if lst.pages:
        return safe_join(lst.url, lst.pages.format(n=lst.first + page - 1))
    if lst.next_xpath:
        href = Selector(text=html).xpath(lst.next_xpath).get()
        if not href or not href.strip():
            return None
        url = safe_join(base_url, href)
        if url is None:
            logger.warning("malformed next-page link %r on %s; paging stops", href, base_url)
        return url
    return None
