"""Per-site TLS against a real TLS server on 127.0.0.1 that accepts only legacy settings.

The simulator's legacy listener offers TLS 1.2 with 1024-bit DHE only: this machine's
OpenSSL refuses it by default ("dh key too small") and accepts it at ``SECLEVEL=1``.
"""

from __future__ import annotations

import re
import socket
import threading
from pathlib import Path

import pytest
from OpenSSL import SSL

from archive import Archive
from core.siteconfig import SITES_DIR, SiteConfigError, TLSConfig, parse_site
from crawler.tls import make_context
from tests.conftest import crawl
from tests.test_crawler_proxy import ForwardingProxy

PROVINCE = (SITES_DIR / "sd_province.toml").read_text("utf-8")


def _variant(folder: Path, slug: str, tls: str, column: int | None = None) -> None:
    """sd_province under another slug, with its own ``[tls]`` (and only list ``column``)."""
    text = re.sub(r"\n\[tls\][^\[]*", "\n", PROVINCE).replace('slug = "sd_province"', f'slug = "{slug}"')
    if column is not None:
        head, *lists = text.split("[[lists]]")
        tail = lists[-1][lists[-1].index("[schedule]"):]
        lists[-1] = lists[-1][:lists[-1].index("[schedule]")]
        text = head + "[[lists]]" + lists[column] + tail
    (folder / f"{slug}.toml").write_text(text + tls, "utf-8")


def _handshake(port: int, tls: TLSConfig, ca: str) -> str:
    ctx = make_context(tls, ca_file=ca)
    ctx.set_verify(SSL.VERIFY_PEER, lambda *a: bool(a[-1]))
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.settimeout(None)  # pyOpenSSL needs a blocking socket here
        conn = SSL.Connection(ctx, sock)
        conn.set_connect_state()
        try:
            conn.do_handshake()
        except SSL.Error as exc:
            return repr(exc)
        return "ok"


def test_the_server_is_refused_by_default_and_accepted_with_legacy(simulator) -> None:
    port = simulator.blocks.ports["legacytls.block.test"]
    ca = str(simulator.blocks.ca_file)
    assert "dh key too small" in _handshake(port, TLSConfig(), ca)
    assert _handshake(port, TLSConfig(legacy=True), ca) == "ok"


