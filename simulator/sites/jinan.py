"""www.jinan.gov.cn — 济南市人民政府 (sd_jinan), Hanweb with classic and jpaas URLs (SITES.md §4)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING

from .common import Column, Page, body_html, esc, hm, ymd
from .hanweb import HanwebSite

if TYPE_CHECKING:
    from ..model import SimArticle

NAV = [("首页", "/"), ("济南要闻", "/col/col27544/index.html"), ("政务公开", "/col/col23/index.html"),
       ("政策解读", "/col/col118736/index.html"), ("通知公告", "/col/col44545/index.html"),
       ("政务服务", "/col/col24/index.html"), ("互动交流", "/col/col25/index.html"),
       ("魅力泉城", "/col/col26/index.html")]


class JinanSite(HanwebSite):
    slug = "sd_jinan"
    host = "www.jinan.gov.cn"
    scheme = "http"
    content_type = "text/html;charset=UTF-8"
    first_num = 4_868_000
    webid = 1
    site_name = "济南市人民政府"
    columns = (Column("济南要闻", "/col/col27544/index.html", colid=27544, uid=564862),)

    def article_url(self, column: str, dt: datetime, num: int, key: str, form: str) -> str:
        col = self.column(column).colid
        if (form or ("classic" if dt.year <= 2025 else "jpaas")) == "classic":
            return f"{self.base}/art/{dt.year}/{dt.month}/{dt.day}/art_{col}_{num}.html"
        hexid = hashlib.md5(f"jinan|{key}|{num}".encode()).hexdigest()
        return f"{self.base}/col/col{col}/art/{dt.year}/art_{hexid}.html"

    # -- chrome ------------------------------------------------------------------
    def head(self, title: str, metas: str = "") -> str:
        return (
            '<!DOCTYPE html>\n<html>\n<head>\n'
            '<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">\n'
            '<meta http-equiv="X-UA-Compatible" content="IE=edge">\n'
            f"<title>{esc(title)}</title>\n{metas}"
            '<link rel="stylesheet" href="/jcms1/web1/site/css/hanweb.min.css">\n'
            '<script type="text/javascript" src="/cms_files/jcms1/web1/site/script/1361/jquery.min.js">'
            "</script>\n</head>\n"
        )

    def header(self, col: Column | None) -> str:
        nav = "".join(f'<li><a href="{h}">{n}</a></li>' for n, h in NAV)
        return (
            '<div class="top"><div class="w1200"><span>济南市人民政府欢迎您！</span>'
            '<span class="fr"><a href="javascript:zh_tran(\'t\');">繁體</a> | '
            '<a href="/col/col2/index.html">无障碍浏览</a> | <a href="/col/col3/index.html">长者版</a>'
            "</span></div></div>\n"
            '<div class="header"><div class="w1200"><a href="/" class="logo">'
            '<img src="/picture/0/logo.png" alt="济南市人民政府"></a>'
            '<form action="/jsearchfront/search.do" method="get"><input type="hidden" name="websiteid" '
            'value="370100000000000"><input name="q" type="text"><input type="submit" value="搜索"></form>'
            "</div></div>\n"
            f'<div class="nav"><ul class="w1200">{nav}</ul></div>\n'
        )

    def crumbs(self, col: Column) -> str:
        return ('<div class="dqwz w1200">您当前的位置：<a href="/">首页</a> &gt; <a href="/col/col23/'
                f'index.html">政务公开</a> &gt; <a href="{col.list_path}">{esc(col.name)}</a></div>\n')

    def footer(self) -> str:
        return (
            '<div class="footer"><div class="w1200">\n'
            '<p><a href="/col/col4/index.html">网站地图</a> | <a href="/col/col5/index.html">联系我们</a>'
            ' | <a href="/col/col6/index.html">网站声明</a></p>\n'
            "<p>济南市人民政府办公厅主办　济南市大数据局承办</p>\n"
            '<p>网站标识码：3701000001　<a href="https://beian.miit.gov.cn/">鲁ICP备05002176号</a>'
            '　<a href="http://www.beian.gov.cn/">鲁公网安备 37010202000316号</a></p>\n'
            "<p>版权所有：济南市人民政府办公厅　联系电话：0531-12345　建议使用IE9以上版本浏览器</p>\n"
            "</div></div>\n"
            '<script type="text/javascript" src="/jact/front/js/visitcount.js"></script>\n'
        )

    FOOTER_PAGE = "/jcms1/web1/site/tpl/footer.html"

    def footer_frame(self) -> str:
        """Article pages load the footer from an iframe (issue #11): its text is not on the page."""
        return (f'<iframe src="{self.FOOTER_PAGE}" width="100%" height="200" frameborder="0" '
                'scrolling="no" title="页脚"></iframe>\n')

    def route(self, path: str, query: dict[str, str], method: str) -> Page | None:
        if path == self.FOOTER_PAGE:
            return self.page(self.head("页脚") + "<body>\n" + self.footer() + "</body>\n</html>\n")
        return super().route(path, query, method)

    # -- pages -------------------------------------------------------------------
    def row(self, art: SimArticle) -> str:
        t = esc(art.title)
        return (f'<li><a href="{esc(art.path)}" title="{t}" target="_blank">{t}</a>'
                f"<span>{ymd(art.published_at)}</span></li>")

    def home_html(self) -> str:
        rows, _ = self.rows(self.columns[0], 1)
        lis = "\n".join(self.row(a) for a in rows[:4])
        return (self.head(self.site_name) + "<body>\n" + self.header(None)
                + f'<div class="w1200 home"><h3>济南要闻</h3><ul class="list-ul">\n{lis}\n</ul></div>\n'
                + self.footer() + "</body>\n</html>\n")

    def list_html(self, col: Column, rows: list[SimArticle], n: int, pages: int) -> str:
        metas = (f'<meta name="SiteName" content="{self.site_name}">\n'
                 f'<meta name="ColumnName" content="{esc(col.name)}">\n'
                 f'<meta name="ColId" content="{col.colid}">\n')
        lis = "\n".join(self.row(a) for a in rows)
        pager = self.pager(col, n, pages) if rows else '<p class="nodata">暂无数据</p>'
        return (
            self.head(f"{col.name}_{self.site_name}", metas) + "<body>\n" + self.header(col)
            + self.crumbs(col)
            + '<div class="w1200 main"><div class="list_left"><ul><li class="on"><a href="'
            f'{col.list_path}">{esc(col.name)}</a></li><li><a href="/col/col23/szyw/index.html">时政要闻'
            '</a></li></ul></div>\n<div class="list_right"><div class="list_tit">'
            f'{esc(col.name)}</div>\n<ul class="list-ul">\n{lis}\n</ul>\n{pager}\n</div></div>\n'
            + self.footer() + "</body>\n</html>\n"
        )

    def render_article(self, art: SimArticle) -> Page:
        col = self.column(art.column)
        dt = art.published_at
        # Public copies of Jinan article pages carry a lower-case ``pubdate`` meta and no
        # PubDate / contentSource / ColId (issue #11, measured on saved pages).
        metas = (
            f'<meta name="pubdate" content="{hm(dt)}">\n'
            f'<meta name="keywords" content="{esc(col.name)}">\n'
            f'<meta name="description" content="{esc(art.paragraphs[0][:60])}">\n'
        )
        credits = ""
        if art.credits:
            lines = "".join(f"<p>{esc(x)}</p>" for x in art.credits.split("\n"))
            credits = f'\n<div class="bjxx" style="text-align:right;">{lines}</div>'
        author = f"　作者：{esc(art.author)}" if art.author else ""
        html = (
            self.head(f"{art.title}_{self.site_name}", metas) + "<body>\n" + self.header(col)
            + self.crumbs(col)
            + '<div class="w1200 main"><div class="article">\n'
            f'<div class="art_title">{esc(art.title)}</div>\n'
            f'<div class="art_info"><span>发布时间：{hm(dt)}</span>　<span>来源：{esc(art.source)}'
            f"{author}</span>　<span>浏览次数：<b id=\"c\"></b></span>　<span class=\"wip_art_fz\">"
            '字号：<a href="javascript:doZoom(18)">大</a> <a href="javascript:doZoom(16)">中</a> '
            '<a href="javascript:doZoom(14)">小</a></span></div>\n'
            f'<div class="zoom" id="zoom">\n{body_html(art, self.downfile_href(art))}\n</div>{credits}\n'
            '<div class="art_tools"><span class="bdsharebuttonbox">分享到：'
            '<a class="bds_weixin" data-cmd="weixin"></a><a class="bds_tsina" data-cmd="tsina"></a>'
            '</span><a href="javascript:window.print()">打印本页</a> '
            '<a href="javascript:window.close()">关闭窗口</a></div>\n'
            "</div></div>\n" + self.footer_frame() + "</body>\n</html>\n"
        )
        return self.page(html, article=art)
