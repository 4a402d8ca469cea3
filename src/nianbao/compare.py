"""Two reports side by side, cell by cell and part by part: ``nianbao compare A B``.

Each side is a data file (``.yaml``, ``.xlsx``) or a published report (``.html``/``.htm``, ``.pdf``,
``.docx``, ``.txt``), read as ``nianbao import`` reads it. Values are compared as they are stored:
blank, 0, a dash and "?" are four different things. Narrative is compared as a reader sees it — a
data file's text as the publication edition prints it (placeholders filled, the fee sentence of
part 六), a published report's as imported — with markup, spaces and full-/half-width forms set
aside, so that only a change of wording counts.

Two reports of different agencies or years are different reports, however alike their figures. A
data file knows its agency by id, a published report by the name its title prints; the registry
(``params/agencies.yaml``) maps one to the other. When a side's agency cannot be told (a report whose
title names none, an id the registry lacks), the comparison says so as a difference rather than
take the two for the same agency.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
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
    name: str = ""  # the agency's full name: as the report prints it, or the registry's for a data file's id
    agency: str = ""  # the agency's id: a data file's, or the registry's for a report's printed name

    @property
    def who(self) -> str:
        """The agency as the output names it: ``shimen（青川市临江区石门镇人民政府）``, the name or the id alone."""
        if self.agency and self.name:
            return f"{self.agency}（{self.name}）"
        return self.agency or self.name or "单位不明"


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
    other: tuple[str, ...]  # the year or the agency differ, or a side's agency cannot be told
    same_agency: bool | None = True  # None: one side's agency cannot be told, or not matched to the other's

    @property
    def identical(self) -> bool:
        return not (self.cells or self.texts or self.other)


def read(path: Path, names: Mapping[str, str] | None = None) -> Side:
    """A data file or a published report as one side of a comparison.

    ``names`` is the registry, agency id → full name (``params/agencies.yaml``); a data file's id that it
    lacks is looked up in the file's own project (the folder above it that holds ``params/agencies.yaml``).
    """
    from .edition import printed_texts

    if path.suffix.lower() in DATA_SUFFIXES:
        from .load import read_data

        data = read_data(path)
        name = (names or {}).get(data.agency) or _registry_around(path).get(data.agency, "")
        return Side(path, "数据文件", data, printed_texts(data), name, data.agency)
    import os

    from .importer import agency_slug, read_report, registered, with_agency

    # Given an id, the importer takes a title without the agency's name, and the comparison says it cannot
    # tell whose report it is; the data keep the id ``nianbao import`` would give them.
    imported = read_report(path, agency=_UNTOLD, untold_year=_UNTOLD_YEAR, jobs=os.cpu_count() or 1)  # a scan's pages side by side
    agency = (registered(imported.name, names, misread=imported.scanned) or "") if names and imported.name else ""
    if imported.name:
        imported = with_agency(imported, agency or agency_slug(imported.name))
    return Side(path, "已发布的报告", imported.data, dict(imported.data.narrative), imported.name, agency)


_UNTOLD = "agency-untold"  # the id a published report is read under until its printed name gives one
_UNTOLD_YEAR = 0  # the year a published report is read under; its title's year replaces it


def _registry_around(path: Path) -> dict[str, str]:
    """Agency id → full name from the project a data file sits in, or nothing when it sits in none."""
    from .errors import ParamsError
    from .params import Project, load_registry

    try:
        return {k: a.name for k, a in load_registry(Project.find(path.resolve().parent)).items()}
    except ParamsError:
        return {}


def match_agencies(a: Side, b: Side) -> tuple[bool | None, str]:
    """Whether two sides are the same agency's, and the line that says they are not (or that it cannot be told).

    Ids are compared when both sides have one, else names (a title may print the district alone, 岳阳市岳阳楼区
    for 岳阳市岳阳楼区人民政府, or leave out the city); a side known only by an id that the registry lacks
    cannot be matched with one known only by its name, unless the id is the one ``nianbao import`` gives
    that name (``agency-<hash>``).
    """
    for label, side in (("A", a), ("B", b)):
        if not (side.agency or side.name):
            why = "标题中没有单位名称" if side.kind == "已发布的报告" else "数据中没有单位代码"
            return None, f"无法确定 {label} 的单位：{why}，不能核对两者是否同一单位"
    if a.agency and b.agency:
        return (True, "") if a.agency == b.agency else (False, f"单位不同：{a.who}与 {b.who}")
    if a.name and b.name:
        if _same_name(a.name, b.name):
            return True, ""
        slip = "（名称相近，请核对是否写错了字）" if _alike(a.name, b.name) else ""
        return False, f"单位不同：{a.who}与 {b.who}{slip}"
    coded, named = (a, b) if a.agency else (b, a)
    from .importer import agency_slug

    if coded.agency == agency_slug(named.name):  # data that ``nianbao import`` read from a report of that name
        return True, ""
    return None, (f"无法确定 {'A' if coded is a else 'B'} 的单位：单位代码 {coded.agency} 不在单位名录（params/agencies.yaml）中，"
                  f"不能与“{named.name}”核对（请在项目目录中运行，或用 --project 指定项目）")


def _same_name(x: str, y: str) -> bool:
    """The same agency's name, as printed and as registered: widths, spaces and punctuation aside, and a
    title that prints the full name less its city or less 人民政府 (at least three characters of its own left).
    """
    from .importer.labels import compacted

    short, long = sorted((compacted(x), compacted(y)), key=len)
    if short == long or long == short + "人民政府":
        return True
    own = short.removesuffix("人民政府")
    return len(own) >= 3 and (long.endswith(short) or long.removesuffix("人民政府").endswith(own))


def _alike(x: str, y: str) -> bool:
    from .format.printed import alike

    return alike(x, y)


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
    agency, line = match_agencies(a, b)
    if line:
        other.append(line)
    for label, side in (("A", a), ("B", b)):
        if side.data.year == _UNTOLD_YEAR:
            other.append(f"无法确定 {label} 的年度：标题中没有写明报告年度，不当作同一年度的报告")
    if a.data.year != b.data.year and _UNTOLD_YEAR not in (a.data.year, b.data.year):
        other.append(f"年度不同：{a.data.year} 与 {b.data.year}")
    return Comparison(a, b, cells, texts, tuple(other), agency)


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
    out = [f"{label}：{side.path}（{side.kind}，{_year(side)}，{side.who}）" for label, side in (("A", a), ("B", b))]
    out += result.other
    for d in result.cells:
        out.append(f"{d.where}（{d.key}）：A 为 {_shown(d.a)}，B 为 {_shown(d.b)}")
    for t in result.texts:
        out.append(f"叙述「{_part_name(t.key)}」不同：A「{_excerpt(t.a)}」，B「{_excerpt(t.b)}」")
    if result.identical:
        out.append("两者相同：同一单位、同一年度，每一格的值和每一部分的文字都一致。")
    else:
        out.append(f"共 {len(result.cells)} 格不同，{len(result.texts)} 部分文字不同"
                   + (f"；另有 {len(result.other)} 处单位或年度的问题（见上）。" if result.other else "。"))
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
        "agencies": {"a": _identity(result.a), "b": _identity(result.b), "same": result.same_agency},
        "cells": [{"key": d.key, "where": d.where, "a": d.a, "b": d.b} for d in result.cells],
        "texts": [{"key": t.key, "a": t.a, "b": t.b} for t in result.texts],
    }


def _year(side: Side) -> str:
    return "年度不明" if side.data.year == _UNTOLD_YEAR else f"{side.data.year} 年"


def _identity(side: Side) -> dict[str, str | None]:
    return {"id": side.agency or None, "name": side.name or None}


__all__ = ["Comparison", "Side", "as_dict", "compare", "lines", "match_agencies", "read", "reading", "same_value"]
