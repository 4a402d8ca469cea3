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

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING

from ..model import ReportData

# Each rule module registers its rules when imported.
from . import fees, stated, structure, sums, values, years  # noqa: E402, F401
from .core import (  # the vocabulary, re-exported: checks.Result, checks.FAILED …
    ACCEPTED,
    CHANGE_FLOOR,
    CHANGE_RATIO,
    COPY_THRESHOLD,
    ERROR,
    FAILED,
    INFO,
    PASSED,
    RULES,
    SEVERITY_NAMES,
    SKIPPED,
    STATUS_NAMES,
    UNCERTAIN,
    WARNING,
    Context,
    Result,
    Rule,
    fmt,
    label,
    rule,
)
from .packs import Pack, catalogue

if TYPE_CHECKING:  # pandas only where results become a table: checking (and reading rule packs) needs none
    import pandas as pd

#: The catalogue's order: the format's rules by their number (①–⑩), then the report-level checks.
#: Rules run, and their results are listed, in this order.
CATALOGUE = (
    "V-VALUE", "B-ROWSUM", "B-COLSUM", "B-BALANCE", "C-TOTAL", "X-CARRY", "N-FIGURES", "X-STOCK", "F-FEES", "X-CHANGE",
    "V-BLANK", "F-TEXT", "F-SILENT", "R-PARTS", "R-NUMBERS", "R-PROBLEMS", "R-IMPROVE", "N-YEAR", "N-COPY",
)
RULES.sort(key=lambda r: CATALOGUE.index(r.id))
RULES_BY_ID = {r.id: r for r in RULES}



def run(
    data: ReportData,
    narrative: Mapping[str, str] | None = None,
    previous: ReportData | None = None,
    previous_narrative: Mapping[str, str] | None = None,
    previous_problem: str = "",
    packs: Sequence[Pack] = (),
) -> list[Result]:
    """Every rule on one report: the format's, with the changes and the rules of ``packs``.

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
    for r, disabled in catalogue(RULES, packs, data.year):
        if disabled:
            results.append(r.skipped(f"规则包“{disabled.pack}”不检查本项：{disabled.why}", pack=disabled.pack))
            continue
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


def document(results: list[Result], agency: str, year: int, **extra: object) -> dict:
    """One agency-year's results as saved (``checks.json``) and printed (``nianbao check --format json``).

    The one serialisation of results: ``extra`` (the agency's name, say) goes after the year.
    """
    return {"agency": agency, "year": year, **extra, "status": status_line(results), "summary": summary(results),
            "results": records(results)}


def records(results: Iterable[Result]) -> list[dict]:
    """The results as JSON records: every field of :class:`Result`, the cells space-separated."""
    return json.loads(frame(results).to_json(orient="records", force_ascii=False))


def frame(results: Iterable[Result]) -> pd.DataFrame:
    """The results as a tidy table (one row a result), for display and for saving."""
    import pandas as pd

    rows = [asdict(r) | {"cells": " ".join(r.cells)} for r in results]
    columns = [f.name for f in Result.__dataclass_fields__.values()]
    return pd.DataFrame(rows, columns=columns)


def per_rule(results: Iterable[Result]) -> pd.DataFrame:
    """A count per rule of the catalogue, then per rule of the packs that ran: passed, failed,
    undecided, skipped, explained. A built-in rule a pack switched off or re-graded says so.
    """
    from collections import Counter

    import pandas as pd

    results = list(results)
    national = {r.id for r in RULES}
    added = {r.rule: f"{r.title}〔{r.pack}〕" for r in results if r.rule not in national}  # in the packs' order
    changed = {r.rule: f"〔{r.pack}：{'不检查' if r.status == SKIPPED else SEVERITY_NAMES[r.severity]}〕"
               for r in results if r.rule in national and r.pack}
    counts = Counter((r.rule, r.status) for r in results)
    columns = {"通过": PASSED, "未通过": FAILED, "无法判定": UNCERTAIN, "跳过": SKIPPED, "已说明": ACCEPTED}
    rows = [{"规则": rule_id, "内容": title, **{name: counts[rule_id, status] for name, status in columns.items()}}
            for rule_id, title in [*((r.id, r.title + changed.get(r.id, "")) for r in RULES), *added.items()]]
    return pd.DataFrame(rows)


def marks(results: Iterable[Result]) -> dict[str, set[str]]:
    """Cell key → marks for the rendered tables: ``flag`` on the cell an open error or warning is
    about (a disagreeing total, say — not every cell that adds up to it), ``accepted`` where a
    reviewer explained it.
    """
    out: dict[str, set[str]] = {}
    for r in results:
        mark = "flag" if r.status == FAILED and r.severity in (ERROR, WARNING) else "accepted" if r.status == ACCEPTED else ""
        if mark and r.cells:
            out.setdefault(r.cells[0], set()).add(mark)
    return out


__all__ = [
    "ACCEPTED", "CATALOGUE", "CHANGE_FLOOR", "CHANGE_RATIO", "COPY_THRESHOLD", "ERROR", "FAILED", "INFO", "PASSED",
    "RULES", "RULES_BY_ID", "SEVERITY_NAMES", "SKIPPED", "STATUS_NAMES", "UNCERTAIN", "WARNING", "Context", "Result",
    "Pack", "Rule", "document", "figures", "fmt", "frame", "records", "label", "marks", "per_rule", "rule", "run", "status_line",
    "summary",
]
