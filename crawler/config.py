"""Every govpress setting and environment variable, parsed and range-checked in one place.

``crawler/settings.py`` reads the environment through ``env``; ``check_settings``
checks the merged settings (project, ``-s NAME=VALUE``, command options) once,
before any crawler is built, and replaces string values with parsed ones.  A bad
value is a ``ConfigError`` whose message is one line naming the setting or
variable, the value and the allowed range (issue #17).
"""

from __future__ import annotations

import json
import logging
import math
import os
from collections.abc import Callable
from datetime import datetime
from typing import Any

logger = logging.getLogger(__name__)

LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")
TRIGGERS = ("manual", "cron", "scheduler", "demo")


class ConfigError(ValueError):
    """A setting or environment variable with an unusable value; the message is one line."""


Parser = Callable[[Any], Any]


def number(lo: float, hi: float, *, integer: bool = False, lo_open: bool = False) -> Parser:
    """A finite number in ``[lo, hi]`` (``(lo, hi]`` with ``lo_open``)."""
    def parse(value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError("expected a number, got a boolean")
        try:
            num = int(value) if integer and not isinstance(value, float) else float(value)
        except (TypeError, ValueError):
            raise ValueError(f"{value!r} is not {'an integer' if integer else 'a number'}") from None
        if integer and isinstance(num, float):
            if not num.is_integer():
                raise ValueError(f"{value!r} is not an integer")
            num = int(num)
        if isinstance(num, float) and not math.isfinite(num):
            raise ValueError(f"{value!r} is not a finite number")
        if num < lo or (lo_open and num == lo) or num > hi:
            low = f"more than {lo}" if lo_open else f"at least {lo}"
            raise ValueError(f"{value!r} is out of range ({low}, at most {hi})")
        return num
    return parse


def boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"{value!r} is not true/false (1/0)")


def level(value: Any) -> str:
    """A logging level name, any case (``debug`` is ``DEBUG``)."""
    text = str(value).strip().upper()
    if text not in LOG_LEVELS:
        raise ValueError(f"{value!r} is not a log level ({', '.join(LOG_LEVELS)}, any case)")
    return text


def choice(*options: str) -> Parser:
    def parse(value: Any) -> str:
        text = str(value).strip().lower()
        if text not in options:
            raise ValueError(f"{value!r} is not one of {', '.join(options)}")
        return text
    return parse


def text(*, nonempty: bool = False) -> Parser:
    """One line of text: no control characters (they would end up in headers or SQL paths)."""
    def parse(value: Any) -> str:
        if not isinstance(value, str):
            raise ValueError(f"expected text, got {value!r}")
        if any(ord(c) < 32 or ord(c) == 127 for c in value):
            raise ValueError(f"{value!r} contains control characters")
        if nonempty and not value.strip():
            raise ValueError("must not be empty")
        return value
    return parse


def url_or_empty(value: Any) -> str:
    url: str = text()(value)
    if url and not url.lower().startswith(("http://", "https://")):
        raise ValueError(f"{url!r} is not an http(s) URL")
    return url


def iso_time(value: Any) -> str:
    """Empty, or an ISO 8601 time (``GOVPRESS_NOW``)."""
    stamp: str = text()(value).strip()
    if stamp:
        try:
            datetime.fromisoformat(stamp)
        except ValueError:
            raise ValueError(f"{stamp!r} is not an ISO 8601 time (2026-11-22T09:00:00+08:00)") from None
    return stamp


def hostmap(value: Any) -> dict[str, str]:
    """``{host: "127.0.0.1:PORT"}``, as a dict or its JSON text."""
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else {}
        except ValueError as exc:
            raise ValueError(f"not a JSON object: {exc}") from None
    if hasattr(value, "copy_to_dict"):
        value = value.copy_to_dict()
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise ValueError('expected {"host": "127.0.0.1:PORT", ...}')
    for host, target in value.items():
        addr, _, port = target.removeprefix("https://").rpartition(":")  # https:// keeps TLS (#12)
        if addr not in ("127.0.0.1", "localhost", "[::1]") or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"{host}: {target!r} is not a loopback address:port")
    return dict(value)


