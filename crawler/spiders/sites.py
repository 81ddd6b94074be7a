"""One spider class per site definition, so that ``scrapy list`` and ``scrapy crawl SLUG`` work.

A site file that fails validation is logged and skipped; the others still load.
"""

from __future__ import annotations

from core.siteconfig import load_sites
from crawler.spiders.site import SiteSpider

SITES, SITE_ERRORS = load_sites()


def _spider_class(slug: str) -> type[SiteSpider]:
    site = SITES[slug]
    return type(
        f"Spider_{slug}",
        (SiteSpider,),
        {"name": slug, "site": site, "__module__": __name__, "__doc__": f"{site.name} ({slug})."},
    )


for _slug in SITES:
    globals()[f"Spider_{_slug}"] = _spider_class(_slug)
