"""Tables A, B and C as cells: each row's outcome → cell values with provenance, and the table's note."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

from ..errors import DataError
from ..format import AMOUNT, PARTS, TABLE_A, TABLE_B, TABLE_NAMES, TABLES, UNKNOWN_MARK, Table, cell_key, column_of
from ..load import parse_value
from ..model import Value, number
from .parts import Parts
from .readings import Spec, grid_readings, row_specs, stop_labels, text_readings
from .rows import Row, resolve, rows_to_place
from .sources import Source
from .tokens import Tok


@dataclass(frozen=True)
class Placed:
    cells: dict[str, Value] = field(default_factory=dict)
    provenance: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    note: str = ""  # for the table's note under it


def place_table(key: str, source: Source, parts: Parts, fmt: str) -> Placed:
    specs = row_specs(key, fmt)
    name = TABLE_NAMES[key]
    if key in source.grids:
        readings = grid_readings(key, source.grids[key], specs)
    elif source.scanned:  # a scan's tables are read from their ruled lines only; its text holds none of their figures
        return _all_unknown(TABLES[key], f"扫描件中找不到{name}（表格线不全或无法识别），无法读出其中的数字")
    else:
        part = next(p for p in PARTS if p.table == key)
        region = parts.region(part.key, len(source.text))
        if region is None:
            reason = f"原文中找不到第{part.number}部分“{part.title}”的标题，无法确定{name}的位置"
            return _all_unknown(TABLES[key], reason)
        readings = text_readings(key, source.text[region[0]:region[1]], specs, stop_labels(key, fmt))
    rows, notes = rows_to_place(key, specs, readings)
    outcomes = resolve(key, rows, readings)
    placed = place_cells(key, rows, outcomes, fmt)
    return replace(placed, notes=(*notes, *placed.notes), note=_table_note(placed, notes))


def _all_unknown(table: Table, reason: str) -> Placed:
    keys = [cell_key(table.key, r.key, c.key) for r, c in table.cells()]
    return Placed({k: UNKNOWN_MARK for k in keys}, {k: f"unknown: {reason}" for k in keys}, (reason,), reason)


def place_cells(key: str, rows: list[Spec], outcomes: Mapping[str, Row], fmt: str) -> Placed:
    cells: dict[str, Value] = {}
    provenance: dict[str, str] = {}
    for spec in rows:
        outcome = outcomes[spec.key]
        if spec.key == "other" and key == "B":
            _single_other(outcome, cells, provenance)
            continue
        for slot, tok in zip(spec.slots, outcome.values or [None] * len(spec.slots)):
            if not slot:
                continue
            if tok is None:
                cells[slot], provenance[slot] = UNKNOWN_MARK, f"unknown: {outcome.reason}"
                continue
            cells[slot], note = _cell_value(tok, slot)
            if note:
                provenance[slot] = note
            elif outcome.derived:
                provenance[slot] = f"derived: {outcome.derived} {outcome.reason}"
    if key == "A" and fmt == "2019":
        reason = ("2019 年格式的表二没有此栏（其第二十条第（一）项为本年新制作数量、本年新公开数量、对外公开总数量，"
                  "第（八）项为上一年项目数量、本年增/减），与现行格式不对应")
        for k in (cell_key("A", r.key, c.key) for r, c in TABLE_A.cells()):
            if k not in cells:
                cells[k], provenance[k] = UNKNOWN_MARK, f"unknown: {reason}"
    return Placed(cells, provenance)


def _single_other(outcome: Row, cells: dict[str, Value], provenance: dict[str, str]) -> None:
    """（六）其他处理 printed as one row → its three sub-rows."""
    children = TABLE_B.children("other")
    for c, column in enumerate(TABLE_B.columns):
        tok = outcome.values[c] if outcome.values else None
        keys = [cell_key("B", child.key, column.key) for child in children]
        value = _cell_value(tok, keys[0])[0] if tok is not None else UNKNOWN_MARK
        if tok is None:
            reason = f"unknown: 原表“（六）其他处理”只印一行，{outcome.reason}"
        elif value == UNKNOWN_MARK or number(value) != 0:
            reason = (f"unknown: 原表“（六）其他处理”只印一行，此列为 {tok.text.strip()}，"
                      "无法分到“1.无正当理由逾期不补正”“2.逾期未缴纳费用”“3.其他”三个小项")
            value = UNKNOWN_MARK
        else:
            shown = "0" if value == 0 else f"“{tok.text.strip() or '空白'}”"
            reason = (f"derived: V-VALUE 原表“（六）其他处理”只印一行，此列为 {shown}；"
                      "三个小项都是非负整数，合计为 0，故各为" + (" 0" if value == 0 else "空白"))
        for k in keys:
            cells[k], provenance[k] = value, reason


def _cell_value(tok: Tok, key: str) -> tuple[Value, str]:
    """A token as the cell's value, checked as the loader checks it; unknown when the loader would refuse it."""
    column = column_of(key)
    if tok.junk:
        return UNKNOWN_MARK, f"unknown: 原文此格为“{tok.text.strip()}”，不是数字"
    if tok.value == UNKNOWN_MARK:
        return UNKNOWN_MARK, f"unknown: {tok.doubt}" if tok.doubt else "unknown: 原文此格为“？”"
    value, note = tok.value, tok.note
    if tok.unit and column.kind == AMOUNT:
        if tok.unit == "元" and key == "A.fees.amount":
            value, note = float(Decimal(str(value)) / 10000), f"derived: UNIT 原文写作“{tok.text.strip()}”，折算为万元"
        elif tok.unit == "万元" and key.startswith("F."):
            value, note = float(Decimal(str(value)) * 10000), f"derived: UNIT 原文写作“{tok.text.strip()}”，折算为元"
        if isinstance(value, float) and value.is_integer():
            value = int(value)
    try:
        return parse_value(value, column), (f"read: {note}" if note and not note.startswith("derived") else note)
    except DataError as exc:
        return UNKNOWN_MARK, f"unknown: 原文此格为“{tok.text.strip()}”：{exc.message}"


def _table_note(placed: Placed, notes: list[str]) -> str:
    unknown = by_reason(with_prefix(placed.provenance, "unknown: "))
    if not unknown and not notes:
        return ""
    parts = [*notes]
    for reason, keys in unknown.items():
        parts.append(f"{len(keys)} 格无法确定：{reason}")
    return "由 nianbao import 从原文导入。" + "；".join(parts) + "。"


def with_prefix(provenance: Mapping[str, str], prefix: str) -> dict[str, str]:
    """Cell key → provenance without the prefix, for the cells whose provenance starts with it."""
    return {k: v[len(prefix):] for k, v in provenance.items() if v.startswith(prefix)}


def by_reason(cells: Mapping[str, str]) -> dict[str, list[str]]:
    """Reason → the cell keys it is given for, in the cells' order."""
    out: dict[str, list[str]] = {}
    for key, reason in cells.items():
        out.setdefault(reason, []).append(key)
    return out
