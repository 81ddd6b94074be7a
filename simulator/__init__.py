"""A local simulator of the Shandong government and press sites, for tests and ``govpress demo``.

>>> with Simulator() as sim:          # doctest: +SKIP
...     sim.hostmap()["www.qingdao.gov.cn"]
'127.0.0.1:…'
"""

from __future__ import annotations

from .model import SimArticle
from .requestlog import RequestRecord
from .server import Simulator

__all__ = ["RequestRecord", "SimArticle", "Simulator"]
