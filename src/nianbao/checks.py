"""The format's consistency rules (勾稽关系) and report-level checks, as data.

Each rule reads a :class:`Context` (the report, its narrative as the reader sees it, and the
agency's previous year when there is one) and yields :class:`Result` records — never raising:

- ``passed`` / ``failed``: the rule holds or does not;
- ``uncertain``: an input is not a figure (text, or a value nobody could place), so the rule can
  neither pass nor fail; the cells are named;
- ``skipped``: the rule has nothing to read (no previous year, no figure in the narrative), with why;
- ``accepted``: a reviewer explained the finding (see :class:`Review`) and the figures it rests on
  have not changed since.

Blank cells and dashes ("/", "—") are kept apart from 0 everywhere a reader looks. In arithmetic
they count as 0, as the format's readers count them, and every result that did so says so; the
info rule ``V-BLANK`` lists them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field, replace

import pandas as pd

from .format import (
    B_APPLICANTS,
    B_RESULT_ROWS,
    C_GROUPS,
    NARRATIVE_KEYS,
    PARTS,
    TABLE_A,
    TABLE_B,
    TABLE_NAMES,
    TABLES,
    cell_key,
    column_of,
    describe,
)
from .model import ReportData, Value, is_empty, is_figure, is_unknown, number

ERROR, WARNING, INFO = "error", "warning", "info"
PASSED, FAILED, UNCERTAIN, SKIPPED, ACCEPTED = "passed", "failed", "uncertain", "skipped", "accepted"
SEVERITY_NAMES = {ERROR: "错误", WARNING: "警告", INFO: "提示"}
STATUS_NAMES = {PASSED: "通过", FAILED: "未通过", UNCERTAIN: "无法判定", SKIPPED: "跳过", ACCEPTED: "已说明"}

#: Large change from last year (rule 10): more than this share up or down …
CHANGE_RATIO = 0.5
#: … and at least this much in absolute terms (counts; fees in 万元).
CHANGE_FLOOR = {"count": 10, "amount": 1.0}
#: Narrative copied from last year's report: share of this year's 5-character runs found in last year's.
COPY_THRESHOLD = 0.8


def label(status: str, severity: str) -> str:
    """A finding's tag as reports print it: the severity of a failure (错误, 警告), else the status."""
    return SEVERITY_NAMES[severity] if status == FAILED else STATUS_NAMES[status]


@dataclass(frozen=True)
class Result:
    rule: str  # stable id, e.g. "B-ROWSUM"
    title: str  # the rule in Chinese
    severity: str  # error / warning / info
    status: str  # passed / failed / uncertain / skipped / accepted
    message: str  # Chinese: observed against expected, and where
    where: str = ""  # the place, in the labels the report prints
    cells: tuple[str, ...] = ()  # the cell keys the result rests on, the offending one first
    observed: object = None
    expected: object = None
    table: str = ""  # the table the result belongs to ("" for the narrative and the report)
    note: str = ""  # a reviewer's explanation, when there is one

    @property
    def passed(self) -> bool:
        return self.status == PASSED

    @property
    def is_error(self) -> bool:
        return self.status == FAILED and self.severity == ERROR

    @property
    def is_warning(self) -> bool:
        return self.status == FAILED and self.severity == WARNING

    @property
    def is_open(self) -> bool:
        """What a reviewer still has to look at: a failed error or warning, or an uncertain result."""
        return self.status == UNCERTAIN or (self.status == FAILED and self.severity != INFO)

    @property
    def label(self) -> str:
        return label(self.status, self.severity)

    @property
    def key(self) -> str:
        """How a reviewer's decision names this result: rule id and the cell (or place) it is about."""
        return f"{self.rule}@{self.cells[0] if self.cells else self.where}"