SETTINGS: dict[str, Parser] = {
    "DOWNLOAD_DELAY": number(0, 3600),
    "DOWNLOAD_DELAY_JITTER": number(0, 1),
    "DOWNLOAD_TIMEOUT": number(0, 86_400, lo_open=True),
    "DOWNLOAD_MAXSIZE": number(0, 2**40, integer=True),
    "DOWNLOAD_WARNSIZE": number(0, 2**40, integer=True),
    "CONCURRENT_REQUESTS": number(1, 10_000, integer=True),
    "CONCURRENT_REQUESTS_PER_DOMAIN": number(1, 1000, integer=True),
    "AUTOTHROTTLE_START_DELAY": number(0, 3600),
    "AUTOTHROTTLE_MAX_DELAY": number(0, 3600),
    "AUTOTHROTTLE_TARGET_CONCURRENCY": number(0, 1000, lo_open=True),
    "RETRY_TIMES": number(0, 100, integer=True),
    "RETRY_BACKOFF_BASE": number(0, 3600),
    "RETRY_BACKOFF_MAX": number(0, 86_400),
    "REDIRECT_MAX_TIMES": number(0, 100, integer=True),
    "CLEANING_MIN_CHARS": number(0, 1_000_000, integer=True),
    "LIST_MAX_PAGES": number(0, 1_000_000, integer=True),
    "LIST_MAX_LINKS": number(1, 1_000_000, integer=True),
    "FRONTIER_MAX_REQUESTS": number(1, 100_000_000, integer=True),
    "COOKIES_MAX_PER_DOMAIN": number(0, 10_000, integer=True),
    "COOKIES_MAX_HEADER_BYTES": number(0, 1_000_000, integer=True),
    "EXTRACT_MAX_NODES": number(1000, 100_000_000, integer=True),
    "ARCHIVE_BUSY_TIMEOUT": number(0, 600),
    "ARCHIVE_BUSY_RETRIES": number(0, 100, integer=True),
    "ARCHIVE_BATCH_SIZE": number(1, 100_000, integer=True),
    "ARCHIVE_BATCH_SECONDS": number(0, 3600),
    "ARCHIVE_CACHE_MIB": number(1, 65_536, integer=True),
    "CLEANING_MAX_IN_FLIGHT": number(0, 100_000, integer=True),
    "CLEANING_TIMEOUT": number(0, 86_400),
    "MONITOR_MIN_LINKS_RATIO": number(0, 1),
    "MONITOR_MAX_FAILURE_RATE": number(0, 1),
    "MONITOR_MIN_ITEMS": number(0, 1_000_000, integer=True),
    "MONITOR_HISTORY_RUNS": number(1, 10_000, integer=True),
    "MONITOR_WEBHOOK_URL": url_or_empty,
    "MONITOR_EMAIL_TO": text(),
    "MONITOR_SMTP_HOST": text(),
    "ROBOTSTXT_OBEY": boolean,
    "COOKIES_ENABLED": boolean,
    "AUTOTHROTTLE_ENABLED": boolean,
    "RETRY_ENABLED": boolean,
    "ARCHIVE_STORE_RAW": boolean,
    "LOCK_ENABLED": boolean,
    "MONITOR_ENABLED": boolean,
    "DEDUP_ENABLED": boolean,
    "DEDUP_NEAR_ENABLED": boolean,
    "ATTACHMENTS_ENABLED": boolean,
    "ATTACHMENTS_MAX_BYTES": number(1, 1 << 34, integer=True),
    "ATTACHMENTS_MAX_PER_DOCUMENT": number(0, 10_000, integer=True),
    "ARTICLE_MAX_PAGES": number(1, 1000, integer=True),
    "INCREMENTAL_ENABLED": boolean,
    "INCREMENTAL_FULL": boolean,
    "INCREMENTAL_REFRESH": boolean,
    "HOSTMAP_STRICT": boolean,
    "HOSTMAP": hostmap,
    "GOVPRESS_NOW": iso_time,
    "GOVPRESS_TRIGGER": choice(*TRIGGERS),
    "GOVPRESS_CONTACT": text(nonempty=True),
    "ARCHIVE_PATH": text(nonempty=True),
    "LOCK_DIR": text(),
    "LOG_LEVEL": level,
    "SITEACCESS_ENABLED": boolean,
    "PROXY_URL": url_or_empty,
    "TLS_VERIFY": boolean,
    "TLS_CA_FILE": text(),
    "CAPTURE_DIR": text(),
    "REPLAY_DIR": text(),
}
"""Setting name -> parser; a parser returns the clean value or raises ``ValueError``."""


def env(name: str, default: Any, parse: Parser) -> Any:
    """Environment variable ``name`` parsed by ``parse`` (``default`` when unset or empty)."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return parse(raw)
    except ValueError as exc:
        raise ConfigError(f"environment variable {name}: {exc}") from None


def check_settings(settings: Any) -> None:
    """Parse and range-check every known setting of a (not yet frozen) Scrapy ``Settings``.

    Values are replaced by their parsed form at their own priority, so ``-s
    DOWNLOAD_DELAY=0.5`` becomes the float 0.5 and ``-s LOG_LEVEL=debug`` ``DEBUG``.
    """
    for name, parse in SETTINGS.items():
        if name not in settings:
            continue
        value = settings[name]
        try:
            clean = parse(value)
        except ValueError as exc:
            raise ConfigError(f"setting {name}: {exc}"[:400]) from None
        changed = clean != value or type(clean) is not type(value)
        if changed and not getattr(settings, "frozen", False):
            settings.set(name, clean, priority=settings.getpriority(name) or "project")
