"""Tests for ``core.urls``: one case per canonicalisation rule and per refusal."""

from __future__ import annotations

import pytest

from core.siteconfig import load_dialect
from core.urls import canonicalize, is_followable

HANWEB_DROP = load_dialect("hanweb_classic")["canonical_drop_params"]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # scheme and host: lower-cased, http and https fold to https
        ("HTTP://WWW.Shandong.GOV.CN/art/a.html", "https://www.shandong.gov.cn/art/a.html"),
        ("http://www.qingdao.gov.cn/a.html", "https://www.qingdao.gov.cn/a.html"),
        ("https://www.qingdao.gov.cn/a.html", "https://www.qingdao.gov.cn/a.html"),
        # default ports dropped, others kept
        ("http://www.jinan.gov.cn:80/a.html", "https://www.jinan.gov.cn/a.html"),
        ("https://www.jinan.gov.cn:443/a.html", "https://www.jinan.gov.cn/a.html"),
        ("http://www.jinan.gov.cn:8080/a.html", "https://www.jinan.gov.cn:8080/a.html"),
        # fragment and userinfo dropped
        ("http://www.jinan.gov.cn/a.html#top", "https://www.jinan.gov.cn/a.html"),
        ("http://user:pw@www.jinan.gov.cn/a.html", "https://www.jinan.gov.cn/a.html"),
        # tracking and session parameters dropped
        ("http://x.gov.cn/a.html?utm_source=wx&utm_medium=s&id=3", "https://x.gov.cn/a.html?id=3"),
        ("http://x.gov.cn/a.html?spm=1.2.3&id=3", "https://x.gov.cn/a.html?id=3"),
        ("http://x.gov.cn/a.html?from=singlemessage&isappinstalled=0", "https://x.gov.cn/a.html"),
        ("http://x.gov.cn/a.html?share_token=9&shareId=1&wxshare_count=2", "https://x.gov.cn/a.html"),
        ("http://x.gov.cn/a.html?JSESSIONID=AB12&sid=7&timestamp=1700000000", "https://x.gov.cn/a.html"),
        ("http://x.gov.cn/a.html?_=1700000000123&fbclid=abc", "https://x.gov.cn/a.html"),
        ("http://x.gov.cn/a.html;jsessionid=0A1B2C3D?id=3", "https://x.gov.cn/a.html?id=3"),
        # remaining query sorted; blank values and bare keys kept as written
        ("http://x.gov.cn/s.jsp?b=2&a=1&c=", "https://x.gov.cn/s.jsp?a=1&b=2&c="),
        ("http://x.gov.cn/s.jsp?flag&a=1", "https://x.gov.cn/s.jsp?a=1&flag"),
        ("http://x.gov.cn/a.html?", "https://x.gov.cn/a.html"),
        # index pages fold to their directory; trailing slash normalised
        ("http://x.gov.cn/col/col97802/index.html", "https://x.gov.cn/col/col97802/"),
        ("http://x.gov.cn/ywdt/zwyw/index.shtml", "https://x.gov.cn/ywdt/zwyw/"),
        ("http://x.gov.cn/ywdt/index.htm", "https://x.gov.cn/ywdt/"),
        ("http://x.gov.cn/ywdt/default.html", "https://x.gov.cn/ywdt/"),
        ("http://x.gov.cn/ywdt/Default.htm", "https://x.gov.cn/ywdt/"),
        ("http://x.gov.cn/index.html", "https://x.gov.cn/"),
        ("http://x.gov.cn", "https://x.gov.cn/"),
        ("http://x.gov.cn/sdnews", "https://x.gov.cn/sdnews/"),
        ("http://x.gov.cn/art/t20240101_1.shtml/", "https://x.gov.cn/art/t20240101_1.shtml"),
        # "//" collapsed, "." and ".." resolved (never above the root)
        ("http://x.gov.cn//a///b.html", "https://x.gov.cn/a/b.html"),
        ("http://x.gov.cn/a/./b/../c.html", "https://x.gov.cn/a/c.html"),
        ("http://x.gov.cn/../../c.html", "https://x.gov.cn/c.html"),
        # percent-encoding: unreserved decoded, hex upper-cased, non-ASCII encoded as UTF-8
        ("http://x.gov.cn/%7euser/%61.html", "https://x.gov.cn/~user/a.html"),
        ("http://x.gov.cn/a.html?q=%e4%b8%ad%2f", "https://x.gov.cn/a.html?q=%E4%B8%AD%2F"),
        ("http://x.gov.cn/新闻/a.html?q=中 文", "https://x.gov.cn/%E6%96%B0%E9%97%BB/a.html?q=%E4%B8%AD%20%E6%96%87"),
        # IDNA host, trailing dot
        ("http://山东省政府.政务/a.html", f"https://{'山东省政府.政务'.encode('idna').decode()}/a.html"),
        ("http://www.shandong.gov.cn./a.html", "https://www.shandong.gov.cn/a.html"),
        # surrounding whitespace
        ("  http://x.gov.cn/a.html\n", "https://x.gov.cn/a.html"),
    ],
)
def test_canonicalize_rules(url: str, expected: str) -> None:
    assert canonicalize(url) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://www.shandong.gov.cn/col/col97802/index.html?uid=509499&pageNum=3",
            "https://www.shandong.gov.cn/col/col97802/",
        ),
        (
            "http://www.jinan.gov.cn/art/2024/5/6/art_27544_1.html?xxgkhide=1",
            "https://www.jinan.gov.cn/art/2024/5/6/art_27544_1.html",
        ),
        ("https://x.gov.cn/a.html?PAGENUM=2&id=1", "https://x.gov.cn/a.html?id=1"),
    ],
)
def test_site_drop_params(url: str, expected: str) -> None:
    assert canonicalize(url, drop_params=HANWEB_DROP) == expected


