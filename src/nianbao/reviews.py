"""Reviewers' decisions: read from ``params/<year>/<agency>.reviews.yaml``, applied to check results,
and recorded by ``nianbao accept``.

A decision explains one finding (rule and cell) and keeps the figures it rested on; while they are
unchanged the finding shows as 已说明 with the reason, and once they change it opens again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import yaml

from . import characters, yamlfile
from .atomic import locked, write_text
from .checks import ACCEPTED, FAILED, UNCERTAIN, Result, figures
from .errors import DataError
from .model import ReportData, Review
from .params import Project

HEADER = "# 审核说明：已核实的校验结果。所依据的数字（figures）改变后说明自动失效。请用 nianbao accept 修改。\n"


def read(path: Path) -> list[Review]:
    """A reviewers' decisions file (``params/<year>/<agency>.reviews.yaml``); none when it is absent."""
    if not path.exists():  # a folder or a pipe there: refused when read
        return []
    raw = yamlfile.read(path) or []
    fix = "请用 nianbao accept 记录审核说明，不要手工改动文件的结构"
    if not isinstance(raw, list):
        raise DataError("审核说明文件应为列表，每项含 rule、cell、reason、figures", file=path, hint=fix)
    reviews = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or not {"rule", "cell", "reason", "figures"} <= set(item):
            raise DataError("每项审核说明都要有 rule、cell、reason、figures", file=path, key=f"[{i}]", hint=fix)
        for name, kinds in _REVIEW_FIELDS.items():
            if name in item and item[name] is not None and not isinstance(item[name], kinds):
                raise DataError(f"审核说明的 {name} 格式不对：这里是{yamlfile.kind_of(item[name])}", file=path,
                                key=f"[{i}].{name}", hint=fix)
        if not str(item["reason"]).strip():
            raise DataError("审核说明的理由 reason 不能为空", file=path, key=f"[{i}].reason")
        for name in ("reason", "by"):
            characters.check(str(item.get(name) or ""), one_line=name == "by", limit=_LIMITS[name], file=path,
                             key=f"[{i}].{name}")
        reviews.append(Review(str(item["rule"]), str(item["cell"]), str(item["reason"]).strip(), dict(item["figures"] or {}),
                              str(item.get("by") or ""), str(item.get("date") or "")))
    return reviews


_LIMITS = {"reason": 2000, "by": characters.MAX_LINE}  # characters
_REVIEW_FIELDS: dict[str, type | tuple[type, ...]] = {
    "rule": str, "cell": str, "reason": str, "figures": dict, "by": str, "date": (str, dt.date),
}


def load(project: Project, agency: str, year: int) -> list[Review]:
    """The agency-year's decisions, from ``params/<year>/<agency>.reviews.yaml``."""
    return read(project.reviews_file(agency, year))


def apply(results: list[Result], reviews: Iterable[Review], data: ReportData) -> list[Result]:
    """Explained findings become ``accepted`` with the reason — until their figures change."""
    by_key = {r.key: r for r in reviews}
    if not by_key:
        return results
    out = []
    for result in results:
        review = by_key.get(result.key)
        if review and result.status in (FAILED, UNCERTAIN):
            if dict(review.figures) == figures(result, data):
                result = replace(result, status=ACCEPTED, note=review.reason)
            else:
                result = replace(result, note=f"审核说明已失效：所依据的数字已变化（原说明：{review.reason}）")
        out.append(result)
    return out


def record(project: Project, result: Result, data: ReportData, reason: str, by: str = "") -> Path:
    """Record a reviewer's explanation of ``result`` (replacing an earlier one of the same finding)."""
    if not reason.strip():
        raise DataError("理由不能为空", hint="请用 --reason 写明核实的情况")
    characters.check(reason, limit=_LIMITS["reason"], key="--reason")
    characters.check(by, one_line=True, limit=_LIMITS["by"], key="--by")
    path = project.reviews_file(data.agency, data.year)
    rule, cell = result.key.split("@", 1)
    with locked(path):  # read, changed and written back in one turn: another accept's entry is not lost
        entries = [
            {"rule": r.rule, "cell": r.cell, "reason": r.reason, "by": r.by, "date": r.date, "figures": dict(r.figures)}
            for r in read(path) if r.key != result.key
        ]
        entries.append({"rule": rule, "cell": cell, "reason": reason.strip(), "by": by,
                        "date": dt.date.today().isoformat(), "figures": figures(result, data)})
        return write_text(path, HEADER + yaml.safe_dump(entries, allow_unicode=True, sort_keys=False))


__all__ = ["apply", "load", "read", "record"]
