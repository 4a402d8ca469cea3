"""Rules 2–5: the sums within tables 三 and 四."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import NamedTuple

from ..format import B_APPLICANTS, B_RESULT_ROWS, C_GROUPS, TABLE_B
from .core import ERROR, FAILED, PASSED, UNCERTAIN, Context, Result, Rule, _blank_note, _sum_result, fmt, rule


class Sum(NamedTuple):
    """One relation of the format: a total cell equals the sum of its parts (rules 2, 3 and 5)."""

    rule: str
    total: str
    parts: tuple[str, ...]
    where: str  # the place, as the report prints it
    what: str  # what the parts are, in words


class Balance(NamedTuple):
    """Rule 4 for one column of table 三: 一 + 二 = 三（七总计） + 四."""

    where: str
    keys: tuple[str, str, str, str]  # new, carried over, total, carried forward


@functools.cache
def sums() -> tuple[Sum, ...]:
    """Every sum of tables 三 and 四: the rules check them, the template shows them as they are typed."""
    rows = tuple(Sum("B-ROWSUM", f"B.{row.key}.total", tuple(f"B.{row.key}.{k}" for k in B_APPLICANTS),
                     f"表三「{row.label}」行", "六类申请人之和") for row in TABLE_B.figure_rows())
    columns = tuple(Sum("B-COLSUM", f"B.total.{column.key}", tuple(f"B.{row}.{column.key}" for row in B_RESULT_ROWS),
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


def _sums(r: Rule, c: Context) -> Iterator[Result]:
    for s in sums():
        if s.rule == r.id:
            yield _sum_result(r, c, s.total, list(s.parts), s.where, s.what)


rule("B-ROWSUM", "表三每行：总计等于六类申请人之和", ERROR, "B", spec=2)(_sums)
rule("B-COLSUM", "表三每列：（七）总计等于各项办理结果之和", ERROR, "B", spec=3)(_sums)


@rule("B-BALANCE", "表三每列：第一项加第二项之和等于第三项加第四项之和", ERROR, "B", spec=4)
def _b_balance(r: Rule, c: Context) -> Iterator[Result]:
    for balance in balances():
        keys, where = list(balance.keys), balance.where
        unknown = [k for k in keys if c.number(k) is None]
        if unknown:
            names = "、".join(TABLE_B.row(k.split(".")[1]).label for k in unknown)
            yield r.result(UNCERTAIN, f"{where}：{names} 无法确定或不是数字，本项无法核对", where=where, cells=tuple(unknown))
            continue
        new, carried, total, forward = (c.number(k) for k in keys)
        left, right = new + carried, total + forward  # type: ignore[operator]
        status = PASSED if left == right else FAILED
        yield r.result(
            status,
            f"{where}：本年新收 {fmt(new)} + 上年结转 {fmt(carried)} = {fmt(left)}，"
            f"办理结果总计 {fmt(total)} + 结转下年度 {fmt(forward)} = {fmt(right)}"
            + ("" if status == PASSED else "，两者应相等") + _blank_note(c.data, keys),
            where=where, cells=(keys[2], keys[3], keys[0], keys[1]), observed=right, expected=left,
        )


rule("C-TOTAL", "表四每组：总计等于维持、纠正、其他、尚未审结之和", ERROR, "C", spec=5)(_sums)
