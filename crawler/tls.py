"""Per-site TLS: OpenSSL client contexts built from a site file's ``[tls]`` table.

``legacy = true`` opens the cipher list to ``SECLEVEL=1`` (1024-bit RSA/DH keys,
SHA-1 signatures) and allows legacy renegotiation (``OP_LEGACY_SERVER_CONNECT``),
which www.shandong.gov.cn and 山东省财政厅 need (SITES.md §0).  A ``min_version``
below TLS 1.2 also needs ``SECLEVEL=0`` on OpenSSL 3, so it sets that.
Certificates and host names are checked (certifi's roots plus ``ca_file``)
unless the site file says ``verify = false``; that choice is logged.
"""

from __future__ import annotations

import logging
from typing import Any

from OpenSSL import SSL
from twisted.internet._sslverify import ClientTLSOptions
from twisted.web.iweb import IPolicyForHTTPS
from zope.interface import implementer

from core.siteconfig import TLSConfig

logger = logging.getLogger(__name__)

OP_LEGACY_SERVER_CONNECT = getattr(SSL, "OP_LEGACY_SERVER_CONNECT", 0x4)
VERSIONS = {"TLSv1": SSL.TLS1_VERSION, "TLSv1.1": SSL.TLS1_1_VERSION,
            "TLSv1.2": SSL.TLS1_2_VERSION, "TLSv1.3": SSL.TLS1_3_VERSION}


def make_context(tls: TLSConfig, *, verify: bool = True, ca_file: str = "") -> SSL.Context:
    """An OpenSSL client context for one site's ``[tls]`` settings."""
    ctx = SSL.Context(SSL.TLS_CLIENT_METHOD)
    ctx.set_options(SSL.OP_NO_SSLv2 | SSL.OP_NO_SSLv3 | SSL.OP_NO_COMPRESSION)
    seclevel = None
    if tls.legacy:
        seclevel = 1
        ctx.set_options(OP_LEGACY_SERVER_CONNECT)
    if tls.min_version:
        ctx.set_min_proto_version(VERSIONS[tls.min_version])
        if VERSIONS[tls.min_version] < SSL.TLS1_2_VERSION:
            seclevel = 0  # OpenSSL 3 refuses TLS 1.0/1.1 above security level 0
    if seclevel is not None:
        ctx.set_cipher_list(f"DEFAULT:@SECLEVEL={seclevel}".encode("ascii"))
    if verify and tls.verify:
        try:
            import certifi
        except ImportError:  # pragma: no cover - certifi is a dependency; the system store otherwise
            ctx.set_default_verify_paths()
        else:
            ctx.load_verify_locations(certifi.where())
        if ca_file:
            ctx.load_verify_locations(ca_file)
        if tls.ca_file:
            ctx.load_verify_locations(tls.ca_file)
    return ctx


@implementer(IPolicyForHTTPS)
class SiteTLSPolicy:
    """Twisted's HTTPS policy for one ``TLSConfig``: a connection creator per host."""

    def __init__(self, tls: TLSConfig, *, verify: bool = True, ca_file: str = "") -> None:
        self.tls = tls
        self.verify = verify and tls.verify
        self._ctx = make_context(tls, verify=self.verify, ca_file=ca_file)

    def _connection(self, _protocol: Any) -> SSL.Connection:
        return SSL.Connection(self._ctx, None)

    def creatorForNetloc(self, hostname: bytes, port: int) -> Any:
        host = hostname.decode("ascii")
        if self.verify:
            return ClientTLSOptions(self._connection, host)
        from scrapy.core.downloader.tls import _ScrapyClientTLSOptions26

        return _ScrapyClientTLSOptions26(self._connection, host)


def describe(tls: TLSConfig, *, verify: bool = True) -> str:
    """One line for the log: what this site's TLS allows."""
    parts = []
    if tls.legacy:
        parts.append("legacy ciphers (SECLEVEL=1) and renegotiation")
    if tls.min_version:
        parts.append(f"protocols from {tls.min_version}")
    parts.append("certificate checks on" if verify and tls.verify else "CERTIFICATE CHECKS OFF")
    if tls.ca_file:
        parts.append(f"extra CA {tls.ca_file}")
    return ", ".join(parts)
