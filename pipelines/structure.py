"""A page's structure from its extraction: the transcript (if any) and the references."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from archive.structure_types import References, Transcript
from pipelines.references import extract_references
from pipelines.transcript import parse_transcript

if TYPE_CHECKING:
    from pipelines.extract import Extraction

logger = logging.getLogger(__name__)


def structure(ex: Extraction, column: str = "") -> tuple[Transcript | None, References]:
    """``(transcript or None, references)`` of one extracted page; never raises on odd text."""
    paragraphs = ex.body.split("\n") if ex.body else []
    try:
        transcript = parse_transcript(ex.title, paragraphs, column=column or ex.column_meta,
                                      bold_leads=ex.bold_leads, published=ex.published)
    except Exception:  # a parser bug must not lose the document
        logger.exception("transcript parse failed: %s", ex.title)
        transcript = None
    return transcript, extract_references(ex.title, ex.body)


def structure_json(ex: Extraction, column: str = "") -> dict[str, object]:
    """The ``"transcript"`` and ``"references"`` keys of ``govpress extract --json``."""
    t, r = structure(ex, column)
    return {"transcript": t.public() if t is not None else None, "references": r.public()}
