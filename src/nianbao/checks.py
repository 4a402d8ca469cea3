"""The format's consistency rules (勾稽关系), each returning result records — never raising.

A rule yields :class:`Result` records: passed, failed, uncertain (some input is not a figure)
or skipped (the rule has nothing to read). A rule that crashes becomes a failed result.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Callable, Iterable, Iterator, Mapping

import pandas as pd

from .format import (
    B_APPLICANTS,
    B_RESULT_ROWS,
    C_GROUPS,
    NARRATIVE_KEYS,
    TABLE_B,
    TABLE_NAMES,
    TABLES,
    cell_key,
    column_of,
    describe,
)
from .model import ReportData, Value, is_empty, is_figure, is_unknown, number

ERROR, WARNING, INFO = "error", "warning", "info"
PASSED, FAILED, UNCERTAIN, SKIPPED = "passed", "failed", "uncertain", "skipped"
SEVERITY_NAMES = {ERROR: "错误", WARNING: "警告", INFO: "提示"}
STATUS_NAMES = {PASSED: "通过", FAILED: "未通过", UNCERTAIN: "无法判定", SKIPPED: "跳过"}


@dataclass(frozen=True)
class Result:
    rule: str  # stable id, e.g. "B-ROWSUM"
    title: str  # the rule in Chinese
    severity: str  # error / warning / info
    status: str  # passed / failed / uncertain / skipped
    message: str  # Chinese: observed against expected, and where
    where: str = ""  # the place in the labels the report prints
    cells: tuple[str, ...] = ()  # the cell keys the result rests on
    observed: object = None
    expected: object = None
    table: str = ""  # the table key the result belongs to ("" for the narrative)

    @property
    def passed(self) -> bool:
        return self.status == PASSED

    @property
    def is_error(self) -> bool:
        return self.status == FAILED and self.severity == ERROR

    @property
    def is_warning(self) -> bool:
        return self.status == FAILED and self.severity == WARNING


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    severity: str
    table: str
    check: Callable[[ReportData], Iterable[Result]] = field(repr=False)

    def result(self, status: str, message: str, **kw: object) -> Result:
        return Result(self.id, self.title, self.severity, status, message, table=self.table, **kw)  # type: ignore[arg-type]


def fmt(value: object) -> str:
    if value is None:
        return "空白"
    if isinstance(value, float):
        return f"{value:.6g}" if abs(value) < 1e6 else f"{value:.2f}"
    return str(value)


def _sum_rule(rule: Rule, data: ReportData, total: str, parts: list[str], where: str, what: str) -> Result:
    """``total`` equals the sum of ``parts``: one result, uncertain when an input is not a figure."""
    keys = [total, *parts]
    unknown = [k for k in keys if data.number(k) is None]
    if unknown:
        return rule.result(
            UNCERTAIN,
            f"{where}：{'、'.join(_label(k, parts[0]) for k in unknown)} 无法确定，本项无法核对",
            where=where,
            cells=tuple(unknown),
        )
    observed = data.number(total)
    expected = sum(data.number(k) for k in parts)  # type: ignore[misc]
    if observed == expected:
        return rule.result(PASSED, f"{where}：{what}相符（{fmt(observed)}）", where=where, cells=tuple(keys),
                           observed=observed, expected=expected)
    terms = " + ".join(f"{_label(k, total)} {fmt(data.number(k))}" for k in parts if data.number(k))
    return rule.result(
        FAILED,
        f"{where}：{_label(total, parts[0])}为 {fmt(observed)}，而{what}为 {fmt(expected)}"
        + (f"（{terms}）" if terms else ""),
        where=where,
        cells=(total, *[k for k in parts if data.number(k)]),
        observed=observed,
        expected=expected,
    )


def _label(key: str, other: str) -> str:
    """A cell's short name beside another: its column label on the same row, else its row label."""
    table, row, _ = key.split(".")
    if row == other.split(".")[1]:
        return column_of(key).label
    return TABLES[table].row(row).label


# ---------------------------------------------------------------- rule 1


def _values(rule: Rule, data: ReportData) -> Iterator[Result]:
    bad = False
    for table in TABLES.values():
        unknown = []
        for row, column in table.cells():
            key = cell_key(table.key, row.key, column.key)
            value = data.cells[key]
            problem = _value_problem(value, column.kind)
            if problem == "unknown":
                unknown.append(key)
            elif problem:
                bad = True
                yield Result(rule.id, rule.title, rule.severity, FAILED, f"{describe(key)}：{problem}",
                             where=describe(key), cells=(key,), observed=value, expected="非负数", table=table.key)
        if unknown:
            yield Result(
                rule.id, rule.title, rule.severity, UNCERTAIN,
                f"{TABLE_NAMES[table.key]}有 {len(unknown)} 格无法确定（{'、'.join(describe(k) for k in unknown[:3])}"
                f"{' 等' if len(unknown) > 3 else ''}），涉及这些格的校验无法判定",
                where=TABLE_NAMES[table.key], cells=tuple(unknown), table=table.key,
            )
    if not bad:
        yield rule.result(PASSED, "各项数字均为非负数，件数均为整数")


