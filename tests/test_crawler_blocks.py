"""Recognised blocks: the classifier over responses and exceptions, and crawls of the simulator's
block hosts ending ``blocked`` with their kind and URL in the run record."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from OpenSSL import SSL
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
)
from twisted.internet.error import TCPTimedOutError
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseNeverReceived

from archive import Archive
from crawler.blocks import (
    classify_exception,
    classify_list_page,
    classify_response,
    shell_api,
)
from simulator.sites.blocks import SITES_DIR
from tests.conftest import crawl

RUISHU_COOKIES = [("Set-Cookie", "FSSBBIl1UgzbN7N80S=x; Path=/"), ("Set-Cookie", "FSSBBIl1UgzbN7N80T=y; Path=/")]


@pytest.mark.parametrize(("status", "headers", "body", "kind"), [
    (412, RUISHU_COOKIES, b"<html><script>$_ts=window['$_ts'];</script></html>", "js_challenge"),
    (202, RUISHU_COOKIES, b"<html><script src='/a/b.js'></script></html>", "js_challenge"),
    (521, [("Set-Cookie", "__jsluid_h=abc; path=/")], b"<script>document.cookie=...</script>", "js_challenge"),
    (200, [("Set-Cookie", "wzws_cid=abc")], b"<script>var wzwschallenge='x'</script>", "js_challenge"),
    (403, [], "<p>阿里云Web应用防火墙</p>".encode(), "geo_blocked"),
    (403, [("CF-RAY", "abc-LAX")], b"<html>denied</html>", "geo_blocked"),
    (403, [], b"<html>Forbidden</html>", "http_403"),
    (521, [], b"origin down", "http_521"),
    (412, [], b"<html>Precondition Failed</html>", "js_challenge"),
    (302, [], b"", "dead_redirect"),
    (302, [("Location", "/elsewhere")], b"", "http_302"),
    (404, [], b"not found", "http_404"),
])
def test_responses_are_named(status: int, headers: list, body: bytes, kind: str) -> None:
    block = classify_response(status, headers, body, "http://x.gov.cn/a")
    assert block is not None and block.kind == kind, block


@pytest.mark.parametrize("body", [
    b"<html><body><ul><li><a href='/art/2026/1/1/art_1_1.html'>x</a></li></ul></body></html>",
    b"<html><body>wzws is a word here, FSSBBIl1UgzbN7N80S too</body></html>",
])
def test_ordinary_pages_are_not_blocks(body: bytes) -> None:
    assert classify_response(200, [], body, "http://x.gov.cn/") is None
    assert classify_list_page(200, [], body, "http://x.gov.cn/") is None


def test_an_empty_redirect_end_is_a_dead_redirect() -> None:
    assert classify_response(200, [], b"", "u", redirected=True).kind == "dead_redirect"
    assert classify_response(200, [], b"", "u") is None


@pytest.mark.parametrize(("body", "name", "api"), [
    ('<script>$("#d").jpage({proxyUrl: "/module/web/jpage/dataproxy.jsp", perPage: 15})</script>',
     "hanweb dataproxy.jsp", "/module/web/jpage/dataproxy.jsp"),
    ('<div class="pagination" unitUrl="/api-gateway/jpaas-publish-server/front/page/build/unit?webId=1"></div>',
     "jpaas unit build", "/api-gateway/jpaas-publish-server/front/page/build/unit?webId=1"),
    ('<script src="/jact/front/datacall/showJsContent.do?iid=7"></script>', "showJsContent.do",
     "/jact/front/datacall/showJsContent.do?iid=7"),
    ("<a href='/gkmlpt/index'>公开</a>", "gkmlpt", "/gkmlpt/index"),
])
def test_shells_name_their_data_api(body: str, name: str, api: str) -> None:
    assert shell_api(body) == (name, api)
    block = classify_list_page(200, [], body.encode(), "http://x.gov.cn/col/col1/index.html")
    assert block is not None and block.kind == "empty_shell" and block.api == api


def _wrapped(exc: BaseException) -> BaseException:
    return ResponseNeverReceived([Failure(exc)])


@pytest.mark.parametrize(("exc", "kind"), [
    (_wrapped(SSL.Error([("SSL routines", "", "dh key too small")])), "legacy_tls"),
    (_wrapped(SSL.Error([("SSL routines", "", "sslv3 alert handshake failure")])), "legacy_tls"),
    (_wrapped(SSL.Error([("SSL routines", "", "certificate verify failed")])), "bad_certificate"),
    (CannotResolveHostError("DNS lookup failed: no results for hostname lookup: x.gov.cn."), "unreachable"),
    (DownloadConnectionRefusedError("Connection was refused by other side"), "unreachable"),
    (TCPTimedOutError(), "unreachable"),
    (DownloadTimeoutError("Getting http://x.gov.cn/ took longer than 3.0 seconds."), "timeout"),
])
def test_exceptions_are_named(exc: BaseException, kind: str) -> None:
    block = classify_exception(exc, "https://x.gov.cn/")
    assert block is not None and block.kind == kind, block


def test_a_reset_is_not_a_recognised_block() -> None:
    assert classify_exception(ConnectionResetError("reset"), "u") is None


def _expected() -> dict[str, str]:
    return {p.stem: _expect(p) for p in SITES_DIR.glob("*.toml")}


CRAWLED = ["xx_ruishu", "xx_jiasule", "xx_geo", "xx_deadredirect", "xx_shell_hanweb", "xx_legacytls",
           "xx_refused", "xx_timeout"]


@pytest.fixture(scope="module")
def blocked_runs(tmp_path_factory: pytest.TempPathFactory):
    from simulator import Simulator

    archive = tmp_path_factory.mktemp("blocks") / "a.sqlite"
    mp = pytest.MonkeyPatch()
    mp.setenv("GOVPRESS_SITES", str(SITES_DIR))
    try:
        with Simulator() as sim:
            runs = crawl(sim, archive, CRAWLED, DOWNLOAD_TIMEOUT=2, RETRY_TIMES=0, INCREMENTAL_FULL=True,
                         TLS_CA_FILE=str(sim.blocks.ca_file))
            yield sim, archive, {r["site"]: r for r in runs}
    finally:
        mp.undo()


@pytest.mark.parametrize("slug", CRAWLED)
def test_a_blocked_crawl_records_its_kind_and_url(blocked_runs, slug: str) -> None:
    _, archive, _ = blocked_runs
    expected = _expected()[slug]
    run = Archive(archive).runs(site=slug)[0]
    assert run.status == "blocked", (run.status, run.error)
    assert run.block_kind == expected
    assert run.stats["block/url"].endswith("/col/col1001/index.html")
    assert run.error.startswith(f"blocked: {expected}") and run.stats["block/url"] in run.error
    assert run.new == 0


def test_a_challenge_is_reported_not_answered(blocked_runs) -> None:
    sim, _, _ = blocked_runs
    for host in ("ruishu.block.test", "jiasule.block.test"):
        hits = [r for r in sim.requests if r.host == host and r.path != "/robots.txt"]
        assert len(hits) == 1, [(r.path, r.status) for r in hits]  # no retry, no cookie replay
        assert "cookie" not in hits[0].headers


def test_the_shell_names_its_api_in_the_run(blocked_runs) -> None:
    _, archive, _ = blocked_runs
    run = Archive(archive).runs(site="xx_shell_hanweb")[0]
    assert run.stats["block/api"] == "/module/web/jpage/dataproxy.jsp"


def test_govpress_runs_json_shows_the_block_kind(blocked_runs) -> None:
    from click.testing import CliRunner

    from app.cli import cli

    _, archive, _ = blocked_runs
    out = CliRunner().invoke(cli, ["runs", "--archive", str(archive), "--json"]).output
    rows = {json.loads(line)["site"]: json.loads(line) for line in out.splitlines()}
    assert rows["xx_geo"]["block_kind"] == "geo_blocked"
    assert rows["xx_legacytls"]["block_kind"] == "legacy_tls"


def _expect(path: Path) -> str:
    """The state a block site must give, from its file's "Expected probe state: KIND." comment."""
    m = re.search(r"^# Expected probe state: (\w+)\.", path.read_text("utf-8"), re.M)
    assert m, path
    return m.group(1)
