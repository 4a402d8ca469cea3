"""A PDF's ruled tables → grids, as a saved web page's tables are read (pdfplumber).

A PDF's text layer loses empty cells: a row printed as ``9 | | | | 1 | | 10`` reads “9 1 10”.
Where the tables are drawn with rules — as Word, WPS and the kit's own PDFs draw them — pdfplumber
finds each cell's box from the lines, so every cell, empty or merged, keeps its place. Each cell's
span comes from its box against the table's column and row edges; a table continued on the next
page is one more grid of the same kind (rows are found by their labels, so the repeated header
does no harm). A PDF without ruled tables gives no grids, and the text is read as before.
"""

from __future__ import annotations

import bisect
import io
import re
from collections.abc import Callable

from ..errors import DataError
from .labels import compacted
from .pdflimits import TableWork
from .sources import Cell, Grid

#: Pages searched for ruled tables: an annual report is a few pages; a long PDF is read from its text alone after these.
_MAX_PAGES = 60


def pdf_grids(raw: bytes, kind_of: Callable[[str], str], path: str = "") -> dict[str, tuple[Grid, ...]]:
    """The ruled tables of the PDF, by table kind (``kind_of`` names a table from its compacted text).

    Raises :class:`DataError` for a page too full of rules or characters for a report's (:mod:`.pdflimits`).
    """
    try:
        import pdfplumber
    except ImportError:  # pragma: no cover - a declared dependency
        return {}
    grids: dict[str, list[Grid]] = {}
    last = ""
    work = TableWork(path)
    try:
        with pdfplumber.open(io.BytesIO(raw)) as pdf:
            for number, page in enumerate(pdf.pages[:_MAX_PAGES], 1):
                work.check(page, number)  # before the table finder, whose work it bounds
                for n, table in enumerate(page.find_tables()):
                    grid = _grid(table)
                    if not grid:
                        continue
                    text = compacted("".join(c.text for row in grid for c in row))
                    kind = kind_of(text) or _part_of_b(text) or (last if n == 0 and _continues(grid) else "")
                    if kind:
                        grids.setdefault(kind, []).append(grid)
                    last = kind
    except DataError:
        raise
    except Exception:  # noqa: BLE001 - a PDF pdfplumber cannot take apart is read from its text layer alone
        return {}
    return {k: tuple(v) for k, v in grids.items()}


def _part_of_b(compact: str) -> str:
    """Table 三 broken over two pages: each piece has the applicants' header and one of its end rows."""
    return "B" if "自然人" in compact and ("本年新收" in compact or "结转下年度" in compact or "总计" in compact) else ""


def _continues(grid: Grid) -> bool:
    """A table at the top of a page whose rows carry figures: the rest of the previous page's table."""
    return any(re.fullmatch(r"\d+(?:\.\d+)?", c.text.strip()) for row in grid for c in row)


def _grid(table) -> Grid:
    boxes = [b for b in table.cells if b]
    if not boxes:
        return ()
    xs = sorted({round(b[0], 1) for b in boxes} | {round(max(b[2] for b in boxes), 1)})
    ys = sorted({round(b[1], 1) for b in boxes} | {round(max(b[3] for b in boxes), 1)})
    texts = {}
    for row, printed in zip(table.rows, table.extract()):  # pdfplumber's text of each cell: chars by their centre
        for box, text in zip(row.cells, printed):
            if box is not None:
                texts[tuple(box)] = text or ""
    taken: dict[tuple[int, int], Cell] = {}
    for box in boxes:
        c0, c1 = _index(xs, box[0]), _index(xs, box[2])
        r0, r1 = _index(ys, box[1]), _index(ys, box[3])
        if c1 <= c0 or r1 <= r0:
            continue
        cell = Cell(_joined(texts.get(tuple(box), "")), r0, c0, r1 - r0, c1 - c0)
        for r in range(r0, r1):
            for c in range(c0, c1):
                taken.setdefault((r, c), cell)
    rows = len(ys) - 1
    width = len(xs) - 1
    return tuple(tuple(taken[(r, c)] for c in range(width) if (r, c) in taken) for r in range(rows))


def _index(edges: list[float], value: float) -> int:
    """The edge nearest ``value``."""
    i = bisect.bisect_left(edges, value - 0.6)
    return min(i, len(edges) - 1)


def _joined(text: str) -> str:
    """A cell's lines as one: a break between Chinese characters joins, any other is one space."""
    text = re.sub(r"(?<=[^\x00-\x7f])\s*\n\s*(?=[^\x00-\x7f])", "", text.strip())
    return re.sub(r"\s+", " ", text)


__all__ = ["pdf_grids"]
