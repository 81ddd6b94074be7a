"""The item that flows from the spider through cleaning, dedup and archiving.

The spider fills the *fetch* fields; ``CleaningPipeline`` the *content* fields;
``DedupPipeline`` the *identity* fields; ``ArchivePipeline`` stores it and sets
``outcome``.  Every field is documented in ``docs/schema.md`` where it lands.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ArticleItem:
    # --- fetch (spider) ---
    site: str
    url: str
    """Final URL as fetched (after redirects)."""
    canonical_url: str
    """Identity of the page in the archive (see ``core.urls.canonicalize``)."""
    raw: bytes = b""
    """Response body exactly as the server sent it."""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    fetched_at: str = ""
    """ISO 8601 UTC time of the fetch."""
    list_url: str = ""
    column: str = ""
    """Column (栏目) named by the site definition's list entry."""
    not_modified: bool = False
    """True when the server answered 304 to a conditional GET."""

    # --- content (cleaning) ---
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
    attachments: list[dict[str, str]] = field(default_factory=list)
    images: list[dict[str, str]] = field(default_factory=list)
    encoding: str = ""
    replacement_chars: int = 0
    language: str = "zh"
    extraction_method: str = ""
    flags: list[str] = field(default_factory=list)
    """Quality flags such as ``no_text`` or ``date_out_of_range``."""
    transcript: Any = None
    """``archive.structure_types.Transcript`` of a press conference, else None."""
    references: Any = None
    """``archive.structure_types.References``: own 文号, cited 文号 and titles."""

    # --- identity (dedup) ---
    body_hash: str = ""
    duplicate_of: str | None = None
    """Canonical URL of the first document with the same body hash."""
    minhash_keys: list[int] = field(default_factory=list)
    signature: bytes = b""
    cluster_id: int | None = None

    # --- result (archiving) ---
    outcome: str = ""
    """new | updated | unchanged | duplicate, set by the archive."""