@dataclass(frozen=True)
class Context:
    """What the rules read: one report, its narrative as shown, and the agency's previous year."""

    data: ReportData
    texts: Mapping[str, str]
    previous: ReportData | None = None
    previous_texts: Mapping[str, str] = field(default_factory=dict)

    @functools.cached_property
    def numbers(self) -> dict[str, int | float | None]:
        """Every cell's value for arithmetic (blank and dashes as 0, unknown as None), worked out once."""
        return {k: number(v) for k, v in self.data.cells.items()}

    def number(self, key: str) -> int | float | None:
        return self.numbers[key]


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    severity: str
    table: str
    spec: int  # the rule's number in the format's list of rules (0 for report-level checks)
    check: Callable[[Rule, Context], Iterable[Result]] = field(repr=False)
    needs_previous: bool = False  # reads the agency's previous year; skipped without it

    def result(self, status: str, message: str, **kw: object) -> Result:
        kw.setdefault("table", self.table)
        return Result(self.id, self.title, self.severity, status, message, **kw)  # type: ignore[arg-type]

    def skipped(self, why: str, **kw: object) -> Result:
        return self.result(SKIPPED, why, **kw)


RULES: list[Rule] = []


def rule(id: str, title: str, severity: str, table: str = "", spec: int = 0, needs_previous: bool = False):
    """Register a rule function ``f(rule, context) -> Iterable[Result]`` in the catalogue."""

    def register(check: Callable[[Rule, Context], Iterable[Result]]):
        RULES.append(Rule(id, title, severity, table, spec, check, needs_previous))
        return check

    return register


def fmt(value: object) -> str:
    if value is None:
        return "空白"
    if isinstance(value, float):
        return f"{value:.6g}" if abs(value) < 1e6 else f"{value:.2f}"
    return str(value)


def _label(key: str, other: str) -> str:
    """A cell's short name beside another: its column label on the same row, else its row label."""
    table, row, _ = key.split(".")
    if row == other.split(".")[1]:
        return column_of(key).label
    return TABLES[table].row(row).label


def _blank_note(data: ReportData, keys: Iterable[str]) -> str:
    blanks = [k for k in keys if is_empty(data.cells[k])]
    return f"（其中 {len(blanks)} 格空白，按 0 计）" if blanks else ""


def _addresses(data: ReportData, keys: Iterable[str]) -> str:
    """The workbook addresses of the cells (for data read from Excel), for a reader to find them."""
    places = [data.places[k] for k in keys if k in data.places]
    return f"〔单元格 {'、'.join(places)}〕" if places else ""


def _sum_result(r: Rule, c: Context, total: str, parts: list[str], where: str, what: str) -> Result:
    """``total`` equals the sum of ``parts``: one result, uncertain when an input is not a figure."""
    keys = [total, *parts]
    data, n = c.data, c.numbers
    unknown = [k for k in keys if n[k] is None]
    if unknown:
        names = "、".join(_label(k, parts[0]) for k in unknown)
        return r.result(UNCERTAIN, f"{where}：{names} 无法确定或不是数字，本项无法核对{_addresses(data, unknown)}",
                        where=where, cells=tuple(unknown))
    observed = n[total]
    expected = sum(n[k] for k in parts)  # type: ignore[misc]
    note = _blank_note(data, keys)
    if observed != expected:
        note += _addresses(data, keys)
    if observed == expected:
        return r.result(PASSED, f"{where}：{what}相符（{fmt(observed)}）{note}", where=where, cells=tuple(keys),
                        observed=observed, expected=expected)
    terms = " + ".join(f"{_label(k, total)} {fmt(n[k])}" for k in parts if n[k])
    return r.result(
        FAILED,
        f"{where}：{_label(total, parts[0])}为 {fmt(observed)}，而{what}为 {fmt(expected)}"
        + (f"（{terms}）" if terms else "") + note,
        where=where, cells=tuple(keys), observed=observed, expected=expected,
    )


# ---------------------------------------------------------------- rule 1: values


