"""The vocabulary of checks: severities and statuses, :class:`Result`, :class:`Context`, :class:`Rule`,
the catalogue :data:`RULES` and the :func:`rule` decorator, and the helpers the rules share.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from ..format import TABLES, column_of
from ..model import ReportData, is_empty, number

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
    hint: str = ""  # what to do about a finding (a rule pack's rules say it)
    pack: str = ""  # the rule pack the rule comes from ("" for the format's own rules)

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
    def advice(self) -> str:
        """The message as every reader is shown it: with what to do (a pack's hint) while it is open."""
        return f"{self.message}。{self.hint}" if self.hint and self.is_open else self.message

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
    hint: str = ""  # what to do when it fails (rule packs' rules)
    pack: str = ""  # the rule pack it comes from ("" for the format's own)

    def result(self, status: str, message: str, **kw: object) -> Result:
        kw.setdefault("table", self.table)
        kw.setdefault("hint", self.hint)
        kw.setdefault("pack", self.pack)
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
