"""The format's relations between cells, as data: the sums within tables 三 and 四 (rules 2, 3, 5),
table 三's balance (rule 4), and what carries from one year to the next (rules 6 and 8).

The one statement of them that the checks test, the Excel template shows as check cells while it is
filled in and prefills from last year, and the importer settles a row's run-together figures by, so that
no reader of the format restates one by position.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import NamedTuple

from . import B_APPLICANTS, B_RESULT_ROWS, C_GROUPS, TABLE_A, TABLE_B


class Sum(NamedTuple):
    """One relation of the format: a total cell equals the sum of its parts (rules 2, 3 and 5)."""

    rule: str
    total: str
    parts: tuple[str, ...]
    where: str  # the place, as the report prints it
    what: str  # what the parts are, in words

    @property
    def keys(self) -> tuple[str, ...]:
        return (self.total, *self.parts)

    def holds(self, numbers: Mapping[str, float | None]) -> bool:
        """Whether the figures add up; False when a cell is missing or unknown (None)."""
        found = [n for k in self.keys if (n := numbers.get(k)) is not None]
        return len(found) == len(self.keys) and found[0] == sum(found[1:])


class Balance(NamedTuple):
    """Rule 4 for one column of table 三: 一 + 二 = 三（七总计） + 四."""

    where: str
    keys: tuple[str, str, str, str]  # new, carried over, total, carried forward

    @property
    def rule(self) -> str:
        return "B-BALANCE"

    def holds(self, numbers: Mapping[str, float | None]) -> bool:
        """Whether 一 + 二 = 三 + 四 in this column; False when a cell is missing or unknown (None)."""
        found = [n for k in self.keys if (n := numbers.get(k)) is not None]
        if len(found) < len(self.keys):
            return False
        new, carried, total, forward = found
        return new + carried == total + forward


@functools.cache
def sums(folded: tuple[str, ...] = ()) -> tuple[Sum, ...]:
    """Every sum of tables 三 and 四: the rules check them, the template shows them as they are typed.

    ``folded`` names headings of table 三 printed as one row in place of their numbered rows, as some
    reports print （六）其他处理 (``("other",)``): the heading's cells (``B.other.natural`` …) then stand
    for the sums of its rows' cells, in its row's B-ROWSUM and in each column's B-COLSUM.
    """
    foldable = {TABLE_B.row(r).parent for r in B_RESULT_ROWS} - {"results"}
    if not set(folded) <= foldable:
        raise ValueError(f"only {sorted(foldable)} can be folded into one row, not {sorted(set(folded) - foldable)}")
    figure_rows = tuple(r for r in TABLE_B.rows if r.key in folded or not (r.heading or r.parent in folded))
    results = tuple(dict.fromkeys(p if (p := TABLE_B.row(r).parent) in folded else r for r in B_RESULT_ROWS))
    rows = tuple(Sum("B-ROWSUM", f"B.{row.key}.total", tuple(f"B.{row.key}.{k}" for k in B_APPLICANTS),
                     f"表三「{row.label}」行", "六类申请人之和") for row in figure_rows)
    columns = tuple(Sum("B-COLSUM", f"B.total.{column.key}", tuple(f"B.{row}.{column.key}" for row in results),
                        f"表三「{column.label}」列", "各项办理结果之和") for column in TABLE_B.columns)
    groups = tuple(Sum("C-TOTAL", f"C.cases.{group}_total",
                       tuple(f"C.cases.{group}_{k}" for k in ("upheld", "corrected", "other", "pending")),
                       f"表四「{'·'.join(labels)}」", "结果维持、结果纠正、其他结果、尚未审结之和") for group, labels in C_GROUPS)
    return rows + columns + groups


@functools.cache
def balances() -> tuple[Balance, ...]:
    return tuple(Balance(f"表三「{column.label}」列",
                         tuple(f"B.{row}.{column.key}" for row in ("new", "carried_over", "total", "carried_forward")))  # type: ignore[arg-type]
                 for column in TABLE_B.columns)


class Carry(NamedTuple):
    """Rule 6 for one column of table 三: this year's 二、上年结转 is last year's 四、结转下年度继续办理."""

    where: str
    now: str  # this year's cell
    then: str  # last year's cell


@functools.cache
def carries() -> tuple[Carry, ...]:
    return tuple(Carry(f"表三「二、上年结转」行「{column.label}」列", f"B.carried_over.{column.key}",
                       f"B.carried_forward.{column.key}") for column in TABLE_B.columns)


class Stock(NamedTuple):
    """Rule 8 for one row of table 二: 现行有效 ≈ last year's 现行有效 + 本年制发 − 本年废止."""

    where: str
    in_force: str
    issued: str
    repealed: str


@functools.cache
def stocks() -> tuple[Stock, ...]:
    return tuple(Stock(f"表二「{TABLE_A.row(row).label}」行", *(f"A.{row}.{k}" for k in ("in_force", "issued", "repealed")))
                 for row in ("rules", "normative"))


__all__ = ["Balance", "Carry", "Stock", "Sum", "balances", "carries", "stocks", "sums"]
