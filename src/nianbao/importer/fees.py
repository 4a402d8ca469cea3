"""Table F (fees) from part 六's sentences (the format's one grammar of them, :mod:`nianbao.format.fees`),
or from a web page's fee table.
"""

from __future__ import annotations

from ..format import UNKNOWN_MARK, column_of
from ..format.fees import stated_figures
from ..model import Value
from .cells import Placed, place_cells
from .readings import grid_readings, row_specs
from .rows import resolve
from .sources import Source


def fees_from_grid(source: Source) -> Placed | None:
    if "F" not in source.grids:
        return None
    specs = row_specs("F", "2021")
    readings = grid_readings("F", source.grids["F"], specs)
    return place_cells("F", specs, resolve("F", specs, readings), "2021")


def scanned_fees(text: str | None) -> Placed:
    """Table F from part 六 as read from a scan: what its sentences state; a figure not read is unknown,
    not blank — OCR may have misread the sentence that states it.
    """
    keys = ("F.fee.notices", "F.fee.notice_amount", "F.fee.collected")
    if not text:
        reason = "扫描件中找不到第六部分“其他需要报告的事项”，无法读出信息处理费"
        return Placed({k: UNKNOWN_MARK for k in keys}, {k: f"unknown: {reason}" for k in keys}, (reason,), reason)
    placed = fees_from_text(text)
    unread = [k for k in keys if placed.cells.get(k) is None]
    if not unread:
        return placed
    reason = "扫描件第六部分中没有读出此数（原文可能没有写明，也可能识别有误），请对照原件"
    note = f"由 nianbao import 从扫描件导入：第六部分中没有读出{'、'.join(column_of(k).label for k in unread)}，相应格记为无法确定。"
    return Placed({**placed.cells, **{k: UNKNOWN_MARK for k in unread}},
                  {**placed.provenance, **{k: f"unknown: {reason}" for k in unread}}, (note,), note)


def fees_from_text(text: str) -> Placed:
    """Table F from part 六's sentences: what they state; the rest blank (or unknown when it must exist)."""
    cells: dict[str, Value] = {}
    provenance: dict[str, str] = {}
    for key, stated in stated_figures(text).items():
        cells[key] = stated.value
        provenance[key] = f"read: 第六部分“{stated.words}”"
    missing = [k for k in ("F.fee.notices", "F.fee.notice_amount", "F.fee.collected") if k not in cells]
    collected = cells.get("F.fee.collected")
    note = ""
    for key in missing:
        if collected and key != "F.fee.collected":
            cells[key] = UNKNOWN_MARK
            provenance[key] = f"unknown: 第六部分写明实际收取信息处理费 {collected} 元，但没有写明{column_of(key).label}"
        else:
            cells[key] = None
    if missing:
        labels = "、".join(column_of(k).label for k in missing)
        note = f"由 nianbao import 从原文导入：第六部分没有写明{labels}" + ("，相应格记为无法确定。" if collected else "，相应格留空。")
    return Placed(cells, provenance, (note,) if note else (), note)