def _value_problem(value: Value, kind: str) -> str:
    if is_empty(value):
        return ""
    if is_unknown(value):
        return "unknown"
    if not is_figure(value):
        return f"“{value}”不是数字"
    if value < 0:  # type: ignore[operator]
        return f"{fmt(value)} 为负数"
    if kind == "count" and isinstance(value, float) and not value.is_integer():
        return f"件数 {fmt(value)} 不是整数"
    return ""


# ---------------------------------------------------------------- rules 2–5


def _b_rowsum(rule: Rule, data: ReportData) -> Iterator[Result]:
    for row in TABLE_B.figure_rows():
        yield _sum_rule(
            rule, data, f"B.{row.key}.total", [f"B.{row.key}.{c}" for c in B_APPLICANTS],
            f"表三「{row.label}」行", "六类申请人之和",
        )


def _b_colsum(rule: Rule, data: ReportData) -> Iterator[Result]:
    for column in TABLE_B.columns:
        yield _sum_rule(
            rule, data, f"B.total.{column.key}", [f"B.{r}.{column.key}" for r in B_RESULT_ROWS],
            f"表三「{column.label}」列", "各项办理结果之和",
        )


def _b_balance(rule: Rule, data: ReportData) -> Iterator[Result]:
    for column in TABLE_B.columns:
        c = column.key
        keys = [f"B.new.{c}", f"B.carried_over.{c}", f"B.total.{c}", f"B.carried_forward.{c}"]
        where = f"表三「{column.label}」列"
        unknown = [k for k in keys if data.number(k) is None]
        if unknown:
            yield rule.result(UNCERTAIN, f"{where}：{'、'.join(TABLE_B.row(k.split('.')[1]).label for k in unknown)} 无法确定，本项无法核对",
                              where=where, cells=tuple(unknown))
            continue
        new, carried, total, forward = (data.number(k) for k in keys)
        left, right = new + carried, total + forward  # type: ignore[operator]
        status = PASSED if left == right else FAILED
        yield rule.result(
            status,
            f"{where}：本年新收 {fmt(new)} + 上年结转 {fmt(carried)} = {fmt(left)}，"
            f"办理结果总计 {fmt(total)} + 结转下年度 {fmt(forward)} = {fmt(right)}"
            + ("" if status == PASSED else "，两者应相等"),
            where=where, cells=tuple(keys), observed=right, expected=left,
        )


def _c_total(rule: Rule, data: ReportData) -> Iterator[Result]:
    for group, labels in C_GROUPS:
        yield _sum_rule(
            rule, data, f"C.cases.{group}_total",
            [f"C.cases.{group}_{k}" for k in ("upheld", "corrected", "other", "pending")],
            f"表四「{'·'.join(labels)}」", "结果维持、结果纠正、其他结果、尚未审结之和",
        )


# ---------------------------------------------------------------- rule 7


#: What a clause of the narrative counts, tried in order: (name, pattern, the cells it may equal).
NARRATIVE_FIGURES: tuple[tuple[str, re.Pattern[str], tuple[tuple[str, ...], ...]], ...] = (
    ("结转下年度", re.compile(r"结转(?:到|至)?(?:下一?年|\d{4}年)"), (("B.carried_forward.total",),)),
    ("上年结转", re.compile(r"上一?年度?结转|结转上年|上年度?未办结"), (("B.carried_over.total",),)),
    ("办结", re.compile(r"办结|办理完成|完成办理|已答复|答复完毕"), (("B.total.total",),)),
    # "收到申请75件" may count 本年新收 alone or with 上年结转 (a real report did the latter).
    ("收到申请", re.compile(r"(?:收到|新收|受理|接收).*申请|申请.*(?:收到|新收|受理)"),
     (("B.new.total",), ("B.new.total", "B.carried_over.total"))),
)
_COUNT = re.compile(r"(\d[\d,，]*)\s*(?:件|个|次|宗)")
_CLAUSE = re.compile(r"[^，,。；;！!？?\n]+")
_NO_FEE = re.compile(r"未(?:向申请人)?收取(?:任何)?信息处理费|不收取信息处理费|信息处理费(?:为)?(?:0|零)元?")


def _narrative(rule: Rule, data: ReportData, texts: Mapping[str, str]) -> Iterator[Result]:
    found = False
    for key in NARRATIVE_KEYS:
        text = texts.get(key, "")
        for clause in _CLAUSE.findall(text):
            result = _narrative_clause(rule, data, key, clause.strip())
            if result:
                found = True
                yield result
        if _NO_FEE.search(text):
            found = True
            collected = data.number("F.fee.collected")
            sentence = _sentence(text, _NO_FEE)
            status = PASSED if collected == 0 else UNCERTAIN if collected is None else FAILED
            yield rule.result(
                status,
                f"叙述“{sentence}”与信息处理费实际收取金额 {fmt(collected)} 元"
                + ("相符" if status == PASSED else "不符" if status == FAILED else "无法核对"),
                where=f"叙述 {key}", cells=("F.fee.collected",), observed=collected, expected=0,
            )
    if not found:
        yield rule.result(SKIPPED, "叙述中没有直接写出表中的数字（占位符由表格数据填入，必然一致）")


