"""Decoding raw page bytes: declared, wrong-declared, undeclared and BOM charsets."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from pipelines.extract import extract
from pipelines.extract.encoding import declared_charset, decode, normalize_charset

FIX = Path(__file__).parent / "fixtures" / "extract"

PAGE = "<html><head>{meta}<title>济南市召开优化营商环境工作推进会</title></head><body><p>{text}</p></body></html>"
TEXT = "会议强调，要对标国内一流水平，持续深化“放管服”改革，提升政务服务效能。朱镕基同志。"


def page(meta: str = "", text: str = TEXT) -> str:
    return PAGE.format(meta=meta, text=text)


def test_gbk_page_declaring_gb2312_is_decoded_as_gb18030() -> None:
    raw = (FIX / "gbk_declared_gb2312.html").read_bytes()
    d = decode(raw)
    assert d.encoding == "gb18030"
    assert d.declared == "gb2312"
    assert d.replacement_chars == 0
    # 镕/喆/堃/珺 are outside GB2312: decoding with the declared codec would lose them
    assert "朱镕基" in d.text and "喆、堃、珺" in d.text
    with pytest.raises(UnicodeDecodeError):
        raw.decode("gb2312")


def test_utf8_bytes_falsely_declaring_gb2312_are_decoded_as_utf8() -> None:
    d = decode((FIX / "utf8_declared_gb2312.html").read_bytes())
    assert (d.encoding, d.declared, d.replacement_chars) == ("utf-8", "gb2312", 0)
    assert "泰安：全力推进重点项目建设" in d.text


def test_page_without_charset_is_detected() -> None:
    gbk = decode((FIX / "no_charset_gbk.html").read_bytes())
    assert gbk.declared == "" and gbk.encoding == "gb18030"
    assert "济南市召开优化营商环境工作推进会" in gbk.text
    utf = decode((FIX / "no_charset_utf8.html").read_bytes())
    assert utf.declared == "" and utf.encoding == "utf-8"
    assert "烟台市召开优化营商环境工作推进会" in utf.text


def test_http_header_charset_wins_over_meta() -> None:
    raw = page('<meta charset="utf-8">').encode("gbk")
    d = decode(raw, content_type="text/html; charset=GBK")
    assert d.encoding == "gb18030" and d.declared == "gbk"
    assert TEXT in d.text
    assert declared_charset(raw, "text/html; charset=GBK") == ("gbk", "http")
    assert declared_charset(raw) == ("utf-8", "meta")


def test_utf8_meta_on_gbk_bytes_falls_back_to_detection() -> None:
    raw = page('<meta charset="utf-8">', TEXT * 5).encode("gbk")
    d = decode(raw)
    assert d.encoding == "gb18030"
    assert TEXT in d.text and d.replacement_chars == 0


def test_bom_wins() -> None:
    raw = codecs.BOM_UTF8 + page('<meta charset="gb2312">').encode("utf-8")
    d = decode(raw)
    assert d.encoding == "utf-8" and TEXT in d.text and not d.text.startswith("\ufeff")
    d16 = decode(codecs.BOM_UTF16_LE + page().encode("utf-16-le"))
    assert d16.encoding == "utf-16-le" and TEXT in d16.text


def test_override_and_str_input() -> None:
    raw = page('<meta charset="utf-8">').encode("gbk")
    d = decode(raw, encoding="gb2312")
    assert d.encoding == "gb18030" and TEXT in d.text
    s = decode(page())
    assert s.encoding == "unicode" and s.text == page()


def test_corrupt_bytes_are_counted_not_fatal() -> None:
    good = page('<meta charset="utf-8">', TEXT * 40).encode("utf-8")
    raw = good.replace("政务服务".encode(), "政务服务".encode()[:-1] + b"\xff", 1)
    d = decode(raw)
    assert d.encoding == "utf-8"  # one bad sequence does not flip a UTF-8 page to GB18030
    assert d.replacement_chars >= 1
    ex = extract(raw)
    assert ex.replacement_chars == d.replacement_chars and "replacement_chars" in ex.flags


def test_normalize_charset() -> None:
    assert normalize_charset("GB2312") == "gb18030"
    assert normalize_charset("x-gbk") == "gb18030"
    assert normalize_charset("UTF8") == "utf-8"
    assert normalize_charset("iso-8859-1") == "cp1252"
    assert normalize_charset("no-such-charset") == ""


def test_extraction_records_encoding() -> None:
    ex = extract((FIX / "gbk_declared_gb2312.html").read_bytes())
    assert ex.encoding == "gb18030" and ex.replacement_chars == 0
    assert ex.title == "朱镕基同志调研纪实回顾"
    ex = extract((FIX / "utf8_declared_gb2312.html").read_bytes())
    assert ex.encoding == "utf-8"
    assert "开工率92.5%" in ex.body
