"""The one record the archive stores: a fetched page on its way to a ``documents`` row.

Field names are the archive's column names (``docs/schema.md``), so nothing is
renamed between the spider, the pipelines and the archive.  The spider fills the
*fetch* fields, ``pipelines.process.clean`` the *content* fields,
``pipelines.process.fingerprint`` the *fingerprint* fields; the archive decides
identity (new, updated, unchanged, exact duplicate, near-duplicate cluster) inside
the save transaction and answers with a ``SaveResult``.  It is also the Scrapy item.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class DocumentRecord:
    # --- fetch (spider) ---
    site: str
    url: str
    """Final URL as fetched (after redirects)."""
    canonical_url: str
    """Identity of the page in the archive (see ``core.urls.canonicalize``)."""
    raw: bytes = b""
    """Response body exactly as the server sent it (stored in ``raw_pages``)."""
    http_status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    """Response headers, names in lower case (stored with the raw page)."""
    fetched_at: str = ""
    """ISO 8601 UTC time of the fetch."""
    list_url: str = ""
    """The list page that linked to the article (not stored)."""
    column_name: str = ""
    """Column (栏目) named by the site definition's list entry."""
    not_modified: bool = False
    """True when the server answered 304 to a conditional GET."""
    etag: str | None = None
    last_modified: str | None = None
    pages: list[dict[str, Any]] = field(default_factory=list)
    """Later pages of a multi-page article, ``{"url", "raw"}`` in page order (``"error"`` when one
    failed); their text is joined into ``body`` and their bytes are stored in ``raw_pages``."""

    # --- content (pipelines.process.clean) ---
    region_code: str = ""
    title: str = ""
    published: str | None = None
    """ISO 8601 with +08:00 (date only when the page gives no time)."""
    published_raw: str = ""
    source: str = ""
    author: str = ""
    editors: list[str] = field(default_factory=list)
    body: str = ""
    """Clean article text, paragraphs separated by ``\\n``."""
    site_name: str = ""
    column_meta: str = ""
    keywords: str = ""
    description: str = ""
    attachments: list[dict[str, Any]] = field(default_factory=list)
    images: list[dict[str, Any]] = field(default_factory=list)
    tables: list[dict[str, Any]] = field(default_factory=list)
    """Data tables of the body, ``{"caption", "rows": [[cell, …], …]}`` (rows also in ``body``)."""
    published_meta_raw: str = ""
    """The published meta's value as found, kept when the date the page shows wins."""
    encoding: str = ""
    replacement_chars: int = 0
    language: str = "zh"
    extraction_method: str = ""
    flags: list[str] = field(default_factory=list)
    """Quality flags such as ``no_text`` or ``date_out_of_range``."""

    # --- structure (pipelines.process.clean, issue #13) ---
    transcript: Any = None
    """``archive.structure_types.Transcript`` of a press conference (or its ``asdict`` form), else None."""
    references: Any = None
    """``archive.structure_types.References``: own 文号, cited 文号 and 《titles》, title keys."""

    # --- fingerprints (pipelines.process.fingerprint) ---
    body_hash: str = ""
    minhash: bytes = b""
    """MinHash signature bytes (empty: no near-duplicate lookup)."""
    band_keys: list[int] = field(default_factory=list)
    """LSH band keys of ``minhash`` (stored packed in ``documents.band_keys``)."""

    # --- result (archive) ---
    outcome: str = ""
    """new | updated | unchanged | duplicate, set from the save result."""
    document_id: int | None = None
    identity: str = ""
    """How the archive related it to other documents: exact | near | url_known | ''."""

    @classmethod
    def from_headers(cls, raw_headers: dict[str, str], **kwargs: Any) -> DocumentRecord:
        """A record whose ``etag``/``last_modified`` come from ``raw_headers``."""
        headers = {k.lower(): v for k, v in raw_headers.items()}
        return cls(headers=headers, etag=headers.get("etag"),
                   last_modified=headers.get("last-modified"), **kwargs)
