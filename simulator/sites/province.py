"""www.shandong.gov.cn — 山东省人民政府 (sd_province), Hanweb JCMS, https, UTF-8 (SITES.md §2)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from .common import Column, Page, body_html, esc, hm, ymd
from .hanweb import HanwebSite

if TYPE_CHECKING:
    from ..model import SimArticle

NAV = [("首页", "/"), ("要闻动态", "/col/col97802/index.html"), ("新闻发布会", "/col/col97896/index.html"),
       ("政务公开", "/col/col94097/index.html"), ("政策文件", "/col/col107851/index.html"),
       ("政策解读", "/col/col107868/index.html"), ("政务服务", "/col/col94098/index.html"),
       ("互动交流", "/col/col94099/index.html"), ("走进山东", "/col/col94100/index.html")]


class ProvinceSite(HanwebSite):
    slug = "sd_province"
    host = "www.shandong.gov.cn"
    scheme = "https"
    content_type = "text/html;charset=UTF-8"
    first_num = 10_330_000
    webid = 410
    site_name = "山东省人民政府"
    columns = (
        Column("要闻动态", "/col/col97802/index.html", colid=97802, uid=509499),
        Column("新闻发布会", "/col/col97896/index.html", colid=97896, uid=509505, datastore=True),
    )

    def article_url(self, column: str, dt: datetime, num: int, key: str, form: str) -> str:
        col = self.column(column).colid
        return f"{self.base}/art/{dt.year}/{dt.month}/{dt.day}/art_{col}_{num}.html"

    # -- chrome ------------------------------------------------------------------
    def head(self, title: str, metas: str = "") -> str:
        return (
            '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
            '<meta http-equiv="X-UA-Compatible" content="IE=edge,chrome=1">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
            f"<title>{esc(title)}</title>\n{metas}"
            '<link rel="stylesheet" type="text/css" href="/images/410/hanweb.css">\n'
            '<link rel="stylesheet" type="text/css" href="/images/410/wip_style.css">\n'
            '<script type="text/javascript" src="/module/jslib/jquery/jquery.js"></script>\n'
            '<script type="text/javascript" src="/script/wondersLog_sdywtb_sdk.js"></script>\n'
            "</head>\n"
        )

    def header(self, col: Column | None) -> str:
        on = ' class="on"'
        nav = "".join(
            f'<li{on if col and href == col.list_path else ""}><a href="{href}">{name}</a></li>'
            for name, href in NAV
        )
        return (
            '<div id="hiddenLocation" style="display:none;"><span id="ss_webid">410</span>'
            f'<span id="col1_name">{esc(col.name) if col else ""}</span>'
            f'<span id="col1_url">{col.list_path if col else "/"}</span></div>\n'
            '<div class="wip_topbar"><div class="wip_w">'
            '<span class="wip_top_l">欢迎访问山东省人民政府门户网站</span>'
            '<span class="wip_top_r"><a href="javascript:zh_tran(\'s\');">简体</a> | '
            '<a href="javascript:zh_tran(\'t\');">繁体</a> | <a href="javascript:void(0);" '
            'onclick="toggleToolBar();">无障碍</a> | <a href="/col/col283644/index.html">长者模式</a> | '
            '<a href="https://m.shandong.gov.cn/">手机版</a></span></div></div>\n'
            '<div class="wip_header"><div class="wip_w">'
            '<a class="wip_logo" href="/"><img src="/images/410/logo.png" alt="山东省人民政府"></a>'
            '<form class="wip_search" action="/jsearchfront/search.do" method="get" target="_blank">'
            '<input type="hidden" name="websiteid" value="370000000000000">'
            '<input type="text" name="q" placeholder="请输入关键词"><button type="submit">搜索</button>'
            "</form></div></div>\n"
            f'<div class="wip_nav"><div class="wip_w"><ul>{nav}</ul></div></div>\n'
        )

    def position(self, col: Column) -> str:
        return ('<div class="wip_position"><div class="wip_w">当前位置：<a href="/">首页</a> &gt; '
                f'<a href="{col.list_path}">{esc(col.name)}</a></div></div>\n')

    def footer(self) -> str:
        return (
            '<div class="wip_footer"><div class="wip_w">\n'
            '<p class="wip_footer_links"><a href="/col/col94101/index.html">关于我们</a> | '
            '<a href="/col/col94102/index.html">网站地图</a> | <a href="/col/col94103/index.html">'
            '联系我们</a> | <a href="/col/col94104/index.html">使用帮助</a></p>\n'
            "<p>主办单位：山东省人民政府办公厅　承办单位：山东省大数据中心</p>\n"
            '<p>网站标识码：3700000063　<a href="https://beian.miit.gov.cn/" target="_blank">'
            '鲁ICP备05044945号</a>　<a href="http://www.beian.gov.cn/portal/registerSystemInfo?'
            'recordcode=37010202000528" target="_blank">鲁公网安备 37010202000528号</a></p>\n'
            "<p>版权所有：山东省人民政府办公厅　技术支持：山东省大数据中心</p>\n"
            '<p><a href="https://bszs.conac.cn/sitename?method=show&amp;id=3700000063" '
            'target="_blank"><img src="/images/410/red.png" alt="党政机关"></a>'
            '<script type="text/javascript" src="https://zfwzgl.www.gov.cn/exposure/jiucuo.js">'
            "</script></p>\n</div></div>\n"
        )

    # The real portal's header and footer arrive by script include (issue #11: the page's
    # own HTML holds neither); the scripts document.write the fragments below.
    HEADER_JS = "/script/0/410/header.js"
    FOOTER_JS = "/script/0/410/footer.js"

    def header_include(self, col: Column | None) -> str:
        hidden = self.header(col).split("\n", 1)[0]  # the page-specific hiddenLocation spans
        return hidden + f'\n<script type="text/javascript" src="{self.HEADER_JS}"></script>\n'

    def footer_include(self) -> str:
        return f'<script type="text/javascript" src="{self.FOOTER_JS}"></script>\n'

    @staticmethod
    def document_write(html: str) -> str:
        import json

        return "".join(f"document.write({json.dumps(line, ensure_ascii=False)});\n"
                       for line in html.splitlines())

    def route(self, path: str, query: dict[str, str], method: str) -> Page | None:
        if path in (self.HEADER_JS, self.FOOTER_JS):
            html = self.header(None).split("\n", 1)[1] if path == self.HEADER_JS else self.footer()
            return Page(body=self.document_write(html).encode("utf-8"),
                        content_type="application/javascript;charset=UTF-8")
        return super().route(path, query, method)

    # -- pages -------------------------------------------------------------------
    def home_html(self) -> str:
        items = []
        for col in self.columns:
            rows, _ = self.rows(col, 1)
            lis = "\n".join(self.row_li(a) for a in rows[:3])
            items.append(f'<div class="wip_home_box"><h3><a href="{col.list_path}">{esc(col.name)}'
                         f'</a></h3>\n<div class="wip_col_listul"><ul>\n{lis}\n</ul></div></div>')
        return (self.head("山东省人民政府") + "<body>\n" + self.header(None)
                + '<div class="wip_main wip_w">\n' + "\n".join(items) + "\n</div>\n"
                + self.footer() + "</body>\n</html>\n")

    def list_html(self, col: Column, rows: list[SimArticle], n: int, pages: int) -> str:
        metas = (f'<meta name="SiteName" content="{self.site_name}">\n'
                 f'<meta name="ColumnName" content="{esc(col.name)}">\n'
                 f'<meta name="ColumnType" content="">\n')
        if col.datastore:
            listing = self.datastore(col, rows)
        elif rows:
            lis = "\n".join(self.row_li(a) for a in rows)
            listing = f'<div class="wip_col_listul"><ul>\n{lis}\n</ul></div>\n' + self.pager(col, n, pages)
        else:
            listing = '<div class="wip_col_listul"><ul>\n</ul></div>\n<p class="wip_nodata">暂无信息</p>'
        return (
            self.head(f"{col.name}_{self.site_name}", metas) + "<body>\n" + self.header_include(col)
            + self.position(col)
            + '<div class="wip_main wip_w"><div class="wip_col_l"><h2 class="wip_col_tit">'
            f"{esc(col.name)}</h2>\n{listing}\n</div>\n"
            '<div class="wip_col_r"><h3>热点专题</h3><ul>'
            '<li><a href="/col/col240818/index.html">优化营商环境</a></li>'
            '<li><a href="/col/col526463/index.html">绿色低碳高质量发展先行区</a></li>'
            "</ul></div>\n</div>\n" + self.footer_include() + "</body>\n</html>\n"
        )

    def render_article(self, art: SimArticle) -> Page:
        col = self.column(art.column)
        dt = art.published_at
        desc = art.paragraphs[0][:80] if art.paragraphs else ""
        metas = (
            f'<meta name="SiteName" content="{self.site_name}">\n'
            '<meta name="SiteDomain" content="www.shandong.gov.cn">\n'
            '<meta name="SiteIDCode" content="3700000063">\n'
            f'<meta name="ColumnName" content="{esc(col.name)}">\n'
            f'<meta name="ArticleTitle" content="{esc(art.title)}">\n'
            # Hanweb writes the page's generation time before PubDate (sd_province.md:
            # public-code index id 56087553048, 2026-07); the document date is PubDate.
            f'<meta name="Maketime" content="{(dt + timedelta(days=2, hours=3)).strftime("%Y-%m-%d %H:%M:%S")}">\n'
            f'<meta name="PubDate" content="{hm(dt)}">\n'
            f'<meta name="ContentSource" content="{esc(art.source)}">\n'
            f'<meta name="Author" content="{esc(art.author)}">\n'
            f'<meta name="Description" content="{esc(desc)}">\n'
            f'<meta name="Url" content="{esc(art.url)}">\n'
        )
        related = "\n".join(
            f'<li><a href="{esc(self.link(r))}" target="_blank" title="{esc(r.title)}">{esc(r.title)}'
            f"</a><span>{ymd(r.published_at)}</span></li>"
            for r in self.related(art)
        )
        author = f"<span>作者：{esc(art.author)}</span>" if art.author else ""
        html = (
            self.head(f"{art.title}_{self.site_name}", metas) + "<body>\n" + self.header_include(col)
            + self.position(col)
            + '<div class="wip_main wip_w"><div class="wip_art">\n'
            f'<h1 class="wip_art_tit">{esc(art.title)}</h1>\n'
            f'<div class="wip_art_info"><span>发布日期：{hm(dt)}</span><span>来源：{esc(art.source)}</span>'
            f'{author}<span class="fontsize">字号：【<a href="javascript:doZoom(18)">大</a> '
            '<a href="javascript:doZoom(16)">中</a> <a href="javascript:doZoom(14)">小</a>】</span>'
            '<span><a href="javascript:window.print()">打印本页</a></span>'
            '<span><a href="javascript:window.close()">关闭窗口</a></span></div>\n'
            '<div class="wip_art_con" id="zoom">\n<!--ZJEG_RSS.content.begin--><meta name="ContentStart">\n'
            f"{body_html(art)}\n<meta name=\"ContentEnd\"><!--ZJEG_RSS.content.end-->\n</div>\n"
            '<div class="wip_art_share"><span>分享到：</span><div class="bdsharebuttonbox">'
            '<a class="bds_weixin" data-cmd="weixin" title="分享到微信"></a>'
            '<a class="bds_tsina" data-cmd="tsina" title="分享到新浪微博"></a>'
            '<a class="bds_qzone" data-cmd="qzone" title="分享到QQ空间"></a></div>'
            '<div class="wip_art_qr"><img src="/images/410/qrcode.png" alt="">'
            "<p>扫一扫在手机打开当前页</p></div></div>\n"
            f'<div class="wip_art_related"><h3>相关文章</h3><ul>\n{related}\n</ul></div>\n'
            "</div></div>\n" + self.footer_include() + "</body>\n</html>\n"
        )
        return self.page(html, article=art)
