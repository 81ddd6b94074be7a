"""Which codec names may decode a web page: text encodings only (issue #17).

Python's codec registry also holds bytes-to-bytes and text-to-text transforms
(``base64``, ``hex``, ``zlib``, ``rot13``) and host-name codecs (``idna``,
``punycode``); a page or site file naming one of them must not be decoded with it.
"""

from __future__ import annotations

import codecs

NOT_PAGE_CHARSETS = frozenset({
    "idna", "punycode", "unicode-escape", "raw-unicode-escape", "undefined", "utf-7",
    "charmap", "unicode-internal",
})
"""Codecs that decode ``bytes`` to ``str`` but are not charsets (utf-7: refused by the HTML spec)."""


def page_codec(name: str) -> tuple[str, str]:
    """``(codec name, "")`` for a page charset, or ``("", problem)`` when it is not one."""
    try:
        info = codecs.lookup(name.strip())
    except (LookupError, ValueError, TypeError):
        return "", f"unknown encoding {name!r}"
    canonical = info.name.replace("_", "-")
    if not getattr(info, "_is_text_encoding", True) or canonical in NOT_PAGE_CHARSETS:
        return "", f"{name!r} is not a text encoding for web pages"
    return info.name, ""
