"""The official tables' geometry, worked out once from :mod:`nianbao.format`: a grid of cells with row
and column spans — the merged headers, the nested row labels, table 二's blocks.

The same grid is drawn as HTML and LaTeX (:mod:`nianbao.tables`) and laid out as the Excel template
(:mod:`nianbao.template`), so the three cannot disagree about which cells merge.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from .format import TABLES, Column, Table, cell_key
from .model import ReportData, is_unknown, show

#: What a label cell is, which decides how each medium draws it.
CAPTION, HEADER, ROW = "caption", "header", "row"


@dataclass(frozen=True)
class GridCell:
    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1
    header: bool = True
    key: str = ""  # the cell key, for figure cells
    role: str = ""  # a label's role: CAPTION (a block's title row), HEADER (column headings), ROW (row labels)
    marks: frozenset[str] = frozenset()  # "flag" (a check failed here), "unknown", "accepted"


@dataclass(frozen=True)
class Grid:
    table: str
    cells: tuple[GridCell, ...]
    widths: tuple[float, ...]  # column widths in cm, for the PDF
    header_rows: int

    @property
    def n_rows(self) -> int:
        return max(c.row + c.rowspan for c in self.cells)

    @property
    def n_cols(self) -> int:
        return len(self.widths)

    @property
    def block_starts(self) -> frozenset[int]:
        """The rows that open a block (table 二's 第二十条第（X）项): a long table breaks only before one."""
        return frozenset(c.row for c in self.cells if c.role == CAPTION)


def layout(table: str, row_labels: bool = False) -> Grid:
    """The empty published layout of a table: labels in place, figure cells keyed.

    Table 四 is published without a row-label column (its one row of figures needs none); with
    ``row_labels`` it gets one, as the Excel template has it, so that every row says what it holds.
    """
    t = TABLES[table]
    if t.blocks:
        return _blocks_layout(t)
    return _matrix_layout(t, row_labels)


_WIDTHS = {
    "B": (0.9, 1.4, 5.0) + (1.05,) * 7,
    "C": (0.95,) * 15,
    "F": (3.5, 4.2, 4.2, 4.2),
}


def _matrix_layout(t: Table, row_labels: bool = False) -> Grid:
    nested = 1 + max(len(_ancestors(t, r.key)) for r in t.figure_rows())
    label_depth = 0 if t.key == "C" and not row_labels else nested
    cells, depth = _column_headers(t.columns, label_depth)
    if label_depth:
        cells.insert(0, GridCell(t.row_header, 0, 0, depth, label_depth, role=HEADER))
    r = depth
    for row in t.figure_rows():
        ancestors = _ancestors(t, row.key)
        for level, heading in enumerate(ancestors):
            first = next(x for x in t.figure_rows() if heading in _ancestors(t, x.key))
            if first.key == row.key:
                span = sum(1 for x in t.figure_rows() if heading in _ancestors(t, x.key))
                cells.append(GridCell(t.row(heading).label, r, level, span, 1, role=ROW))
        if label_depth:
            cells.append(GridCell(row.label, r, len(ancestors), 1, label_depth - len(ancestors), role=ROW))
        for i, column in enumerate(t.columns):
            key = cell_key(t.key, row.key, column.key)
            cells.append(GridCell("", r, label_depth + i, header=False, key=key))
        r += 1
    widths = (1.6, *_WIDTHS[t.key]) if t.key == "C" and label_depth else _WIDTHS[t.key]
    return Grid(t.key, tuple(cells), widths, depth)


def _ancestors(t: Table, row: str) -> list[str]:
    chain: list[str] = []
    parent = t.row(row).parent
    while parent:
        chain.insert(0, parent)
        parent = t.row(parent).parent
    return chain


def _column_headers(columns: Iterable[Column], offset: int) -> tuple[list[GridCell], int]:
    paths = [(*c.group, c.label) for c in columns]
    depth = max(len(p) for p in paths)
    cells = []
    for level in range(depth):
        i = 0
        while i < len(paths):
            path = paths[i]
            if len(path) <= level:
                i += 1
                continue
            if level == len(path) - 1:
                cells.append(GridCell(path[level], level, offset + i, depth - level, 1, role=HEADER))
                i += 1
                continue
            j = i
            while j < len(paths) and len(paths[j]) > level + 1 and paths[j][: level + 1] == path[: level + 1]:
                j += 1
            cells.append(GridCell(path[level], level, offset + i, 1, j - i, role=HEADER))
            i = j
    return cells, depth


def _blocks_layout(t: Table) -> Grid:
    width = 1 + max(len(b.columns) for b in t.blocks)
    cells: list[GridCell] = []
    r = 0
    for block in t.blocks:
        cells.append(GridCell(block.caption, r, 0, 1, width, role=CAPTION))
        spans = _spread(len(block.columns), width - 1)
        cells.append(GridCell(t.row_header, r + 1, 0, role=HEADER))
        for (start, span), column in zip(spans, block.columns):
            cells.append(GridCell(column.label, r + 1, 1 + start, 1, span, role=HEADER))
        r += 2
        for row in (x for x in t.rows if x.block == block.key):
            cells.append(GridCell(row.label, r, 0, role=ROW))
            for (start, span), column in zip(spans, block.columns):
                key = cell_key(t.key, row.key, column.key)
                cells.append(GridCell("", r, 1 + start, 1, span, header=False, key=key))
            r += 1
    return Grid(t.key, tuple(cells), (4.6,) + (4.0,) * (width - 1), 0)


def _spread(n: int, width: int) -> list[tuple[int, int]]:
    """Split ``width`` grid columns among ``n`` table columns: (start, span) each."""
    base, extra = divmod(width, n)
    out, start = [], 0
    for i in range(n):
        span = base + (1 if i < extra else 0)
        out.append((start, span))
        start += span
    return out


def fill(grid: Grid, data: ReportData, marks: dict[str, set[str]] | None = None) -> Grid:
    """The layout with the report's values in its figure cells, and the marks of each cell."""
    filled = tuple(replace(c, text=show(data.cells[c.key])) if c.key else c for c in grid.cells)
    return marked(replace(grid, cells=filled), data, marks)


def marked(grid: Grid, data: ReportData, marks: dict[str, set[str]] | None = None) -> Grid:
    """A filled grid with each figure cell's marks layered on: the checks' ``marks`` and "unknown"."""
    marks = marks or {}
    cells = []
    for cell in grid.cells:
        if cell.key:
            extra = {"unknown"} if is_unknown(data.cells[cell.key]) else set()
            cell = replace(cell, marks=frozenset(cell.marks | marks.get(cell.key, set()) | extra))
        cells.append(cell)
    return replace(grid, cells=tuple(cells))
