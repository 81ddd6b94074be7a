"""The archived original made inert: no scripts, nothing that loads from elsewhere, links that stay put."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("markupsafe")

from reading.original import FRAME_CSP, decode, render_original
from tests.conftest import HOSTILE_PAGE, OUTSIDE

URL = "https://www.qingdao.gov.cn/n1/art_1.html"


def loaders(html: str) -> list[str]:
    """Values of attributes that make a browser load something."""
    return re.findall(r'\s(?:src|srcset|href|poster|data|action|formaction|background|ping)\s*=\s*"([^"]*)"',
                      html, re.IGNORECASE)


def test_hostile_page_keeps_its_text_and_loses_scripts_and_outside_urls() -> None:
    out = render_original(HOSTILE_PAGE.encode("gbk"), "gbk", URL)
    assert "青岛发布海洋经济测试公告" in out and "为推动海洋经济高质量发展" in out
    low = out.lower()
    for gone in ("<script", "<iframe", "<object", "<link", "<video", "http-equiv", "onload=", "@import"):
        assert gone not in low, gone
    assert loaders(out) == []
    assert OUTSIDE not in re.sub(r'(?:data-archived-src|title)="[^"]*"', "", out)
    assert out.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in out


def test_links_keep_their_target_as_a_tooltip_only() -> None:
    out = render_original(b'<p><a href="/n2/art_2.html">next</a> <a href="javascript:alert(1)">js</a></p>', "utf-8", URL)
    assert '<a title="https://www.qingdao.gov.cn/n2/art_2.html">next</a>' in out
    assert "javascript" not in out and "href" not in out


def test_data_images_and_plain_styles_survive() -> None:
    page = (b'<p style="color: red; background: url(http://198.51.100.1/a.png)">x</p>'
            b'<img src="data:image/png;base64,iVBORw0KGgo=" alt="dot"><style>p { margin: 0 }</style>')
    out = render_original(page, "utf-8", URL)
    assert 'style="color: red; background: none"' in out
    assert 'src="data:image/png;base64,iVBORw0KGgo="' in out and "p { margin: 0 }" in out


def test_encodings_and_broken_input() -> None:
    assert decode("政务".encode("gb18030"), "gb18030") == "政务"
    assert decode(b"\xff\xfe", "no-such-charset") == "\ufffd\ufffd"  # unknown label: utf-8, replaced
    assert "<p></p>" in render_original(b"", "utf-8", URL)
    assert "政务" in render_original("<title>x<p>政务".encode(), "utf-8", URL)


def test_csp_forbids_scripts_and_outside_loads() -> None:
    directives = dict((d.strip().split(" ", 1) + [""])[:2] for d in FRAME_CSP.split(";"))
    assert directives["default-src"] == "'none'" and "script-src" not in directives
    assert directives["img-src"] == "'self' data:" and directives["style-src"] == "'unsafe-inline'"
    assert "sandbox" in directives and directives["sandbox"] == ""
