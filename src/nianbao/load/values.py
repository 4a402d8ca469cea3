"""One cell as typed, checked against its column; the narrative's placeholders; the report's identity."""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from collections.abc import Mapping
from typing import Any

from .. import characters
from ..errors import DataError
from ..format import AMOUNT, BLANK_MARKS, NARRATIVE_KEYS, UNKNOWN_MARK, Column
from ..model import FIRST_YEAR, LAST_YEAR, NUMBER, PLACEHOLDER, ReportData, Value, date_problem, placeholder_key


def parse_value(raw: Any, column: Column, **where: Any) -> Value:
    """One cell as typed by an analyst, checked against its column's kind.

    ``where`` names the place for the error message (file and key, or file, sheet and cell).
    """
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise DataError(f"“{column.label}”应填数字，而不是 {raw}", hint="请填写数字，或留空", **where)
    if isinstance(raw, str):
        text = unicodedata.normalize("NFKC", raw).strip()
        if not text:
            return None
        if raw.strip() in BLANK_MARKS or text in BLANK_MARKS:
            return raw.strip()
        if text in (UNKNOWN_MARK, "？"):
            return UNKNOWN_MARK
        if text.upper() in _EXCEL_ERRORS:  # what Excel or WPS saved as a formula's result
            raise DataError(f"“{column.label}”中是公式算出的错误值 {text}，不是数字", hint="请改正这一格的公式，或直接填数字", **where)
        raw = _number(text, raw.strip(), column, where)
    if isinstance(raw, float) and not math.isfinite(raw):
        raise DataError(f"“{column.label}”中的 {raw} 不是有效数字", **where)
    if isinstance(raw, (dt.date, dt.time)):  # a cell formatted as a date, or a YAML date
        raise DataError(f"“{column.label}”中是日期或时间 {raw}，不是数字", **where,
                        hint="单元格可能被设成了日期格式：请把它设为“常规”或“数值”，再填数字")
    if not isinstance(raw, (int, float)):
        shown = "一组值" if isinstance(raw, (list, tuple, dict)) else f"“{str(raw)[:40]}”"
        raise DataError(f"“{column.label}”应填数字，而不是{shown}", hint="请填写数字，或留空", **where)
    if raw < 0:
        raise DataError(f"“{column.label}”不能为负数（{raw}）", hint="请填写 0 或正数", **where)
    if raw > MAX_FIGURE:
        raise DataError(
            f"“{column.label}”中的 {raw} 大得不合常理（上限 {MAX_FIGURE:,}）",
            hint="请核对是否多输了数字；金额以万元为单位", **where,
        )
    if column.kind == AMOUNT:
        return raw
    if isinstance(raw, float):
        if not raw.is_integer():
            raise DataError(f"“{column.label}”是件数，应为整数，而不是 {raw}", hint="请填写整数", **where)
        return int(raw)
    return raw


#: The error values a formula's saved result may be, as Excel and WPS write them.
_EXCEL_ERRORS = {"#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!", "#GETTING_DATA"}

#: The largest figure a cell may hold: far above any agency's count or fee (万元), far below what
#: arithmetic and charts can no longer represent exactly.
MAX_FIGURE = 10**12


def _number(text: str, typed: str, column: Column, where: Mapping[str, Any]) -> int | float:
    """A figure written as text: digits, a decimal point, thousands separators only in groups of three."""
    match = NUMBER.fullmatch(text)
    if not match:
        if "," in text and any(ch.isdigit() for ch in text):
            raise DataError(
                f"“{column.label}”中的“{typed}”不是规范的数字写法",
                hint="千位分隔符只能每三位一个（如 1,234 或 12,345.6），小数点用“.”；也可以不写分隔符",
                **where,
            )
        raise DataError(
            f"“{column.label}”中是文本“{typed}”，不是数字",
            hint="只填阿拉伯数字（不带“件”“万元”等单位）；无数据留空，或填 / 或 —",
            **where,
        )
    sign, whole, decimals = match.groups()
    digits = whole.replace(",", "")
    value: int | float = float(digits + decimals) if decimals else int(digits)
    return -value if sign == "-" else value


def check_narrative(flat: Mapping[str, Any], **where: Any) -> dict[str, str]:
    unknown = set(flat) - set(NARRATIVE_KEYS)
    if unknown:
        raise DataError(
            f"叙述中有未知的段落 {sorted(unknown)}", key="narrative", hint=f"可用的段落：{'、'.join(NARRATIVE_KEYS)}", **where
        )
    out = {}
    for key in NARRATIVE_KEYS:
        text = flat.get(key)
        if text is None:
            text = ""
        if isinstance(text, (int, float)) and not isinstance(text, bool):
            text = str(text)
        if not isinstance(text, str):
            raise DataError("叙述应为一段文字", key=f"narrative.{key}", hint="用 | 开头写多行文字", **where)
        characters.check(text, **where, key=f"narrative.{key}")
        for name in PLACEHOLDER.findall(text):
            if placeholder_key(name) is None:
                raise DataError(
                    f"占位符 {{{{ {name} }}}} 不指向任何表格数据",
                    key=f"narrative.{key}",
                    hint="占位符写作 {{ 表.行.列 }}（如 {{ B.new.total }}）或别名（如 {{ 本年新收 }}）；nianbao template --help 列出全部",
                    **where,
                )
        out[key] = text.strip()
    return out


def report_data(path, agency, year, cells, narrative, published, notes, published_at=None, **where) -> ReportData:
    """The data read, its year and date checked (``where`` places the year, ``published_at`` the date)."""
    at = published_at or {"key": "published"}
    if not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise DataError(f"年度“{year}”无效", file=path, key="year", hint="填写四位年份，如 2024", **where)
    if isinstance(published, (dt.date, dt.datetime)):
        published = published.isoformat()[:10]
    if published:
        try:
            problem = date_problem(str(published), year)
        except ValueError:
            raise DataError(f"发布日期“{published}”无效", file=path, hint="写作 2025-01-31", **at) from None
        if problem:
            raise DataError(f"发布日期 {published} {problem}", file=path, hint=f"写成报告的落款日期，如 {year + 1}-01-20", **at)
    return ReportData(str(agency), year, cells, narrative, str(published or ""), dict(notes), str(path))
