"""An audit's results written out: the auditor's text (reports × rules, then each finding with its
evidence), JSON and CSV. The offline page is :mod:`nianbao.audit_page`.
"""

from __future__ import annotations

import json

import pandas as pd

from . import checks
from .audit import COLUMNS, NOTICE, Audit
from .characters import csv_text
from .format import aligned
from .importer import FORMATS


def to_csv(result: Audit) -> str:
    """The findings as CSV, then each unreadable file as a row with status ``unreadable``."""
    unreadable = pd.DataFrame(
        [{"report": f, "status": "unreadable", "message": reason} for f, reason in result.unreadable], columns=list(COLUMNS)
    )
    frames = [f for f in (result.violations, unreadable) if len(f)]
    table = pd.concat(frames, ignore_index=True) if frames else result.violations
    return csv_text(table)  # file names and agency names come from the files audited: never a formula


def to_json(result: Audit) -> str:
    payload = {
        "summary": _summary(result),
        "packs": [{"name": p.name, "notice": vars(p.notice), "file": str(p.file)} for p in result.packs],
        "reports": result.reports.to_dict(orient="records"),
        "violations": result.violations.to_dict(orient="records"),
        "unreadable": [{"file": f, "reason": reason} for f, reason in result.unreadable],
    }
    return json.dumps(payload, ensure_ascii=False, indent=1, default=_plain) + "\n"


def _plain(value: object) -> object:
    return value.item() if hasattr(value, "item") else str(value)  # numpy scalars from pandas


def _summary(result: Audit) -> dict[str, int]:
    r = result.reports
    return {"reports": len(r), "unreadable": len(result.unreadable), "errors": int(r["errors"].sum()),
            "warnings": int(r["warnings"].sum()), "uncertain": int(r["uncertain"].sum())}


def totals_line(result: Audit) -> str:
    """审计 N 份报告…：错误 …，警告 …，无法判定 …"""
    s = _summary(result)
    return (f"审计 {s['reports']} 份报告" + (f"，另有 {s['unreadable']} 份无法读取" if s["unreadable"] else "")
            + f"：错误 {s['errors']}，警告 {s['warnings']}，无法判定 {s['uncertain']}")


def packs_line(result: Audit) -> str:
    """另按规则包：… — the packs the audit applied, each with the notice it implements ("" for none)."""
    named = [f"{p.name}（{p.notice.issuer} {p.notice.date}《{p.notice.title}》）" for p in result.packs]
    return "另按规则包：" + "；".join(named) if named else ""


def rule_titles(result: Audit) -> dict[str, str]:
    """Every rule the audit ran, id → title: the format's, then the packs' in their order."""
    return {r.id: r.title for r in checks.RULES} | {r.id: f"{r.title}〔{p.name}〕" for p in result.packs for r in p.rules}


def to_text(result: Audit) -> str:
    """The auditor's table of reports × rules, the findings report by report, and the unreadable files."""
    lines = [totals_line(result), *filter(None, [packs_line(result)])]
    if len(result.reports):
        lines += ["", "报告 × 规则（数字为未通过的条数，?n 为无法判定的条数，空白为无问题）", *_matrix(result)]
    if len(result.violations):
        lines += ["", "问题明细"]
        for (report, agency, year), group in result.violations.groupby(["report", "agency", "year"], sort=False):
            lines.append(f"{report}（{agency} {year} 年）")
            for r in group.itertuples():
                lines.append(f"  [{checks.label(str(r.status), str(r.severity))}] {r.rule} {r.message}")
                if r.evidence and r.rule != NOTICE:
                    lines.append(f"      依据：{r.evidence!s}")
    if result.unreadable:
        lines += ["", "无法读取"] + [f"  {f}：{reason}" for f, reason in result.unreadable]
    return "\n".join(lines) + "\n"


def rules_found(result: Audit) -> list[str]:
    """The rules with findings (notices apart), in the catalogue's order: the columns of reports × rules."""
    v = result.findings
    order = {rule: i for i, rule in enumerate(rule_titles(result))}
    return sorted(v["rule"].unique(), key=lambda x: order.get(x, len(order))) if len(v) else []


def _matrix(result: Audit) -> list[str]:
    v, rules = result.findings, rules_found(result)
    header = ["报告", "单位", "年度", "格式", *rules, "空白格（提示）"]
    body = []
    for r in result.reports.itertuples():
        mine = v[v["report"] == r.report]
        cells = []
        for rule in rules:
            found = mine[mine["rule"] == rule]
            failed = int((found["status"] == checks.FAILED).sum())
            uncertain = int((found["status"] == checks.UNCERTAIN).sum())
            cells.append(" ".join(x for x in (str(failed) if failed else "", f"?{uncertain}" if uncertain else "") if x))
        body.append([str(r.report), str(r.agency), str(r.year), FORMATS[str(r.format)].replace("国办公开办函", ""), *cells,
                     str(r.notices or "")])
    return aligned([header, *body])


WRITERS = {"text": to_text, "json": to_json, "csv": to_csv}

__all__ = ["WRITERS", "packs_line", "rule_titles", "rules_found", "to_csv", "to_json", "to_text", "totals_line"]
