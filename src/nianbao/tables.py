"""Report data → the official tables: tidy records, DataFrames, and the published layout.

The layout is a grid of cells with row and column spans, built from :mod:`nianbao.format`;
the same grid is drawn as HTML and as LaTeX, so both show the same merged headers.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass, replace

import pandas as pd

from .format import TABLES, Column, Table, cell_key
from .latex import escape as escape_latex
from .model import ReportData, is_unknown, show


@dataclass(frozen=True)
class GridCell:
    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1
    header: bool = True
    key: str = ""  # the cell key, for figure cells
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


# ---------------------------------------------------------------- tidy data


def records(data: ReportData) -> pd.DataFrame:
    """Every figure of the report as one record: table, row label, column label, value."""
    rows = []
    for table in TABLES.values():
        for row, column in table.cells():
            key = cell_key(table.key, row.key, column.key)
            value = data.cells[key]
            rows.append(
                {
                    "agency": data.agency,
                    "year": data.year,
                    "table": table.title,
                    "row": row.label,
                    "column": "·".join((*column.group, column.label)),
                    "value": value,
                    "key": key,
                }
            )
    return pd.DataFrame(rows)


def frame(data: ReportData, table: str) -> pd.DataFrame:
    """One table as a DataFrame: rows and columns labelled as published, values as stored."""
    t = TABLES[table]
    if t.blocks:
        out = pd.DataFrame(
            [(b.caption, r.label, c.label, data.cells[cell_key("A", r.key, c.key)]) for b in t.blocks
             for r in t.rows if r.block == b.key for c in b.columns],
            columns=["block", "row", "column", "value"],
        )
        return out
    columns = pd.MultiIndex.from_tuples([_path(c, 3) for c in t.columns])
    index = [r.label for r in t.figure_rows()]
    values = [[data.cells[cell_key(t.key, r.key, c.key)] for c in t.columns] for r in t.figure_rows()]
    return pd.DataFrame(values, index=index, columns=columns, dtype=object)


def _path(column: Column, depth: int) -> tuple[str, ...]:
    path = (*column.group, column.label)
    return path + ("",) * (depth - len(path))


# ---------------------------------------------------------------- layout


def layout(table: str) -> Grid:
    """The empty published layout of a table: labels in place, figure cells keyed."""
    t = TABLES[table]
    if t.blocks:
        return _blocks_layout(t)
    return _matrix_layout(t)


_WIDTHS = {
    "B": (0.9, 1.4, 5.0) + (1.05,) * 7,
    "C": (0.95,) * 15,
    "F": (3.5, 4.2, 4.2, 4.2),
}


def _matrix_layout(t: Table) -> Grid:
    label_depth = 0 if t.key == "C" else 1 + max(len(_ancestors(t, r.key)) for r in t.figure_rows())
    cells, depth = _column_headers(t.columns, label_depth)
    if label_depth:
        cells.insert(0, GridCell(t.row_header, 0, 0, depth, label_depth))
    r = depth
    for row in t.figure_rows():
        ancestors = _ancestors(t, row.key)
        for level, heading in enumerate(ancestors):
            first = next(x for x in t.figure_rows() if heading in _ancestors(t, x.key))
            if first.key == row.key:
                span = sum(1 for x in t.figure_rows() if heading in _ancestors(t, x.key))
                cells.append(GridCell(t.row(heading).label, r, level, span, 1))
        if label_depth:
            cells.append(GridCell(row.label, r, len(ancestors), 1, label_depth - len(ancestors)))
        for i, column in enumerate(t.columns):
            key = cell_key(t.key, row.key, column.key)
            cells.append(GridCell("", r, label_depth + i, header=False, key=key))
        r += 1
    return Grid(t.key, tuple(cells), _WIDTHS[t.key], depth)


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
                cells.append(GridCell(path[level], level, offset + i, depth - level, 1))
                i += 1
                continue
            j = i
            while j < len(paths) and len(paths[j]) > level + 1 and paths[j][: level + 1] == path[: level + 1]:
                j += 1
            cells.append(GridCell(path[level], level, offset + i, 1, j - i))
            i = j
    return cells, depth


def _blocks_layout(t: Table) -> Grid:
    width = 1 + max(len(b.columns) for b in t.blocks)
    cells: list[GridCell] = []
    r = 0
    for block in t.blocks:
        cells.append(GridCell(block.caption, r, 0, 1, width))
        spans = _spread(len(block.columns), width - 1)
        cells.append(GridCell(t.row_header, r + 1, 0))
        for (start, span), column in zip(spans, block.columns):
            cells.append(GridCell(column.label, r + 1, 1 + start, 1, span))
        r += 2
        for row in (x for x in t.rows if x.block == block.key):
            cells.append(GridCell(row.label, r, 0))
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
    marks = marks or {}
    cells = []
    for cell in grid.cells:
        if cell.key:
            value = data.cells[cell.key]
            extra = {"unknown"} if is_unknown(value) else set()
            cell = replace(cell, text=show(value), marks=frozenset(marks.get(cell.key, set()) | extra))
        cells.append(cell)
    return replace(grid, cells=tuple(cells))


# ---------------------------------------------------------------- drawing


def to_html(grid: Grid) -> str:
    """The grid as an HTML table; every text is escaped."""
    rows: list[list[str]] = [[] for _ in range(grid.n_rows)]
    for cell in sorted(grid.cells, key=lambda c: (c.row, c.col)):
        tag = "th" if cell.header else "td"
        attrs = []
        if cell.rowspan > 1:
            attrs.append(f'rowspan="{cell.rowspan}"')
        if cell.colspan > 1:
            attrs.append(f'colspan="{cell.colspan}"')
        classes = sorted(cell.marks)
        if cell.header and cell.row >= grid.header_rows and grid.table != "A":
            classes.insert(0, "label")
        if classes:
            attrs.append(f'class="{" ".join(classes)}"')
        if cell.key:
            attrs.append(f'data-cell="{cell.key}"')
        title = _MARK_TITLES.get(next(iter(sorted(cell.marks)), ""), "")
        if title:
            attrs.append(f'title="{title}"')
        rows[cell.row].append(f"<{tag}{' ' if attrs else ''}{' '.join(attrs)}>{html.escape(cell.text)}</{tag}>")
    head = "".join(f"<tr>{''.join(r)}</tr>" for r in rows[: grid.header_rows])
    body = "".join(f"<tr>{''.join(r)}</tr>" for r in rows[grid.header_rows :])
    thead = f"<thead>{head}</thead>" if head else ""
    return f'<table class="official table-{grid.table}">{thead}<tbody>{body}</tbody></table>'


_MARK_TITLES = {"flag": "校验未通过", "unknown": "无法确定", "accepted": "已说明"}
def to_latex(grid: Grid) -> str:
    """The grid as a LaTeX ``tabular`` with ``\\multicolumn``/``\\multirow`` merges and rules.

    A tabular never breaks across pages, so a table with merged row labels stays whole.
    """
    owner: dict[tuple[int, int], GridCell] = {}
    for cell in grid.cells:
        for r in range(cell.row, cell.row + cell.rowspan):
            for c in range(cell.col, cell.col + cell.colspan):
                owner[(r, c)] = cell
    spec = "|" + "|".join(f">{{\\centering\\arraybackslash}}p{{{w}cm}}" for w in grid.widths) + "|"
    size = {"B": r"\small", "C": r"\footnotesize"}.get(grid.table, "")
    lines = [
        f"{{{size}\\setlength{{\\tabcolsep}}{{2pt}}\\renewcommand{{\\arraystretch}}{{1.25}}",
        f"\\begin{{tabular}}{{{spec}}}",
        r"\hline",
    ]
    for r in range(grid.n_rows):
        parts, c = [], 0
        while c < grid.n_cols:
            cell = owner[(r, c)]
            parts.append(_latex_cell(grid, cell, r, c))
            c = cell.col + cell.colspan
        lines.append(" & ".join(parts) + r" \\" + _latex_rule(grid, owner, r))
    lines += [r"\end{tabular}}"]
    return "\n".join(lines)


def _latex_cell(grid: Grid, cell: GridCell, r: int, c: int) -> str:
    width = sum(grid.widths[cell.col : cell.col + cell.colspan]) + 0.14 * (cell.colspan - 1)
    text = escape_latex(cell.text) if r == cell.row else ""
    if cell.header and text:
        text = f"\\textbf{{{text}}}" if r < grid.header_rows or grid.table == "A" and cell.colspan > 1 else text
    if cell.rowspan > 1 and r == cell.row:
        text = f"\\multirow{{{cell.rowspan}}}{{{width:.2f}cm}}{{\\centering {text}}}"
    if "flag" in cell.marks:
        text = f"\\cellcolor{{nbflag}}\\textcolor{{nbflagtext}}{{\\textbf{{{text}}}}}"
    elif "unknown" in cell.marks:
        text = f"\\cellcolor{{nbunknown}}{text}"
    elif "accepted" in cell.marks:
        text = f"\\cellcolor{{nbaccepted}}{text}"
    if cell.colspan > 1 or cell.rowspan > 1:
        left = "|" if cell.col == 0 else ""
        text = f"\\multicolumn{{{cell.colspan}}}{{{left}>{{\\centering\\arraybackslash}}p{{{width:.2f}cm}}|}}{{{text}}}"
    return text


def _latex_rule(grid: Grid, owner: dict[tuple[int, int], GridCell], r: int) -> str:
    if r == grid.n_rows - 1:
        return r" \hline"
    open_cols = [owner[(r, c)] is owner.get((r + 1, c)) for c in range(grid.n_cols)]
    if not any(open_cols):
        return r" \hline"
    rules, c = [], 0
    while c < grid.n_cols:
        if open_cols[c]:
            c += 1
            continue
        start = c
        while c < grid.n_cols and not open_cols[c]:
            c += 1
        rules.append(f"\\cline{{{start + 1}-{c}}}")
    return " " + "".join(rules)
