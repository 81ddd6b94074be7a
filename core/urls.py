"""URL layer of deduplication: the archive's identity for a page, and which links to follow.

``canonicalize`` maps every spelling of one page to one key (``DocumentRecord.canonical_url``).
The key is an identity, not a fetch address: ``http`` and ``https`` fold to ``https``
(most government portals now answer on both, and the ones still serving plain http are
the minority that will move), so a site reachable only over http gets an ``https://`` key
while ``DocumentRecord.url`` keeps the address actually fetched.

``is_followable`` is the spider's gate before a link is scheduled: http(s) only, inside the
site's ``allowed_domains``, no literal private/loopback/link-local/reserved IPs.  It does
no DNS; guarding against names that *resolve* to private addresses belongs to the
downloader.  See ``docs/dedup.md`` for every rule with examples.
"""

from __future__ import annotations

import ipaddress
import logging
import posixpath
import re
from collections.abc import Iterable, Mapping
from urllib.parse import SplitResult, urljoin, urlsplit, urlunsplit

logger = logging.getLogger(__name__)

CANONICAL_SCHEME = "https"
"""The one scheme both ``http`` and ``https`` fold to in canonical URLs."""

DEFAULT_PORTS = {"http": 80, "https": 443}

TRACKING_PARAMS = frozenset(
    {
        "spm", "from", "isappinstalled", "jsessionid", "sid", "timestamp", "_", "fbclid",
        "gclid", "msclkid", "scene", "clicktime", "enterid", "wxfrom", "phpsessid",
    }
)
"""Query parameters dropped everywhere (compared case-insensitively)."""

TRACKING_PREFIXES = ("utm_", "share", "wxshare", "sharer_")
"""Query parameters starting with one of these are dropped too."""

INDEX_PAGE_RE = re.compile(r"(?i)/(?:index\.(?:html?|shtml)|default\.html?)$")
_JSESSIONID_RE = re.compile(r"(?i);jsessionid=[^/?#;]*")
_PCT_RE = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# Characters that may stay literal in a path or query (RFC 3986 pchar + "/" + "?");
# anything else (non-ASCII, spaces, quotes …) is percent-encoded as UTF-8.
_SAFE_PATH = _UNRESERVED | frozenset("!$&'()*+,;=:@/%")
_SAFE_QUERY = _SAFE_PATH | frozenset("?")
FOLLOW_SCHEMES = frozenset({"http", "https"})


def _normalize_escapes(part: str, safe: frozenset[str]) -> str:
    """Decode escapes of unreserved characters, upper-case other escapes, encode the unsafe."""

    def fix(m: re.Match[str]) -> str:
        ch = chr(int(m.group(1), 16))
        return ch if ch in _UNRESERVED else "%" + m.group(1).upper()

    part = _PCT_RE.sub(fix, part)
    out: list[str] = []
    for i, ch in enumerate(part):
        if ch == "%" and not _PCT_RE.match(part, i):
            out.append("%25")  # a stray percent sign
        elif ch in safe:
            out.append(ch)
        else:
            out.extend(f"%{b:02X}" for b in ch.encode("utf-8"))
    return "".join(out)


def _idna_host(host: str) -> str:
    """Lower-case, strip a trailing dot and IDNA-encode a host name (IP literals unchanged)."""
    host = host.strip().rstrip(".").lower()
    if not host or host.isascii():
        return host
    try:
        import idna

        return idna.encode(host, uts46=True).decode("ascii")
    except Exception:  # idna missing or label invalid under IDNA 2008
        try:
            return host.encode("idna").decode("ascii")
        except UnicodeError:
            return _normalize_escapes(host, _UNRESERVED)


def _fold_host(host: str, host_aliases: Mapping[str, str] | None, fold_mobile: bool) -> str:
    if host_aliases:
        aliases = {_idna_host(k): _idna_host(v) for k, v in host_aliases.items()}
        host = aliases.get(host, host)
    if fold_mobile and host.startswith("m.") and host.count(".") >= 2:
        host = "www." + host[2:]
    return host


def _normalize_path(path: str) -> str:
    """Drop ``;jsessionid``, collapse ``//``, resolve dot segments, fold index pages.

    A last segment without a dot is a directory (trailing ``/``); one with a dot is a
    file (no trailing ``/``).
    """
    path = _normalize_escapes(_JSESSIONID_RE.sub("", path), _SAFE_PATH)
    path = posixpath.normpath("/" + re.sub(r"/{2,}", "/", path).lstrip("/"))
    path = INDEX_PAGE_RE.sub("/", path)
    last = path.rsplit("/", 1)[-1]
    if last and "." not in last:
        path += "/"
    return path


def _is_dropped(name: str, drop: frozenset[str]) -> bool:
    low = name.lower()
    return low in TRACKING_PARAMS or low in drop or low.startswith(TRACKING_PREFIXES)


def _normalize_query(
    query: str, drop_params: Iterable[str], keep_params: Iterable[str] | None
) -> str:
    drop = frozenset(p.lower() for p in drop_params)
    keep = None if keep_params is None else frozenset(p.lower() for p in keep_params)
    pairs: list[tuple[str, str]] = []
    for raw in query.split("&"):
        if not raw:
            continue
        raw = _normalize_escapes(raw, _SAFE_QUERY)
        name = raw.split("=", 1)[0]
        if keep is not None:
            if name.lower() not in keep:
                continue
        elif _is_dropped(name, drop):
            continue
        pairs.append((name, raw))
    pairs.sort()
    return "&".join(raw for _, raw in pairs)


