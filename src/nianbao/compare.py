"""Two reports side by side, cell by cell and part by part: ``nianbao compare A B``.

Each side is a data file (``.yaml``, ``.xlsx``) or a published report (``.html``/``.htm``, ``.pdf``,
``.docx``, ``.txt``), read as ``nianbao import`` reads it. Values are compared as they are stored:
blank, 0, a dash and "?" are four different things. Narrative is compared as a reader sees it — a
data file's text as the publication edition prints it (placeholders filled, the fee sentence of
part 六), a published report's as imported — with markup, spaces and full-/half-width forms set
aside, so that only a change of wording counts.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from .format import NARRATIVE_KEYS, TABLE_NAMES, TABLES, column_of
from .model import ReportData, Value, show

DATA_SUFFIXES = (".yaml", ".yml", ".xlsx")


@dataclass(frozen=True)
class Side:
    path: Path
    kind: str  # 数据文件 or 已发布的报告
    data: ReportData
    texts: dict[str, str]  # the narrative as a reader sees it
    name: str = ""  # the agency's name, when the report prints it


@dataclass(frozen=True)
class CellDifference:
    key: str
    a: Value
    b: Value

    @property
    def where(self) -> str:
        table, row, column = self.key.split(".")
        t = TABLES[table]
        col = column_of(self.key)
        label = "·".join((*col.group, col.label))
        return f"{TABLE_NAMES[table]}「{t.row(row).label}」行「{label}」列"


@dataclass(frozen=True)
class TextDifference:
    key: str
    a: str
    b: str


@dataclass(frozen=True)
class Comparison:
    a: Side
    b: Side
    cells: tuple[CellDifference, ...]
    texts: tuple[TextDifference, ...]
    other: tuple[str, ...]  # the year or the agency differ

    @property
    def identical(self) -> bool:
        return not (self.cells or self.texts or self.other)


def read(path: Path) -> Side:
    """A data file or a published report as one side of a comparison."""
    from .edition import printed_texts

    if path.suffix.lower() in DATA_SUFFIXES:
        from .load import read_data

        data = read_data(path)
        return Side(path, "数据文件", data, printed_texts(data))
    from .importer import read_report

    imported = read_report(path)
    return Side(path, "已发布的报告", imported.data, dict(imported.data.narrative), imported.name)


def compare(a: Side, b: Side) -> Comparison:
    cells = tuple(
        CellDifference(k, a.data.cells[k], b.data.cells[k])
        for k in a.data.cells
        if not same_value(a.data.cells[k], b.data.cells[k])
    )
    texts = tuple(
        TextDifference(k, a.texts.get(k, ""), b.texts.get(k, ""))
        for k in NARRATIVE_KEYS
        if reading(a.texts.get(k, "")) != reading(b.texts.get(k, ""))
    )
    other = []
    if a.data.year != b.data.year:
        other.append(f"年度不同：{a.data.year} 与 {b.data.year}")
    return Comparison(a, b, cells, texts, tuple(other))


def same_value(x: Value, y: Value) -> bool:
    """Equal as stored: 1 and 1.0 are the same figure; blank, 0, "/" and "?" all differ."""
    if isinstance(x, (int, float)) and isinstance(y, (int, float)):
        return float(x) == float(y)
    return type(x) is type(y) and x == y


def reading(text: str) -> str:
    """A text as compared: Markdown markup, whitespace and width forms set aside."""
    from .importer.labels import canonical
    from .narrative import to_html

    plain = html.unescape(re.sub(r"<[^>]+>", "", to_html(text or ""))).replace("{ {", "{{").replace("} }", "}}")
    return re.sub(r"\s+", "", canonical(plain))


def lines(result: Comparison) -> list[str]:
    """The comparison as a person reads it: each difference on a line."""
    a, b = result.a, result.b
    out = [f"A：{a.path}（{a.kind}，{a.data.year} 年{('，' + a.name) if a.name else ''}）",
           f"B：{b.path}（{b.kind}，{b.data.year} 年{('，' + b.name) if b.name else ''}）"]
    out += result.other
    for d in result.cells:
        out.append(f"{d.where}（{d.key}）：A 为 {_shown(d.a)}，B 为 {_shown(d.b)}")
    for t in result.texts:
        out.append(f"叙述「{_part_name(t.key)}」不同：A「{_excerpt(t.a)}」，B「{_excerpt(t.b)}」")
    if result.identical:
        out.append("两者相同：每一格的值和每一部分的文字都一致。")
    else:
        out.append(f"共 {len(result.cells)} 格不同，{len(result.texts)} 部分文字不同。")
    return out


def _shown(value: Value) -> str:
    if value is None:
        return "空白"
    if value == "?":
        return "？（无法确定）"
    return f"“{show(value)}”"


def _part_name(key: str) -> str:
    from .format import PARTS

    if key == "preamble":
        return "开头一段"
    part, section = key.split(".")
    p = next(x for x in PARTS if x.key == part)
    title = next((s.title for s in p.sections if s.key == section), "")
    return f"{p.heading}{title}"


def _excerpt(text: str, width: int = 40) -> str:
    flat = re.sub(r"\s+", " ", text).strip()
    return flat if len(flat) <= width else flat[:width] + "…"


def as_dict(result: Comparison) -> dict:
    return {
        "a": str(result.a.path), "b": str(result.b.path), "identical": result.identical, "other": list(result.other),
        "cells": [{"key": d.key, "where": d.where, "a": d.a, "b": d.b} for d in result.cells],
        "texts": [{"key": t.key, "a": t.a, "b": t.b} for t in result.texts],
    }


__all__ = ["Comparison", "Side", "as_dict", "compare", "lines", "read", "reading", "same_value"]
