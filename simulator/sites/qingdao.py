"""www.qingdao.gov.cn — 青岛政务网 (sd_qingdao), TRS WCM t-date dialect, UTF-8 (SITES.md §4)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .common import Column, Page, body_html, esc, hm, ymd
from .trs import TrsSite

if TYPE_CHECKING:
    from ..model import SimArticle

NAV = [("首页", "/"), ("要闻动态", "/ywdt/"), ("政务要闻", "/ywdt/zwyw/"), ("公告公示", "/ywdt/gggs/"),
       ("部门动态", "/ywdt/bmdt/"), ("政务公开", "/zwgk/"), ("政务服务", "/zwfw/"), ("互动交流", "/hdjl/")]


class QingdaoSite(TrsSite):
    slug = "sd_qingdao"
    host = "www.qingdao.gov.cn"
    scheme = "http"
    content_type = "text/html; charset=utf-8"
    robots = "User-agent: *\nDisallow: /igs/\n"
    first_num = 3_512_000
    ext = "shtml"
    id_digits = 7
    columns = (Column("政务要闻", "/ywdt/zwyw/"),)

    def head(self, title: str, metas: str = "", charset: bool = True) -> str:
        meta_cs = '<meta charset="utf-8">\n' if charset else ""
        return (
            f'<!DOCTYPE html>\n<html>\n<head>\n{meta_cs}'
            '<meta http-equiv="X-UA-Compatible" content="IE=edge">\n'
            f"<title>{esc(title)}</title>\n{metas}"
            '<link rel="stylesheet" href="/images/qdzwcss/common.css">\n'
            '<script type="text/javascript" src="/images/qdzwjs/jquery.min.js"></script>\n'
            '<script type="text/javascript" src="/images/qdzwjs/page.js"></script>\n</head>\n'
        )

    def header(self) -> str:
        nav = "".join(f'<li><a href="{h}">{n}</a></li>' for n, h in NAV)
        return (
            '<div class="top-bar"><div class="container"><span>您好，欢迎访问青岛政务网</span>'
            '<span class="right"><a href="/wza/">无障碍</a> | <a href="/zzlb/">长者模式</a> | '
            '<a href="/en/">English</a></span></div></div>\n'
            '<div class="header"><div class="container"><a class="logo" href="/">'
            '<img src="/images/qdzwimg/logo.png" alt="青岛政务网"></a>'
            '<form class="search" action="/igs/front/search.jhtml" method="get" target="_blank">'
            '<input type="hidden" name="code" value="0d5d1a12a6d34b4ea8cdb8e59b2d6c2f">'
            '<input type="hidden" name="siteId" value="5"><input type="text" name="searchWord">'
            '<button type="submit">搜索</button></form></div></div>\n'
            f'<div class="nav"><ul class="container">{nav}</ul></div>\n'
        )

    def location(self, col: Column) -> str:
        return ('<div class="location container">当前位置：<a href="/">首页</a> &gt; '
                f'<a href="/ywdt/">要闻动态</a> &gt; <a href="{col.list_path}">{esc(col.name)}</a></div>\n')

    def footer(self) -> str:
        return (
            '<div class="footer"><div class="container">\n'
            '<p><a href="/wzdt/">网站地图</a> | <a href="/lxwm/">联系我们</a> | '
            '<a href="/wzsm/">网站声明</a></p>\n'
            "<p>主办：青岛市人民政府办公厅　承办：青岛市大数据发展管理局　版权所有：青岛市人民政府办公厅</p>\n"
            '<p>政府网站标识码：3702000003 <a href="https://beian.miit.gov.cn/">鲁ICP备05041000号</a>'
            '　<a href="http://www.beian.gov.cn/">鲁公网安备 37020202000140号</a></p>\n'
            '<p><a href="https://bszs.conac.cn/"><img src="/images/qdzwimg/dzjg.png" alt="党政机关"></a>'
            "</p>\n</div></div>\n"
        )

    def row(self, art: SimArticle) -> str:
        t = esc(art.title)
        return (f'<li><a href="{self.relative(art)}" title="{t}" target="_blank">{t}</a>'
                f'<span class="date">{ymd(art.published_at)}</span></li>')

    def home_html(self) -> str:
        rows, _ = self.rows(self.columns[0], 1)
        lis = "\n".join(self.row(a).replace('href="./', 'href="/ywdt/zwyw/') for a in rows[:4])
        return (self.head("青岛政务网") + "<body>\n" + self.header()
                + f'<div class="container home"><h3>政务要闻</h3><ul>\n{lis}\n</ul></div>\n'
                + self.footer() + "</body>\n</html>\n")

    def list_html(self, col: Column, rows: list[SimArticle], n: int, pages: int) -> str:
        metas = (f'<meta name="SiteName" content="青岛政务网">\n'
                 f'<meta name="ColumnName" content="{esc(col.name)}">\n')
        lis = "\n".join(self.row(a) for a in rows)
        return (
            self.head(f"{col.name}_青岛政务网", metas) + "<body>\n" + self.header() + self.location(col)
            + '<div class="container main"><div class="side-menu"><h2>要闻动态</h2><ul>'
            f'<li class="active"><a href="{col.list_path}">{esc(col.name)}</a></li>'
            '<li><a href="/ywdt/gggs/">公告公示</a></li><li><a href="/ywdt/bmdt/">部门动态</a></li>'
            f'</ul></div>\n<div class="list-box"><div class="list-title">{esc(col.name)}</div>\n'
            f'<ul class="news-list">\n{lis}\n</ul>\n<div class="page">{self.trs_pager_script(n, pages)}'
            "</div>\n</div></div>\n" + self.footer() + "</body>\n</html>\n"
        )

    def render_article(self, art: SimArticle) -> Page:
        col = self.column(art.column)
        dt = art.published_at
        metas = (
            '<meta name="SiteName" content="青岛政务网">\n'
            '<meta name="SiteDomain" content="www.qingdao.gov.cn">\n'
            '<meta name="SiteIDCode" content="3702000003">\n'
            f'<meta name="ColumnName" content="{esc(col.name)}">\n'
            f'<meta name="ArticleTitle" content="{esc(art.title)}">\n'
            f'<meta name="PubDate" content="{hm(dt)}">\n'
            f'<meta name="ContentSource" content="{esc(art.source)}">\n'
        )
        author = f"<span>作者：{esc(art.author)}</span>" if art.author else ""
        html = (
            self.head(f"{art.title}_青岛政务网", metas, charset=art.charset) + "<body>\n"
            + self.header() + self.location(col)
            + '<div class="container main"><div class="detail">\n'
            f'<div class="detail-title">{esc(art.title)}</div>\n'
            f'<div class="detail-source"><span>发布时间：{hm(dt)}</span><span>来源：{esc(art.source)}</span>'
            f'{author}<span class="font">字号：<a href="javascript:;" class="big">大</a>'
            '<a href="javascript:;" class="mid">中</a><a href="javascript:;" class="sml">小</a>'
            "</span></div>\n"
            # Real Qingdao pages wrap the body in a nested document (issue #11): no TRS_Editor,
            # no h1.article-title / div.article-info / div.share.
            '<div class="detail-content">\n<html><head><title></title></head><body>\n'
            f"{body_html(art)}\n</body></html>\n</div>\n"
            '<div class="detail-tools">分享到：<a class="wx" href="javascript:;">微信</a>'
            '<a class="wb" href="javascript:;">微博</a> <a href="javascript:window.print();">打印本页</a>'
            '<a href="javascript:window.close();">关闭窗口</a></div>\n'
            "</div></div>\n" + self.footer() + "</body>\n</html>\n"
        )
        ctype = self.content_type if art.charset else "text/html"
        return self.page(html, content_type=ctype, article=art)
