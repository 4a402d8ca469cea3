"""A cell's printed text → a token: a number with its unit, a blank, a dash, the unknown mark, or junk."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from ..format import BLANK_MARK_VARIANTS, BLANK_MARKS, UNKNOWN_MARK
from ..model import NUMBER, Value, number
from .labels import BLANK_CELL, canonical


@dataclass(frozen=True)
class Tok:
    text: str  # as printed
    value: Value = None
    unit: str = ""
    digits: str = ""  # the token's digits when they may be several cells run together
    junk: bool = False
    note: str = ""
    doubt: str = ""  # read from a scan without certainty: why (the value is one reading, or the unknown mark)

    @property
    def number(self) -> float | int | None:
        if self.value == UNKNOWN_MARK or self.junk:
            return None
        return number(self.value)


UNITS = ("件", "个", "条", "项", "次", "宗", "份", "万元", "元")
_NUMBER = re.compile(rf"^{NUMBER.pattern}\s*({'|'.join(UNITS)})?$")


@lru_cache(maxsize=4096)
def token(text: str) -> Tok:
    stripped = text.strip()
    canon = canonical(stripped).strip()
    if stripped in ("", BLANK_CELL):
        return Tok(text)
    if stripped in BLANK_MARKS:
        return Tok(text, stripped)
    if stripped in BLANK_MARK_VARIANTS:
        return Tok(text, BLANK_MARK_VARIANTS[stripped], note=f"原文写作“{stripped}”，按横线记")
    if canon == UNKNOWN_MARK:
        return Tok(text, UNKNOWN_MARK)
    m = _NUMBER.match(canon)
    if not m:
        return Tok(text, junk=True)
    sign, whole, decimals, unit = m.groups()
    digits = whole.replace(",", "")
    value: int | float = float(Decimal(digits + (decimals or ""))) if decimals else int(digits)
    if sign == "-":
        value = -value
    splittable = digits if not (sign or decimals or unit or "," in whole) and len(digits) > 1 else ""
    return Tok(text, value, unit or "", splittable)


BLANK_TOK = Tok("")


def printed(values: Iterable[Tok]) -> str:
    """Tokens as printed, for a message: 空 for a blank."""
    return "，".join(t.text.strip() or "空" for t in values)
