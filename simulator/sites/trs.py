"""TRS WCM behaviour shared by Qingdao and 大众网: ``index.ext``, ``index_N.ext``, t-date URLs."""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING

from .common import Column, Page, SiteApp

if TYPE_CHECKING:
    from ..model import SimArticle


class TrsSite(SiteApp):
    """Lists ``<dir>/`` = ``<dir>/index.ext``; ``index_N.ext`` is page N+1; past the end → 404."""

    ext = "shtml"
    id_digits = 7

    def article_url(self, column: str, dt: datetime, num: int, key: str, form: str) -> str:
        col = self.column(column)
        return (f"{self.base}{col.list_path}{dt:%Y%m}/t{dt:%Y%m%d}_{num:0{self.id_digits}d}"
                f".{self.ext}")

    def route(self, path: str, query: dict[str, str], method: str) -> Page | None:
        if path in ("/", f"/index.{self.ext}"):
            return self.page(self.home_html())
        for col in self.columns:
            if path == col.list_path.rstrip("/"):
                return self.redirect(col.list_path)
            if not path.startswith(col.list_path):
                continue
            rest = path[len(col.list_path):]
            if rest in ("", f"index.{self.ext}"):
                n = 1
            else:
                m = re.fullmatch(rf"index_(\d+)\.{self.ext}", rest)
                if not m:
                    continue
                n = int(m.group(1)) + 1
            rows, pages = self.rows(col, n)
            if n > pages or (n < 2 and rest.startswith("index_")):
                return self.not_found()
            return self.page(self.list_html(col, rows, n, pages))
        return None

    @staticmethod
    def page_name(n: int, ext: str) -> str:
        """File name of list page ``n`` (1-based): ``index.ext``, ``index_1.ext`` …"""
        return f"index.{ext}" if n <= 1 else f"index_{n - 1}.{ext}"

    def trs_pager_script(self, n: int, pages: int) -> str:
        """The JS pager TRS templates emit (no static links)."""
        return (
            '<script type="text/javascript">\n'
            f"var currentPage = {n - 1};var countPage = {pages};\n"
            f'createPageHTML(countPage, currentPage, "index", "{self.ext}");\n</script>'
        )

    def relative(self, art: SimArticle) -> str:
        """The ``./YYYYMM/tYYYYMMDD_ID.ext`` link a TRS list uses."""
        col = self.column(art.column)
        return "./" + art.path[len(col.list_path):]

    # -- to override -------------------------------------------------------------
    def home_html(self) -> str:
        raise NotImplementedError

    def list_html(self, col: Column, rows: list[SimArticle], n: int, pages: int) -> str:
        raise NotImplementedError
