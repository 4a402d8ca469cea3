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
from .sources import Cell, Grid, Scanned

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
    grids = Grids()
    work = TableWork(path)
    try:
        with pdfplumber.open(io.BytesIO(raw)) as pdf:
            for number, page in enumerate(pdf.pages[:_MAX_PAGES], 1):
                work.check(page, number)  # before the table finder, whose work it bounds
                grids.add_page([_grid(table) for table in page.find_tables()], kind_of)
    except DataError:
        raise
    except Exception:  # noqa: BLE001 - a PDF pdfplumber cannot take apart is read from its text layer alone
        return {}
    return grids.result()


class Grids:
    """A document's tables, page by page, by table kind: a table at the top of a page whose kind its own
    text does not tell, but whose rows carry figures, continues the previous page's last table.
    """

    def __init__(self) -> None:
        self.grids: dict[str, list[Grid]] = {}
        self.last = ""

    def add_page(self, tables: list[Grid], kind_of: Callable[[str], str],
                 kind_of_grid: Callable[[Grid], str] = lambda grid: "") -> None:
        """A page's tables: each by ``kind_of`` its text run together, else by ``kind_of_grid`` it."""
        for n, grid in enumerate(tables):
            if not grid:
                continue
            text = compacted("".join(c.text for row in grid for c in row))
            kind = (kind_of(text) or kind_of_grid(grid) or _part_of_b(text)
                    or (self.last if n == 0 and _continues(grid) else ""))
            if kind:
                self.grids.setdefault(kind, []).append(grid)
            self.last = kind

    def result(self) -> dict[str, tuple[Grid, ...]]:
        return {k: tuple(v) for k, v in self.grids.items()}


def _part_of_b(compact: str) -> str:
    """Table 三 broken over two pages: each piece has the applicants' header and one of its end rows."""
    return "B" if "自然人" in compact and ("本年新收" in compact or "结转下年度" in compact or "总计" in compact) else ""


def _continues(grid: Grid) -> bool:
    """A table at the top of a page whose rows carry figures: the rest of the previous page's table."""
    return any(re.fullmatch(r"\d+(?:\.\d+)?", c.text.strip()) for row in grid for c in row)


def _grid(table) -> Grid:
    texts = {}
    for row, printed in zip(table.rows, table.extract()):  # pdfplumber's text of each cell: chars by their centre
        for box, text in zip(row.cells, printed):
            if box is not None:
                texts[tuple(box)] = text or ""
    return boxes_grid([b for b in table.cells if b], lambda box: (_joined(texts.get(tuple(box), "")), None))


def boxes_grid(boxes: list, text_of: Callable[[tuple], tuple[str, Scanned | None]], near: float = 0.6) -> Grid:
    """A table's cell boxes (x0, top, x1, bottom) as a grid: each cell's span from its box against the
    table's column and row edges (edges closer than ``near`` are one), its text (and, read from a
    scan, how) from ``text_of(box)``.
    """
    if not boxes:
        return ()
    xs = _edges([b[0] for b in boxes] + [max(b[2] for b in boxes)], near)
    ys = _edges([b[1] for b in boxes] + [max(b[3] for b in boxes)], near)
    taken: dict[tuple[int, int], Cell] = {}
    for box in boxes:
        c0, c1 = _index(xs, box[0], near), _index(xs, box[2], near)
        r0, r1 = _index(ys, box[1], near), _index(ys, box[3], near)
        if c1 <= c0 or r1 <= r0:
            continue
        text, scanned = text_of(tuple(box))
        cell = Cell(text, r0, c0, r1 - r0, c1 - c0, scanned)
        for r in range(r0, r1):
            for c in range(c0, c1):
                taken.setdefault((r, c), cell)
    rows = len(ys) - 1
    width = len(xs) - 1
    return tuple(tuple(taken[(r, c)] for c in range(width) if (r, c) in taken) for r in range(rows))


def _edges(values: list[float], near: float) -> list[float]:
    """The distinct edges among ``values``: each run of values closer than ``near`` to the last is one."""
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > near:
            out.append(v)
    return out


def _index(edges: list[float], value: float, near: float) -> int:
    """The edge nearest ``value``."""
    i = bisect.bisect_left(edges, value - near)
    return min(i, len(edges) - 1)


def _joined(text: str) -> str:
    """A cell's lines as one: a break between Chinese characters joins, any other is one space."""
    text = re.sub(r"(?<=[^\x00-\x7f])\s*\n\s*(?=[^\x00-\x7f])", "", text.strip())
    return re.sub(r"\s+", " ", text)


__all__ = ["Grids", "boxes_grid", "pdf_grids"]
