"""The archive in Datasette: metadata loads, the search canned query finds 2-character words."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from app.cli_archive import datasette_metadata
from core.siteconfig import load_sites

datasette_app = pytest.importorskip("datasette.app")

FOLDER = Path(__file__).resolve().parent.parent / "reading" / "datasette"


def get(ds, path: str):
    async def go():
        return await ds.client.get(path)

    return asyncio.run(go())


@pytest.fixture()
def ds(crawled):
    _, archive, _ = crawled
    metadata = datasette_metadata(archive.stem)
    return datasette_app.Datasette([str(archive)], metadata=metadata, plugins_dir=str(FOLDER / "plugins")), archive.stem


def test_canned_search_finds_two_and_three_character_words(ds) -> None:
    app, db = ds
    for word in ("营商", "城中村", "绿色"):
        resp = get(app, f"/{db}/search.json?q={word}&_shape=array")
        assert resp.status_code == 200, resp.text
        rows = resp.json()
        assert rows, word
    resp = get(app, f"/{db}/search.json?q=营商&_shape=array")
    slugs = set(load_sites()[0])
    assert all(row["site"] in slugs for row in resp.json())


def test_other_canned_queries_and_table_metadata(ds) -> None:
    app, db = ds
    latest = get(app, f"/{db}/latest_per_site.json?_shape=array").json()
    assert {r["site"] for r in latest} == set(load_sites()[0])
    republished = get(app, f"/{db}/republished.json?_shape=array").json()
    assert republished and all(r["members"] >= 2 for r in republished)
    page = get(app, f"/{db}/documents")
    assert page.status_code == 200 and "One row per page" in page.text


def test_transcript_tables_and_turn_search(ds) -> None:
    app, db = ds
    rows = get(app, f"/{db}/turn_search.json?q=城中村&speaker=高本伟&_shape=array").json()
    assert rows and all("高本伟" in r["speaker"] and r["role"] == "official" for r in rows)
    assert get(app, f"/{db}/turn_search.json?q=城中村&speaker=&_shape=array").json()
    cited = get(app, f"/{db}/citations.json?_shape=array").json()
    assert cited and cited[0]["citations"] >= 3
    page = get(app, f"/{db}/turns")
    assert page.status_code == 200 and "What was said" in page.text
