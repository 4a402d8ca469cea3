"""A YAML data file (the bundled examples' form) → :class:`ReportData`, every bad value told at once."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from .. import characters, yamlfile
from ..errors import DataError
from ..format import TABLES, cell_key
from ..model import ReportData, Value, empty_cells
from .values import MAX_FIGURE, check_narrative, parse_value, report_data

TOP_KEYS = ("agency", "year", "published", *TABLES, "narrative", "notes", "provenance", "headings")


def read_yaml(path: Path) -> ReportData:
    """Read a YAML data file (the bundled examples' form)."""
    try:
        raw = yamlfile.read(path)
    except FileNotFoundError:
        raise DataError("找不到数据文件", file=path, hint="用 nianbao template 生成模板后填写") from None
    if not isinstance(raw, dict):
        raise DataError("数据文件应为映射（agency、year、A、B、C、F、narrative）", file=path)
    unknown = set(raw) - set(TOP_KEYS)
    if unknown:
        raise DataError(f"未知的键 {sorted(unknown)}", file=path, hint=f"可用的键：{'、'.join(TOP_KEYS)}")
    for key in ("agency", "year"):
        if key not in raw:
            raise DataError(f"缺少 {key}", file=path, key=key)
    cells = empty_cells()
    problems: list[DataError] = []
    for table in TABLES.values():
        cells.update(_yaml_table(path, table.key, raw.get(table.key), problems))
    DataError.gather(problems, file=path)
    narrative = _yaml_narrative(path, raw.get("narrative") or {})
    notes = raw.get("notes") or {}
    if not isinstance(notes, dict) or set(notes) - set(TABLES) or not all(isinstance(v, str) for v in notes.values()):
        raise DataError("notes 应为“表代码: 说明”的映射", file=path, key="notes", hint=f"表代码：{'、'.join(TABLES)}")
    provenance = raw.get("provenance") or {}
    if not isinstance(provenance, dict) or set(provenance) - set(cells):
        raise DataError("provenance 应为“单元格键: 说明”的映射", file=path, key="provenance")
    headings = raw.get("headings") or []
    if not isinstance(headings, list) or not all(isinstance(h, str) for h in headings):
        raise DataError("headings 应为标题文字的列表", file=path, key="headings")
    for where, text in [*((f"notes.{k}", v) for k, v in notes.items()), *((f"provenance.{k}", v) for k, v in provenance.items()),
                        *((f"headings[{i}]", h) for i, h in enumerate(headings))]:
        characters.check(str(text), one_line=where.startswith("headings"), limit=characters.MAX_LINE if
                         where.startswith("headings") else characters.MAX_PART, file=path, key=where)
    data = report_data(path, raw["agency"], raw["year"], cells, narrative, raw.get("published"), notes)
    return replace(data, provenance={str(k): str(v) for k, v in provenance.items()}, headings=tuple(headings))


def _yaml_table(path: Path, key: str, rows: Any, problems: list[DataError]) -> dict[str, Value]:
    """The table's cells; each bad row or value is added to ``problems``, so that all are told at once."""
    table = TABLES[key]
    if not isinstance(rows, dict):
        raise DataError(f"缺少表 {key}（{table.title}）", file=path, key=key, hint="每张表都要写出全部行；无数据的格写 ~")
    known = {r.key for r in table.figure_rows()}
    unknown = set(rows) - known
    if unknown:
        raise DataError(f"表 {key} 中有未知的行 {sorted(unknown)}", file=path, key=key, hint=f"可用的行：{'、'.join(known)}")
    cells: dict[str, Value] = {}
    for row in table.figure_rows():
        where = f"{key}.{row.key}"
        if row.key not in rows:
            problems.append(DataError(f"缺少“{row.label}”这一行", file=path, key=where, hint="无数据的格写 ~，不要删去整行"))
            continue
        columns = table.columns_of(row)
        values = rows[row.key]
        if not isinstance(values, list):
            values = [values]
        if len(values) != len(columns):
            labels = "、".join(c.label for c in columns)
            problems.append(DataError(
                f"“{row.label}”应有 {len(columns)} 个值（{labels}），实有 {len(values)} 个", file=path, key=where
            ))
            continue
        for i, (column, value) in enumerate(zip(columns, values)):
            k = cell_key(key, row.key, column.key)
            if value is None or type(value) is int and 0 <= value <= MAX_FIGURE:  # the common case, cheaply
                cells[k] = value
                continue
            try:
                cells[k] = parse_value(value, column, file=path, key=f"{where}[{i}]（{column.label}）")
            except DataError as exc:
                problems.append(exc)
    return cells


def _yaml_narrative(path: Path, raw: Any) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise DataError("narrative 应为映射", file=path, key="narrative")
    flat: dict[str, str] = {}
    for name, value in raw.items():
        if isinstance(value, dict):
            for sub, text in value.items():
                flat[f"{name}.{sub}"] = text
        else:
            flat[str(name)] = value
    return check_narrative(flat, file=path)
