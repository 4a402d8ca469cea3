"""Rules 2–5: the sums within tables 三 and 四, as :mod:`nianbao.format.relations` states them."""

from __future__ import annotations

from collections.abc import Iterator

from ..format import TABLE_B
from ..format.relations import balances, sums
from .core import ERROR, FAILED, PASSED, UNCERTAIN, Context, Result, Rule, _blank_note, _sum_result, fmt, rule


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
