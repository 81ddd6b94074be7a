"""docs/schema.md against the real archive: every table's columns, and the JSON shapes found in a crawl."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from app.cli import cli
from archive import Archive, open_archive

DOC = (Path(__file__).resolve().parent.parent / "docs" / "schema.md").read_text("utf-8")


def documented_tables() -> dict[str, list[str]]:
    """``### `table` `` sections -> the column names in the first cell of their table rows."""
    out: dict[str, list[str]] = {}
    for m in re.finditer(r"^### `(\w+)`[^\n]*\n(.*?)(?=^#{2,3} |\Z)", DOC, re.M | re.S):
        cols: list[str] = []
        for row in re.findall(r"^\| (.+?) \|", m.group(2), re.M):
            if row.strip() in ("column", "---"):
                continue
            cols += re.findall(r"`(\w+)`", row)
        if cols:
            out[m.group(1)] = cols
    return out


def documented_keys(column: str) -> set[str]:
    row = next(line for line in DOC.splitlines() if line.startswith(f"| `{column}` |"))
    found = re.search(r"`\{([^}]*)\}`", row)
    assert found, f"no {{...}} shape documented for {column}"
    return set(re.findall(r'"(\w+)"', found.group(1)))


def test_every_table_and_column_is_documented_exactly(tmp_path: Path) -> None:
    db = open_archive(tmp_path / "a.sqlite")
    tables = {r[0] for r in db.conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " AND name NOT LIKE 'documents_fts%' AND name NOT LIKE 'turns_fts%'")}
    docs = documented_tables()
    for table in sorted(tables):
        real = [r[1] for r in db.conn.execute(f"PRAGMA table_info({table})")]
        if table == "minhash_bands":
            assert all(f"{c} INTEGER" in DOC for c in real)
            continue
        assert table in docs, f"table {table} is not documented"
        assert sorted(docs[table]) == sorted(real), f"{table}: documented {docs[table]}, real {real}"
    assert set(docs) <= tables, f"documented tables that do not exist: {set(docs) - tables}"
    db.close()


def test_json_shapes_match_a_real_crawl(crawled) -> None:
    _, archive, _ = crawled
    with Archive(archive) as a:
        docs = list(a.documents(include_duplicates=True))
    for column in ("images", "attachments"):
        seen = {key for d in docs for obj in getattr(d, column) for key in obj}
        assert seen, f"the simulator crawl has no {column} to check"
        assert seen == documented_keys(column), column


def test_export_columns_are_documented(crawled) -> None:
    _, archive, _ = crawled
    result = CliRunner().invoke(cli, ["export", "--archive", str(archive)])
    row = json.loads(result.stdout.splitlines()[0])
    section = DOC.split("## Exports", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"`(\w+)`", section))
    assert set(row) <= named, f"export fields missing from docs/schema.md: {set(row) - named}"
