"""Find and normalize publication dates (Asia/Shanghai, ISO 8601)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from . import patterns as P

logger = logging.getLogger(__name__)

CST = timezone(timedelta(hours=8), "Asia/Shanghai")
MIN_YEAR = 1990
_ISO_TZ_RE = re.compile(
    r"((?:19|20)\d{2})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})"
)


@dataclass(frozen=True)
class DateHit:
    raw: str
    """The string as found on the page."""
    when: datetime
    has_time: bool

    @property
    def iso(self) -> str:
        """``2026-01-21T10:30:00+08:00`` with a time, ``2026-01-21`` without."""
        if self.has_time:
            return self.when.isoformat(timespec="seconds")
        return self.when.date().isoformat()

    def with_time_from(self, other: DateHit) -> DateHit:
        """This date completed with the time of ``other`` when both name the same day."""
        if self.has_time or not other.has_time or other.when.date() != self.when.date():
            return self
        return DateHit(self.raw, other.when, True)


def _build(y: str, mo: str, d: str, h: str | None, mi: str | None, s: str | None) -> datetime | None:
    try:
        return datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0), tzinfo=CST)
    except ValueError:
        return None


def parse_date(text: str) -> DateHit | None:
    """First valid date (with time when present) in ``text``."""
    if not text:
        return None
    m = _ISO_TZ_RE.search(text)
    if m:
        tz = m.group(7)
        try:
            if tz == "Z":
                offset = UTC
            else:
                sign = 1 if tz[0] == "+" else -1
                hh, mm = int(tz[1:3]), int(tz[-2:])
                offset = timezone(sign * timedelta(hours=hh, minutes=mm))
            y, mo, d, h, mi, s = (int(g or 0) for g in m.groups()[:6])
            stamp = datetime(y, mo, d, h, mi, s, tzinfo=offset).astimezone(CST)
            return DateHit(m.group(0), stamp, True)
        except ValueError:
            pass
    for m in P.DATE_RE.finditer(text):
        built = _build(*m.groups())
        if built is not None:
            return DateHit(m.group(0).strip(), built, m.group(4) is not None)
    return None


def url_date(url: str) -> DateHit | None:
    """Date encoded in an article URL (``/t20220923_``, ``/art/2026/1/21/`` ...)."""
    for rx in P.URL_DATE_RES:
        m = rx.search(url or "")
        if m:
            dt = _build(m.group(1), m.group(2), m.group(3), None, None, None)
            if dt is not None:
                return DateHit(m.group(0), dt, False)
    return None


def in_range(hit: DateHit, now: datetime | None = None) -> bool:
    """False for dates before 1990 or more than a day in the future."""
    now = now or datetime.now(CST)
    return hit.when.year >= MIN_YEAR and hit.when <= now + timedelta(days=1)