def test_site_drop_params_only_when_given() -> None:
    assert canonicalize("https://x.gov.cn/a.html?uid=1") == "https://x.gov.cn/a.html?uid=1"


def test_keep_params_whitelist() -> None:
    url = "http://x.gov.cn/detail.jsp?id=42&channel=7&lang=zh"
    assert canonicalize(url, keep_params=["id"]) == "https://x.gov.cn/detail.jsp?id=42"
    assert canonicalize(url, keep_params=[]) == "https://x.gov.cn/detail.jsp"


@pytest.mark.parametrize(
    ("url", "kwargs", "expected"),
    [
        ("http://m.shandong.gov.cn/a.html", {"fold_mobile": True}, "https://www.shandong.gov.cn/a.html"),
        ("http://m.shandong.gov.cn/a.html", {}, "https://m.shandong.gov.cn/a.html"),
        (
            "http://wap.qingdao.gov.cn/a.html",
            {"host_aliases": {"wap.qingdao.gov.cn": "www.qingdao.gov.cn"}},
            "https://www.qingdao.gov.cn/a.html",
        ),
        (
            "http://WAP.Qingdao.gov.cn/a.html",
            {"host_aliases": {"Wap.Qingdao.GOV.cn": "www.qingdao.gov.cn"}},
            "https://www.qingdao.gov.cn/a.html",
        ),
    ],
)
def test_mirror_hosts(url: str, kwargs: dict, expected: str) -> None:
    assert canonicalize(url, **kwargs) == expected


def test_spellings_of_one_page_share_a_key() -> None:
    spellings = [
        "https://www.shandong.gov.cn/art/2026/1/21/art_97802_1.html",
        "http://www.shandong.gov.cn/art/2026/1/21/art_97802_1.html",
        "HTTP://WWW.SHANDONG.GOV.CN:80//art/2026/1/21/./art_97802_1.html#xx",
        "http://m.shandong.gov.cn/art/2026/1/21/art_97802_1.html?utm_source=weixin&from=timeline",
        "http://www.shandong.gov.cn/art/2026/1/21/art_97802_1.html;jsessionid=5F3A?uid=1",
    ]
    keys = {canonicalize(u, drop_params=HANWEB_DROP, fold_mobile=True) for u in spellings}
    assert len(keys) == 1


def test_canonicalize_is_idempotent() -> None:
    url = "http://M.x.gov.cn//a/../b/index.html?z=1&utm_x=2&a=%e4%b8%ad#f"
    once = canonicalize(url, fold_mobile=True)
    assert canonicalize(once, fold_mobile=True) == once


@pytest.mark.parametrize(
    "url", ["javascript:void(0)", "mailto:a@b.cn", "/art/a.html", "ftp://x.gov.cn/a", "http:///a.html"]
)
def test_canonicalize_rejects_non_http(url: str) -> None:
    with pytest.raises(ValueError):
        canonicalize(url)


ALLOWED = ["www.shandong.gov.cn", "jinan.gov.cn"]


