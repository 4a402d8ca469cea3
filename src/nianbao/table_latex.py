r"""An official table's grid as LaTeX: its merges and rules, and where a long table may break.

A short table is a ``tabular``, kept whole. A long one is a ``longtable``, which breaks across pages
by these rules, so that a reader never meets a label outside its table or rows without a label:

- Its header rows repeat under “续表” on every page it runs onto.
- A merged row label (三、本年度办理结果, （五）不予处理) is printed on every page that holds rows of
  its group, centred on that page's rows: each row of a group notes in the ``.aux`` the page it is
  shipped on, and on the next pass the label shows again wherever its group's rows start a page
  (the ``\nb…`` commands in ``nianbao_publish_latex/setup.tex.j2``).
- A group breaks only where both pieces have rows enough for its label's lines, and breaks within a
  group cost more than breaks between groups, so the table breaks between groups where it can.
- No lone row: the first body row stays with the second, the last with the one before; table 二
  breaks only between its 第二十条 blocks, whose title row stays with its rows.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace

from .grid import Grid, GridCell
from .latex import escape as escape_latex

#: The gap LaTeX puts between two columns (cm): 2 × \tabcolsep of 2 pt, and a rule.
GAP = 0.14
#: Each table's type size: (the LaTeX size command, the width of one Chinese character in cm).
SIZES = {"A": ("", 0.37), "B": (r"\small", 0.32), "C": (r"\footnotesize", 0.29)}
#: The penalty of a page break after a row: allowed, allowed at a cost (within a group), and none.
FREE, COSTLY, NONE = 0, 150, 10000


def to_latex(grid: Grid, *, long: bool = False, fit: float = 0.0) -> str:
    r"""The grid as a LaTeX ``tabular`` with ``\\multicolumn``/``\\multirow`` merges and rules; with
    ``long`` a ``longtable`` that breaks by the rules above. With ``fit`` (cm) the columns are
    narrowed, in proportion, to that width.
    """
    if fit and sum(grid.widths) + GAP * len(grid.widths) > fit:
        scale = (fit - GAP * len(grid.widths)) / sum(grid.widths)
        grid = replace(grid, widths=tuple(round(w * scale, 2) for w in grid.widths))
    owner: dict[tuple[int, int], GridCell] = {}
    for cell in grid.cells:
        for r in range(cell.row, cell.row + cell.rowspan):
            for c in range(cell.col, cell.col + cell.colspan):
                owner[(r, c)] = cell
    spec = "|" + "|".join(f">{{\\centering\\arraybackslash}}p{{{w}cm}}" for w in grid.widths) + "|"
    size = SIZES.get(grid.table, ("", 0.37))[0]
    environment = "longtable" if long else "tabular"
    lines = [
        f"{{{size}\\setlength{{\\tabcolsep}}{{2pt}}\\renewcommand{{\\arraystretch}}{{1.25}}",
        *([r"\stepcounter{nbtab}"] if long else []),
        f"\\begin{{{environment}}}{{{spec}}}",
        r"\hline",
    ]
    ends = _ends(grid, owner) if long else [FREE] * grid.n_rows
    grouped = {r for c in grid.cells if c.rowspan > 1 and c.row >= grid.header_rows
               for r in range(c.row, c.row + c.rowspan)}
    rows = []
    for r in range(grid.n_rows):
        cells = " & ".join(_cell(grid, owner[(r, c)], r, long) for c in _starts(grid, owner, r))
        if long and r >= grid.header_rows:  # a break only after its rules, at its penalty; its page noted
            note = f"\\nbnote{{{r}}}" if r in grouped else ""
            rows.append(f"{cells} \\\\*{_rule(grid, owner, r, ends[r], note)}")
        else:
            rows.append(f"{cells} \\\\{_rule(grid, owner, r)}")
    if long:
        head = rows[: grid.header_rows]
        lines += [*head, r"\endfirsthead",
                  f"\\multicolumn{{{grid.n_cols}}}{{@{{}}l}}{{续表}} \\\\", r"\hline", *head, r"\endhead",
                  r"\hline", r"\endfoot", r"\endlastfoot",  # a page's piece closes with a rule
                  *rows[grid.header_rows :]]
    else:
        lines += rows
    lines += [f"\\end{{{environment}}}}}"]
    return "\n".join(lines)


def _starts(grid: Grid, owner: dict[tuple[int, int], GridCell], r: int) -> list[int]:
    """The columns where a cell of row ``r`` starts (a merged cell covers the columns after it)."""
    out, c = [], 0
    while c < grid.n_cols:
        out.append(c)
        c = owner[(r, c)].col + owner[(r, c)].colspan
    return out


def _cell(grid: Grid, cell: GridCell, r: int, long: bool) -> str:
    width = sum(grid.widths[cell.col : cell.col + cell.colspan]) + GAP * (cell.colspan - 1)
    text = escape_latex(cell.text) if r == cell.row or long and cell.rowspan > 1 else ""
    if cell.header and text:
        text = f"\\textbf{{{text}}}" if r < grid.header_rows or grid.table == "A" and cell.colspan > 1 else text
    if cell.rowspan > 1 and long:  # shown where its group starts, and again wherever it starts a page
        text = f"\\nblabel{{{cell.row}}}{{{cell.row + cell.rowspan - 1}}}{{{r}}}{{{width:.2f}cm}}{{{text}}}"
    elif cell.rowspan > 1 and r == cell.row:
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


def _rule(grid: Grid, owner: dict[tuple[int, int], GridCell], r: int, penalty: int | None = None, note: str = "") -> str:
    """The rules under row ``r``; with a ``penalty``, a page may break after them only at that cost, and
    ``note`` is set just before it.
    """
    closing = r == grid.n_rows - 1
    open_cols = [not closing and owner[(r, c)] is owner.get((r + 1, c)) for c in range(grid.n_cols)]
    if not any(open_cols) and (penalty is None or closing):
        return (f"\\noalign{{{note}}}" if note else "") + r" \hline"
    spans, c = [], 0
    while c < grid.n_cols:
        if open_cols[c]:
            c += 1
            continue
        start = c
        while c < grid.n_cols and not open_cols[c]:
            c += 1
        spans.append(f"{start + 1}-{c}")
    if penalty is None:
        return " " + "".join(f"\\cline{{{s}}}" for s in spans)
    last = len(spans) - 1
    return " " + "".join(f"\\nbcline{{{s}}}{{{penalty if i == last else NONE}}}{{{note if i == last else ''}}}"
                         for i, s in enumerate(spans))


def _ends(grid: Grid, owner: dict[tuple[int, int], GridCell]) -> list[int]:
    """The penalty of a page break after each row of a long table."""
    first, last = grid.header_rows, grid.n_rows - 1
    ends = [NONE if r < first else FREE for r in range(grid.n_rows)]
    ends[first] = ends[max(first, last - 1)] = NONE  # no lone row at a page's foot or head
    if grid.block_starts:  # table 二: only before a block's title row
        for r in range(first, last):
            if r + 1 not in grid.block_starts:
                ends[r] = NONE
    for cell in {owner[(r, c)] for r in range(first, grid.n_rows) for c in range(grid.n_cols)}:
        if cell.rowspan == 1:
            continue
        need = label_lines(grid, cell)
        for r in range(cell.row, cell.row + cell.rowspan - 1):
            above, below = r - cell.row + 1, cell.row + cell.rowspan - 1 - r
            if not cell.header or min(above, below) < need:
                ends[r] = NONE
            elif ends[r] == FREE:
                ends[r] = COSTLY
    return ends


def label_lines(grid: Grid, cell: GridCell) -> int:
    """How many lines a merged label takes in its column, and so how many rows a piece of its group needs."""
    width = sum(grid.widths[cell.col : cell.col + cell.colspan]) + GAP * (cell.colspan - 1)
    per_line = max(1, math.floor((width - GAP) / SIZES.get(grid.table, ("", 0.37))[1]))
    chars = sum(0.5 if ch.isascii() else 1 for ch in cell.text)
    return max(2, math.ceil(chars / per_line))


#: A row's page as the long tables note it (\\nbrowat{table}{row}{page}, see table_latex and setup.tex.j2).
ROW_AT = re.compile(rb"^\\nbrowat\{([0-9]+)\}\{([0-9]+)\}\{([^{}\n]*)\}\n", re.MULTILINE)


def aux_reading(aux: bytes | None) -> tuple[bytes, frozenset[tuple[bytes, bytes]]] | None:
    """An ``.aux`` as the next pass reads it: every line as written but the rows' pages, and of those
    only which rows start a page (what the macro nbrowat keeps). Two that read the same typeset the same:
    a report whose tables break where the last one's did needs no second pass, whatever its pages.
    """
    if aux is None:
        return None
    starts, previous = set(), None
    for m in ROW_AT.finditer(aux):
        if (m[1], m[3]) != previous:
            starts.add((m[1], m[2]))
        previous = (m[1], m[3])
    return ROW_AT.sub(b"", aux), frozenset(starts)



__all__ = ["ROW_AT", "aux_reading", "label_lines", "to_latex"]
