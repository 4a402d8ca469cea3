"""``outputs/ledger.json``: the last record of every run, checked when read, rebuilt when damaged;
and ``outputs/ledger-history.jsonl``: every record ever made, appended, with where it ran.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import cast

from ..atomic import append_json, read_json_lines, write_text
from ..errors import NianbaoError, writing
from ..params import Agency, Project
from ..run import SUMMARY_FOLDER, Run
from .tasks import FAILED, RENDERED, REPORT, SUMMARY, Record, Task, relative

LEDGER = "ledger.json"
HISTORY = "ledger-history.jsonl"


def history_path(project: Project) -> Path:
    return project.outputs_dir / HISTORY


def append_history(project: Project, record: Record) -> str:
    """Add one run's record to the history: one JSON line per run ever made, never rewritten
    (:func:`~nianbao.atomic.append_line`: whole lines under a lock, a torn last line set aside as
    ``ledger-history.damaged-<time>.jsonl``); returns the warning that says so, "" when all was well.
    """
    return append_json(history_path(project), record, "台账历史")


def read_history(project: Project) -> list[Record]:
    """Every record of the history that reads as one, oldest first.

    A line that is not UTF-8, not JSON, or not a record (a torn line, a line written by something
    else) is passed over: the rest of the history stays readable.
    """
    return [cast(Record, r) for r in read_json_lines(history_path(project)) if not _record_problem(r)]


def ledger_path(project: Project) -> Path:
    return project.outputs_dir / LEDGER


class LedgerDamaged(NianbaoError, ValueError):
    """``outputs/ledger.json`` is not a ledger: truncated, not JSON, or JSON of another shape."""

    def __init__(self, message: str, **where: object) -> None:
        super().__init__(message, hint="运行 nianbao batch 会把它另存为 ledger.damaged-<时间>.json，并按 outputs/ 中现有的输出重建台账",
                         **where)


def read_ledger(project: Project) -> dict[str, Record]:
    """The last record of every run ever made in the project, keyed by ``<year>/<agency>``.

    An absent ledger is empty; a damaged one raises :class:`LedgerDamaged` (see :func:`recover_ledger`).
    """
    path = ledger_path(project)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (ValueError, UnicodeDecodeError) as exc:
        raise LedgerDamaged(f"台账不是完整的 JSON（{exc}）", file=path) from None
    runs = raw.get("runs") if isinstance(raw, dict) else None
    if not isinstance(runs, dict):
        raise LedgerDamaged("台账的结构不对：应为 {\"version\": 1, \"runs\": {…}}", file=path)
    for run_id, record in runs.items():
        problem = _record_problem(record)
        if problem:
            raise LedgerDamaged(f"台账中的记录 {run_id!r} {problem}", file=path)
    return runs


_RECORD_FIELDS: dict[str, type | tuple[type, ...]] = {
    "kind": str, "agency": str, "year": int, "status": str, "outputs": dict, "checks": dict, "key": str,
}


def _record_problem(record: object) -> str:
    if not isinstance(record, dict):
        return "不是一条记录"
    for name, kind in _RECORD_FIELDS.items():
        if not isinstance(record.get(name), kind):
            return f"缺少 {name} 或类型不对"
    if record["kind"] not in (REPORT, SUMMARY) or record["status"] not in (RENDERED, FAILED):
        return "的 kind 或 status 不是已知的值"
    if not all(isinstance(v, str) for v in record["outputs"].values()):
        return "的 outputs 不是路径"
    return ""


def recover_ledger(project: Project, registry: dict[str, Agency]) -> tuple[dict[str, Record], str]:
    """Set a damaged ledger aside and rebuild it from the outputs on disk; returns the runs and a warning.

    The damaged file is kept as ``ledger.damaged-<time>.json``. Each report and overview found under
    ``outputs/`` gets a record again (status and check counts from its ``checks.json``), with no
    input key, so that the next batch renders it anew instead of trusting it.
    """
    path = ledger_path(project)
    aside = path.with_name(f"ledger.damaged-{dt.datetime.now():%Y%m%dT%H%M%S}-{os.getpid()}.json")
    with writing(path):
        os.replace(path, aside)
    runs: dict[str, Record] = {}
    for found in sorted(project.outputs_dir.glob("[0-9]*/*/checks.json")) + sorted(
        project.outputs_dir.glob(f"[0-9]*/{SUMMARY_FOLDER}/summary.json")
    ):
        folder = found.parent
        agency = "" if folder.name == SUMMARY_FOLDER else folder.name
        run = Run(project, int(folder.parent.name), agency)
        try:
            checks = (json.loads(found.read_text(encoding="utf-8")).get("summary") or {}) if agency else {}
        except (ValueError, OSError, AttributeError):
            continue
        who = registry.get(agency)
        name = who.name if who else agency if agency else f"{run.year}年汇总"
        runs[run.id] = _rebuilt(run, checks, name)
    warning = (f"台账 {path} 已损坏，原文件另存为 {aside.name}；已按 outputs/ 中现有的 {len(runs)} 份输出重建台账，"
               "本次批量中的报告都将重新渲染")
    write_ledger(project, runs)
    return runs, warning


def note_render(run: Run, checks: dict, name: str, pending: tuple[str, ...], inputs: dict[str, str]) -> None:
    """A report ``nianbao render`` made in ``outputs/``, recorded as a batch would record it (``inputs``:
    what it rested on), so that the season's board and ``status`` know it; with no key, so that the
    next batch renders it again rather than trust it. A damaged ledger is left for the batch to set aside.
    """
    try:
        runs = read_ledger(run.project)
    except LedgerDamaged:
        return
    record = {**_rebuilt(run, checks, name), "rebuilt": False, "inputs": inputs}
    if pending:
        record["pending"] = list(pending)
    runs[run.id] = cast(Record, record)
    write_ledger(run.project, runs)


def recorded_outputs(run: Run) -> dict[str, str]:
    """The run's outputs that exist, as the ledger records them: name → path relative to ``outputs/``."""
    return {k: relative(f, run.project.outputs_dir) for k, f in run.documents().items() if f.is_file()}


def _rebuilt(run: Run, checks: dict, name: str) -> Record:
    outputs = recorded_outputs(run)
    finished = dt.datetime.fromtimestamp(run.results.stat().st_mtime, dt.timezone.utc)
    return {
        "kind": REPORT if run.agency else SUMMARY, "agency": run.agency, "year": run.year, "status": RENDERED,
        "reason": "", "duration": 0.0, "checks": dict(checks), "key": "", "outputs": outputs, "pdf": "pdf" in outputs,
        "name": name, "finished": finished.isoformat(timespec="seconds"), "rebuilt": True,
    }


def write_ledger(project: Project, runs: dict[str, Record]) -> None:
    """Write the ledger atomically: a reader sees the old file or the new one, never half of one."""
    ordered = dict(sorted(runs.items()))
    write_text(ledger_path(project), json.dumps({"version": 1, "runs": ordered}, ensure_ascii=False, indent=1) + "\n")


def is_current(record: Record | None, task: Task) -> bool:
    if not record or record.get("status") != RENDERED or record.get("key") != task.key:
        return False
    outputs = record.get("outputs") or {}
    wanted = ["html", "notebook"] + (["pdf"] if task.pdf else [])
    if task.agency:
        wanted += ["publish_html", "publish_fragment", "publish_docx"] + (["publish_pdf"] if task.pdf else [])
    root = task.project.outputs_dir
    return all(outputs.get(k) and (root / outputs[k]).is_file() for k in wanted)
