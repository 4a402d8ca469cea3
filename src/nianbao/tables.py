"""Report data → the official tables: tidy records, DataFrames, and the published layout drawn.

The layout is a grid of cells with row and column spans, built from :mod:`nianbao.format`;
the same grid is drawn as HTML and as LaTeX, so both show the same merged headers.
"""

from __future__ import annotations

import html
from dataclasses import replace

import pandas as pd

from .format import TABLES, Column, cell_key
from .grid import Grid, GridCell
from .latex import escape as escape_latex
from .model import ReportData

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
        mark = next((m for m in _MARK_ORDER if m in cell.marks), "")
        text = html.escape(cell.text)
        if mark:
            attrs += [f'title="{_MARK_TITLES[mark]}"', f'style="{_MARK_STYLES[mark]}"']
            text += _MARKERS[mark]
        rows[cell.row].append(f"<{tag}{' ' if attrs else ''}{' '.join(attrs)}>{text}</{tag}>")
    head = "".join(f"<tr>{''.join(r)}</tr>" for r in rows[: grid.header_rows])
    body = "".join(f"<tr>{''.join(r)}</tr>" for r in rows[grid.header_rows :])
    thead = f"<thead>{head}</thead>" if head else ""
    return f'<table class="official table-{grid.table}">{thead}<tbody>{body}</tbody></table>'


_MARK_TITLES = {"flag": "校验未通过", "unknown": "无法确定", "accepted": "已说明"}
_MARK_ORDER = ("flag", "unknown", "accepted")
#: A marked cell's look on the element itself (an untrusted notebook in JupyterLab drops stylesheets) …
_MARK_STYLES = {
    "flag": "background:#fde2e1;color:#a50e0e;font-weight:bold;outline:2px solid #a50e0e;outline-offset:-2px",
    "unknown": "background:#eceff1;color:#5f6368",
    "accepted": "background:#fff4d6",
}
#: … and in words, for whoever cannot see the colour: a screen reader speaks them (JupyterLab keeps
#: no ``role`` or ``aria-label`` in an untrusted notebook, so the words are text).
_MARKERS = {
    "flag": '<small class="mark" title="校验未通过">✗未通过</small>',
    "unknown": '<small class="mark" title="无法确定">无法确定</small>',
    "accepted": '<small class="mark" title="已说明">✓已说明</small>',
}
def to_latex(grid: Grid, *, long: bool = False, fit: float = 0.0) -> str:
    r"""The grid as a LaTeX ``tabular`` with ``\\multicolumn``/``\\multirow`` merges and rules.

    A tabular never breaks across pages, so a table with merged row labels stays whole. With
    ``long`` it is a ``longtable`` instead, whose header rows repeat under “续表” on every page it
    runs onto. With ``fit`` (cm) the columns are narrowed, in proportion, to that width.
    """
    if fit and sum(grid.widths) + 0.14 * len(grid.widths) > fit:
        scale = (fit - 0.14 * len(grid.widths)) / sum(grid.widths)
        grid = replace(grid, widths=tuple(round(w * scale, 2) for w in grid.widths))
    owner: dict[tuple[int, int], GridCell] = {}
    for cell in grid.cells:
        for r in range(cell.row, cell.row + cell.rowspan):
            for c in range(cell.col, cell.col + cell.colspan):
                owner[(r, c)] = cell
    spec = "|" + "|".join(f">{{\\centering\\arraybackslash}}p{{{w}cm}}" for w in grid.widths) + "|"
    size = {"B": r"\small", "C": r"\footnotesize"}.get(grid.table, "")
    environment = "longtable" if long else "tabular"
    lines = [
        f"{{{size}\\setlength{{\\tabcolsep}}{{2pt}}\\renewcommand{{\\arraystretch}}{{1.25}}",
        f"\\begin{{{environment}}}{{{spec}}}",
        r"\hline",
    ]
    rows = [" & ".join(_row_cells(grid, owner, r)) + r" \\" + _latex_rule(grid, owner, r) for r in range(grid.n_rows)]
    if long and grid.header_rows:
        head = rows[: grid.header_rows]
        lines += [*head, r"\endfirsthead",
                  f"\\multicolumn{{{grid.n_cols}}}{{@{{}}l}}{{续表}} \\\\", r"\hline", *head, r"\endhead",
                  r"\hline", r"\endfoot", r"\endlastfoot",  # a page's piece closes with a rule
                  *rows[grid.header_rows :]]
    else:
        lines += rows
    lines += [f"\\end{{{environment}}}}}"]
    return "\n".join(lines)


def _row_cells(grid: Grid, owner: dict[tuple[int, int], GridCell], r: int) -> list[str]:
    parts, c = [], 0
    while c < grid.n_cols:
        cell = owner[(r, c)]
        parts.append(_latex_cell(grid, cell, r, c))
        c = cell.col + cell.colspan
    return parts


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


# ---------------------------------------------------------------- small tables of results


def inline_table(frame: pd.DataFrame, wide: str) -> str:
    """A small DataFrame as an HTML table with its styles inline, every value escaped.

    pandas' Styler writes its styles into a ``<style>`` block, which JupyterLab drops from an
    untrusted notebook; here each cell carries its own, so the narrow columns never wrap a word per
    line and the wide one takes the room, in the HTML report and in JupyterLab alike.
    """
    cell = "border:1px solid #999;padding:0.2em 0.5em;vertical-align:top;text-align:left"
    head = "".join(f'<th style="{cell};background:#f0f0f0;white-space:nowrap">{html.escape(str(c))}</th>'
                   for c in frame.columns)
    rows = []
    for values in frame.itertuples(index=False):
        tds = []
        for column, value in zip(frame.columns, values):
            fit = "min-width:16em" if column == wide else "white-space:nowrap"
            tds.append(f'<td style="{cell};{fit}">{html.escape(str(value))}</td>')
        rows.append("<tr>" + "".join(tds) + "</tr>")
    return (f'<table class="checks" style="border-collapse:collapse;margin:0.6em 0;font-size:0.9em">'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")


def longtable(frame: pd.DataFrame, column_format: str) -> str:
    """A small DataFrame as a LaTeX longtable through pandas' Styler, every value escaped, its
    “Continued on next page” said in Chinese.
    """
    styled = frame.style.hide(axis="index").set_uuid("nianbao").set_table_attributes('class="checks"')
    latex = styled.format(escape="latex").to_latex(environment="longtable", column_format=column_format, hrules=True)
    return latex.replace("Continued on next page", "续下页")