@pytest.mark.parametrize(
    "url",
    [
        "https://www.shandong.gov.cn/art/a.html",
        "http://www.jinan.gov.cn/col/col27544/index.html",
        "http://jinan.gov.cn/a.html",
        "http://sub.www.jinan.gov.cn/a.html",
        "HTTPS://WWW.SHANDONG.GOV.CN./a.html",
        "http://www.shandong.gov.cn:8080/a.html",
    ],
)
def test_followable(url: str) -> None:
    assert is_followable(url, allowed_domains=ALLOWED) == (True, "ok")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///etc/passwd", "scheme not allowed: file"),
        ("javascript:void(0)", "scheme not allowed: javascript"),
        ("mailto:office@shandong.gov.cn", "scheme not allowed: mailto"),
        ("data:text/html,<b>x</b>", "scheme not allowed: data"),
        ("tel:0531-12345", "scheme not allowed: tel"),
        ("ftp://www.shandong.gov.cn/a", "scheme not allowed: ftp"),
        ("/art/a.html", "relative URL"),
        ("//www.shandong.gov.cn/a.html", "relative URL"),
        ("http:///a.html", "no host"),
        ("http://www.shandong.gov.cn:99999/a", "bad port"),
        ("http://evil.cn\\@www.shandong.gov.cn/", "malformed host"),
        ("http://www.shandong.gov.cn.evil.cn/a.html", "off-domain: www.shandong.gov.cn.evil.cn"),
        ("http://www.shandong.gov.cn@evil.cn/a.html", "off-domain: evil.cn"),
        ("http://shandong.gov.cn/a.html", "off-domain: shandong.gov.cn"),
        ("http://notjinan.gov.cn/a.html", "off-domain: notjinan.gov.cn"),
        ("http://www.gov.cn/a.html", "off-domain: www.gov.cn"),
        ("http://127.0.0.1/", "private address: 127.0.0.1"),
        ("http://127.1/", "private address: 127.0.0.1"),
        ("http://2130706433/", "private address: 127.0.0.1"),
        ("http://0x7f000001/", "private address: 127.0.0.1"),
        ("http://0177.0.0.1/", "private address: 127.0.0.1"),
        ("http://10.0.0.5/", "private address: 10.0.0.5"),
        ("http://172.16.3.4/", "private address: 172.16.3.4"),
        ("http://192.168.1.1:8080/", "private address: 192.168.1.1"),
        ("http://169.254.169.254/latest/meta-data/", "private address: 169.254.169.254"),
        ("http://100.64.0.1/", "private address: 100.64.0.1"),
        ("http://0.0.0.0/", "private address: 0.0.0.0"),
        ("http://240.0.0.1/", "private address: 240.0.0.1"),
        ("http://224.0.0.1/", "private address: 224.0.0.1"),
        ("http://[::1]/", "private address: ::1"),
        ("http://[fe80::1]/", "private address: fe80::1"),
        ("http://[fc00::1]/", "private address: fc00::1"),
        ("http://[::ffff:192.168.0.1]/", "private address: 192.168.0.1"),
        ("http://localhost/", "private address: localhost"),
        ("http://api.localhost/", "private address: api.localhost"),
        ("http://8.8.8.8/", "off-domain: 8.8.8.8"),
    ],
)
def test_refused(url: str, reason: str) -> None:
    assert is_followable(url, allowed_domains=ALLOWED) == (False, reason)


def test_allow_private() -> None:
    ok, reason = is_followable("http://127.0.0.1:8000/a.html", allowed_domains=["127.0.0.1"], allow_private=True)
    assert (ok, reason) == (True, "ok")
    ok, reason = is_followable("http://127.0.0.1:8000/a.html", allowed_domains=["127.0.0.1"])
    assert (ok, reason) == (False, "private address: 127.0.0.1")
    assert is_followable("http://10.0.0.5/", allowed_domains=ALLOWED, allow_private=True) == (
        False,
        "off-domain: 10.0.0.5",
    )


def test_public_ip_in_allowed_domains() -> None:
    assert is_followable("http://8.8.8.8/a.html", allowed_domains=["8.8.8.8"]) == (True, "ok")


def test_idna_allowed_domain() -> None:
    assert is_followable("http://山东省政府.政务/a.html", allowed_domains=["山东省政府.政务"]) == (True, "ok")


# -- hostile links (issue #17): a malformed URL is refused, never raised ----------------------
BAD_URLS = ["http://[::1/a.pdf", "http://[zz]/a.html", "http://www.x.gov.cn:99999/a.html",
            "http://[::1/", "https://[/x", "http://\udcff.gov.cn/a"]


@pytest.mark.parametrize("bad", BAD_URLS)
def test_safe_join_returns_none_for_a_malformed_link(bad: str) -> None:
    from core.urls import safe_join

    assert safe_join("http://www.x.gov.cn/a/", bad) is None


def test_safe_join_resolves_good_links_like_urljoin() -> None:
    from core.urls import safe_join

    assert safe_join("http://www.x.gov.cn/a/b.html", "../c.html") == "http://www.x.gov.cn/c.html"
    assert safe_join("http://[::1/", "a.html") is None  # a bad base is a bad link too


@pytest.mark.parametrize("bad", BAD_URLS)
def test_is_followable_refuses_a_malformed_url_without_raising(bad: str) -> None:
    ok, reason = is_followable(bad, allowed_domains=["x.gov.cn"])
    assert not ok and reason


def test_canonicalize_raises_only_valueerror_on_a_malformed_url() -> None:
    with pytest.raises(ValueError):
        canonicalize("http://[::1/a.html")