@rule("V-VALUE", "数字为非负数，件数为整数", ERROR, spec=1)
def _values(r: Rule, c: Context) -> Iterator[Result]:
    bad = False
    for table in TABLES.values():
        unknown = []
        for row, column in table.cells():
            key = cell_key(table.key, row.key, column.key)
            problem = _value_problem(c.data.cells[key], column.kind)
            if problem == "unknown":
                unknown.append(key)
            elif problem:
                bad = True
                yield r.result(FAILED, f"{describe(key)}：{problem}", where=describe(key), cells=(key,),
                               observed=c.data.cells[key], expected="非负数", table=table.key)
        if unknown:
            why = c.data.provenance.get(unknown[0], "")
            yield r.result(
                UNCERTAIN,
                f"{TABLE_NAMES[table.key]}有 {len(unknown)} 格无法确定（{'、'.join(describe(k) for k in unknown[:3])}"
                f"{' 等' if len(unknown) > 3 else ''}）" + (f"：{why}" if why else "") + "；涉及这些格的校验无法判定",
                where=TABLE_NAMES[table.key], cells=tuple(unknown), table=table.key,
            )
    if not bad:
        yield r.result(PASSED, "各项数字均为非负数，件数均为整数")


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


@rule("V-BLANK", "空白格（格式要求无数据填 0）", INFO)
def _blanks(r: Rule, c: Context) -> Iterator[Result]:
    for table in TABLES.values():
        blank = [cell_key(table.key, row.key, col.key) for row, col in table.cells()
                 if is_empty(c.data.cells[cell_key(table.key, row.key, col.key)])]
        if blank and not (table.key == "A" and all(k.startswith("A.rules.") for k in blank)):
            yield r.result(FAILED, f"{TABLE_NAMES[table.key]}有 {len(blank)} 格空白或为横线；勾稽核对中按 0 计",
                           where=TABLE_NAMES[table.key], cells=tuple(blank), table=table.key)


# ---------------------------------------------------------------- rules 2–5: within the tables


@rule("B-ROWSUM", "表三每行：总计等于六类申请人之和", ERROR, "B", spec=2)
def _b_rowsum(r: Rule, c: Context) -> Iterator[Result]:
    for row in TABLE_B.figure_rows():
        yield _sum_result(r, c, f"B.{row.key}.total", [f"B.{row.key}.{k}" for k in B_APPLICANTS],
                          f"表三「{row.label}」行", "六类申请人之和")


@rule("B-COLSUM", "表三每列：（七）总计等于各项办理结果之和", ERROR, "B", spec=3)
def _b_colsum(r: Rule, c: Context) -> Iterator[Result]:
    for column in TABLE_B.columns:
        yield _sum_result(r, c, f"B.total.{column.key}", [f"B.{row}.{column.key}" for row in B_RESULT_ROWS],
                          f"表三「{column.label}」列", "各项办理结果之和")


@rule("B-BALANCE", "表三每列：第一项加第二项之和等于第三项加第四项之和", ERROR, "B", spec=4)
def _b_balance(r: Rule, c: Context) -> Iterator[Result]:
    for column in TABLE_B.columns:
        keys = [f"B.{row}.{column.key}" for row in ("new", "carried_over", "total", "carried_forward")]
        where = f"表三「{column.label}」列"
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


@rule("C-TOTAL", "表四每组：总计等于维持、纠正、其他、尚未审结之和", ERROR, "C", spec=5)
def _c_total(r: Rule, c: Context) -> Iterator[Result]:
    for group, labels in C_GROUPS:
        yield _sum_result(r, c, f"C.cases.{group}_total",
                          [f"C.cases.{group}_{k}" for k in ("upheld", "corrected", "other", "pending")],
                          f"表四「{'·'.join(labels)}」", "结果维持、结果纠正、其他结果、尚未审结之和")


# ---------------------------------------------------------------- rules 6, 8, 10: across years


@rule("X-CARRY", "本年“上年结转”等于上年“结转下年度继续办理”", ERROR, "B", spec=6, needs_previous=True)
def _x_carry(r: Rule, c: Context) -> Iterator[Result]:
    assert c.previous is not None
    for column in TABLE_B.columns:
        now, then = f"B.carried_over.{column.key}", f"B.carried_forward.{column.key}"
        where = f"表三「二、上年结转」行「{column.label}」列"
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
    for row in ("rules", "normative"):
        keys = [f"A.{row}.{k}" for k in ("in_force", "issued", "repealed")]
        label = TABLE_A.row(row).label
        where = f"表二「{label}」行"
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


