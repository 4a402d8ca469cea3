"""Dates as reports print them (2025年1月20日, 二〇二五年一月二十日, 发布时间：2025-01-20) → ISO dates."""

from __future__ import annotations

import datetime as dt
import re

PUBLISHED = re.compile(r"(?:发布|公开|成文)(?:时间|日期)\s*:?\s*(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})")
DATE_LINE = re.compile(r"^\s*(\d{4}|[〇零一二三四五六七八九]{4})\s*年\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*月"
                       r"\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*日\s*$")
_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0}


def _chinese_number(text: str) -> int:
    if text.isdigit():
        return int(text)
    if len(text) == 4:  # a year, digit by digit: 二〇二五
        return int("".join(str(_DIGITS[c]) for c in text))
    tens, _, ones = text.rpartition("十")
    if "十" not in text:
        return _DIGITS[text]
    return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[ones] if ones else 0)


def iso_date(parts: tuple[str, str, str]) -> str:
    """Year, month and day as printed (digits or Chinese numerals) → ISO date; "" when not a date."""
    try:
        return dt.date(*(_chinese_number(p) for p in parts)).isoformat()
    except (ValueError, KeyError):
        return ""
