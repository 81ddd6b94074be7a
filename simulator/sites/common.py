"""What every simulated site shares: the response type, the app base class and HTML helpers."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..model import SimArticle, Store

NGINX_404 = (
    "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n"
    "<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


@dataclass
class Page:
    """A response a site app produced; the server adds validators when ``article`` is set."""

    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)
    article: SimArticle | None = None


@dataclass(frozen=True)
class Column:
    name: str
    list_path: str
    """Path of the column's first list page, e.g. ``/col/col97802/index.html``."""
    colid: int = 0
    uid: int = 0
    datastore: bool = False


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def ymd(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%d")


def hm(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%d %H:%M")


def body_html(art: SimArticle, attachment_href: str = "", indent: bool = True) -> str:
    """The article's paragraphs as ``<p>`` elements, with its image and attachment link."""
    style = ' style="text-indent:2em;"' if indent else ""
    out: list[str] = []
    last = len(art.paragraphs) - 1
    for i, para in enumerate(art.paragraphs):
        if art.image and i == art.caption_at:
            out.append(f'<p style="text-align:center;"><img src="{esc(art.image)}" '
                       f'border="0" alt="" style="max-width:100%;" /></p>')
            out.append(f'<p style="text-align:center;">{esc(para)}</p>')
        elif any(f[0] == i for f in art.files):
            _, name, href = next(f for f in art.files if f[0] == i)
            label = para[: len(para) - len(name)] if para.endswith(name) else ""
            out.append(f'<p>{esc(label)}<a href="{esc(href)}" target="_blank">{esc(name)}</a></p>')
        elif art.attachment and attachment_href and i == last:
            out.append(f'<p>附件：<a href="{esc(attachment_href)}" target="_blank">'
                       f'{esc(art.attachment)}</a></p>')
        else:
            inner = art.markup[i] if i < len(art.markup) else esc(para)
            out.append(f"<p{style}>{inner}</p>")
    return "\n".join(out)


class SiteApp:
    """One simulated host.  Subclasses render lists and articles in their CMS's markup."""

    slug = ""
    host = ""
    scheme = "http"
    charset = "utf-8"
    content_type = "text/html; charset=utf-8"
    first_num = 1_000_000
    columns: tuple[Column, ...] = ()
    robots = "User-agent: *\nDisallow:\n"

    def __init__(self, page_size: int = 5) -> None:
        self.page_size = page_size
        self.store: Store  # set by ``Simulator`` once the store is built

    @property
    def base(self) -> str:
        return f"{self.scheme}://{self.host}"

    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def rows(self, column: Column, page: int) -> tuple[list[SimArticle], int]:
        """Articles on page ``page`` (1-based) and the page count (at least 1)."""
        arts = self.store.column(self.slug, column.name)
        pages = max(1, -(-len(arts) // self.page_size))
        start = (page - 1) * self.page_size
        return (arts[start:start + self.page_size] if page >= 1 else []), pages

    def related(self, art: SimArticle, n: int = 4) -> list[SimArticle]:
        """Up to ``n`` older articles of the same column, newest first."""
        arts = self.store.column(self.slug, art.column)
        older = [a for a in arts if a.published_at < art.published_at and a.url != art.url]
        return sorted(older, key=lambda a: a.published_at, reverse=True)[:n]

    def link(self, art: SimArticle) -> str:
        """How other pages of this site link to ``art`` (path, maybe with a variant query)."""
        return art.path + (f"?{art.related_variant}" if art.related_variant else "")

    def page(self, text: str, status: int = 200, content_type: str = "",
             article: SimArticle | None = None) -> Page:
        return Page(status=status, body=text.encode(self.charset),
                    content_type=content_type or self.content_type, article=article)

    def not_found(self) -> Page:
        return Page(status=404, body=NGINX_404.encode("ascii"), content_type="text/html")

    def redirect(self, path: str, status: int = 301) -> Page:
        return Page(status=status, body=b"", content_type="text/html",
                    headers=[("Location", self.base + path)])

    def entries(self) -> list[dict[str, Any]]:
        """The site's article data entries (default: ``data/<slug>.json``)."""
        from ..model import load_entries

        return load_entries(self.slug)

    # -- to override -------------------------------------------------------------
    def article_url(self, column: str, dt: datetime, num: int, key: str, form: str) -> str:
        raise NotImplementedError

    def route(self, path: str, query: dict[str, str], method: str) -> Page | None:
        """A non-article page, or ``None`` for 404."""
        return None

    def render_article(self, art: SimArticle) -> Page:
        raise NotImplementedError