# ---------------------------------------------------------------- rule 7: the narrative


#: What a clause of the narrative counts, tried in order: (name, pattern, the sums it may equal).
NARRATIVE_FIGURES: tuple[tuple[str, re.Pattern[str], tuple[tuple[str, ...], ...]], ...] = (
    ("结转下年度", re.compile(r"结转(?:到|至)?(?:下一?年|\d{4}年)|转入下一?年"), (("B.carried_forward.total",),)),
    ("上年结转", re.compile(r"上一?年度?结转|结转上年|上年度?未办结"), (("B.carried_over.total",),)),
    ("办结", re.compile(r"办结|办理完成|完成办理|已答复|答复完毕|全部办理"), (("B.total.total",),)),
    # "收到申请75件" may count 本年新收 alone or with 上年结转 (a real report did the latter).
    ("收到申请", re.compile(r"(?:收到|新收|受理|接收|共有).*申请|申请.*(?:收到|新收|受理)"),
     (("B.new.total",), ("B.new.total", "B.carried_over.total"))),
)
_COUNT = re.compile(r"(\d[\d,，]*)\s*(?:件|个|次|宗|条)")
_CLAUSE = re.compile(r"[^，,。；;！!？?\n]+")


@rule("N-FIGURES", "叙述中的数字与表格一致", ERROR, spec=7)
def _narrative(r: Rule, c: Context) -> Iterator[Result]:
    found = False
    for key in NARRATIVE_KEYS:
        for clause in _CLAUSE.findall(c.texts.get(key, "")):
            result = _narrative_clause(r, c.data, key, clause.strip())
            if result:
                found = True
                yield result
    if not found:
        yield r.skipped("叙述中没有直接写出表三的数字（占位符由表格数据填入，必然一致）")


def _narrative_clause(r: Rule, data: ReportData, key: str, clause: str) -> Result | None:
    count = _COUNT.search(clause)
    if not count or "申请" not in clause and not re.search(r"结转|办结|办理", clause):
        return None
    stated = int(re.sub(r"[,，]", "", count.group(1)))
    for name, pattern, readings in NARRATIVE_FIGURES:
        if not pattern.search(clause):
            continue
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


# ---------------------------------------------------------------- rule 9 and part 六: fees


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


_NO_FEE = re.compile(r"未(?:向申请人)?收取(?:任何)?(?:政府信息公开)?信息处理费|不收取(?:政府信息公开)?信息处理费|"
                     r"信息处理费(?:为|均为)?(?:0|零)元?|没有收取(?:政府信息公开)?信息处理费")
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
        keys = ("F.fee.notices", "F.fee.notice_amount", "F.fee.collected")
        if all(is_empty(c.data.cells[k]) for k in keys):
            absent = r.result(FAILED, "第六部分既没有说明信息处理费情况，也没有填写信息处理费数字", where="第六部分", cells=keys)
            yield replace(absent, severity=WARNING)
        else:
            yield r.skipped("第六部分的叙述未单独说明信息处理费，以表中数字为准", where="第六部分")


def _sentence(text: str, pattern: re.Pattern[str]) -> str:
    for sentence in re.split(r"(?<=[。；！？\n])", text):
        if pattern.search(sentence):
            return sentence.strip()
    return ""


# ---------------------------------------------------------------- report level


@rule("R-PARTS", "六个部分齐全，标题与顺序符合格式", ERROR)
def _r_parts(r: Rule, c: Context) -> Iterator[Result]:
    if not c.data.headings:
        yield r.result(PASSED, "报告按格式生成，六个部分齐全、顺序正确")
        return
    yield from _published_headings(r, list(c.data.headings))


def _norm(text: str) -> str:
    import unicodedata

    return re.sub(r"[\s、.．:：]", "", unicodedata.normalize("NFKC", text))


