"""Rule 9 and part 六: the information processing fees, in figures and in words."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..format import NO_FEE, TABLE_NAMES
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


_NO_FEE = re.compile(NO_FEE)  # the importer reads the same wordings
_FEE_AMOUNT = re.compile(r"(?:实际)?收取(?:了)?(?:政府信息公开)?信息处理费(?:共计|合计|共)?\s*(\d+(?:\.\d+)?)\s*元")
_FEE_NOTICES = re.compile(r"发出(?:收费)?通知(?:书)?\s*(\d+)\s*件")


@rule("F-TEXT", "第六部分对信息处理费的说明与数字一致", ERROR, "F")
def _f_text(r: Rule, c: Context) -> Iterator[Result]:
    text = c.texts.get("other.text", "")
    found = False
    for pattern, key, name in ((_FEE_AMOUNT, "F.fee.collected", "实际收取"), (_FEE_NOTICES, "F.fee.notices", "收费通知")):
        for match in pattern.finditer(text):
            found = True
            stated, value = float(match.group(1)), c.number(key)
            status = UNCERTAIN if value is None else PASSED if value == stated else FAILED
            yield r.result(status, f"第六部分写“{match.group(0)}”，{TABLE_NAMES['F']}中{name}为 {fmt(value)}",
                           where="第六部分", cells=(key,), observed=stated, expected=value)
    if _NO_FEE.search(text):
        found = True
        collected, notices = c.number("F.fee.collected"), c.number("F.fee.notices")
        sentence = _sentence(text, _NO_FEE)
        status = UNCERTAIN if collected is None else PASSED if collected == 0 else FAILED
        yield r.result(status, f"第六部分写“{sentence}”，{TABLE_NAMES['F']}中实际收取 {fmt(collected)} 元、通知 {fmt(notices)} 件",
                       where="第六部分", cells=("F.fee.collected",), observed=collected, expected=0)
    if not found:
        yield r.skipped("第六部分的叙述未单独说明信息处理费，以表中数字为准", where="第六部分")


_FEE_KEYS = ("F.fee.notices", "F.fee.notice_amount", "F.fee.collected")


@rule("F-SILENT", "第六部分说明了信息处理费情况（文字或数字）", WARNING, "F")
def _f_silent(r: Rule, c: Context) -> Iterator[Result]:
    text = c.texts.get("other.text", "")
    said = any(p.search(text) for p in (_NO_FEE, _FEE_AMOUNT, _FEE_NOTICES))
    if said or not all(is_empty(c.data.cells[k]) for k in _FEE_KEYS):
        yield r.result(PASSED, "第六部分说明了信息处理费情况", where="第六部分")
    else:
        yield r.result(FAILED, "第六部分既没有说明信息处理费情况，也没有填写信息处理费数字", where="第六部分", cells=_FEE_KEYS)


def _sentence(text: str, pattern: re.Pattern[str]) -> str:
    for sentence in re.split(r"(?<=[。；！？\n])", text):
        if pattern.search(sentence):
            return sentence.strip()
    return ""
