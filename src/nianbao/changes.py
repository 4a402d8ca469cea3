"""Year over year: the headline figures of an agency-year beside the previous year's, and the change.

The figures: applications received and their outcomes (table 三), 行政许可、行政处罚、行政强制 and
行政事业性收费 (table 二), 复议 and 诉讼 totals (table 四), and the 信息处理费 figures (part 六). Each is
drawn as a :class:`~nianbao.grid.Grid`, so every edition and medium draws it as it draws the official
tables. A missing previous year is said in every cell that would hold its figure, never shown as 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .format import TABLE_B, cell_key
from .grid import HEADER, ROW, Grid, GridCell
from .model import ReportData

NO_DATA = "无数据"
UNKNOWN = "？"


@dataclass(frozen=True)
class Headline:
    label: str
    keys: tuple[str, ...]  # summed
    unit: str


def total_keys(row: str) -> tuple[str, ...]:
    """Table 三's 总计 cells of a row, or of a heading's numbered rows ((三)–(六) carry no figures)."""
    heading = TABLE_B.row(row)
    rows = TABLE_B.children(row) if heading.heading else (heading,)
    return tuple(cell_key("B", r.key, "total") for r in rows)


HEADLINES: tuple[Headline, ...] = (
    Headline("本年新收政府信息公开申请", ("B.new.total",), "件"),
    Headline("予以公开", total_keys("disclosed"), "件"),
    Headline("部分公开", total_keys("partial"), "件"),
    Headline("不予公开", total_keys("withheld"), "件"),
    Headline("无法提供", total_keys("unavailable"), "件"),
    Headline("不予处理", total_keys("refused"), "件"),
    Headline("其他处理", total_keys("other"), "件"),
    Headline("办理结果总计", ("B.total.total",), "件"),
    Headline("行政许可处理决定", ("A.licensing.decisions",), "件"),
    Headline("行政处罚处理决定", ("A.penalty.decisions",), "件"),
    Headline("行政强制处理决定", ("A.coercion.decisions",), "件"),
    Headline("行政事业性收费金额", ("A.fees.amount",), "万元"),
    Headline("行政复议", ("C.cases.review_total",), "件"),
    Headline("行政诉讼", ("C.cases.suit_direct_total", "C.cases.suit_after_total"), "件"),
    Headline("发出信息处理费收费通知", ("F.fee.notices",), "件"),
    Headline("实际收取信息处理费", ("F.fee.collected",), "元"),
)


def value(data: ReportData, headline: Headline) -> Decimal | None:
    """The headline's figure (blank cells and dashes count as 0, as in the sums); ``None`` when a cell is unknown."""
    total = Decimal(0)
    for key in headline.keys:
        n = data.number(key)
        if n is None:
            return None
        total += Decimal(str(n))
    return total


def text(n: Decimal | None) -> str:
    if n is None:
        return UNKNOWN
    return format(n.normalize(), "f") if n != n.to_integral() else str(int(n))


def change(now: Decimal | None, then: Decimal | None) -> tuple[str, str]:
    """The change as printed: (增减, 增减幅度). 幅度 is “—” when last year's figure is 0."""
    if now is None or then is None:
        return UNKNOWN, UNKNOWN
    diff = now - then
    sign = "+" if diff > 0 else ""
    ratio = "—" if then == 0 else f"{sign}{(diff / then * 100).quantize(Decimal('0.1'))}%"
    return f"{sign}{text(diff)}", ratio


def rows(data: ReportData, previous: ReportData | None) -> list[tuple[str, str, str, str, str]]:
    """(项目（单位）, 本年, 上年, 增减, 增减幅度) for every headline."""
    out = []
    for h in HEADLINES:
        now = value(data, h)
        if previous is None:
            out.append((f"{h.label}（{h.unit}）", text(now), NO_DATA, "—", "—"))
            continue
        then = value(previous, h)
        out.append((f"{h.label}（{h.unit}）", text(now), text(then), *change(now, then)))
    return out


def grid(data: ReportData, previous: ReportData | None) -> Grid:
    """The comparison as a grid: a header row, then one row per headline figure."""
    heads = ("项目（单位）", f"{data.year}年", f"{data.year - 1}年", "增减", "增减幅度")
    cells = [GridCell(h, 0, c, role=HEADER) for c, h in enumerate(heads)]
    for r, row in enumerate(rows(data, previous), start=1):
        cells.append(GridCell(row[0], r, 0, role=ROW))
        cells += [GridCell(v, r, c, header=False) for c, v in enumerate(row[1:], start=1)]
    return Grid("Y", tuple(cells), (6.0, 2.3, 2.3, 2.3, 2.3), 1)


def caption(data: ReportData) -> str:
    return f"主要数据与上年比较（{data.year}年与{data.year - 1}年）"


def missing_note(data: ReportData, previous: ReportData | None) -> str:
    """What to say when there is no previous year (empty when there is one)."""
    return "" if previous is not None else f"没有 {data.year - 1} 年的数据，无法与上年比较；上年各项记为“{NO_DATA}”，不按 0 计。"


__all__ = ["HEADLINES", "NO_DATA", "Headline", "caption", "change", "grid", "missing_note", "rows", "total_keys", "value"]
