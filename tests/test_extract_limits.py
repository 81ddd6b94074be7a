"""Extraction limits (issue #17): deep text kept, pathological pages cut cheaply and flagged,
non-text charsets refused, misdeclared UTF-16/32 detected, and extract() never raises."""

from __future__ import annotations

import random
import time

import pytest

from pipelines.extract import extract
from pipelines.extract.encoding import decode

BODY = "".join(f"<p>这是第{i}段正文，市政府召开常务会议，研究部署近期重点工作，会议强调要抓好落实。</p>" for i in range(4))
URL = "http://www.x.gov.cn/a/t20260101_1.html"


def page(inner: str) -> str:
    return ("<html><head><title>关于召开会议的通知</title></head><body><div class='article'>"
            f"<h1>关于召开会议的通知</h1><div class='TRS_Editor'>{inner}</div></div></body></html>")


@pytest.mark.parametrize("depth", [300, 1000, 5000])
def test_text_nested_deeper_than_libxml2s_default_is_kept(depth: int) -> None:
    ex = extract(page("<div>" * depth + BODY + "</div>" * depth).encode("utf-8"), URL)
    assert "市政府召开常务会议" in ex.body, ex.flags
    assert ("flattened_depth" in ex.flags) == (depth >= 1000)  # page() adds four levels


def test_an_element_with_100k_attributes_is_cut_quickly_and_flagged() -> None:
    attrs = " ".join(f"a{i}=x" for i in range(100_000))
    start = time.perf_counter()
    ex = extract(page(f"<div {attrs}>{BODY}</div>").encode("utf-8"), URL)
    assert time.perf_counter() - start < 5
    assert "市政府召开常务会议" in ex.body
    assert "truncated_attributes" in ex.flags


def test_a_million_br_after_the_article_are_survived_quickly() -> None:
    start = time.perf_counter()
    ex = extract(page(BODY + "<br>\n" * 1_500_000 + "<p>尾段文字仍然保留下来了。</p>").encode("utf-8"), URL)
    assert time.perf_counter() - start < 5
    assert "市政府召开常务会议" in ex.body and "尾段文字仍然保留下来了" in ex.body


def test_too_many_elements_are_cut_at_the_node_cap_and_flagged() -> None:
    start = time.perf_counter()
    ex = extract(page(BODY + "<span>字</span>" * 300_000).encode("utf-8"), URL, max_nodes=20_000)
    assert time.perf_counter() - start < 5
    assert "市政府召开常务会议" in ex.body
    assert "truncated_nodes" in ex.flags


def test_a_normal_page_is_not_flagged_as_truncated() -> None:
    ex = extract(page(BODY).encode("utf-8"), URL)
    assert not {"truncated_nodes", "truncated_attributes", "charset_mismatch", "flattened_depth"} & set(ex.flags)


@pytest.mark.parametrize("charset", ["base64", "hex", "rot13", "zlib", "idna", "bz2", "uu", "punycode",
                                     "unicode_escape", "utf-7", "nonsense"])
@pytest.mark.parametrize("where", ["content_type", "meta", "override"])
def test_a_non_text_charset_is_refused_not_raised(charset: str, where: str) -> None:
    html = page(BODY).replace("<head>", f"<head><meta charset='{charset}'>") if where == "meta" else page(BODY)
    kwargs = {"content_type": f"text/html; charset={charset}"} if where == "content_type" else {}
    if where == "override":
        kwargs = {"encoding": charset}
    ex = extract(html.encode("gbk"), URL, **kwargs)
    assert ex.encoding == "gb18030"
    assert "市政府召开常务会议" in ex.body


@pytest.mark.parametrize("declared", ["utf-16", "utf-16-le", "utf-16be", "utf-32", "utf-32-le"])
@pytest.mark.parametrize("actual", ["ascii", "gbk", "utf-8"])
def test_utf16_or_utf32_declared_on_8bit_bytes_is_detected(declared: str, actual: str) -> None:
    raw = page(BODY).encode(actual, "xmlcharrefreplace")
    dec = decode(raw, content_type=f"text/html; charset={declared}")
    assert dec.mismatch and not dec.encoding.startswith("utf-16") and not dec.encoding.startswith("utf-32")
    ex = extract(raw, URL, content_type=f"text/html; charset={declared}")
    assert "市政府召开常务会议" in ex.body and "charset_mismatch" in ex.flags


def test_real_utf16_is_still_decoded() -> None:
    raw = page(BODY).encode("utf-16-le")
    ex = extract(raw, URL, content_type="text/html; charset=utf-16le")
    assert "市政府召开常务会议" in ex.body and "charset_mismatch" not in ex.flags


def test_extract_never_raises_on_random_bytes_and_charsets() -> None:
    rng = random.Random(17)
    charsets = ["utf-8", "gbk", "base64", "utf-16", "utf-32", "idna", "rot13", "", "x" * 300, "utf-8\x00"]
    pieces = [b"<", b">", b"<a href='http://[::1/x'>", b"<img src=\xff>", b"\x00", b"&#xD800;", b"&#99999999;",
              b"<base href='http://[::1/'>", b"<![CDATA[", b"<?xml encoding='base64'?>", b"\xef\xbb\xbf",
              "正文".encode("gbk"), "正文".encode(), b"<meta charset=hex>", b"</html><html>"]
    for _ in range(300):
        raw = b"".join(rng.choice(pieces) if rng.random() < 0.5 else rng.randbytes(rng.randint(0, 40))
                       for _ in range(rng.randint(0, 60)))
        ex = extract(raw, rng.choice([URL, "", "http://[::1/"]),
                     content_type=f"text/html; charset={rng.choice(charsets)}",
                     encoding=rng.choice([None, None, rng.choice(charsets)]))
        assert isinstance(ex.body, str)


def test_a_few_corrupt_bytes_in_a_short_utf8_page_stay_utf8() -> None:
    raw = page(BODY).encode("utf-8").replace("，".encode(), b"\xff", 3)
    for ctype in ("text/html; charset=utf-8", "text/html", "text/html; charset=base64"):
        ex = extract(raw, URL, content_type=ctype)
        assert ex.encoding == "utf-8" and "市政府召开常务会议" in ex.body, (ctype, ex.encoding)


def test_a_huge_text_node_is_cut_at_the_character_cap_and_flagged() -> None:
    start = time.perf_counter()
    ex = extract(page(BODY + "<p>" + "字" * 2_500_000 + "</p>").encode("utf-8"), URL)
    assert time.perf_counter() - start < 15  # about 2 s on an idle machine
    assert "市政府召开常务会议" in ex.body and "truncated_text" in ex.flags


def test_cutting_huge_tags_by_stretches_equals_the_regex_over_the_page() -> None:
    from pipelines.extract import dom

    rng = random.Random(7)
    for _ in range(300):
        text = "".join(rng.choice([
            "<div " + "a" * k + ">x", "<" + "b" * k + ">", "<d" + " " * k + "<", "正文" + "c" * k,
            "<p x='" + "é" * k + "'>", "<>", ">", "<1" + "z" * k + ">"])
            for k in (rng.choice([5, 16_383, 16_384, 16_385, 20_000]) for _ in range(rng.randint(1, 6))))
        cut = dom._cut_huge_tags(text)
        assert (cut if cut is not None else text) == dom._HUGE_TAG_RE.sub(r"<\1>", text)
        assert (cut is not None) == bool(dom._HUGE_TAG_RE.search(text))
