"""The report's figures as charts: data → :class:`matplotlib.figure.Figure`.

Pure: nothing here saves a file, shows a window or touches pyplot's list of open figures, so it is
safe in a long-running process. Charts are built under :func:`~nianbao.drawing.use_style`, and
:mod:`nianbao.drawing` draws them as PNG and PDF.

A value nobody could place (``"?"``) is drawn as absent with the note :data:`UNKNOWN_NOTE`, never as 0.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .changes import total_keys
from .drawing import COLOR, MUTED, render_png_pdf, use_style
from .format import AMOUNT, B_APPLICANTS, TABLE_A, TABLE_B, TABLES, Column, Row, cell_key, column_of
from .model import ReportData, show

UNKNOWN_NOTE = "？无法确定"
EMPTY_NOTE = "无申请"

_OUTCOME_ROWS = ("disclosed", "partial", "withheld", "unavailable", "refused", "other")
_HEADLINE_ROWS = ("licensing", "penalty", "coercion", "fees")
_TREND_KEYS = ("B.new.total", "A.licensing.decisions", "A.penalty.decisions", "A.fees.amount")


def outcomes(data: ReportData) -> Figure:
    """Table B's results in the 总计 column, one bar per (一)–(六); (三)–(六) sum their numbered rows."""
    rows = [TABLE_B.row(key) for key in _OUTCOME_ROWS]
    values = [_b_total(data, row) for row in rows]
    return bar_chart("申请办理结果（件）", [_short(r.label) for r in rows], values)


def applicants(data: ReportData) -> Figure:
    """New requests of the year (table B, row 一) by applicant, without the 总计 column."""
    columns = [c for c in TABLE_B.columns if c.key in B_APPLICANTS]
    values = [data.number(cell_key("B", "new", c.key)) for c in columns]
    title = f"{_short(TABLE_B.row('new').label)}（按申请人，件）"
    return bar_chart(title, [c.label for c in columns], values)


def headline(data: ReportData) -> Figure:
    """Table A's 行政许可, 行政处罚, 行政强制 and 行政事业性收费: one panel per column they are counted in
    (decisions in 件, fees in 万元), as units differ and bars of one unit compare.
    """
    panels: dict[Column, list[Row]] = {}
    for key in _HEADLINE_ROWS:
        row = TABLE_A.row(key)
        panels.setdefault(TABLE_A.columns_of(row)[0], []).append(row)
    heights = [0.45 * len(rows) + 0.5 for rows in panels.values()]
    with use_style():
        fig = Figure(figsize=(7, sum(heights) + 0.6), layout="constrained")
        fig.suptitle(TABLE_A.title)
        axes = fig.subplots(len(panels), 1, gridspec_kw={"height_ratios": heights}, squeeze=False)[:, 0]
        for ax, (column, rows) in zip(axes, panels.items()):
            values = [data.number(cell_key("A", row.key, column.key)) for row in rows]
            _draw_bars(ax, [row.label for row in rows], values)
            ax.set_xlabel(f"{_short(column.label)}（{_unit(column)}）")
    return fig


def trends(history: dict[int, ReportData]) -> Figure | None:
    """Main figures over the years, one panel each; ``None`` when there are fewer than two years."""
    if len(history) < 2:
        return None
    years = sorted(history)
    with use_style():
        fig = Figure(figsize=(8, 5.5), layout="constrained")
        fig.suptitle(f"{years[0]}—{years[-1]}年主要数据")
        for ax, key in zip(fig.subplots(2, 2).flat, _TREND_KEYS):
            column = column_of(key)
            _draw_line(ax, years, [history[y].number(key) for y in years])
            ax.set_title(f"{_short(_row_of(key).label)}（{_unit(column)}）")
    return fig


def warm_up() -> None:
    """Draw one small chart in both formats, so that processes forked after it (a batch's kernels)
    start with the fonts loaded and matplotlib's caches filled. Quiet when it cannot draw (no Chinese
    font, say): each report's own chart then says why.
    """
    try:
        render_png_pdf(bar_chart("申请办理结果（件）", ["予以公开", "部分公开"], [1, 0]))
    except Exception:  # noqa: BLE001  only a head start: whatever fails here, each report's own chart says
        pass


# ---------------------------------------------------------------- alt text: what each chart shows, in words


def said(values: Sequence[float | None]) -> list[str]:
    return [UNKNOWN_NOTE if v is None else show(v) for v in values]


def describe_outcomes(data: ReportData) -> str:
    rows = [TABLE_B.row(key) for key in _OUTCOME_ROWS]
    values = said([_b_total(data, row) for row in rows])
    return "条形图，申请办理结果（件）：" + "，".join(f"{_short(r.label)} {v}" for r, v in zip(rows, values))


