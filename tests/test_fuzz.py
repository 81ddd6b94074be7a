"""Hostile loopback servers and fuzzed pages, crawled by the real spider, pipelines and archive
(issue #17; the full run with figures is ``bench/fuzz.py``).  One crawl plays five made-up
hosts at once, each a different hostile server; nothing is lost and every problem is counted."""

from __future__ import annotations

import random
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from archive import Archive
from simulator.hostile import LIST_PATH, Hosts, article_path, hostile_page, scenario
from tests.conftest import crawl

FUZZ_ARTICLES = 12
FLOOD_LINKS = 3000
SETTINGS = {"LIST_MAX_LINKS": 20, "FRONTIER_MAX_REQUESTS": 40, "RETRY_TIMES": 0, "DOWNLOAD_TIMEOUT": 5,
            "INCREMENTAL_FULL": True}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("hostile_sites")
    archive = folder / "a.sqlite"
    servers = scenario(FUZZ_ARTICLES, FLOOD_LINKS)
    mp = pytest.MonkeyPatch()
    try:
        for server in servers.values():
            server.start()
            server.write_site(folder)
        mp.setenv("GOVPRESS_SITES", str(folder))
        runs = crawl(Hosts(list(servers.values())), archive, [s.slug for s in servers.values()], **SETTINGS)
        yield servers, archive, {r["site"]: r for r in runs}
    finally:
        mp.undo()
        for server in servers.values():
            server.stop()


def _run(archive: Path, slug: str):
    return Archive(archive).runs(site=slug)[0]


def test_bad_links_images_and_base_lose_nothing_and_are_counted(hostile) -> None:
    servers, archive, runs = hostile
    srv = servers["links"]
    reader = Archive(archive)
    for i in (1, 2, 3):
        doc = reader.get(srv.url(article_path(i)))
        assert doc is not None, i
        assert "市政府召开常务会议" in doc.body
    run = _run(archive, srv.slug)
    assert run.stats.get("lists/bad_links") == 1
    assert run.stats.get("cleaning/bad_url") == 3
    assert not run.stats.get("item_errors/count") and not run.stats.get("spider_exceptions/count")
    assert runs[srv.slug]["status"] == "ok"


def test_a_link_flood_is_capped_per_page_and_per_crawl(hostile) -> None:
    servers, archive, runs = hostile
    srv = servers["flood"]
    run = _run(archive, srv.slug)
    assert run.stats["lists/links_capped"] >= FLOOD_LINKS - 20
    assert run.stats.get("frontier/capped")
    fetched = [p for p in srv.paths() if p.startswith(f"{LIST_PATH}2026")]
    assert 20 <= len(fetched) <= 40
    assert runs[srv.slug]["status"] == "partial"  # coverage was cut on purpose: said, not hidden
    assert run.error.startswith("capped: ") and "FRONTIER_MAX_REQUESTS" in run.error


@pytest.mark.parametrize(("name", "why"), [("robots503", "HTTP 503"), ("robots_reset", "robots.txt unreachable")])
def test_robots_txt_5xx_or_unreachable_means_complete_disallow(hostile, name: str, why: str) -> None:
    servers, archive, runs = hostile
    srv = servers[name]
    assert srv.paths() and set(srv.paths()) == {"/robots.txt"}  # nothing else was fetched
    summary = runs[srv.slug]
    assert summary["status"] == "failed"
    assert "robots.txt unreachable" in summary["error"] and why in summary["error"]
    assert _run(archive, srv.slug).stats.get("fetch_errors/robots_unreachable")


def test_robots_txt_404_allows_everything(hostile) -> None:
    servers, _, runs = hostile
    assert runs[servers["links"].slug]["status"] == "ok"
    assert "/robots.txt" in servers["links"].paths()


def test_a_cookie_flood_is_capped(hostile) -> None:
    servers, archive, runs = hostile
    srv = servers["cookies"]
    with srv.lock:
        headers = [h.get("Cookie", "") for _, h in srv.requests]
    assert max(len(h) for h in headers) <= 4096
    assert max(h.count("=") for h in headers) <= 50
    assert any(h.count("=") >= 10 for h in headers)  # cookies are still sent, just bounded
    assert _run(archive, srv.slug).stats.get("cookies/dropped") or _run(archive, srv.slug).stats.get(
        "cookies/header_capped")
    assert runs[srv.slug]["new"] + runs[srv.slug]["duplicate"] == 8  # near-identical pages cluster


def test_fuzzed_pages_are_all_archived_or_counted(hostile) -> None:
    servers, archive, runs = hostile
    srv = servers["fuzz"]
    reader = Archive(archive)
    archived = [reader.get(srv.url(article_path(i))) for i in range(FUZZ_ARTICLES)]
    run = _run(archive, srv.slug)
    dropped = run.stats.get("cleaning/too_short", 0)
    assert sum(d is not None for d in archived) + dropped == FUZZ_ARTICLES
    assert not run.stats.get("item_errors/count") and not run.stats.get("spider_exceptions/count")
    assert sum(d is not None for d in archived) >= FUZZ_ARTICLES - 2


