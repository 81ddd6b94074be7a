"""Generated portals: one app class renders every site of the ``PORTALS`` table by its platform.

A portal is a few facts (host, scheme, charset, columns, body box, headline markup, metas,
how the header and footer arrive, quirks) over a template per platform:
``hanweb_classic`` (server-rendered ``/col/`` lists or ``<datastore>`` CDATA), ``hanweb_jpaas``
(JS-shell lists filled by the unit-build JSON API, or by a datacall script), ``trs``
(t-date URLs, ``createPageHTML`` pager), ``gkmlpt`` (NFCMS lists, gkmlpt JSON API),
``vsb`` (博达 ``/info/<tree>/<id>.htm``), ``channel_doc`` and ``ncontent``.  Which facts are
confirmed and from where is in ``docs/simulator.md``; texts come from ``texts.py``.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .common import Column, Page, SiteApp, esc, hm, ymd
from .texts import make_entries

if TYPE_CHECKING:
    from ..model import SimArticle

START = datetime(2026, 3, 2, 9, 0)
PER_COLUMN = 4
PAGE_SIZE = 3
UNIT_API = "/api-gateway/jpaas-publish-server/front/page/build/unit"
UNIT_TAG = "分页列表"
DATACALL = "/jact/front/datacall/showJsContent.do"


@dataclass(frozen=True)
class PCol:
    name: str
    role: str
    path: str
    """First list page path (for ``gkmlpt_api`` columns: the API path with its query)."""
    colid: int = 0
    uid: int = 0
    mechanism: str = "html"


@dataclass(frozen=True)
class Portal:
    slug: str
    host: str
    scheme: str
    name: str
    template: str
    place: str
    office: str
    columns: tuple[PCol, ...]
    title_suffix: str = ""
    charset: str = "utf-8"
    body: str = 'div id="zoom"'
    """Opening tag (without ``<>``) of the body box."""
    headline: str = '<h1 class="title">{}</h1>'
    metas: tuple[str, ...] = ("ArticleTitle", "PubDate", "ContentSource")
    chrome: str = "inline"
    """``inline``, ``iframe`` (footer in an iframe page) or ``script`` (header and footer by
    ``document.write`` from an included script)."""
    footer: tuple[str, ...] = ()
    nested: bool = False
    """The body box wraps a nested ``<html><body>`` document."""
    wechat: int = -1
    """Index (per column) of an article reposted from WeChat (``#js_content`` body)."""
    credits_outside: bool = False
    ext: str = "shtml"
    robots: str = "User-agent: *\nDisallow:\n"
    extra: dict[str, Any] = field(default_factory=dict)


def _hex(*parts: object, n: int = 32) -> str:
    return hashlib.md5("|".join(map(str, parts)).encode()).hexdigest()[:n]


class PortalApp(SiteApp):
    """A simulated host rendered from its ``Portal`` facts."""

    portal: Portal

    def __init__(self, page_size: int = 5) -> None:
        super().__init__(min(page_size, PAGE_SIZE))
        p = self.portal
        self.slug, self.host, self.scheme, self.charset = p.slug, p.host, p.scheme, p.charset
        self.content_type = f"text/html; charset={p.charset}"
        self.robots = p.robots
        self.columns = tuple(Column(c.name, c.path, colid=c.colid, uid=c.uid,
                                    datastore=c.mechanism == "datastore") for c in p.columns)
        self.pcols = {c.name: c for c in p.columns}

    # -- data ------------------------------------------------------------------------
    def entries(self) -> list[dict[str, Any]]:
        p = self.portal
        sources = {"": p.name, "新闻发布会": p.office, "发布会实录": p.office}
        entries = make_entries(p.slug, p.place, p.office, [(c.name, c.role) for c in p.columns],
                               PER_COLUMN, sources, START)
        for e in entries:
            ci, i = map(int, e["key"].rsplit("-", 2)[1:])
            if i == p.wechat and ci == 0:
                e["form"] = "wechat"
        return entries

    def article_url(self, column: str, dt: datetime, num: int, key: str, form: str) -> str:
        c, t, b = self.pcols[column], self.portal.template, self.base
        if t == "hanweb_classic":
            return f"{b}/art/{dt.year}/{dt.month}/{dt.day}/art_{c.colid}_{num}.html"
        if t == "hanweb_jpaas":
            return f"{b}/col/col{c.colid}/art/{dt.year}/art_{_hex(self.slug, key)}.html"
        if t == "trs":
            return f"{b}{self.dir(c)}{dt:%Y%m}/t{dt:%Y%m%d}_{num}.{self.portal.ext}"
        if t == "gkmlpt":
            if c.mechanism == "gkmlpt_api":
                return f"{b}/gkmlpt/content/{num // 1_000_000}/{num // 1000}/post_{num}.html"
            return f"{b}{self.dir(c)}content/post_{num}.html"
        if t == "vsb":
            return f"{b}/info/{c.colid}/{num}.htm"
        if t == "channel_doc":
            return f"{b}{self.dir(c)}doc_{_hex(self.slug, key, n=24)}.html"
        if t == "ncontent":
            return f"{b}{self.dir(c)}c{num}/content.html"
        raise ValueError(t)

    @staticmethod
    def dir(c: PCol) -> str:
        return c.path.rsplit("/", 1)[0] + "/"

    def is_wechat(self, art: SimArticle) -> bool:
        return any(e["key"] == art.key and e.get("form") == "wechat" for e in self._forms())

    def _forms(self) -> list[dict[str, Any]]:
        cached = getattr(self, "_entries_cache", None)
        if cached is None:
            cached = self._entries_cache = self.entries()
        return cached

    # -- routing ---------------------------------------------------------------------
    def route(self, path: str, query: dict[str, str], method: str) -> Page | None:
        p = self.portal
        if path in ("/", "/index.html", f"/index.{p.ext}", "/index.htm"):
            return self.page(self.home_html())
        if path == "/footer.html" and p.chrome == "iframe":
            return self.page(self.doc("页脚", "", self.footer_html()))
        if path == "/script/common/head.js" and p.chrome == "script":
            return self.js(self.header_html())
        if path == "/script/common/foot.js" and p.chrome == "script":
            return self.js(self.footer_html())
        if path == UNIT_API:
            return self.unit_api(query)
        if path == DATACALL:
            return self.datacall(query)
        for c in self.portal.columns:
            n = self.list_page_number(c, path, query)
            if n is None:
                continue
            col = self.column(c.name)
            rows, pages = self.rows(col, n)
            if c.mechanism == "gkmlpt_api":
                return self.gkmlpt_api(c, rows, n)
            if n > pages and n > 1:
                return self.not_found()
            return self.page(self.list_html(c, rows, n, pages))
        return None

    def list_page_number(self, c: PCol, path: str, query: dict[str, str]) -> int | None:
        t = self.portal.template
        if c.mechanism == "gkmlpt_api":
            if path == c.path.split("?", 1)[0] and query.get("sid"):
                return max(1, int(query.get("page", "1") or 1))
            return None
        d = self.dir(c)
        if t in ("hanweb_classic", "hanweb_jpaas"):
            if path in (c.path, d):
                try:
                    return max(1, int(query.get("pageNum", "1") or 1))
                except ValueError:
                    return 1
            return None
        if t == "vsb":
            if path == c.path:
                return 1
            m = re.fullmatch(re.escape(c.path[:-4]) + r"/(\d+)\.htm", path)
            if m:
                _, pages = self.rows(self.column(c.name), 1)
                k = pages - int(m.group(1)) + 1  # VSB counts further pages down
                return k if 2 <= k <= pages else 10**6
            return None
        if path in (d, c.path):
            return 1
        m = re.fullmatch(re.escape(d) + r"index_(\d+)\.(s?html?)", path)
        if not m:
            return None
        k = int(m.group(1))
        return k + 1 if t == "trs" else (k if k >= 2 else 10**6)

    def next_href(self, c: PCol, n: int, pages: int) -> str:
        """Link to list page ``n + 1`` as the platform writes it ("" on the last page)."""
        if n >= pages:
            return ""
        t = self.portal.template
        if t in ("hanweb_classic", "hanweb_jpaas"):
            return f"{c.path}?uid={c.uid}&pageNum={n + 1}"
        if t == "vsb":
            stem = c.path.rsplit("/", 1)[1][:-4]
            return f"{stem}/{pages - n}.htm"
        if t == "trs":
            return f"index_{n}.{self.portal.ext}"
        return f"index_{n + 1}.html"

    def data_call(self, column: str, page: int = 1) -> str:
        """The data URL a browser's script fetches for a JS-shell list ("" for server lists)."""
        c = self.pcols[column]
        if c.mechanism == "jpaas_unit":
            from urllib.parse import urlencode

            q = {"webId": str(self.portal.extra.get("webid", 1)), "tplSetId": _hex(self.slug, "tpl", n=21),
                 "pageType": "column", "tagId": UNIT_TAG, "editType": "null", "pageId": str(c.colid),
                 "parseType": "bulidstatic"}
            if page > 1:
                q["paramJson"] = json.dumps({"pageNo": page, "pageSize": self.page_size}, separators=(",", ":"))
            return f"{self.base}{UNIT_API}?{urlencode(q)}"
        if c.mechanism == "datacall":
            return f"{self.base}{DATACALL}?iid={c.uid}&webid={self.portal.extra.get('webid', 1)}"
        return ""

    def list_url(self, column: str, n: int) -> str:
        """URL of list page ``n`` as the site links it ("" past the last page)."""
        c = self.pcols[column]
        _, pages = self.rows(self.column(column), 1)
        if n > pages:
            return ""
        if c.mechanism == "gkmlpt_api":
            return f"{self.base}{c.path.replace('page=1', f'page={n}')}"
        if n == 1:
            return self.base + c.path
        from urllib.parse import urljoin

        return urljoin(self.base + (c.path if self.portal.template != "trs" else self.dir(c)),
                       self.next_href(c, n - 1, pages))

    # -- chrome ----------------------------------------------------------------------
    def js(self, html: str) -> Page:
        body = "".join(f"document.write({json.dumps(line, ensure_ascii=False)});\n"
                       for line in html.splitlines())
        return Page(body=body.encode(self.charset), content_type=f"application/javascript; charset={self.charset}")

    def head(self, title: str, metas: str = "") -> str:
        p = self.portal
        cs = (f'<meta http-equiv="Content-Type" content="text/html; charset={p.charset}">\n'
              if p.charset != "utf-8" else '<meta charset="utf-8">\n')
        return (f"<!DOCTYPE html>\n<html>\n<head>\n{cs}"
                '<meta http-equiv="X-UA-Compatible" content="IE=edge">\n'
                f"<title>{esc(title)}</title>\n{metas}"
                '<link rel="stylesheet" href="/css/style.css">\n</head>\n')

    def header_html(self) -> str:
        p = self.portal
        nav = "".join(f'<li><a href="{esc(self.link_path(c))}">{esc(c.name)}</a></li>' for c in p.columns)
        return (f'<div class="header"><div class="w1200"><a class="logo" href="/">{esc(p.name)}</a>'
                '<span class="top-links"><a href="/wza/">无障碍</a> | <a href="/m/">手机版</a></span></div></div>\n'
                f'<div class="nav"><ul class="w1200"><li><a href="/">首页</a></li>{nav}</ul></div>')

    def footer_html(self) -> str:
        lines = "\n".join(f"<p>{esc(x)}</p>" for x in self.portal.footer)
        return ('<div class="footer"><div class="w1200">\n<p><a href="/wzdt/">网站地图</a> | '
                f'<a href="/lxwm/">联系我们</a></p>\n{lines}\n</div></div>')

    def link_path(self, c: PCol) -> str:
        return c.path if c.mechanism != "gkmlpt_api" else "/gkmlpt/index"

    def chrome(self, inner: str) -> str:
        ch = self.portal.chrome
        if ch == "script":
            return ('<script type="text/javascript" src="/script/common/head.js"></script>\n' + inner
                    + '\n<script type="text/javascript" src="/script/common/foot.js"></script>\n')
        if ch == "iframe":
            return (self.header_html() + "\n" + inner + '\n<iframe src="/footer.html" width="100%" height="220"'
                    ' frameborder="0" scrolling="no" title="页脚"></iframe>\n')
        return self.header_html() + "\n" + inner + "\n" + self.footer_html() + "\n"

    def doc(self, title: str, metas: str, body: str) -> str:
        return self.head(title, metas) + "<body>\n" + body + "\n</body>\n</html>\n"

    def crumbs(self, c: PCol) -> str:
        return (f'<div class="crumbs w1200">当前位置：<a href="/">首页</a> &gt; '
                f'<a href="{esc(self.link_path(c))}">{esc(c.name)}</a></div>\n')

    # -- lists -----------------------------------------------------------------------
    def row(self, art: SimArticle, relative: str = "") -> str:
        t = esc(art.title)
        href = esc(relative or art.path)
        tpl = self.portal.template
        if tpl == "hanweb_classic":
            return (f'<li class="wip_col_listli"><a href="{href}" title="{t}" target="_blank">{t}</a>'
                    f'<span class="bt-block">{ymd(art.published_at)}</span></li>')
        if tpl == "gkmlpt":
            return (f'<li><span class="dot"></span><span class="til"><a href="{href}" target="_blank">{t}</a>'
                    f'</span><span class="time">{ymd(art.published_at)}</span></li>')
        return (f'<li><a href="{href}" title="{t}" target="_blank">{t}</a>'
                f'<span class="date">{ymd(art.published_at)}</span></li>')

    def relative(self, c: PCol, art: SimArticle, n: int = 1) -> str:
        """The href a list page ``n`` writes for ``art`` (relative on most platforms)."""
        t = self.portal.template
        if t == "trs":
            return "./" + art.path[len(self.dir(c)):]
        if t == "vsb":
            depth = c.path.count("/") - 1 + (1 if n > 1 else 0)  # further pages sit one folder down
            return "../" * depth + art.path.lstrip("/")
        if t in ("channel_doc", "ncontent"):
            return art.path[len(self.dir(c)):]
        return art.path

    def listing(self, c: PCol, rows: list[SimArticle], n: int, pages: int) -> str:
        p, t = self.portal, self.portal.template
        if c.mechanism == "jpaas_unit":
            # The shell as unitbuild.js pages have it (zj_province.md: id 71114623176): an empty
            # unit container and the script whose url/queryData attributes name the data call.
            return (f'<div id="{UNIT_TAG}"></div>\n'
                    f'<script id="{_hex(self.slug, c.colid)}" type="text/javascript" '
                    'src="/cms_files/default/script/AuthorizedRead/unitbuild.js?v=4.3.0-SWB-U19" '
                    f'url="{UNIT_API}" queryData="{esc(self.query_data(c))}"></script>')
        if c.mechanism == "datacall":
            return (f'<div class="list-box" id="list{c.colid}"><script type="text/javascript" '
                    f'src="{DATACALL}?iid={c.uid}&webid={p.extra.get("webid", 1)}"></script></div>')
        if c.mechanism == "datastore":
            records = "\n".join(f"<record><![CDATA[\n{self.row(a)}\n]]></record>" for a in rows)
            return (f'<div id="{c.uid}"><script type="text/xml"><datastore>\n<recordset>\n{records}\n'
                    f"</recordset>\n</datastore></script></div>\n"
                    '<div class="default_pgContainer"></div>\n'
                    '<script type="text/javascript" src="/module/web/jpage/jpage.js"></script>')
        lis = "\n".join(self.row(a, self.relative(c, a, n)) for a in rows)
        if t == "trs" and p.extra.get("pager") == "hubei":
            ul = f'<ul class="hbgov-newslist-itemheight-18px">\n{lis}\n</ul>'
            pager = (f'<script type="text/javascript">createPageHTML({pages}, {n - 1},"index", '
                     f'"{p.ext}", "black2",{len(self.store.column(self.slug, c.name))});</script>')
        elif t == "trs":
            ul = f'<ul class="news-list">\n{lis}\n</ul>'
            pager = ('<script type="text/javascript">\n'
                     f'var currentPage = {n - 1};var countPage = {pages};\n'
                     f'createPageHTML(countPage, currentPage, "index", "{p.ext}");\n</script>')
        else:
            cls = "wip_col_listul" if t == "hanweb_classic" else "list-ul"
            ul = f'<div class="{cls}"><ul>\n{lis}\n</ul></div>'
            nxt = self.next_href(c, n, pages)
            label = "下页" if t == "vsb" else "下一页"
            pager = (f'<div class="pager"><span>共{pages}页</span> '
                     + (f'<a class="next" href="{esc(nxt)}">{label}</a>' if nxt else "") + "</div>")
        return ul + "\n" + pager

    def list_html(self, c: PCol, rows: list[SimArticle], n: int, pages: int) -> str:
        p = self.portal
        metas = (f'<meta name="SiteName" content="{esc(p.name)}">\n'
                 f'<meta name="ColumnName" content="{esc(c.name)}">\n')
        inner = (self.crumbs(c) + f'<div class="main w1200"><div class="list-title">{esc(c.name)}</div>\n'
                 + self.listing(c, rows, n, pages) + "\n</div>")
        return self.doc(f"{c.name}{p.title_suffix}", metas, self.chrome(inner))

    def home_html(self) -> str:
        blocks = []
        for c in self.portal.columns:
            rows, _ = self.rows(self.column(c.name), 1)
            lis = "\n".join(self.row(a) for a in rows[:2])
            blocks.append(f'<div class="home-box"><h3><a href="{esc(self.link_path(c))}">{esc(c.name)}</a></h3>'
                          f"\n<ul>\n{lis}\n</ul></div>")
        return self.doc(self.portal.name, "", self.chrome('<div class="main w1200">' + "\n".join(blocks) + "</div>"))

    # -- API-backed lists ------------------------------------------------------------
    def query_data(self, c: PCol) -> str:
        """The shell script's ``queryData`` attribute (single-quoted JSON, as unitbuild.js reads it)."""
        return (f"{{'webId':'{self.portal.extra.get('webid', 1)}','tplSetId':'{_hex(self.slug, 'tpl', n=21)}',"
                f"'pageType':'column','tagId':'{UNIT_TAG}','editType':'null','pageId':'{c.colid}'}}")

    def unit_api(self, query: dict[str, str]) -> Page:
        """The unit-build answer: page 1 without paging parameters, page N by ``paramJson``."""
        c = next((x for x in self.portal.columns if str(x.colid) == query.get("pageId")), None)
        if c is None or query.get("parseType") != "bulidstatic" or query.get("tagId") != UNIT_TAG:
            return self.json({"roles": None, "permissions": None, "success": False, "message": "参数错误",
                              "code": "500", "data": None, "traceId": _hex(query, n=16)})
        n, rows = 1, self.page_size
        if query.get("paramJson"):
            try:
                paging = json.loads(query["paramJson"])
                n, rows = max(1, int(paging.get("pageNo", 1))), max(1, int(paging.get("pageSize", rows)))
            except (ValueError, TypeError, AttributeError):
                n = 1
        arts = self.store.column(self.slug, c.name)
        total = len(arts)
        lis = "".join(f'<li><a href="{esc(a.path)}" title="{esc(a.title)}" target="_blank">{esc(a.title)}</a>'
                      f"<span>[{ymd(a.published_at)}]</span></li>" for a in arts[(n - 1) * rows:n * rows])
        html = (f'<div class="page-content"><ul class="txtList_01">{lis}</ul></div>'
                f'<div class="pagination" rows="{rows}" count="{total}" pageNo="{n}" unitid="{UNIT_TAG}" '
                f'unitUrl="{UNIT_API}"></div>')
        return self.json({"roles": None, "permissions": None, "success": True, "message": "操作成功",
                          "code": "200", "data": {"html": html}, "traceId": _hex(query, n=16)})

    def datacall(self, query: dict[str, str]) -> Page:
        c = next((x for x in self.portal.columns if str(x.uid) == query.get("iid")), None)
        if c is None:
            return self.not_found()
        arts = self.store.column(self.slug, c.name)[:15]
        html = '<ul class="list">' + "".join(self.row(a) for a in arts) + "</ul>"
        return Page(body=f"document.write({json.dumps(html, ensure_ascii=False)});\n".encode(self.charset),
                    content_type=f"application/javascript; charset={self.charset}")

    def gkmlpt_api(self, c: PCol, rows: list[SimArticle], n: int) -> Page:
        total = len(self.store.column(self.slug, c.name))
        arts = [{"id": int(a.path.rsplit("_", 1)[1][:-5]), "title": a.title, "url": a.url,
                 "date": int(a.published_at.timestamp()), "display_publish_time": int(a.published_at.timestamp()),
                 "publisher": a.source, "document_number": "", "abstract": a.paragraphs[0][:60],
                 "attachment": []} for a in rows]
        return self.json({"classify": {"id": c.colid, "name": c.name, "post_count": total}, "articles": arts})

    def json(self, data: Any) -> Page:
        return Page(body=json.dumps(data, ensure_ascii=False).encode("utf-8"),
                    content_type="application/json;charset=UTF-8")

    # -- articles --------------------------------------------------------------------
    def metas(self, art: SimArticle, c: PCol) -> str:
        p = self.portal
        values = {"ArticleTitle": art.title, "PubDate": hm(art.published_at), "pubdate": hm(art.published_at),
                  "ContentSource": art.source, "contentSource": art.source, "source": art.source,
                  "ColumnName": c.name, "SiteName": p.name, "ColId": str(c.colid),
                  "publishdate": ymd(art.published_at), "description": art.paragraphs[0][:60]}
        return "".join(f'<meta name="{m}" content="{esc(values[m])}">\n' for m in p.metas)

    def body_inner(self, art: SimArticle) -> str:
        paras = "\n".join(f"<p>{esc(x)}</p>" for x in art.paragraphs)
        if self.is_wechat(art):
            spans = "\n".join(f'<p style="text-indent:2em;"><span style="font-size:16px;">{esc(x)}</span></p>'
                              for x in art.paragraphs)
            return (f'<div class="rich_media_content" id="js_content" style="visibility: visible;">'
                    f"<section>\n{spans}\n</section></div>")
        if self.portal.nested:
            return ('<html><head><meta charset="utf-8"><title></title></head><body>\n'
                    f"{paras}\n</body></html>")
        return paras

    def render_article(self, art: SimArticle) -> Page:
        p = self.portal
        c = self.pcols[art.column]
        tag = p.body.split()[0]
        info = (f'<div class="info"><span>发布时间：{hm(art.published_at)}</span> '
                f"<span>来源：{esc(art.source)}</span> "
                '<span class="font">字号：<a href="javascript:doZoom(18)">大</a> <a href="javascript:doZoom(16)">中</a>'
                ' <a href="javascript:doZoom(14)">小</a></span></div>')
        tools = ('<div class="tools"><span class="bdsharebuttonbox">分享到：<a class="bds_weixin" '
                 'data-cmd="weixin"></a></span> <a href="javascript:window.print()">打印本页</a> '
                 '<a href="javascript:window.close()">关闭窗口</a></div>')
        credit = '<div class="editor">责任编辑：王晓</div>'
        box = f"<{p.body}>\n{self.body_inner(art)}\n" + ("" if p.credits_outside else credit) + f"</{tag}>"
        if p.template == "gkmlpt" and c.mechanism == "gkmlpt_api":
            detail = {"title": art.title, "content": "".join(f"<p>{esc(x)}</p>" for x in art.paragraphs),
                      "publisher": art.source, "date": int(art.published_at.timestamp())}
            box += ('\n<script type="text/javascript">window._CONFIG = window._CONFIG || {}; _CONFIG.DETAIL = '
                    + json.dumps(detail, ensure_ascii=True).replace("<", "\\u003C").replace("/", "\\/")
                    + ";</script>")
        headline = p.headline.format(esc(art.title))
        if p.extra.get("press_detail") == "hubei" and c.role == "新闻发布会":
            # 湖北 新闻发布会 detail pages (hb_province.md, id 31755427504): an h2 headline, a
            # ul.int_list of 时间 and 出席 lines, the record in div.text_record.
            headline = f"<h2>{esc(art.title)}</h2>"
            info = ('<ul class="list-unstyled int_list">'
                    f"<li>时间：{hm(art.published_at)}</li><li>出席：{esc(art.source)}有关负责同志</li></ul>")
            box = f'<div class="text_record">\n{self.body_inner(art)}\n</div>\n{credit}'
        inner = (self.crumbs(c) + '<div class="main w1200"><div class="article">\n'
                 + headline + "\n" + info + "\n" + box + "\n"
                 + (credit if p.credits_outside else "") + tools + "\n</div></div>")
        html = self.doc(f"{art.title}{p.title_suffix}", self.metas(art, c), self.chrome(inner))
        return self.page(html, article=art)


def _portal_class(p: Portal) -> type[PortalApp]:
    return type(f"Portal_{p.slug}", (PortalApp,), {"portal": p, "slug": p.slug, "host": p.host,
                                                  "scheme": p.scheme, "__module__": __name__})


def portal_classes() -> tuple[type[PortalApp], ...]:
    from .portal_facts import PORTALS

    return tuple(_portal_class(p) for p in PORTALS)