def safe_join(base: str, href: str) -> str | None:
    """``urljoin(base, href)``, or ``None`` when either is malformed (never raises).

    Pages are hostile: ``http://[::1/a.pdf`` (an unclosed IPv6 literal), a port out of
    range or a lone surrogate makes ``urllib`` raise.  Callers count and log a ``None``.
    """
    try:
        url = urljoin(base, href.strip())
        parts = urlsplit(url)
        parts.hostname  # noqa: B018 - each of these raises on a malformed URL
        parts.port  # noqa: B018
        url.encode("utf-8")
    except (ValueError, TypeError, UnicodeError):
        return None
    return url


def _split(url: str) -> SplitResult:
    try:
        parts = urlsplit(url.strip())
        url.encode("utf-8")
    except (ValueError, UnicodeError) as exc:
        raise ValueError(f"malformed URL {url!r}: {exc}") from None
    if parts.scheme.lower() not in FOLLOW_SCHEMES or not parts.hostname:
        raise ValueError(f"not an absolute http(s) URL: {url!r}")
    return parts


def canonicalize(
    url: str,
    *,
    drop_params: Iterable[str] = (),
    keep_params: Iterable[str] | None = None,
    host_aliases: Mapping[str, str] | None = None,
    fold_mobile: bool = False,
) -> str:
    """Return the archive's identity for ``url``; raise ``ValueError`` if it is not absolute http(s).

    ``drop_params`` (the site definition's ``canonical_drop_params``) are dropped on top of
    ``TRACKING_PARAMS``; ``keep_params``, when given, keeps only the named parameters.
    ``host_aliases`` maps mirror hosts to the main host; ``fold_mobile`` also maps
    ``m.<domain>`` to ``www.<domain>``.
    """
    parts = _split(url)
    host = _fold_host(_idna_host(parts.hostname or ""), host_aliases, fold_mobile)
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"bad port in URL {url!r}: {exc}") from None
    scheme = parts.scheme.lower()
    netloc = host if port is None or port == DEFAULT_PORTS[scheme] else f"{host}:{port}"
    path = _normalize_path(parts.path)
    query = _normalize_query(parts.query, drop_params, keep_params)
    return urlunsplit((CANONICAL_SCHEME, netloc, path, query, ""))


def _parse_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """Parse an IPv4 literal the way browsers and ``inet_aton`` do (``127.1``, ``0x7f.0.0.1``, ``2130706433``)."""
    parts = host.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    nums: list[int] = []
    for p in parts:
        try:
            if p.lower().startswith("0x"):
                nums.append(int(p[2:] or "0", 16))
            elif len(p) > 1 and p.startswith("0"):
                nums.append(int(p, 8))
            else:
                nums.append(int(p, 10))
        except ValueError:
            return None
    *head, last = nums
    if any(n > 255 for n in head) or last >= 256 ** (5 - len(nums)):
        return None
    value = last
    for i, n in enumerate(head):
        value += n << (8 * (3 - i))
    return ipaddress.IPv4Address(value)


def _literal_ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return _parse_ipv4(host)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def _in_domains(host: str, allowed_domains: Iterable[str]) -> bool:
    for domain in allowed_domains:
        d = _idna_host(domain)
        if d and (host == d or host.endswith("." + d)):
            return True
    return False


def is_followable(
    url: str, *, allowed_domains: Iterable[str], allow_private: bool = False
) -> tuple[bool, str]:
    """Decide whether the spider may follow ``url``; return ``(ok, reason)``.

    Reasons: ``"ok"``, ``"scheme not allowed: <s>"``, ``"relative URL"``, ``"no host"``,
    ``"malformed URL"``, ``"malformed host"``, ``"bad port"``,
    ``"private address: <ip>"``, ``"off-domain: <host>"``.
    """
    url = url.strip()
    try:
        parts = urlsplit(url)
        url.encode("utf-8")
    except (ValueError, UnicodeError):
        return False, "malformed URL"
    scheme = parts.scheme.lower()
    if not scheme:
        return False, "relative URL"
    if scheme not in FOLLOW_SCHEMES:
        return False, f"scheme not allowed: {scheme}"
    netloc = parts.netloc
    if any(c in netloc for c in "\\ \t\r\n") or any(ord(c) < 32 for c in netloc):
        return False, "malformed host"  # browsers read "a.com\\@b.com" as host a.com
    try:
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        return False, "bad port"
    host = _idna_host(parts.hostname or "")
    if not host:
        return False, "no host"
    ip = _literal_ip(host)
    if ip is not None:
        if not allow_private and (not ip.is_global or ip.is_multicast):
            return False, f"private address: {ip}"
    elif not allow_private and (host == "localhost" or host.endswith(".localhost")):
        return False, f"private address: {host}"
    if not _in_domains(host, allowed_domains):
        return False, f"off-domain: {host}"
    return True, "ok"