def _published_headings(r: Rule, headings: list[str]) -> Iterator[Result]:
    titles = [_norm(p.title) for p in PARTS]
    found = []
    for heading in headings:
        match = re.match(r"^\s*([一二三四五六七八九十]*)\s*[、.．]?\s*(.*)$", heading)
        number, title = match.group(1), _norm(match.group(2))  # type: ignore[union-attr]
        index = next((i for i, t in enumerate(titles) if t in title or title in t and title), None)
        if index is not None:
            found.append((index, number, heading.strip()))
    indices = [i for i, *_ in found]
    missing = [PARTS[i].heading for i in range(len(PARTS)) if i not in indices]
    if missing:
        yield r.result(FAILED, f"缺少第{'、'.join(m.split('、')[0] for m in missing)}部分：{'；'.join(missing)}",
                       where="报告结构", observed=len(set(indices)), expected=len(PARTS))
    if indices != sorted(indices):
        yield r.result(FAILED, "六个部分的顺序与格式不符：" + " → ".join(h for *_, h in found), where="报告结构")
    for index, number, heading in found:
        if number != PARTS[index].number:
            shown = f"“{number}”" if number else "没有编号"
            yield replace(r.result(FAILED, f"标题“{heading}”{shown}，应为“{PARTS[index].heading}”", where="报告结构"),
                          severity=WARNING)
    if not missing and indices == sorted(indices):
        yield r.result(PASSED, "六个部分齐全，顺序正确", where="报告结构")


@rule("R-PROBLEMS", "第五部分（存在的主要问题及改进情况）不为空", ERROR)
def _r_problems(r: Rule, c: Context) -> Iterator[Result]:
    texts = {k: c.texts.get(k, "").strip() for k in ("problems.problems", "problems.improvements")}
    if not any(texts.values()):
        yield r.result(FAILED, "第五部分没有内容：应写明存在的主要问题和改进情况", where="第五部分")
    elif not all(texts.values()):
        empty = "存在的主要问题" if not texts["problems.problems"] else "改进情况"
        yield replace(r.result(FAILED, f"第五部分缺少“{empty}”", where="第五部分"), severity=WARNING)
    else:
        yield r.result(PASSED, "第五部分写明了问题和改进情况", where="第五部分")


_PERIOD = re.compile(r"(\d{4})\s*年\s*1\s*月\s*1\s*日\s*(?:起)?\s*(?:至|到|—|-|－|~)\s*(\d{4})\s*年\s*12\s*月\s*31\s*日")
_REPORT_YEAR = re.compile(r"(\d{4})\s*年度?政府信息公开工作(?:年度)?报告")


@rule("N-YEAR", "叙述中的统计年度与报告年度一致", WARNING)
def _n_year(r: Rule, c: Context) -> Iterator[Result]:
    found = False
    for key in NARRATIVE_KEYS:
        text = c.texts.get(key, "")
        for pattern, what in ((_PERIOD, "统计期限"), (_REPORT_YEAR, "报告年度")):
            for match in pattern.finditer(text):
                found = True
                years = {int(y) for y in match.groups()}
                ok = years == {c.data.year}
                yield r.result(
                    PASSED if ok else FAILED,
                    f"叙述“{match.group(0)}”：{what}" + ("与报告年度相符" if ok else
                                                       f"写的是 {'、'.join(map(str, sorted(years)))} 年，而报告年度是 {c.data.year} 年"),
                    where=f"叙述 {key}", observed=sorted(years), expected=c.data.year,
                )
    if not found:
        yield r.skipped("叙述中没有写明统计期限或报告年度")


def _shingles(text: str, n: int = 5) -> set[str]:
    text = re.sub(r"[\s\d]+", "", text)
    return {text[i : i + n] for i in range(max(len(text) - n + 1, 0))}


@rule("N-COPY", "叙述不是照抄上年报告", WARNING, needs_previous=True)
def _n_copy(r: Rule, c: Context) -> Iterator[Result]:
    keys = [k for k in NARRATIVE_KEYS if k.startswith(("overview.", "problems."))]
    now = _shingles("".join(c.texts.get(k, "") for k in keys))
    then = _shingles("".join(c.previous_texts.get(k, "") for k in keys))
    if len(now) < 50:
        yield r.skipped("第一、五部分的叙述太短，无法比较")
        return
    share = len(now & then) / len(now)
    copied = share >= COPY_THRESHOLD
    yield r.result(
        FAILED if copied else PASSED,
        f"第一、五部分的叙述与 {c.data.year - 1} 年报告重合 {share:.0%}（阈值 {COPY_THRESHOLD:.0%}）"
        + ("，疑似照抄上年报告" if copied else ""),
        where="第一、五部分", observed=round(share, 3), expected=COPY_THRESHOLD,
    )


