"""sd.dzwww.com / www.dzwww.com — 大众网 (sd_dzwww), TRS, GB2312 bytes (SITES.md §5)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .common import Column, Page, body_html, esc
from .trs import TrsSite

if TYPE_CHECKING:
    from ..model import SimArticle

ROBOTS = "User-agent: *\nDisallow: /cgi-bin/\nDisallow: /search/\n"
CHANNELS = [("首页", "http://www.dzwww.com/"), ("山东", "http://sd.dzwww.com/"),
            ("山东新闻", "http://sd.dzwww.com/sdnews/"), ("济南", "http://jinan.dzwww.com/"),
            ("青岛", "http://qingdao.dzwww.com/"), ("评论", "http://www.dzwww.com/dzwpl/"),
            ("视频", "http://v.dzwww.com/"), ("图片", "http://pic.dzwww.com/")]


def top_nav() -> str:
    links = " | ".join(f'<a href="{h}" target="_blank">{n}</a>' for n, h in CHANNELS)
    return f'<div class="top"><div class="layout"><div class="nav">{links}</div></div></div>\n'


def footer() -> str:
    return (
        '<div id="footer"><div class="layout">\n'
        '<p><a href="http://www.dzwww.com/about/">关于我们</a> | <a href="http://www.dzwww.com/lxwm/">'
        '联系我们</a> | <a href="http://www.dzwww.com/flsm/">法律声明</a></p>\n'
        "<p>山东省互联网传媒集团主办　联系电话：0531-85193202　违法和不良信息举报电话：0531-85196540</p>\n"
        '<p><a href="https://beian.miit.gov.cn/">鲁ICP备09023866号</a>　'
        '<a href="http://www.beian.gov.cn/">鲁公网安备 37010202000111号</a>　新出网证（鲁）字02号</p>\n'
        "<p>大众网版权所有，未经书面授权禁止使用</p>\n</div></div>\n"
    )


def head(title: str, metas: str = "") -> str:
    return (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
        '<html xmlns="http://www.w3.org/1999/xhtml">\n<head>\n<meta charset="gb2312" />\n'
        f"<title>{esc(title)}</title>\n{metas}"
        '<link href="http://www.dzwww.com/css/dzw_sd.css" rel="stylesheet" type="text/css" />\n'
        '<script type="text/javascript" src="http://www.dzwww.com/js/jquery.js"></script>\n</head>\n'
    )


class DzwwwSite(TrsSite):
    slug = "sd_dzwww"
    host = "sd.dzwww.com"
    scheme = "http"
    charset = "gb2312"
    content_type = "text/html; charset=gb2312"
    robots = ROBOTS
    first_num = 21_340_000
    ext = "htm"
    id_digits = 8
    columns = (Column("山东新闻", "/sdnews/"),)

    def flip(self, n: int, pages: int) -> str:
        parts = []
        if n > 1:
            parts.append(f'<a href="{self.page_name(n - 1, self.ext)}">上一页</a>')
        for k in range(1, pages + 1):
            link = f'<a href="{self.page_name(k, self.ext)}">{k}</a>'
            parts.append(f"<span>{k}</span>" if k == n else link)
        if n < pages:
            parts.append(f'<a href="{self.page_name(n + 1, self.ext)}">下一页</a>')
        return '<div id="flip">' + " ".join(parts) + "</div>"

    def home_html(self) -> str:
        return (head("大众网山东频道") + "<body>\n" + top_nav()
                + '<div class="layout"><h2><a href="/sdnews/">山东新闻</a></h2></div>\n'
                + footer() + "</body>\n</html>\n")

    def list_html(self, col: Column, rows: list[SimArticle], n: int, pages: int) -> str:
        lis = "\n".join(
            f'<li><div class="text"><h3><a href="{self.relative(a)}" target="_blank">{esc(a.title)}</a>'
            f'</h3><p><label>{a.published_at:%Y-%m-%d %H:%M}</label></p></div></li>'
            for a in rows
        )
        return (
            head(f"{col.name}_大众网", '<meta name="keywords" content="山东新闻,大众网" />\n')
            + "<body>\n" + top_nav()
            + '<div class="layout"><div class="position">您的位置：<a href="http://www.dzwww.com/">大众网</a>'
            f' &gt; <a href="http://sd.dzwww.com/">山东频道</a> &gt; {esc(col.name)}</div>\n'
            f'<div id="main2"><ul>\n{lis}\n</ul></div>\n{self.flip(n, pages)}\n'
            '<div id="right"><h4>热点推荐</h4><ul><li><a href="http://sd.dzwww.com/sdzt/">山东专题</a>'
            "</li></ul></div>\n</div>\n" + footer() + "</body>\n</html>\n"
        )

    def render_article(self, art: SimArticle) -> Page:
        dt = art.published_at
        desc = art.paragraphs[0][:60] if art.paragraphs else ""
        metas = (f'<meta name="keywords" content="{esc(art.title)}" />\n'
                 f'<meta name="description" content="{esc(desc)}" />\n'
                 f'<meta name="publishdate" content="{dt:%Y-%m-%d}" />\n')
        author = f"<div>作者：{esc(art.author)}</div>" if art.author else ""
        credit = f'\n<p class="edit">{esc(art.credits)}</p>' if art.credits else ""
        html = (
            head(f"{art.title}_山东新闻_大众网", metas) + "<body>\n" + top_nav()
            + '<div class="layout"><div class="position">您的位置：<a href="http://www.dzwww.com/">大众网</a>'
            ' &gt; <a href="http://sd.dzwww.com/">山东频道</a> &gt; <a href="../">山东新闻</a></div>\n'
            '<div id="news-head"><h2>' + esc(art.title) + "</h2></div>\n"
            f'<div id="news-side"><div>{dt:%Y-%m-%d %H:%M:%S}</div><div><p>来源：{esc(art.source)}</p></div>'
            f"{author}</div>\n"
            f'<div id="news-body"><div class="TRS_Editor">\n{body_html(art)}\n</div>{credit}\n</div>\n'
            '<div class="share">分享到：<a href="javascript:;">微信</a> '
            '<a href="javascript:;">微博</a></div>\n'
            "</div>\n" + footer() + "</body>\n</html>\n"
        )
        return self.page(html, article=art)


class DzwwwPortal(TrsSite):
    """www.dzwww.com: only a homepage pointing at the Shandong channel, and robots.txt."""

    slug = "sd_dzwww"
    host = "www.dzwww.com"
    charset = "gb2312"
    content_type = "text/html; charset=gb2312"
    robots = ROBOTS
    ext = "htm"

    def home_html(self) -> str:
        return (head("大众网_山东重点新闻网站") + "<body>\n" + top_nav()
                + '<div class="layout"><h2><a href="http://sd.dzwww.com/sdnews/">山东新闻</a></h2></div>\n'
                + footer() + "</body>\n</html>\n")
