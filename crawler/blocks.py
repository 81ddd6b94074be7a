"""Recognised blocks: name the way a site refused us, from a response or a failed request.

Pure functions over status, headers, body and exception; nothing here fetches,
retries or solves anything.  A challenge is reported, never answered.  Kinds:

``legacy_tls``     TLS handshake refused by modern OpenSSL defaults (see ``[tls]`` in a site file)
``bad_certificate`` the certificate did not verify (``[tls] verify``/``ca_file``)
``js_challenge``   a JavaScript cookie challenge: Ruishu 瑞数 (202/412), Jiasule 加速乐 (521), 360 网站卫士 (wzws)
``geo_blocked``    a 403 page of a known WAF / access-control product
``timeout``        the server accepted the connection but did not answer in time
``unreachable``    refused, DNS failure, or no TCP answer at all (blackhole)
``dead_redirect``  a redirect with an empty body and nowhere (or nothing) to go
``empty_shell``    a list page fetched fine whose rows are rendered client-side (``api`` names the data API)
``http_NNN``       any other non-2xx answer

Markers cite public knowledge: Ruishu cookie pairs ending in ``S``/``T`` and the
``$_ts`` bootstrap (SITES.md §0, S24); Jiasule's ``__jsluid``/``__jsl_clearance``;
360 网站卫士's ``wzws_cid``/``wzwschallenge``; Hanweb ``dataproxy.jsp``, jpaas
``unitbuild.js``/``page/build/unit``, ``showJsContent.do`` and ``gkmlpt`` (SITES.md §1, §4).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

KINDS = ("legacy_tls", "bad_certificate", "js_challenge", "geo_blocked", "timeout", "unreachable",
         "dead_redirect", "empty_shell")
"""Named block kinds; ``http_NNN`` is the open-ended rest."""


@dataclass(frozen=True)
class Block:
    kind: str
    detail: str
    url: str = ""
    api: str = ""
    """For ``empty_shell``: the data API the page names (absolute URL or path), if visible."""

    def line(self) -> str:
        """``kind (detail): url`` for logs and the run record."""
        return f"{self.kind} ({self.detail}): {self.url}" if self.url else f"{self.kind} ({self.detail})"


# -- responses ---------------------------------------------------------------------------------
RUISHU_COOKIE = re.compile(r"^([A-Za-z0-9_]{8,})[ST]$")
RUISHU_BODY = ("$_ts", "_$_ts", "$_ts=window", "9DhefwqGPrzGxEp9hPaoag")
JSL_COOKIES = ("__jsluid", "__jsl_clearance")
JSL_BODY = ("__jsl_clearance", "document.cookie=('_')+('_')+('j')", "jsl_clearance")
WZWS_COOKIES = ("wzws_cid", "wzws_sessionid", "wzws_reurl")
WZWS_BODY = ("wzwschallenge", "wzwstemplate", "wzwsconfirm", "WZWSREL", "wzwsquestion")
WAF_403 = (
    ("aliyun", ("errors.aliyun.com", "阿里云Web应用防火墙", "阿里云 Web应用防火墙", "aliyun_waf")),
    ("tencent", ("腾讯云Web应用防火墙", "腾讯云 Web 应用防火墙", "waf.tencent-cloud.com")),
    ("knownsec", ("知道创宇", "创宇盾", "yunaq.com", "365cyd")),
    ("anheng", ("玄武盾", "安恒信息")),
    ("qianxin", ("奇安信网站卫士", "网神", "qianxin")),
    ("360wzws", ("360网站卫士", "wzws")),
    ("cloudflare", ("cloudflare ray id", "cf-error-details")),
    ("geo", ("境外", "海外用户", "您所在的地区", "不在允许访问的范围", "禁止境外", "访问受限", "您的访问被拒绝",
             "ip已被限制", "access denied")),
)
SHELL_APIS = (
    # (marker regex, name): the first group, when present, is the API URL as the page gives it.
    (re.compile(r"""["'(=]\s*([^"'()\s]*?/module/(?:web|jslib/jquery)/jpage/dataproxy\.jsp[^"'\s)]*)"""),
     "hanweb dataproxy.jsp"),
    (re.compile(r"""(?:unitUrl|url)\s*[=:]\s*["']([^"']*/page/build/unit[^"']*)"""), "jpaas unit build"),
    (re.compile(r"""["']([^"'\s]*/api-gateway/jpaas-publish-server/front/page/build/unit[^"'\s]*)"""),
     "jpaas unit build"),
    (re.compile(r"""unitbuild(?:\.min)?\.js()"""), "jpaas unit build"),
    (re.compile(r"""["'(=]\s*([^"'()\s]*?/jact/front/datacall/showJsContent\.do[^"'\s)]*)"""),
     "showJsContent.do"),
    (re.compile(r"""["'(=]\s*([^"'()\s]*?/gkmlpt/[^"'\s)]*)"""), "gkmlpt"),
)


def header_map(headers: Any) -> dict[str, list[str]]:
    """Lower-cased header names to their values, from Scrapy ``Headers`` or a plain mapping."""
    out: dict[str, list[str]] = {}
    if headers is None:
        items: Iterable[tuple[Any, Any]] = ()
    elif isinstance(headers, (list, tuple)):
        items = headers
    else:
        items = headers.items()
    for key, value in items:
        name = key.decode("latin-1") if isinstance(key, bytes) else str(key)
        values = value if isinstance(value, (list, tuple)) else [value]
        out.setdefault(name.lower(), []).extend(
            v.decode("latin-1") if isinstance(v, bytes) else str(v) for v in values)
    return out


def cookie_names(headers: Any) -> list[str]:
    """Names of the cookies a response sets."""
    return [c.split("=", 1)[0].strip() for c in header_map(headers).get("set-cookie", []) if "=" in c]


def _text(body: bytes | str, limit: int = 64 * 1024) -> str:
    if isinstance(body, bytes):
        return body[:limit].decode("utf-8", "replace")
    return body[:limit]


def _ruishu_cookies(names: list[str]) -> list[str]:
    stems: dict[str, set[str]] = {}
    for name in names:
        m = RUISHU_COOKIE.match(name)
        if m:
            stems.setdefault(m.group(1), set()).add(name[-1])
    return [stem for stem, ends in stems.items() if ends == {"S", "T"}]


def challenge(status: int, headers: Any, body: bytes | str) -> str:
    """The vendor of a JavaScript cookie challenge in this response, or ``""``."""
    names = cookie_names(headers)
    text = _text(body)
    if status in (202, 412) and (_ruishu_cookies(names) or any(m in text for m in RUISHU_BODY)):
        return f"Ruishu {status}"
    if _ruishu_cookies(names) and "<script" in text.lower() and len(text) < 32 * 1024:
        return f"Ruishu {status}"
    if status == 521 and (any(n.startswith(JSL_COOKIES) for n in names) or any(m in text for m in JSL_BODY)):
        return "Jiasule 521"
    if any(m in text for m in JSL_BODY) and "document.cookie" in text:
        return f"Jiasule {status}"
    if any(n.startswith(WZWS_COOKIES) for n in names) and any(m in text for m in WZWS_BODY):
        return f"360 wzws {status}"
    if any(m in text for m in WZWS_BODY[:4]):
        return f"360 wzws {status}"
    if status == 412:
        # A GET never legitimately fails a precondition: 412 is the anti-bot answer (SITES.md §0).
        return "HTTP 412 without challenge markers (Ruishu-style)"
    return ""


def waf_403(headers: Any, body: bytes | str) -> str:
    """The WAF product whose refusal page this is, or ``""``."""
    text = _text(body).lower()
    hmap = header_map(headers)
    if "cf-ray" in hmap:
        return "cloudflare"
    for name, markers in WAF_403:
        if any(m.lower() in text for m in markers):
            return name
    return ""


def shell_api(body: bytes | str) -> tuple[str, str] | None:
    """``(name, api)`` when a page loads its rows from a data API it names, else ``None``."""
    text = _text(body, 512 * 1024)
    for pattern, name in SHELL_APIS:
        m = pattern.search(text)
        if m:
            return name, html.unescape(m.group(1)) if m.groups() else ""
    return None


def classify_response(status: int, headers: Any, body: bytes | str, url: str = "", *,
                      redirected: bool = False) -> Block | None:
    """The block a fetched response stands for, or ``None`` when it is an ordinary page.

    ``redirected``: the response is the end of a redirect chain (an empty end is a dead redirect).
    """
    vendor = challenge(status, headers, body)
    if vendor:
        return Block("js_challenge", vendor, url)
    if status == 403:
        waf = waf_403(headers, body)
        if waf:
            return Block("geo_blocked", f"HTTP 403 from {waf}", url)
    size = len(body)
    if 300 <= status < 400:
        location = "".join(header_map(headers).get("location", [])).strip()
        if size == 0 and not location:
            return Block("dead_redirect", f"HTTP {status} without Location, 0 bytes", url)
        return Block(f"http_{status}", f"HTTP {status} to {location or 'nowhere'}", url)
    if 200 <= status < 300 and size == 0 and redirected:
        return Block("dead_redirect", f"redirect ends in an empty HTTP {status}", url)
    if status >= 400 or status < 200:
        return Block(f"http_{status}", f"HTTP {status}", url)
    return None


def classify_list_page(status: int, headers: Any, body: bytes | str, url: str = "", *,
                       redirected: bool = False) -> Block | None:
    """A list page that yielded no article links: a block, an empty shell, or ``None``."""
    block = classify_response(status, headers, body, url, redirected=redirected)
    if block is not None:
        return block
    if status == 200 and len(body) == 0:
        return Block("dead_redirect" if redirected else "empty_shell", f"empty HTTP {status}", url)
    found = shell_api(body)
    if found:
        name, api = found
        return Block("empty_shell", f"rows come from {name}" + (f" {api}" if api else ""), url, api)
    return None


# -- failures ----------------------------------------------------------------------------------
TLS_LEGACY_REASONS = (
    "handshake failure", "unsupported protocol", "no protocols available", "wrong version number",
    "unsafe legacy renegotiation", "key too small", "dh key too small", "ee key too small",
    "no ciphers available", "no shared cipher", "insufficient security", "protocol version",
    "legacy sigalg", "version too low", "unknown protocol",
)
CERT_REASONS = ("certificate verify failed", "certificate_verify_failed", "verificationerror",
                "hostname mismatch", "self signed certificate", "self-signed certificate",
                "unable to get local issuer", "certificate has expired", "verification error")


def _chain(exc: BaseException | None) -> Iterator[BaseException]:
    """``exc``, its causes and (for Twisted wrapper exceptions) the failures it wraps."""
    seen: set[int] = set()
    stack = [exc] if exc is not None else []
    while stack:
        e = stack.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        stack.extend(x for x in (e.__cause__, e.__context__) if x is not None)
        for reason in getattr(e, "reasons", None) or ():
            value = getattr(reason, "value", reason)
            if isinstance(value, BaseException):
                stack.append(value)


def _names(exc: BaseException) -> set[str]:
    return {cls.__name__ for cls in type(exc).__mro__}


def classify_exception(exc: BaseException, url: str = "") -> Block | None:
    """The block a download exception stands for (TLS, timeout, unreachable), or ``None``."""
    chain = list(_chain(exc))
    names = set().union(*(_names(e) for e in chain))
    text = " ".join(f"{type(e).__name__}: {e!s} {e!r}" for e in chain).lower()
    if "VerificationError" in names or any(r in text for r in CERT_REASONS):
        return Block("bad_certificate", _reason(chain, "certificate did not verify"), url)
    openssl = any(type(e).__module__.startswith("OpenSSL") for e in chain)
    if openssl or "SSLError" in names or any(r in text for r in TLS_LEGACY_REASONS):
        return Block("legacy_tls", _reason(chain, "TLS handshake failed"), url)
    if names & {"DNSLookupError", "CannotResolveHostError"} or "dns lookup failed" in text:
        return Block("unreachable", "DNS lookup failed", url)
    if names & {"ConnectionRefusedError", "DownloadConnectionRefusedError"} or "connection was refused" in text:
        return Block("unreachable", "connection refused", url)
    if names & {"NoRouteError", "ConnectBindError", "UnknownHostError"}:
        return Block("unreachable", _reason(chain, "no route to host"), url)
    if "TCPTimedOutError" in names or "user timeout caused connection failure" in text:
        return Block("unreachable", "no answer to the TCP connection (blackhole)", url)
    if names & {"TimeoutError", "DownloadTimeoutError"} or "took longer than" in text:
        return Block("timeout", _reason(chain, "no response in time"), url)
    return None


def _reason(chain: list[BaseException], default: str) -> str:
    for e in chain:
        args = getattr(e, "args", ())
        if args and isinstance(args[0], list) and args[0] and isinstance(args[0][0], tuple):
            # OpenSSL.SSL.Error: [('SSL routines', '', 'ee key too small')]
            return "; ".join(str(part[-1]) for part in args[0] if part)
    for e in chain:
        m = re.search(r"\('SSL routines', '[^']*', '([^']+)'\)", str(e))
        if m:  # the OpenSSL reason inside a wrapped message (robots.txt, replays)
            return m.group(1)
    for e in chain:
        msg = str(e).strip()
        if msg and len(msg) < 200:
            return msg
    return default


def block_stats(block: Block) -> Mapping[str, Any]:
    """Scrapy-style stats for a recognised block (the first one becomes the run's ``block/kind``)."""
    return {"kind": block.kind, "detail": block.detail, "url": block.url, "api": block.api}
