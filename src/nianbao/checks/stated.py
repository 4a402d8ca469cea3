"""Rule 7: the figures the narrative states against the tables'."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..format import NARRATIVE_KEYS, describe
from ..model import ReportData
from .core import ERROR, FAILED, PASSED, UNCERTAIN, Context, Result, Rule, fmt, rule

NARRATIVE_FIGURES: tuple[tuple[str, re.Pattern[str], tuple[tuple[str, ...], ...]], ...] = (
    ("结转下年度", re.compile(r"结转(?:到|至)?(?:下一?年|\d{4}年)|转入下一?年"), (("B.carried_forward.total",),)),
    ("上年结转", re.compile(r"上一?年度?结转|结转上年|上年度?未办结"), (("B.carried_over.total",),)),
    ("办结", re.compile(r"办结|办理完成|完成办理|已答复|答复完毕|全部办理"), (("B.total.total",),)),
    # "收到申请75件" may count 本年新收 alone or with 上年结转 (a real report did the latter).
    ("收到申请", re.compile(r"(?:收到|新收|受理|接收|共有).*申请|申请.*(?:收到|新收|受理)"),
     (("B.new.total",), ("B.new.total", "B.carried_over.total"))),
)
#: One office acting for the agency ("区政府办代表区政府受理申请17件"): table 三 may count more (the
#: whole district, as the same agency's report of the year before said). Uncertain, not an error.
_ACTING = re.compile(r"([^\s\d年，,。]{2,8}?)代表")
_COUNT = re.compile(r"(\d[\d,，]*)\s*(?:件|个|次|宗|条)")
#: A clause runs to the next comma, full stop or semicolon — not a comma that groups digits (“1,234件”).
_CLAUSE = re.compile(r"(?:[^，,。；;！!？?\n]|(?<=[0-9])[,，](?=[0-9]{3}(?![0-9])))+")
#: A clause that counts a part of what the table counts: "其中…", one channel ("网上申请20件") or
#: one subject ("涉及征地拆迁的申请5件"). Not compared.
_PART = re.compile(r"其中|分别|涉及|关于|(?:网上|网络|当面|现场|信函|邮寄|传真|电子邮件|电话)(?!.*[、和及与等])")
#: … unless the clause counts them all ("通过网络、信函等方式共收到申请95件").
_WHOLE = re.compile(r"共|合计|总计|累计|全年")


@rule("N-FIGURES", "叙述中的数字与表格一致", ERROR, spec=7)
def _narrative(r: Rule, c: Context) -> Iterator[Result]:
    found = False
    for key in NARRATIVE_KEYS:
        for clause in clauses(c.texts.get(key, "")):
            result = _narrative_clause(r, c.data, key, clause)
            if result:
                found = True
                yield result
    if not found:
        yield r.skipped("叙述中没有直接写出表三的数字（占位符由表格数据填入，必然一致）")


def clauses(text: str) -> list[str]:
    """The text's clauses, a lone "其中，" kept with the clause it opens."""
    out: list[str] = []
    for clause in (c.strip() for c in _CLAUSE.findall(text)):
        if out and out[-1] == "其中":
            out[-1] += "，" + clause
        elif clause:
            out.append(clause)
    return out


#: How far (in characters) the words naming a figure may stand from the number that counts it.
NEAR = 12


def _counts(name: str, pattern: re.Pattern[str], clause: str, count: re.Match[str]) -> bool:
    """Whether the clause's number counts what the pattern names: the words stand just before it
    (“共受理公开申请34件”) or just after it (“34件申请”) — not elsewhere in the clause (“本报告共分6个
    部分：……收到和处理政府信息公开申请情况……” counts parts, not applications).
    """
    if clause[count.end():count.end() + 2] == "部分":
        return False
    before = any(m.end() <= count.start() and count.start() - m.end() <= NEAR for m in pattern.finditer(clause[:count.start()]))
    after = name == "收到申请" and bool(re.match(r"\s*(?:政府信息公开|依申请公开)?申请", clause[count.end():]))
    return before or after


def _narrative_clause(r: Rule, data: ReportData, key: str, clause: str) -> Result | None:
    count = _COUNT.search(clause)
    if not count or "申请" not in clause and not re.search(r"结转|办结|办理", clause):
        return None
    stated = int(re.sub(r"[,，]", "", count.group(1)))
    for name, pattern, readings in NARRATIVE_FIGURES:
        if not _counts(name, pattern, clause, count):
            continue
        before = clause[:count.start()]
        part = _PART.search(before)
        # a channel or subject named beside 共/合计… is all of them; 其中 and 分别 are always a part
        if part and (part.group(0) in ("其中", "分别") or not _WHOLE.search(before)):
            return r.skipped(f"叙述“{clause}”所述为一部分（“{part.group(0)}”），与表三的总数不是同一口径，未核对",
                             where=f"叙述 {key}")
        acting = _ACTING.search(before)
        if acting and all(sum(data.number(k) or 0 for k in cells) != stated for cells in readings):
            return r.result(UNCERTAIN, f"叙述“{clause}”所述 {fmt(stated)} 件为{acting.group(1)}代为受理的件数，表三为 "
                            f"{fmt(data.number(readings[0][0]))} 件（{describe(readings[0][0])}）；表三可能还计入了其他机关"
                            "（如全区汇总），口径无法从报告判定，请核对",
                            where=f"叙述 {key}", cells=readings[0], observed=stated)
        sums = []
        for cells in readings:
            numbers = [data.number(k) for k in cells]
            if None in numbers:
                return r.result(UNCERTAIN, f"叙述“{clause}”所述{name}无法与表格核对：表中相应格无法确定",
                                where=f"叙述 {key}", cells=cells, observed=stated)
            sums.append((sum(numbers), cells))  # type: ignore[arg-type]
        match = next((cells for total, cells in sums if total == stated), None)
        if match:
            return r.result(PASSED, f"叙述“{clause}”与表三相符（{name} {fmt(stated)}）",
                            where=f"叙述 {key}", cells=match, observed=stated, expected=stated)
        expected, cells = sums[0]
        return r.result(FAILED, f"叙述“{clause}”写{name} {fmt(stated)} 件，而表三为 {fmt(expected)} 件（{describe(cells[0])}）",
                        where=f"叙述 {key}", cells=cells, observed=stated, expected=expected)
    return None