RULES.sort(key=lambda x: (x.spec == 0, x.spec))
RULES_BY_ID = {r.id: r for r in RULES}


# ---------------------------------------------------------------- running and reviewing


def run(
    data: ReportData,
    narrative: Mapping[str, str] | None = None,
    previous: ReportData | None = None,
    previous_narrative: Mapping[str, str] | None = None,
    previous_problem: str = "",
) -> list[Result]:
    """Every rule on one report.

    ``narrative`` is the text as the reader sees it (placeholders filled; default: as stored);
    ``previous`` is the agency's report for the year before, when there is one; ``previous_problem``
    says why there is none when its data could not be read.
    """
    context = Context(
        data,
        narrative if narrative is not None else data.narrative,
        previous,
        previous_narrative if previous_narrative is not None else (previous.narrative if previous else {}),
    )
    results: list[Result] = []
    for r in RULES:
        if r.needs_previous and previous is None:
            why = f"上一年度（{data.year - 1} 年）的数据无法读取" if previous_problem else f"没有上一年度（{data.year - 1} 年）的数据"
            results.append(r.skipped(f"{why}，本项跳过（不视为通过）"))
            continue
        try:
            results.extend(r.check(r, context))
        except Exception as exc:  # a crashing rule is a failed result, never a crashed report
            results.append(r.result(FAILED, f"校验规则执行出错：{type(exc).__name__}: {exc}"))
    return results


def figures(result: Result, data: ReportData) -> dict[str, object]:
    """What a finding rests on: its cells' values, and the figure it observed (a narrative's, say)."""
    out: dict[str, object] = {k: data.cells[k] for k in result.cells}
    out["observed"] = result.observed if not isinstance(result.observed, list) else list(result.observed)
    return out


def summary(results: Iterable[Result]) -> dict[str, int]:
    results = list(results)
    return {
        "errors": sum(r.is_error for r in results),
        "warnings": sum(r.is_warning for r in results),
        "uncertain": sum(r.status == UNCERTAIN for r in results),
        "accepted": sum(r.status == ACCEPTED for r in results),
        "passed": sum(r.passed for r in results),
        "skipped": sum(r.status == SKIPPED for r in results),
    }


def status_line(results: Iterable[Result]) -> str:
    """The one line at the top of the report: 校验通过, or the counts of what is open."""
    s = summary(results)
    accepted = f"，{s['accepted']} 项已说明" if s["accepted"] else ""
    if not (s["errors"] or s["warnings"] or s["uncertain"]):
        return "校验通过" + (f"（{s['accepted']} 项已说明）" if s["accepted"] else "")
    parts = [f"{s['errors']} 项错误", f"{s['warnings']} 项警告"]
    if s["uncertain"]:
        parts.append(f"{s['uncertain']} 项无法判定")
    return "校验：" + "，".join(parts) + accepted


def frame(results: Iterable[Result]) -> pd.DataFrame:
    """The results as a tidy table (one row a result), for display and for saving."""
    rows = [asdict(r) | {"cells": " ".join(r.cells)} for r in results]
    columns = [f.name for f in Result.__dataclass_fields__.values()]
    return pd.DataFrame(rows, columns=columns)


def marks(results: Iterable[Result]) -> dict[str, set[str]]:
    """Cell key → marks for the rendered tables: ``flag`` on the cell an open error or warning is
    about (a disagreeing total, say — not every cell that adds up to it), ``accepted`` where a
    reviewer explained it."""
    out: dict[str, set[str]] = {}
    for r in results:
        mark = "flag" if r.status == FAILED and r.severity in (ERROR, WARNING) else "accepted" if r.status == ACCEPTED else ""
        if mark and r.cells:
            out.setdefault(r.cells[0], set()).add(mark)
    return out
