"""Hanweb 大汉 JCMS behaviour shared by the provincial and Jinan portals (SITES.md §1)."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from .common import Column, Page, SiteApp, esc, ymd

if TYPE_CHECKING:
    from ..model import SimArticle

HANWEB_ROBOTS = "User-agent: *\nDisallow: /module/\nDisallow: /jsearchfront/\n"

EMPTY_DATAPROXY = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    "<datastore><totalrecord>0</totalrecord><totalpage>0</totalpage>"
    "<recordset></recordset></datastore>\n"
)


def tiny_pdf(title: str) -> bytes:
    """A minimal one-page PDF (ASCII only) standing in for an attachment."""
    text = f"BT /F1 12 Tf 72 720 Td (govpress simulator attachment {title}) Tj ET"
    objs = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(text)} >>\nstream\n{text}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = "%PDF-1.4\n", []
    for i, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n{obj}\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n"
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    return out.encode("ascii")


def attachment_hex(art: SimArticle) -> str:
    return hashlib.md5(f"{art.url}|{art.attachment}".encode()).hexdigest()


class HanwebSite(SiteApp):
    """Column lists ``/col/colNNN/index.html[?uid=U&pageNum=N]``, dataproxy, downloads."""

    robots = HANWEB_ROBOTS
    webid = 0
    site_name = ""

    def route(self, path: str, query: dict[str, str], method: str) -> Page | None:
        if path in ("/", "/index.html"):
            return self.page(self.home_html())
        for col in self.columns:
            if path in (col.list_path, col.list_path.rsplit("/", 1)[0] + "/"):
                try:
                    n = int(query.get("pageNum", "1") or 1)
                except ValueError:
                    n = 1
                rows, pages = self.rows(col, n)
                return self.page(self.list_html(col, rows, n, pages))
        if path.startswith("/module/web/jpage/dataproxy.jsp"):
            return Page(body=EMPTY_DATAPROXY.encode("utf-8"), content_type="text/xml;charset=UTF-8")
        if path == "/module/download/downfile.jsp":
            name = query.get("filename", "")
            if self._attachment(name.removesuffix(".pdf")):
                return self.redirect(f"/attach/0/{name}", status=302)
            return self.not_found()
        if path.startswith("/attach/0/") and path.endswith(".pdf"):
            art = self._attachment(path[len("/attach/0/"):-4])
            if art:
                return Page(body=tiny_pdf(attachment_hex(art)), content_type="application/pdf")
        return None

    def _attachment(self, hexname: str) -> SimArticle | None:
        for art in self.store.articles(self.slug):
            if art.attachment and attachment_hex(art) == hexname:
                return art
        return None

    def downfile_href(self, art: SimArticle) -> str:
        if not art.attachment:
            return ""
        return (f"/module/download/downfile.jsp?classid=0&filename={attachment_hex(art)}.pdf"
                f"&showname={art.attachment}")

    # -- list markup -------------------------------------------------------------
    def row_li(self, art: SimArticle) -> str:
        t = esc(art.title)
        return (f'<li class="wip_col_listli"><a href="{esc(art.path)}" title="{t}" '
                f'target="_blank">{t}</a><span class="bt-block">{ymd(art.published_at)}</span></li>')

    def datastore(self, col: Column, rows: list[SimArticle]) -> str:
        """Rows as CDATA records inside ``<script type="text/xml">`` (JS renders them)."""
        proxy = (f"/module/web/jpage/dataproxy.jsp?page=1&webid={self.webid}&path={self.base}/"
                 f"&columnid={col.colid}&unitid={col.uid}&webname={self.site_name}&permissiontype=0")
        records = "\n".join(f"<record><![CDATA[\n{self.row_li(a)}\n]]></record>" for a in rows)
        return (
            f'<div id="{col.uid}"><script type="text/xml"><datastore>\n'
            f'<nextgroup><![CDATA[<a href="{proxy}"></a>]]></nextgroup>\n'
            f"<recordset>\n{records}\n</recordset>\n</datastore></script></div>\n"
            '<div class="default_pgContainer"></div>\n'
            '<script type="text/javascript" src="/module/web/jpage/jpage.js"></script>\n'
            '<script type="text/javascript">\n'
            f"$(document).ready(function(){{ $('#{col.uid}').jpage({{dataStore: "
            f"$('#{col.uid} script').text(), perPage: {self.page_size}, groupSize: 3, "
            "barPosition: 'bottom', pgContainer: '.default_pgContainer'}); });\n</script>"
        )

    def pager(self, col: Column, n: int, pages: int) -> str:
        def href(k: int) -> str:
            return esc(f"{col.list_path}?uid={col.uid}&pageNum={k}")

        parts = [f"<span>共{pages}页</span>", f'<a href="{href(1)}">首页</a>']
        if n > 1:
            parts.append(f'<a href="{href(n - 1)}">上一页</a>')
        if n < pages:
            parts.append(f'<a href="{href(n + 1)}">下一页</a>')
        parts.append(f'<a href="{href(pages)}">尾页</a>')
        return '<div class="wip_pager">' + " ".join(parts) + "</div>"

    # -- to override -------------------------------------------------------------
    def home_html(self) -> str:
        raise NotImplementedError

    def list_html(self, col: Column, rows: list[SimArticle], n: int, pages: int) -> str:
        raise NotImplementedError
