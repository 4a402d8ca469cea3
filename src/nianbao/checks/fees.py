"""Rule 9 and part 六: the information processing fees, in figures and in words."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..format import TABLE_NAMES
from ..format.fees import COLLECTED, NOTICE_AMOUNT, NOTICES, statements
from ..model import is_empty
from .core import ERROR, FAILED, PASSED, UNCERTAIN, WARNING, Context, Result, Rule, fmt, rule


@rule("F-FEES", "信息处理费：实收不超过通知金额，未发通知不应收费", WARNING, "F", spec=9)
def _f_fees(r: Rule, c: Context) -> Iterator[Result]:
    keys = ("F.fee.notices", "F.fee.notice_amount", "F.fee.collected")
    notices, amount, collected = (c.number(k) for k in keys)
    where = TABLE_NAMES["F"]
    if None in (notices, amount, collected):
        yield r.result(UNCERTAIN, f"{where}：有数字无法确定，本项无法核对", where=where, cells=keys)
        return
    if collected > amount:  # type: ignore[operator]
        yield r.result(FAILED, f"{where}：实际收取 {fmt(collected)} 元，多于收费通知的总金额 {fmt(amount)} 元",
                       where=where, cells=(keys[2], keys[1]), observed=collected, expected=amount)
    elif notices == 0 and (amount or collected):
        yield r.result(FAILED, f"{where}：未发出收费通知，却有通知金额 {fmt(amount)} 元、实收 {fmt(collected)} 元",
                       where=where, cells=keys, observed=collected, expected=0)
    else:
        yield r.result(PASSED, f"{where}：通知 {fmt(notices)} 件、{fmt(amount)} 元，实收 {fmt(collected)} 元",
                       where=where, cells=keys)


_NAMES = {COLLECTED: "实际收取", NOTICES: "收费通知件数", NOTICE_AMOUNT: "收费通知总金额"}
_UNITS = {COLLECTED: "元", NOTICES: "件", NOTICE_AMOUNT: "元"}


@rule("F-TEXT", "第六部分对信息处理费的说明与数字一致", ERROR, "F")
def _f_text(r: Rule, c: Context) -> Iterator[Result]:
    """Each figure part 六 states — in the wordings the importer reads (:mod:`nianbao.format.fees`) —
    against table 六.
    """
    text = c.texts.get("other.text", "")
    said = statements(text)
    for stated in said:
        value = c.number(stated.key)
        status = UNCERTAIN if value is None else PASSED if value == stated.value else FAILED
        words = _sentence(text, stated.start) if stated.denial else stated.words
        reads = "" if stated.denial else f"（即 {fmt(stated.value)} {_UNITS[stated.key]}）" if "万" in words else ""
        yield r.result(status, f"第六部分写“{words}”{reads}，{TABLE_NAMES['F']}中{_NAMES[stated.key]}为 {fmt(value)}",
                       where="第六部分", cells=(stated.key,), observed=stated.value, expected=value)
    if not said:
        yield r.skipped("第六部分的叙述未单独说明信息处理费，以表中数字为准", where="第六部分")


_FEE_KEYS = ("F.fee.notices", "F.fee.notice_amount", "F.fee.collected")


@rule("F-SILENT", "第六部分说明了信息处理费情况（文字或数字）", WARNING, "F")
def _f_silent(r: Rule, c: Context) -> Iterator[Result]:
    text = c.texts.get("other.text", "")
    said = bool(statements(text))
    if said or not all(is_empty(c.data.cells[k]) for k in _FEE_KEYS):
        yield r.result(PASSED, "第六部分说明了信息处理费情况", where="第六部分")
    else:
        yield r.result(FAILED, "第六部分既没有说明信息处理费情况，也没有填写信息处理费数字", where="第六部分", cells=_FEE_KEYS)


def _sentence(text: str, at: int) -> str:
    """The sentence of ``text`` that holds position ``at``."""
    start = 0
    for sentence in re.split(r"(?<=[。；！？\n])", text):
        if start <= at < start + len(sentence):
            return sentence.strip()
        start += len(sentence)
    return ""