def describe_applicants(data: ReportData) -> str:
    columns = [c for c in TABLE_B.columns if c.key in B_APPLICANTS]
    values = said([data.number(cell_key("B", "new", c.key)) for c in columns])
    return "条形图，本年新收申请按申请人（件）：" + "，".join(f"{c.label} {v}" for c, v in zip(columns, values))


def describe_headline(data: ReportData) -> str:
    parts = []
    for key in _HEADLINE_ROWS:
        row = TABLE_A.row(key)
        column = TABLE_A.columns_of(row)[0]
        parts.append(f"{row.label} {said([data.number(cell_key('A', key, column.key))])[0]} {_unit(column)}")
    return f"条形图，{TABLE_A.title}：" + "，".join(parts)


def describe_trends(history: dict[int, ReportData]) -> str:
    if len(history) < 2:
        return "只有一个年度的数据，暂无历年趋势图。"
    years = sorted(history)
    parts = []
    for key in _TREND_KEYS:
        values = said([history[y].number(key) for y in years])
        parts.append(f"{_short(_row_of(key).label)}（{_unit(column_of(key))}）" + "、".join(
            f"{y}年 {v}" for y, v in zip(years, values)))
    return f"折线图，{years[0]}—{years[-1]}年主要数据：" + "；".join(parts)


def bar_chart(title: str, labels: Sequence[str], values: Sequence[float | None], bar_height: float = 0.45) -> Figure:
    """Horizontal bars, one per label (``bar_height`` inches each), with the values written on them."""
    with use_style():
        fig = Figure(figsize=(7, bar_height * len(labels) + 1.2), layout="constrained")
        ax = fig.add_subplot()
        _draw_bars(ax, labels, values)
        ax.set_title(title)
        if all(v == 0 for v in values):
            ax.text(0.5, 0.5, EMPTY_NOTE, transform=ax.transAxes, ha="center", va="center", fontsize=14, color=MUTED)
    return fig


def _draw_bars(ax: Axes, labels: Sequence[str], values: Sequence[float | None]) -> None:
    """Horizontal bars, top to bottom, each labelled with its value — so no value axis; unknown values get
    a note instead.
    """
    known = [(i, v) for i, v in enumerate(values) if v is not None]
    bars = ax.barh([i for i, _ in known], [v for _, v in known], height=0.6, color=COLOR)
    ax.bar_label(bars, labels=[show(v) for _, v in known], padding=3)
    for i, v in enumerate(values):
        if v is None:
            ax.annotate(UNKNOWN_NOTE, (0, i), xytext=(3, 0), textcoords="offset points", va="center", color=MUTED)
    ax.set_yticks(range(len(labels)), labels)
    ax.tick_params(axis="y", length=0)
    ax.set_ylim(len(labels) - 0.5, -0.5)
    ax.set_xlim(0, _top(values))
    ax.set_xticks([])
    ax.spines["bottom"].set_visible(False)


def _draw_line(ax: Axes, years: Sequence[int], values: Sequence[float | None]) -> None:
    """One series over the years, each point labelled with its value — so no value axis; an unknown year
    breaks the line and gets a note.
    """
    ax.plot(years, [math.nan if v is None else v for v in values], marker="o", color=COLOR)
    for year, v in zip(years, values):
        if v is None:
            ax.text(year, 0.05, UNKNOWN_NOTE, transform=ax.get_xaxis_transform(), ha="center", color=MUTED)
        else:
            ax.annotate(show(v), (year, v), xytext=(0, 5), textcoords="offset points", ha="center")
    ax.set_xticks(years, [str(y) for y in years])
    ax.set_xlim(years[0] - 0.5, years[-1] + 0.5)
    ax.set_ylim(0, _top(values))
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)


def _b_total(data: ReportData, row: Row) -> float | None:
    """A row's 总计, or the sum of a heading's numbered rows; unknown if any part is unknown."""
    values = [data.number(k) for k in total_keys(row.key)]
    return None if any(v is None for v in values) else sum(values)  # type: ignore[arg-type]


def _top(values: Sequence[float | None]) -> float:
    """The axis limit that leaves room for value labels; 1 when every value is 0 or unknown."""
    high = max((v for v in values if v is not None), default=0)
    return high * 1.2 if high > 0 else 1


def _short(label: str) -> str:
    """A label without its numbering and trailing remark: （二）部分公开（区分…） → 部分公开."""
    label = re.sub(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+\.)", "", label)  # 一、 （三） 1.
    return re.sub(r"（[^（）]*）$", "", label)


def _unit(column: Column) -> str:
    """件 for counts; for amounts the unit the label names: 本年收费金额（单位：万元） → 万元."""
    found = re.search(r"（(?:单位：)?([^（）]+)）$", column.label)
    return found.group(1) if column.kind == AMOUNT and found else "件"


def _row_of(key: str) -> Row:
    table, row, _ = key.split(".")
    return TABLES[table].row(row)
