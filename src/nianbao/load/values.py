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
from ..model import NUMBER, PLACEHOLDER, ReportData, Value, placeholder_key


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
        raw = _number(text, raw.strip(), column, where)
    if isinstance(raw, float) and not math.isfinite(raw):
        raise DataError(f"“{column.label}”中的 {raw} 不是有效数字", **where)
    if not isinstance(raw, (int, float)):
        raise DataError(f"“{column.label}”应填数字，而不是 {raw!r}", **where)
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


def report_data(path, agency, year, cells, narrative, published, notes, **where) -> ReportData:
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise DataError(f"年度 {year!r} 无效", file=path, key="year", hint="填写四位年份，如 2024", **where)
    if isinstance(published, (dt.date, dt.datetime)):
        published = published.isoformat()[:10]
    if published:
        try:
            dt.date.fromisoformat(str(published))
        except ValueError:
            raise DataError(f"发布日期 {published!r} 无效", file=path, key="published", hint="写作 2025-01-31") from None
    return ReportData(str(agency), year, cells, narrative, str(published or ""), dict(notes), str(path))
