"""Per-site templates, one module per site, over shared per-CMS modules (hanweb, trs)."""

from __future__ import annotations

from .blocks import BLOCK_HOSTS
from .common import Column, Page, SiteApp
from .dzwww import DzwwwPortal, DzwwwSite
from .jinan import JinanSite
from .portals import portal_classes
from .province import ProvinceSite
from .qingdao import QingdaoSite

HAND_WRITTEN: tuple[type[SiteApp], ...] = (ProvinceSite, JinanSite, QingdaoSite, DzwwwSite)
"""The four first sites, each with its own module and hand-written texts (``data/<slug>.json``)."""
SITE_CLASSES: tuple[type[SiteApp], ...] = (*HAND_WRITTEN, *portal_classes())
"""Apps that own articles, one per slug (generated portals from ``portal_facts.py`` after the four)."""
EXTRA_HOSTS: tuple[type[SiteApp], ...] = (DzwwwPortal, *BLOCK_HOSTS)
"""Further hosts served without articles of their own."""

__all__ = ["EXTRA_HOSTS", "HAND_WRITTEN", "SITE_CLASSES", "Column", "Page", "SiteApp"]
