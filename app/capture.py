"""Captures from inside China: save what a site sent (``govpress check --save``), replay it
offline (``--replay``), and freeze it into the site's test fixtures (``govpress freeze``).

The capture format is ``crawler.capture``; the crawl side is ``crawler.middlewares.capture``
and ``crawler.handlers.replay``.  ``freeze`` writes the list page and article pages as the
raw (decompressed) bytes the server sent, and an ``expected.toml`` in the shape of the
existing fixtures, its article values taken from govpress's own extraction at freeze time:
a draft to check against the page by eye before committing (the file says so).
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import logging
import re
import zlib
from pathlib import Path
from typing import Any

from core.siteconfig import SiteDefinition
from crawler.capture import CaptureError, Entry, body_of, read_capture

logger = logging.getLogger(__name__)

SENTENCE = re.compile(r".*?[。！？!?][”’」』）)]*|.+$")


def capture_settings(folder: str) -> dict[str, Any]:
    """Settings that write every response of a crawl/check to ``folder``."""
    from app.crawl import project_settings

    mws = dict(project_settings().getdict("DOWNLOADER_MIDDLEWARES"))
    mws["crawler.middlewares.capture.CaptureMiddleware"] = 950
    return {"CAPTURE_DIR": folder, "DOWNLOADER_MIDDLEWARES": mws}


def replay_settings(folder: str) -> dict[str, Any]:
    """Settings that answer every request from the capture in ``folder``, offline."""
    from crawler.handlers.replay import HANDLER

    return {"REPLAY_DIR": folder, "DOWNLOAD_HANDLERS": {"http": HANDLER, "https": HANDLER},
            "DOWNLOAD_DELAY": 0.01, "AUTOTHROTTLE_ENABLED": False, "RETRY_ENABLED": False}


def decoded(entry: Entry, raw: bytes) -> bytes:
    """The body without its Content-Encoding (fixtures hold what the page's bytes are)."""
    enc = ",".join(v for k, vs in entry.headers.items() if k.lower() == "content-encoding" for v in vs).lower()
    if "gzip" in enc:
        return gzip.decompress(raw)
    if "deflate" in enc:
        try:
            return zlib.decompress(raw)
        except zlib.error:
            return zlib.decompress(raw, -zlib.MAX_WBITS)
    return raw


def _content_type(entry: Entry) -> str:
    return next((vs[0] for k, vs in entry.headers.items() if k.lower() == "content-type" and vs), "")


def _toml(value: object) -> str:
    if isinstance(value, (dt.date, int)):
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    return json.dumps(str(value), ensure_ascii=False)


def freeze(folder: str | Path, site: SiteDefinition, out: str | Path, *, articles: int = 3,
           force: bool = False) -> list[Path]:
    """Write ``out/<slug>/`` fixtures from a capture; returns the files written.

    Raises ``CaptureError`` when the capture holds no usable list or article page of the site,
    or when the fixture folder exists and ``force`` is not given.
    """
    from scrapy.http import HtmlResponse

    from crawler.links import article_links
    from pipelines.extract import extract

    entries = [e for e in read_capture(folder) if not e.error and e.status == 200]
    list_urls = {lst.url: lst for lst in site.lists}
    lists = [e for e in entries if e.url in list_urls]
    arts = [e for e in entries if e.url not in list_urls and site.article_re.search(e.url.split("?")[0])]
    if not lists:
        raise CaptureError(f"{folder}: no list page of {site.slug} with HTTP 200 in the capture")
    if not arts:
        raise CaptureError(f"{folder}: no article page of {site.slug} with HTTP 200 in the capture")
    target = Path(out) / site.slug
    if target.exists() and any(target.iterdir()) and not force:
        raise CaptureError(f"{target}: fixtures exist; give --force to replace them")
    target.mkdir(parents=True, exist_ok=True)
    lines = [f"# Written by `govpress freeze` from the capture {Path(folder).name} ({site.slug}).",
             "# The article values are govpress's extraction at freeze time: check each against",
             "# the page before committing; the fixture test then guards them.", ""]
    written: list[Path] = []
    picks = [("list.html", lists[0])] + [(f"article_{i}.html", e) for i, e in enumerate(arts[:articles], 1)]
    for name, entry in picks:
        raw = decoded(entry, body_of(folder, entry))
        (target / name).write_bytes(raw)
        written.append(target / name)
        ctype = _content_type(entry)
        when = dt.date.fromisoformat(entry.fetched_at[:10]) if entry.fetched_at else dt.date.today()
        fields: dict[str, object]
        if name == "list.html":
            resp = HtmlResponse(entry.url, body=raw, headers={"Content-Type": ctype})
            fields = {"kind": "list", "url": entry.url, "column": list_urls[entry.url].column,
                      "article_links": len(article_links(resp.text, resp.url, site))}
        else:
            ex = extract(raw, entry.url, content_type=ctype, selectors=site.selectors)
            said = [s.strip() for s in SENTENCE.findall(ex.body.replace("\n", "")) if s.strip()]
            fields = {"kind": "article", "url": entry.url, "title": ex.title, "published": ex.published or "",
                      "source": ex.source, "first_sentence": said[0] if said else "",
                      "last_sentence": said[-1] if said else ""}
        fields.update({"content_type": ctype, "captured": when})
        lines.append(f'["{name}"]')
        lines += [f"{k} = {_toml(v)}" for k, v in fields.items()]
        lines.append("")
    (target / "expected.toml").write_text("\n".join(lines), "utf-8")
    written.append(target / "expected.toml")
    return written
