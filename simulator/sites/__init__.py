"""Per-site templates, one module per site, over shared per-CMS modules (hanweb, trs)."""

from __future__ import annotations

from .common import Column, Page, SiteApp
from .dzwww import DzwwwPortal, DzwwwSite
from .jinan import JinanSite
from .province import ProvinceSite
from .qingdao import QingdaoSite

SITE_CLASSES: tuple[type[SiteApp], ...] = (ProvinceSite, JinanSite, QingdaoSite, DzwwwSite)
"""Apps that own articles, one per slug."""
EXTRA_HOSTS: tuple[type[SiteApp], ...] = (DzwwwPortal,)
"""Further hosts served without articles of their own."""

__all__ = ["EXTRA_HOSTS", "SITE_CLASSES", "Column", "Page", "SiteApp"]
