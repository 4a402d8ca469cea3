"""One agency-year's report data: every cell of the format's tables, and the narrative.

A cell holds one of:

- an ``int`` (counts) or ``int``/``float`` (amounts): a figure;
- ``None``: blank, as the agency published it — not the same as 0;
- one of :data:`~nianbao.format.BLANK_MARKS` (``"/"``, ``"—"`` …): a dash, kept as written;
- :data:`~nianbao.format.UNKNOWN_MARK` (``"?"``): a value nobody could place with certainty.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from .format import ALIASES, BLANK_MARKS, UNKNOWN_MARK, all_cell_keys

Value = int | float | str | None


def is_figure(value: Value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_empty(value: Value) -> bool:
    """Blank or a dash: the agency reported nothing in the cell."""
    return value is None or value in BLANK_MARKS


def is_unknown(value: Value) -> bool:
    return value == UNKNOWN_MARK


def number(value: Value) -> int | float | None:
    """The value for arithmetic: a figure as is, blank or a dash as 0, unknown as ``None``."""
    if is_figure(value):
        return value  # type: ignore[return-value]
    if is_empty(value):
        return 0
    return None


def show(value: Value) -> str:
    """The value as the report prints it in a table."""
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    if is_unknown(value):
        return "？"
    return str(value)


#: The years a report may be of: any a data file, a command or an imported title gives.
FIRST_YEAR, LAST_YEAR = 2000, 2100
#: A report is dated after its year has ended, and (but for a slip of the keys) within a few years of it.
LATEST_AFTER = 5


def date_problem(published: str, year: int) -> str:
    """What is wrong with ``published`` (ISO) as the date of the ``year`` report, or ""."""
    day = dt.date.fromisoformat(published)
    if day.year <= year:
        return f"早于 {year} 年度结束（年度报告在次年发布）"
    if day.year > year + LATEST_AFTER:
        return f"在 {year} 年度的 {LATEST_AFTER} 年之后，看来写错了"
    return ""


def chinese_date(iso: str) -> str:
    """An ISO date as a Chinese document prints it: ``2025-01-31`` → 2025年1月31日."""
    day = dt.date.fromisoformat(iso)
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass(frozen=True)
class ReportData:
    """The figures and narrative of one agency's report for one year."""

    agency: str
    year: int
    cells: Mapping[str, Value]
    narrative: Mapping[str, str] = field(default_factory=dict)
    published: str = ""  # ISO date the report is dated, e.g. "2025-01-31"
    notes: Mapping[str, str] = field(default_factory=dict)  # per table key: a note printed under it
    source: str = ""  # the file it was read from
    #: How a cell's value was obtained when it was not simply typed in (an import's "derived by
    #: B-ROWSUM from …" or "unknown: …"), keyed by cell key.
    provenance: Mapping[str, str] = field(default_factory=dict)
    #: The part headings as a published report printed them (imports); empty for data made here.
    headings: tuple[str, ...] = ()
    #: Where each cell stands in the workbook it was read from (``表三!D7``); empty for YAML.
    places: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.cells) != len(_CELL_KEYS) and (missing := _CELL_KEYS - set(self.cells)):
            raise ValueError(f"cells missing from ReportData: {sorted(missing)[:5]}")

    def value(self, key: str) -> Value:
        return self.cells[key]

    def number(self, key: str) -> int | float | None:
        return number(self.cells[key])

    def with_cells(self, cells: Mapping[str, Value]) -> ReportData:
        return replace(self, cells={**self.cells, **cells})

    def with_narrative(self, narrative: Mapping[str, str]) -> ReportData:
        return replace(self, narrative={**self.narrative, **narrative})


@dataclass(frozen=True)
class Review:
    """A reviewer's explanation of one finding, valid while the figures it rests on are unchanged."""

    rule: str
    cell: str  # the cell (or place) the finding is about: Result.key without the rule
    reason: str
    figures: Mapping[str, object]  # the finding's figures when it was explained
    by: str = ""
    date: str = ""

    @property
    def key(self) -> str:
        return f"{self.rule}@{self.cell}"


def empty_cells() -> dict[str, Value]:
    return {k: None for k in all_cell_keys()}


#: A number as people write it: an optional sign, digits (thousands separators only in groups of three)
#: and decimals — ``1234``, ``1,234``, ``12,345.6``; never ``12,34`` or ``1,5``.
NUMBER = re.compile(r"([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?")

#: A count written in Chinese numerals (“三个平台”“十二期”“一百零五件”), up to 9,999.
CHINESE_NUMBER = re.compile(r"[一二两三四五六七八九十百千零〇]+")
_CHINESE_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CHINESE_UNITS = {"十": 10, "百": 100, "千": 1000}


def chinese_number(text: str) -> int | None:
    """The count ``text`` writes in Chinese numerals, or ``None`` when it is not one (“一二”, “十十”)."""
    total, digit, last = 0, None, 10_000
    for ch in text:
        if ch in _CHINESE_DIGITS:
            if digit not in (None, 0) and _CHINESE_DIGITS[ch] != 0:
                return None  # two digits in a row: 一二 is no number
            digit = _CHINESE_DIGITS[ch]
        elif ch in _CHINESE_UNITS:
            unit = _CHINESE_UNITS[ch]
            if unit >= last:
                return None  # 十十, 十百: units only fall
            total += (1 if digit is None else digit) * unit
            digit, last = None, unit
        else:
            return None
    return total + (digit or 0) if text else None


#: A placeholder in narrative text: ``{{ B.new.total }}`` or ``{{ 本年新收 }}``.
PLACEHOLDER = re.compile(r"\{\{\s*([^{}\s]+)\s*\}\}")


def placeholder_key(name: str) -> str | None:
    """The cell key a placeholder names, or ``None`` when it names nothing the format knows."""
    key = ALIASES.get(name, name)
    return key if key in _CELL_KEYS else None


_CELL_KEYS = frozenset(all_cell_keys())
