"""Report data → the official tables: tidy records, DataFrames, and the published layout drawn.

The layout is a grid of cells with row and column spans, built from :mod:`nianbao.format`;
the same grid is drawn as HTML and as LaTeX, so both show the same merged headers.
"""

from __future__ import annotations

import html
import re

import pandas as pd

from .format import TABLES, Column, cell_key
from .grid import Grid
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
    out = pd.DataFrame(rows)
    out["value"] = pd.Series([r["value"] for r in rows], dtype=object)  # 9 stays 9: no float column for the counts
    return out


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
        look = _CELL_STYLES["label" if "label" in classes else tag]
        if mark:
            attrs.append(f'title="{_MARK_TITLES[mark]}"')
            look += ";" + _MARK_STYLES[mark]
            text += _MARKERS[mark]
        attrs.append(f'style="{look}"')
        rows[cell.row].append(f"<{tag}{' ' if attrs else ''}{' '.join(attrs)}>{text}</{tag}>")
    head = "".join(f"<tr>{''.join(r)}</tr>" for r in rows[: grid.header_rows])
    body = "".join(f"<tr>{''.join(r)}</tr>" for r in rows[grid.header_rows :])
    thead = f"<thead>{head}</thead>" if head else ""
    return f'<table class="official table-{grid.table}" style="{_TABLE_STYLE}">{thead}<tbody>{body}</tbody></table>'


#: A status box's look (a report's, a year overview's) written on the element itself: an untrusted notebook in JupyterLab shows
#: no stylesheet of the report's, only inline styles.
STATUS_STYLE = {
    "ok": "background:#e6f4ea;border-left:6px solid #188038;padding:0.6em 1em;margin:0.8em 0",
    "warn": "background:#fff4d6;border-left:6px solid #b06000;padding:0.6em 1em;margin:0.8em 0",
    "error": "background:#fde2e1;border-left:6px solid #a50e0e;padding:0.6em 1em;margin:0.8em 0",
}


#: The official tables' look on the elements themselves, as the report's stylesheet draws them: an
#: untrusted notebook in JupyterLab drops stylesheets and would otherwise show no rules and right-aligned
#: headers, so that merged headers sit over the wrong columns.
_TABLE_STYLE = "border-collapse:collapse;margin:0 auto;line-height:1.5"
_CELL = "border:1px solid #444;padding:0.3em 0.5em;vertical-align:middle"
_CELL_STYLES = {
    "th": f"{_CELL};text-align:center;font-weight:bold;background:#f6f6f6",
    "label": f"{_CELL};text-align:left;font-weight:normal;background:#fff",
    "td": f"{_CELL};text-align:center;min-width:3.2em;font-variant-numeric:tabular-nums",
}

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


def longtable(frame: pd.DataFrame, column_format: str, codes: str = "") -> str:
    """A small DataFrame as a LaTeX longtable through pandas' Styler, every value escaped, its
    “Continued on next page” said in Chinese. The column ``codes`` holds codes (rule ids such as
    ``WW-INTERPRETATION``): they may break after a dash, or between letters where they must.
    """
    styled = frame.style.hide(axis="index").set_uuid("nianbao").set_table_attributes('class="checks"')
    styled = styled.format(escape="latex")
    if codes:
        styled = styled.format(_breakable, subset=[codes], escape="latex")
    latex = styled.to_latex(environment="longtable", column_format=column_format, hrules=True)
    return latex.replace("Continued on next page", "续下页")


def _breakable(code: str) -> str:
    """An escaped code with break points: free after ``-``, ``_`` and ``.``, costly between letters."""
    units = re.findall(r"\\[^A-Za-z]|\\[A-Za-z]+(?:\{\})?|.", code)  # an escape (\_, \textasciitilde{}) is one unit
    out = []
    for unit, after in zip(units, [*units[1:], ""]):
        out.append(unit)
        if unit in ("-", "\\_", ".") and after:
            out.append("\\allowbreak{}")
        elif unit.isalnum() and after.isalnum():
            out.append("\\penalty5000{}")
    return "".join(out)