def _narrative_clause(rule: Rule, data: ReportData, key: str, clause: str) -> Result | None:
    count = _COUNT.search(clause)
    if not count:
        return None
    stated = int(re.sub(r"[,，]", "", count.group(1)))
    for name, pattern, readings in NARRATIVE_FIGURES:
        if not pattern.search(clause):
            continue
        values = []
        for cells in readings:
            numbers = [data.number(c) for c in cells]
            if None in numbers:
                return rule.result(UNCERTAIN, f"叙述“{clause}”所述{name}无法与表格核对：表中相应格无法确定",
                                   where=f"叙述 {key}", cells=cells, observed=stated)
            values.append((sum(numbers), cells))  # type: ignore[arg-type]
        match = next((cells for total, cells in values if total == stated), None)
        expected = values[0][0]
        if match:
            return rule.result(PASSED, f"叙述“{clause}”与表三相符（{name} {fmt(stated)}）",
                               where=f"叙述 {key}", cells=match, observed=stated, expected=stated)
        return rule.result(
            FAILED,
            f"叙述“{clause}”写{name} {fmt(stated)} 件，而表三为 {fmt(expected)} 件（{describe(values[0][1][0])}）",
            where=f"叙述 {key}", cells=values[0][1], observed=stated, expected=expected,
        )
    return None


def _sentence(text: str, pattern: re.Pattern[str]) -> str:
    for sentence in re.split(r"(?<=[。；！？\n])", text):
        if pattern.search(sentence):
            return sentence.strip()
    return ""


# ---------------------------------------------------------------- the catalogue


RULES: tuple[Rule, ...] = (
    Rule("V-VALUE", "数字为非负数，件数为整数", ERROR, "", lambda d: _values(RULES[0], d)),
    Rule("B-ROWSUM", "表三每行：总计等于六类申请人之和", ERROR, "B", lambda d: _b_rowsum(RULES[1], d)),
    Rule("B-COLSUM", "表三每列：（七）总计等于各项办理结果之和", ERROR, "B", lambda d: _b_colsum(RULES[2], d)),
    Rule("B-BALANCE", "表三每列：第一项加第二项之和等于第三项加第四项之和", ERROR, "B", lambda d: _b_balance(RULES[3], d)),
    Rule("C-TOTAL", "表四每组：总计等于维持、纠正、其他、尚未审结之和", ERROR, "C", lambda d: _c_total(RULES[4], d)),
    Rule("N-FIGURES", "叙述中的数字与表格一致", ERROR, "", lambda d: ()),  # needs the filled narrative: see run()
)
RULES_BY_ID = {r.id: r for r in RULES}


def run(data: ReportData, narrative: Mapping[str, str] | None = None) -> list[Result]:
    """Every rule on one report. ``narrative`` is the text as the reader sees it (placeholders filled)."""
    results: list[Result] = []
    for rule in RULES:
        try:
            if rule.id == "N-FIGURES":
                results.extend(_narrative(rule, data, narrative if narrative is not None else data.narrative))
            else:
                results.extend(rule.check(data))
        except Exception as exc:  # a crashing rule is a failed result, never a crashed report
            results.append(rule.result(FAILED, f"校验规则执行出错：{type(exc).__name__}: {exc}"))
    return results


def summary(results: Iterable[Result]) -> dict[str, int]:
    results = list(results)
    return {
        "errors": sum(r.is_error for r in results),
        "warnings": sum(r.is_warning for r in results),
        "uncertain": sum(r.status == UNCERTAIN for r in results),
        "passed": sum(r.passed for r in results),
        "skipped": sum(r.status == SKIPPED for r in results),
    }


def status_line(results: Iterable[Result]) -> str:
    """The one line at the top of the report: 校验通过, or the counts of what is open."""
    s = summary(results)
    if not (s["errors"] or s["warnings"] or s["uncertain"]):
        return "校验通过"
    parts = [f"{s['errors']} 项错误", f"{s['warnings']} 项警告"]
    if s["uncertain"]:
        parts.append(f"{s['uncertain']} 项无法判定")
    return "校验：" + "，".join(parts)


def frame(results: Iterable[Result]) -> pd.DataFrame:
    """The results as a tidy table (one row a result), for display and for saving."""
    rows = [asdict(r) | {"cells": " ".join(r.cells)} for r in results]
    columns = [f.name for f in Result.__dataclass_fields__.values()]
    return pd.DataFrame(rows, columns=columns)


def marks(results: Iterable[Result]) -> dict[str, set[str]]:
    """Cell key → marks for the rendered tables: ``flag`` where an error or warning rests."""
    out: dict[str, set[str]] = {}
    for r in results:
        if r.status == FAILED and r.severity in (ERROR, WARNING):
            for key in r.cells:
                out.setdefault(key, set()).add("flag")
    return out