@pytest.fixture(scope="module")
def tls_crawl(tmp_path_factory: pytest.TempPathFactory):
    from simulator import Simulator

    folder = tmp_path_factory.mktemp("tls_sites")
    _variant(folder, "xx_tls_modern", "")
    _variant(folder, "xx_tls_legacy", "\n[tls]\nlegacy = true\n", column=0)
    # Without the simulator's CA the certificate does not verify ...
    _variant(folder, "xx_tls_noca", "\n[tls]\nlegacy = true\n")
    # ... unless the site file turns the checks off (other column: no shared documents).
    _variant(folder, "xx_tls_noverify", "\n[tls]\nlegacy = true\nverify = false\n", column=1)
    # Through a forwarding proxy: TLS inside a CONNECT tunnel (page 2 of the first column).
    proxy = ForwardingProxy()
    threading.Thread(target=proxy.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    _variant(folder, "xx_tls_proxied", "\n[tls]\nlegacy = true\n", column=0)
    path = folder / "xx_tls_proxied.toml"
    path.write_text(path.read_text("utf-8").replace('col97802/index.html"', 'col97802/index.html?uid=509499&pageNum=2"')
                    .replace('cms = "hanweb"', f'cms = "hanweb"\nproxy = "{proxy.url}"'), "utf-8")
    (folder / "ca").mkdir()
    archive = folder / "a.sqlite"
    mp = pytest.MonkeyPatch()
    mp.setenv("GOVPRESS_SITES", str(folder))
    try:
        with Simulator() as sim:
            # www.shandong.gov.cn is served by the legacy-only TLS listener, with TLS kept.
            hostmap = {"www.shandong.gov.cn": sim.blocks.tls_target()}
            ca = folder / "ca" / "sim.pem"
            ca.write_bytes(sim.blocks.ca_file.read_bytes())
            for slug in ("xx_tls_modern", "xx_tls_legacy", "xx_tls_proxied"):  # these trust the simulator's CA
                path = folder / f"{slug}.toml"
                text = path.read_text("utf-8")
                path.write_text(text + ('ca_file = "ca/sim.pem"\n' if "[tls]" in text else
                                        '\n[tls]\nca_file = "ca/sim.pem"\n'), "utf-8")
            runs = crawl(sim, archive, ["xx_tls_modern", "xx_tls_legacy", "xx_tls_noca", "xx_tls_noverify",
                                        "xx_tls_proxied"], HOSTMAP=hostmap, RETRY_TIMES=0, LIST_MAX_PAGES=1)
            yield sim, archive, {r["site"]: r for r in runs}, proxy
    finally:
        mp.undo()
        proxy.shutdown()
        proxy.server_close()


def test_without_the_option_the_crawl_reports_legacy_tls(tls_crawl) -> None:
    _, archive, runs, _ = tls_crawl
    assert runs["xx_tls_modern"]["status"] == "blocked"
    run = Archive(archive).runs(site="xx_tls_modern")[0]
    assert run.block_kind == "legacy_tls"
    assert "dh key too small" in run.error and "https://www.shandong.gov.cn/col/col97802/index.html" in run.error


def test_with_the_option_it_archives_with_certificates_checked(tls_crawl) -> None:
    _, archive, runs, _ = tls_crawl
    assert runs["xx_tls_legacy"]["status"] == "ok", runs["xx_tls_legacy"]
    docs = list(Archive(archive).documents(site="xx_tls_legacy"))
    assert len(docs) >= 5
    assert all(d.url.startswith("https://www.shandong.gov.cn/") for d in docs)


def test_the_option_is_not_global(tls_crawl) -> None:
    """Both sites crawled in one process against one host: only the legacy one got through."""
    _, archive, _, _ = tls_crawl
    assert list(Archive(archive).documents(site="xx_tls_modern")) == []


def test_an_untrusted_certificate_is_refused_unless_the_site_file_says_so(tls_crawl) -> None:
    _, archive, runs, _ = tls_crawl
    reader = Archive(archive)
    assert runs["xx_tls_noca"]["status"] == "blocked"
    assert reader.runs(site="xx_tls_noca")[0].block_kind == "bad_certificate"
    assert runs["xx_tls_noverify"]["status"] == "ok", runs["xx_tls_noverify"]
    assert list(reader.documents(site="xx_tls_noverify"))


def test_legacy_tls_works_inside_a_proxy_tunnel(tls_crawl) -> None:
    sim, archive, runs, proxy = tls_crawl
    assert runs["xx_tls_proxied"]["status"] == "ok", runs["xx_tls_proxied"]
    assert len(list(Archive(archive).documents(site="xx_tls_proxied"))) >= 5
    tunnels = [t for m, t, _ in proxy.seen if m == "CONNECT"]
    assert tunnels and set(tunnels) == {sim.blocks.tls_target().removeprefix("https://")}


@pytest.mark.parametrize(("table", "problem"), [
    ('legacy = "yes"', "tls.legacy: expected true or false"),
    ('min_version = "SSLv3"', "tls.min_version"),
    ('ca_file = "missing.pem"', "tls.ca_file: 'missing.pem' not found"),
    ("seclevel = 1", "tls.seclevel: unknown field"),
])
def test_bad_tls_tables_are_rejected_with_one_line(tmp_path: Path, table: str, problem: str) -> None:
    _variant(tmp_path, "xx_bad", f"\n[tls]\n{table}\n")
    with pytest.raises(SiteConfigError, match=re.escape(problem)):
        parse_site(tmp_path / "xx_bad.toml")


def test_the_province_asks_for_legacy_tls() -> None:
    site = parse_site(SITES_DIR / "sd_province.toml")
    assert site.tls == TLSConfig(legacy=True)
