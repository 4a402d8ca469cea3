"""Table F (fees) from part 六's sentences, or from a web page's fee table."""

from __future__ import annotations

import re
from decimal import Decimal

from ..format import NO_FEE, UNKNOWN_MARK, column_of
from ..model import Value
from .cells import Placed, place_cells
from .labels import canonical
from .readings import grid_readings, row_specs
from .rows import resolve
from .sources import Source

_FEE_COLLECTED = re.compile(r"(?:实际)?收取[^。;,\d]{0,16}信息处理费[^。;,\d]{0,8}?(\d+(?:\.\d+)?)\s*(万?元)")
_FEE_NONE = re.compile(NO_FEE)
_FEE_NOTICES = re.compile(r"(?:发出|开具|送达|制发)[^。;,\d]{0,6}收费通知书?[^。;,\d]{0,6}(\d+)\s*(?:件|份|次|个)")
_FEE_NO_NOTICE = re.compile(r"(?:未|没有|无)(?:发出|开具|送达|制发)[^。;,]{0,6}收费通知")
_FEE_NOTICE_AMOUNT = re.compile(r"收费通知[^。;]{0,24}?(?:金额|总额)[^。;,\d]{0,6}(\d+(?:\.\d+)?)\s*(万?元)")


def fees_from_grid(source: Source) -> Placed | None:
    if "F" not in source.grids:
        return None
    specs = row_specs("F", "2021")
    readings = grid_readings("F", source.grids["F"], specs)
    return place_cells("F", specs, resolve("F", specs, readings), "2021")


def fees_from_text(text: str) -> Placed:
    """Table F from part 六's sentences: what they state; the rest blank (or unknown when it must exist)."""
    canon = canonical(text)
    cells: dict[str, Value] = {}
    provenance: dict[str, str] = {}

    def put(key: str, value: int | float, match: re.Match[str]) -> None:
        cells[key] = int(value) if float(value).is_integer() else value
        provenance[key] = f"read: 第六部分“{text[match.start():match.end()]}”"

    for key, pattern in (("F.fee.collected", _FEE_COLLECTED), ("F.fee.notice_amount", _FEE_NOTICE_AMOUNT)):
        m = pattern.search(canon)
        if m:
            put(key, float(Decimal(m.group(1)) * (10000 if m.group(2) == "万元" else 1)), m)
    if "F.fee.collected" not in cells and (m := _FEE_NONE.search(canon)):
        put("F.fee.collected", 0, m)
    if m := _FEE_NOTICES.search(canon):
        put("F.fee.notices", int(m.group(1)), m)
    elif m := _FEE_NO_NOTICE.search(canon):
        put("F.fee.notices", 0, m)
        if "F.fee.notice_amount" not in cells:
            put("F.fee.notice_amount", 0, m)
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
