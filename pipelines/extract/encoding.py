"""Decode raw page bytes to text.

Order of evidence: an explicit override, a byte-order mark, the HTTP
``Content-Type`` charset, the ``<meta>`` charset, then detection.  A declared
charset is checked against the bytes: Chinese pages often declare ``gb2312``
while the bytes are UTF-8 (browser-saved or re-encoded copies), so bytes that
are valid UTF-8 with multibyte sequences are decoded as UTF-8 whatever the
declaration says.  GBK and GB2312 are decoded as their superset GB18030.
"""

from __future__ import annotations

import codecs
import logging
import re
from dataclasses import dataclass

from core.charsets import page_codec

logger = logging.getLogger(__name__)

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_HTTP_CHARSET = re.compile(r"charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([\w.:-]+)""", re.IGNORECASE)
# Charsets that are decoded as a superset (the superset never loses characters).
_SUPERSETS = {
    "gb2312": "gb18030", "gbk": "gb18030", "gb18030": "gb18030", "x-gbk": "gb18030",
    "gb_2312-80": "gb18030", "csgb2312": "gb18030", "euc-cn": "gb18030", "cp936": "gb18030",
    "iso-8859-1": "cp1252", "latin-1": "cp1252", "latin1": "cp1252", "us-ascii": "cp1252",
    "ascii": "cp1252", "big5": "big5hkscs", "utf8": "utf-8", "unicode": "utf-8",
}
# Share of invalid UTF-8 sequences among non-ASCII bytes still accepted as UTF-8
# (a few corrupted bytes in an otherwise UTF-8 page).  GBK bytes read as UTF-8 fail on
# nearly every sequence, so 2% still separates them; at 0.2% three bad bytes in a short
# UTF-8 article sent it to detection, which guessed mac-iceland (bench/fuzz.py, #17).
_UTF8_MAX_ERROR_RATE = 0.02
_ASCII = bytes(range(128))


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    """Codec actually used (``utf-8``, ``gb18030`` ...), or ``unicode`` for str input."""
    declared: str
    """Charset as named by the override, HTTP header or page, lower-case ('' if none)."""
    replacement_chars: int
    """Count of U+FFFD in the decoded text."""
    mismatch: bool = False
    """The declared charset could not be right for these bytes (UTF-16/32 on 8-bit bytes) and was ignored."""


_WIDE = ("utf-16", "utf-32")


def _wide_impossible(codec: str, raw: bytes) -> bool:
    """UTF-16/32 HTML without a BOM has NUL bytes all through its ASCII markup; none means not UTF-16/32."""
    return codec.replace("_", "-").startswith(_WIDE) and b"\x00" not in raw[:4096]


def normalize_charset(name: str | None) -> str:
    """Map a declared charset to the Python codec used for it ('' if unknown)."""
    if not name:
        return ""
    name = name.strip().strip("\"'").lower()
    name = _SUPERSETS.get(name, name)
    codec, problem = page_codec(name)  # base64, hex, zlib, rot13, idna ... are not charsets
    if not codec:
        logger.debug("charset refused: %s", problem)
        return ""
    return _SUPERSETS.get(codec, codec)


def declared_charset(raw: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Return ``(charset as declared, where)`` from the HTTP header, then meta/XML declaration."""
    if content_type:
        hm = _HTTP_CHARSET.search(content_type)
        if hm and normalize_charset(hm.group(1)):
            return hm.group(1).lower(), "http"
    head = raw[:8192]
    for rx in (_META_CHARSET, _XML_ENCODING):
        m = rx.search(head)
        if m:
            name = m.group(1).decode("ascii", "ignore").lower()
            if normalize_charset(name):
                return name, "meta"
    return "", ""


def _utf8_verdict(raw: bytes) -> tuple[bool, bool]:
    """``(is_utf8, has_multibyte)`` with a small tolerance for corrupt bytes."""
    try:
        raw.decode("utf-8")
        return True, not raw.isascii()
    except UnicodeDecodeError:
        pass
    text = raw.decode("utf-8", errors="replace")
    errors = text.count("\ufffd")
    non_ascii = len(raw.translate(None, _ASCII)) or 1  # bytes >= 0x80
    return errors / non_ascii <= _UTF8_MAX_ERROR_RATE, True


def _detect(raw: bytes) -> str:
    """Guess a charset with charset-normalizer; GB18030 is the fallback."""
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - dependency is declared
        return "gb18030"
    best = from_bytes(raw[:65536]).best()
    cs = normalize_charset(best.encoding) if best else ""
    return cs or "gb18030"


def decode(raw: bytes | str, content_type: str | None = None, encoding: str | None = None) -> Decoded:
    """Decode page bytes; see the module docstring for the order of evidence."""
    if isinstance(raw, str):
        return Decoded(raw, "unicode", "", raw.count("\ufffd"))
    override = normalize_charset(encoding)
    mismatch = False
    if override and _wide_impossible(override, raw) and not raw.startswith(tuple(b for b, _ in _BOMS)):
        logger.warning("encoding %s configured, but the bytes cannot be %s; detecting instead", encoding, override)
        override, mismatch = "", True
    if override and encoding:
        text = raw.decode(override, errors="replace")
        return Decoded(text, override, encoding.lower(), text.count("\ufffd"))
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            text = raw[len(bom):].decode(codec, errors="replace")
            return Decoded(text, codec, codec, text.count("\ufffd"))
    declared, where = declared_charset(raw, content_type)
    codec_declared = normalize_charset(declared)
    if codec_declared and _wide_impossible(codec_declared, raw):
        logger.warning("declared %s (%s), but the bytes have no NUL bytes, so cannot be %s; ignored",
                       declared, where, codec_declared)
        codec_declared, mismatch = "", True
    is_utf8, multibyte = _utf8_verdict(raw)
    if is_utf8 and (multibyte or not declared):
        codec = "utf-8"
        if codec_declared and codec_declared != "utf-8":
            logger.debug("declared %s (%s) but bytes are UTF-8", declared, where)
    elif codec_declared and codec_declared != "utf-8":
        codec = codec_declared
    else:
        codec = _detect(raw)
        if _wide_impossible(codec, raw):
            codec = "gb18030"
        logger.debug("declared %r but bytes are not UTF-8; detected %s", declared, codec)
    text = raw.decode(codec, errors="replace")
    return Decoded(text, codec, declared, text.count("\ufffd"), mismatch)