def test_set_cookie_never_makes_a_connection_off_loopback(tmp_path: Path) -> None:
    """tldextract must use its bundled Public Suffix List: with an empty cache it would
    otherwise fetch publicsuffix.org the first time a cookie names a domain."""
    script = r'''
import socket, sys
attempts = []
real_connect, real_getaddrinfo = socket.socket.connect, socket.getaddrinfo
def connect(self, addr):
    if not str(addr[0]).startswith(("127.", "::1", "localhost")):
        attempts.append(addr); raise OSError("network forbidden in this test")
    return real_connect(self, addr)
def getaddrinfo(host, *a, **k):
    if not str(host).startswith(("127.", "::1", "localhost")):
        attempts.append(host); raise OSError("network forbidden in this test")
    return real_getaddrinfo(host, *a, **k)
socket.socket.connect, socket.getaddrinfo = connect, getaddrinfo
from scrapy import Request, Spider
from scrapy.http import HtmlResponse
from scrapy.utils.misc import load_object
from scrapy.utils.test import get_crawler
from app.crawl import project_settings
mws = project_settings().getdict("DOWNLOADER_MIDDLEWARES")
name = next(k for k, v in mws.items() if v is not None and "ookie" in k)
crawler = get_crawler(Spider, {"COOKIES_ENABLED": True})
mw = load_object(name).from_crawler(crawler)
req = Request("http://www.qingdao.gov.cn/a.html")
resp = HtmlResponse(req.url, request=req, body=b"<html></html>",
                    headers={"Set-Cookie": ["a=1; Domain=.qingdao.gov.cn; Path=/", "b=2; Domain=.gov.cn"]})
mw.process_response(req, resp)
nxt = Request("http://www.qingdao.gov.cn/b.html")
mw.process_request(nxt)
print(repr(attempts), nxt.headers.get("Cookie"))
sys.exit(1 if attempts else 0)
'''
    cache = tmp_path / "cache"
    env = {"HOME": str(tmp_path), "XDG_CACHE_HOME": str(cache), "TLDEXTRACT_CACHE": str(cache),
           "PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert "a=1" in result.stdout and "b=2" not in result.stdout  # .gov.cn is a public suffix
    assert not cache.exists() or not any(cache.rglob("*.json"))
    assert socket  # the module is used inside the child script


# -- config cases: random edits of a good site file, random setting values -------------------
def _mutations(rng: random.Random, text: str) -> str:
    import re

    values = ['""', "0", "-1", "1.5", "true", '"x"', "[]", '["a", 1]', "{}", '"../x"', '"0 3 31 2 *"',
              '"HTTP://www.test.gov.cn/"', "99999999999", '"\\u0000"', '"base64"', '"http://[::1/"']
    lines = text.split("\n")
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(len(lines))
        if "=" in lines[i] and rng.random() < 0.7:
            key = lines[i].split("=", 1)[0]
            lines[i] = f"{key}= {rng.choice(values)}"
        elif rng.random() < 0.5:
            lines.insert(i, f"{rng.choice(['tiemout', 'max_page', 'cron', 'url', 'zzz'])} = {rng.choice(values)}")
        else:
            del lines[i]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


def test_random_site_file_edits_raise_only_one_line_site_config_errors(tmp_path: Path) -> None:
    from core.siteconfig import SiteConfigError, parse_site
    from tests.test_siteconfig import GOOD

    rng = random.Random(1717)
    refused = 0
    for n in range(300):
        path = tmp_path / "sd_test.toml"
        path.write_text(_mutations(rng, GOOD), "utf-8")
        try:
            parse_site(path)
        except SiteConfigError as exc:
            refused += 1
            assert "\n" not in str(exc) and str(exc).startswith("sd_test.toml: "), (n, str(exc))
    assert refused > 100  # most random edits are wrong, and every one was caught as such


def test_random_setting_values_raise_only_one_line_config_errors() -> None:
    from app.crawl import project_settings
    from crawler.config import SETTINGS, ConfigError

    rng = random.Random(99)
    values = ["nan", "inf", "-inf", "abc", "", "-1", "0", "1e309", "1" * 400, "TRUE", "debug", "{", "[]",
              '{"a": "127.0.0.1:1"}', "2026-13-45", "\x00", "0.5", "3"]
    for name in SETTINGS:
        for value in rng.sample(values, 6):
            try:
                project_settings({name: value})
            except ConfigError as exc:
                assert "\n" not in str(exc) and name in str(exc)


def test_hostile_pages_never_raise_and_keep_their_text() -> None:
    from pipelines.extract import extract
    from simulator.hostile import SENTENCE

    rng = random.Random(2026)
    kept = 0
    for i in range(15):
        raw, ctype, used = hostile_page(rng, i)
        ex = extract(raw, f"http://www.fuzz.gov.cn{article_path(i)}", content_type=ctype)
        kept += SENTENCE.format(i=i)[:8] in ex.body
        assert "extract_error" not in ex.flags, used
    assert kept >= 12
