"""DedupPipeline (pipelines/dedup.py): the fingerprints the archive decides identity with."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.exceptions import NotConfigured

from pipelines import fingerprint as fp
from pipelines.dedup import DedupPipeline
from tests.conftest import component_crawler, fixture_record


def test_sets_body_hash_signature_and_band_keys(tmp_path: Path) -> None:
    pipe = DedupPipeline.from_crawler(component_crawler(tmp_path))
    item = fixture_record(body="会议强调，要持续优化营商环境，推进城中村改造和老旧小区更新。")
    pipe.process_item(item)
    assert item.body_hash == fp.body_hash(item.body)
    assert len(item.minhash) == 8 * fp.NUM_PERM and len(item.band_keys) == fp.BANDS
    assert item.band_keys == fp.band_keys(fp.signature_from_bytes(item.minhash))


def test_near_layer_off_gives_only_the_hash(tmp_path: Path) -> None:
    pipe = DedupPipeline.from_crawler(component_crawler(tmp_path, DEDUP_NEAR_ENABLED=False))
    item = pipe.process_item(fixture_record(body="一段正文。"))
    assert item.body_hash and item.minhash == b"" and item.band_keys == []


def test_disabled_is_not_configured(tmp_path: Path) -> None:
    with pytest.raises(NotConfigured):
        DedupPipeline.from_crawler(component_crawler(tmp_path, DEDUP_ENABLED=False))
