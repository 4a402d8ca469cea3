"""Rules 6, 8 and 10: this year against the agency's previous year."""

from __future__ import annotations

from collections.abc import Iterator

from ..format import column_of
from ..format.relations import carries, stocks
from ..model import is_empty
from .core import (
    CHANGE_FLOOR,
    CHANGE_RATIO,
    ERROR,
    FAILED,
    PASSED,
    UNCERTAIN,
    WARNING,
    Context,
    Result,
    Rule,
    _addresses,
    fmt,
    rule,
)


@rule("X-CARRY", "本年“上年结转”等于上年“结转下年度继续办理”", ERROR, "B", spec=6, needs_previous=True)
def _x_carry(r: Rule, c: Context) -> Iterator[Result]:
    assert c.previous is not None
    for where, now, then in carries():
        a, b = c.number(now), c.previous.number(then)
        if a is None or b is None:
            yield r.result(UNCERTAIN, f"{where}：本年或上年的数字无法确定，本项无法核对", where=where, cells=(now,))
            continue
        note = "（空白按 0 计）" if is_empty(c.data.cells[now]) or is_empty(c.previous.cells[then]) else ""
        status = PASSED if a == b else FAILED
        yield r.result(status, f"{where}：本年上年结转 {fmt(a)}，{c.data.year - 1} 年报告的结转下年度为 {fmt(b)}"
                       + ("" if status == PASSED else "，两者应相等" + _addresses(c.data, (now,))) + note,
                       where=where, cells=(now,), observed=a, expected=b)


@rule("X-STOCK", "现行有效件数约等于上年现行有效加本年制发减本年废止", WARNING, "A", spec=8, needs_previous=True)
def _x_stock(r: Rule, c: Context) -> Iterator[Result]:
    assert c.previous is not None
    for stock in stocks():
        where, keys = stock.where, [stock.in_force, stock.issued, stock.repealed]
        if all(is_empty(c.data.cells[k]) for k in keys) and is_empty(c.previous.cells[keys[0]]):
            yield r.skipped(f"{where}：本年和上年均未填数字", where=where)
            continue
        now, issued, repealed, then = (*(c.number(k) for k in keys), c.previous.number(keys[0]))
        if None in (now, issued, repealed, then):
            yield r.result(UNCERTAIN, f"{where}：有数字无法确定，本项无法核对", where=where, cells=tuple(keys))
            continue
        expected = then + issued - repealed  # type: ignore[operator]
        status = PASSED if now == expected else FAILED
        yield r.result(
            status,
            f"{where}：现行有效 {fmt(now)} 件，上年现行有效 {fmt(then)} + 本年制发 {fmt(issued)} − 本年废止 {fmt(repealed)}"
            f" = {fmt(expected)} 件" + ("" if status == PASSED else "；文件也会因有效期届满而失效，请核实差额"),
            where=where, cells=tuple(keys), observed=now, expected=expected,
        )


HEADLINES = ("B.new.total", "A.licensing.decisions", "A.penalty.decisions", "A.fees.amount")
_HEADLINE_NAMES = {"B.new.total": "本年新收申请", "A.licensing.decisions": "行政许可", "A.penalty.decisions": "行政处罚",
                   "A.fees.amount": "行政事业性收费（万元）"}


@rule("X-CHANGE", "主要数字比上年大幅变化", WARNING, spec=10, needs_previous=True)
def _x_change(r: Rule, c: Context) -> Iterator[Result]:
    assert c.previous is not None
    for key in HEADLINES:
        name = _HEADLINE_NAMES[key]
        now, then = c.number(key), c.previous.number(key)
        table = key[0]
        if now is None or then is None:
            yield r.result(UNCERTAIN, f"{name}：本年或上年的数字无法确定", where=name, cells=(key,), table=table)
            continue
        change = now - then
        floor = CHANGE_FLOOR[column_of(key).kind]
        large = abs(change) >= floor and (then == 0 or abs(change) / then > CHANGE_RATIO)
        share = f"{change / then:+.0%}" if then else "由 0 起"
        yield r.result(
            FAILED if large else PASSED,
            f"{name}：{c.data.year - 1} 年 {fmt(then)}，{c.data.year} 年 {fmt(now)}（{share}）"
            + (f"，变化超过 {CHANGE_RATIO:.0%}，请核实并在报告中说明原因" if large else ""),
            where=name, cells=(key,), observed=now, expected=then, table=table,
        )
