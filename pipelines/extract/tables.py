"""Data tables inside the article: kept as rows and cells, not one line per cell.

``take_tables(container)`` finds the data tables of a pruned container (the
innermost ``<table>`` elements with at least two rows and two columns and no
cell long enough to be a layout cell holding the article), reads each into a
grid (``colspan``/``rowspan`` expanded, the covered slots left empty so the
columns stay aligned) and puts a one-line placeholder in its place, so the
line filter never sees a cell as a line of its own (a ``联系电话：`` cell is
data, not a footer). ``render()`` turns the placeholder back into rows.

The stored text is tab-separated: one row per line, cells joined by ``\\t``.
Tabs keep the body's characters what the page shows (search and the
bigram scorer, which ignores whitespace, see no markup), paste into a
spreadsheet as they are, and cannot clash with a ``|`` inside a cell the way
Markdown pipes do; the structure itself is in ``Extraction.tables``.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from lxml.html import HtmlElement

from . import dom

logger = logging.getLogger(__name__)

TABLE_MIN_ROWS = 2
TABLE_MIN_COLS = 2
TABLE_CELL_MAX = 300     # a cell longer than this holds an article: a layout table
TABLE_MAX_SPAN = 50      # colspan/rowspan values above this are clamped (hostile pages)
_MARK = "\ue000table:{}\ue000"
_MARK_RE = re.compile("^\ue000table:(\\d+)\ue000$")


def _span(cell: HtmlElement, attr: str) -> int:
    try:
        return max(1, min(TABLE_MAX_SPAN, int(str(cell.get(attr, "1")).strip() or 1)))
    except ValueError:
        return 1


def _rows(table: HtmlElement) -> list[HtmlElement]:
    """``tr`` elements of this table (not of nested tables)."""
    return [tr for tr in table.iter("tr") if next(tr.iterancestors("table"), None) is table]


def _cell_text(cell: HtmlElement) -> str:
    return " ".join(dom.iter_lines(cell))


def read_table(table: HtmlElement) -> list[list[str]]:
    """The table as a grid of cell texts, spans expanded (covered slots are empty)."""
    grid: list[list[str]] = []
    pending: dict[tuple[int, int], str] = {}
    for r, tr in enumerate(_rows(table)):
        row: list[str] = []
        c = 0
        for cell in tr:
            if not isinstance(cell.tag, str) or cell.tag not in ("td", "th"):
                continue
            while (r, c) in pending:
                row.append(pending.pop((r, c)))
                c += 1
            text = _cell_text(cell)
            cs, rs = _span(cell, "colspan"), _span(cell, "rowspan")
            row.append(text)
            row.extend([""] * (cs - 1))
            for dr in range(1, rs):
                for dc in range(cs):
                    pending[(r + dr, c + dc)] = ""
            c += cs
        while (r, c) in pending:
            row.append(pending.pop((r, c)))
            c += 1
        if any(row):
            grid.append(row)
    width = max((len(r) for r in grid), default=0)
    for row in grid:
        row.extend([""] * (width - len(row)))
        while row and len(row) > width:
            row.pop()
    # columns that are empty in every row (spacer cells) go
    keep = [i for i in range(width) if any(row[i] for row in grid)]
    return [[row[i] for i in keep] for row in grid]


def is_data_table(grid: list[list[str]]) -> bool:
    if len(grid) < TABLE_MIN_ROWS or not grid or len(grid[0]) < TABLE_MIN_COLS:
        return False
    return all(len(cell) <= TABLE_CELL_MAX for row in grid for cell in row)


def take_tables(container: HtmlElement) -> list[dict[str, Any]]:
    """Replace each data table in the container by a placeholder line; return the tables.

    Each table is ``{"caption": str, "rows": [[cell, …], …]}``.
    """
    out: list[dict[str, Any]] = []
    for table in list(container.iter("table")):
        if table.getparent() is None or table.find(".//table") is not None:
            continue  # a layout table around other tables: only the innermost are data
        grid = read_table(table)
        if not is_data_table(grid):
            continue
        cap = table.find("caption")
        caption = dom.text_of(cap) if cap is not None else ""
        mark = table.makeelement("p")
        mark.text = _MARK.format(len(out))
        mark.tail = table.tail
        parent = table.getparent()
        if caption:
            cap_el = table.makeelement("p")
            cap_el.text = caption
            parent.insert(parent.index(table), cap_el)
        parent.replace(table, mark)
        out.append({"caption": caption, "rows": grid})
    return out


def render(lines: list[str], tables: list[dict[str, Any]]) -> tuple[list[str], list[dict[str, Any]]]:
    """Put the rows back in place of the placeholders; tables whose placeholder the
    line filter cut (after a related-links heading) are dropped from the list too."""
    out: list[str] = []
    kept: list[dict[str, Any]] = []
    for line in lines:
        m = _MARK_RE.match(line)
        if not m:
            out.append(line)
            continue
        t = tables[int(m.group(1))]
        kept.append(t)
        out.extend("\t".join(cell.replace("\t", " ") for cell in row) for row in t["rows"])
    return out, kept
