"""The season board: where every agency of the registry stands in a year's round, and the deadline.

A year's round goes: templates sent (``nianbao template --all`` records them in
``outputs/templates/<year>/sent.json``) → workbooks returned (``data/<year>/<id>.*``, which
``nianbao collect`` takes in) → rendered (the ledger's record, with its check counts) → reviewed
(``approval``) → released (a ``release`` event in ``outputs/season-history.jsonl``). :data:`STAGES`
is the one list of those stages, in order; :func:`stage_of` decides an agency's from its facts.

The deadline is 31 January of the next year unless ``params/season.yaml`` says otherwise::

    deadline:
      2025: 2026-02-06
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .approval import standing as approval_of
from .atomic import write_text
from .errors import ParamsError
from .params import Agency, Project
from .run import Fingerprints, changed_since, described

Record = Mapping[str, Any]  # a ledger record (the batch hands its ledger over; nothing here reads batch/)

SEASON = "season.yaml"
SENT = "sent.json"


@dataclass(frozen=True)
class Stage:
    key: str  # ASCII, for filters and JSON: index.html#stage=sent
    label: str  # what a person reads
    tone: str = ""  # how a board colours it: "ok" (done), "warn" (needs someone's hand), "" (on its way)


#: Every stage of the round, in order: an agency further down is further along.
STAGES = (
    Stage("unsent", "未发模板"),
    Stage("sent", "模板已发，未交回"),
    Stage("returned", "已交回，未渲染"),
    Stage("changed", "渲染后有改动，未重新渲染", "warn"),
    Stage("failed", "渲染失败", "warn"),
    Stage("errors", "校验有错误", "warn"),
    Stage("rendered", "已渲染，发布前待处理"),
    Stage("review", "待审核"),
    Stage("stale", "已审核，但内容已变", "warn"),
    Stage("approved", "已审核", "ok"),
    Stage("released", "已发布", "ok"),
)
BY_KEY = {s.key: s for s in STAGES}
LATE = "逾期"


@dataclass(frozen=True)
class Row:
    """One agency's line of the board."""

    agency: str
    name: str
    stage: Stage
    errors: int | None = None  # the check counts of its last rendering, when there is one
    warnings: int | None = None
    approved_by: str = ""
    approved_at: str = ""
    note: str = ""
    late: bool = False

    @property
    def order(self) -> int:
        return STAGES.index(self.stage)

    @property
    def done(self) -> bool:
        """Released: the deadline no longer concerns it."""
        return self.stage.key == "released"


@dataclass(frozen=True)
class Board:
    year: int
    deadline: dt.date
    today: dt.date
    rows: list[Row] = field(default_factory=list)

    @property
    def days_left(self) -> int:
        """Days from today to the deadline: 0 on the day itself, negative once it has passed."""
        return (self.deadline - self.today).days

    def totals(self) -> dict[Stage, int]:
        """How many agencies stand at each stage (every stage, in order, zeros included)."""
        return {s: sum(r.stage == s for r in self.rows) for s in STAGES}

    @property
    def late(self) -> list[Row]:
        return [r for r in self.rows if r.late]


def stage_of(sent: bool, returned: bool, record: Record | None, approval: str, released: bool,
             changed: bool = False) -> Stage:
    """The stage of an agency-year from its facts; ``approval`` is ``"approved"``, ``"stale"`` or ``""``;
    ``changed``: what its last rendering rested on has changed since (its documents are not the data's).
    """
    if released:
        return BY_KEY["released"]
    if approval:
        return BY_KEY[approval]
    if record is not None and changed:
        return BY_KEY["changed"]
    if record is not None:
        if record.get("status") != "rendered":
            return BY_KEY["failed"]
        if (record.get("checks") or {}).get("errors"):
            return BY_KEY["errors"]
        return BY_KEY["rendered" if record.get("pending") else "review"]
    if returned:
        return BY_KEY["returned"]
    return BY_KEY["sent" if sent else "unsent"]


# ------------------------------------------------------------------ the deadline


def deadline(project: Project, year: int) -> dt.date:
    """The year's deadline: ``params/season.yaml`` when it names one, else 31 January of ``year + 1``."""
    from . import yamlfile

    path = project.params_dir / SEASON
    if not path.is_file():
        return dt.date(year + 1, 1, 31)
    hint = "如 deadline: {2025: 2026-02-06}（年度: 截止日期，日期写成 YYYY-MM-DD）"
    raw = yamlfile.read(path, ParamsError) or {}
    if not isinstance(raw, dict) or set(raw) - {"deadline"} or not isinstance(raw.get("deadline", {}), dict):
        raise ParamsError("进度设置应只有 deadline: {年度: 截止日期}", file=path, hint=hint)
    for key, value in raw.get("deadline", {}).items():
        if not isinstance(key, int):
            raise ParamsError(f"年度 {str(key)[:20]!r} 应为整数", file=path, key="deadline", hint=hint)
        if key == year:
            return check_deadline(value, year, file=path, key=f"deadline.{year}")
    return dt.date(year + 1, 1, 31)


def check_deadline(value: object, year: int, file: Path | None = None, key: str = "") -> dt.date:
    """A deadline as written (a YAML date or ``YYYY-MM-DD``), checked to fall after the year it closes."""
    day = value if isinstance(value, dt.date) and not isinstance(value, dt.datetime) else None
    if isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError:
            day = None
    if day is None:
        raise ParamsError(f"截止日期 {str(value)[:30]!r} 不是日期", file=file, key=key, hint="日期写成 YYYY-MM-DD，如 2026-01-31")
    if day <= dt.date(year, 12, 31):
        raise ParamsError(f"{year} 年度报告的截止日期 {day} 不在 {year} 年之后", file=file, key=key, hint=f"如 {year + 1}-01-31")
    return day


# ------------------------------------------------------------------ what the round has left behind


def sent_path(project: Project, year: int) -> Path:
    return project.outputs_dir / "templates" / str(year) / SENT


def record_sent(project: Project, year: int, files: Mapping[str, Path], at: dt.datetime | None = None) -> Path:
    """Note in ``sent.json`` that each agency's template (agency → file) went out now; earlier notes are kept."""
    when = (at or dt.datetime.now(dt.timezone.utc)).isoformat(timespec="seconds")
    sent = read_sent(project, year)
    sent.update({agency: {"file": str(path), "at": when} for agency, path in files.items()})
    payload = {"version": 1, "year": year, "sent": dict(sorted(sent.items()))}
    return write_text(sent_path(project, year), json.dumps(payload, ensure_ascii=False, indent=1) + "\n")


def read_sent(project: Project, year: int) -> dict[str, dict]:
    """The templates recorded as sent for the year (agency → file, at); nothing when there is no record."""
    try:
        raw = json.loads(sent_path(project, year).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError, UnicodeDecodeError):
        return {}
    sent = raw.get("sent") if isinstance(raw, dict) else None
    return {k: v for k, v in sent.items() if isinstance(v, dict)} if isinstance(sent, dict) else {}


def released(project: Project, year: int) -> dict[str, dict]:
    """Agency → its standing release in the season's history (``approval.read_history``) for the year:
    the last ``release`` event, unless an ``unrelease`` (its files taken out of the package) came after it.
    """
    from . import approval

    out: dict[str, dict] = {}
    for event in approval.read_history(project):
        if event.get("year") == year and event.get("event") == "release":
            out[str(event.get("agency"))] = event
        elif event.get("year") == year and event.get("event") == "unrelease":
            out.pop(str(event.get("agency")), None)
    return out


def season_year(project: Project, ledger: Mapping[str, Record]) -> int | None:
    """The newest year of the round: of templates sent, data returned or reports rendered."""
    years = {int(p.parent.name) for p in project.outputs_dir.glob(f"templates/*/{SENT}") if p.parent.name.isdigit()}
    if project.data_dir.is_dir():
        years |= {int(p.name) for p in project.data_dir.iterdir() if p.is_dir() and p.name.isdigit()}
    years |= {int(r["year"]) for r in ledger.values() if isinstance(r.get("year"), int)}
    return max(years, default=None)


def board(project: Project, year: int, ledger: Mapping[str, Record], registry: Mapping[str, Agency], *,
          due: dt.date | None = None, today: dt.date | None = None) -> Board:
    """Every agency of the registry with its stage in the year's round, against the deadline."""
    due = due or deadline(project, year)
    today = today or dt.date.today()
    sent, out = read_sent(project, year), released(project, year)
    seen = Fingerprints()
    rows = []
    for agency, who in registry.items():
        record = ledger.get(f"{year}/{agency}")
        data = project.data_files(agency, year) or project.foreign_data_files(agency, year)
        state, approved = approval_of(project, agency, year)
        changed = changed_since(project, record, registry, seen) if record else []
        stage = stage_of(agency in sent, bool(data), record, state, agency in out, bool(changed))
        checks = (record or {}).get("checks") or {}
        rows.append(Row(
            agency, who.name, stage, checks.get("errors"), checks.get("warnings"),
            getattr(approved, "by", "") or "", str(getattr(approved, "at", "") or ""),
            _note(stage, sent.get(agency), record, out.get(agency), state, changed), today > due and stage.key != "released",
        ))
    return Board(year, due, today, rows)


def _note(stage: Stage, sent: dict | None, record: Record | None, release: dict | None, approved: str,
          changed: list[str]) -> str:
    if stage.key == "changed":
        named = [described(n) for n in changed]
        files = "、".join(named[:3]) + (f" 等 {len(named)} 项" if len(named) > 3 else "")
        return f"渲染后改动了 {files}；运行 nianbao batch 重新渲染"
    if stage.key == "released":
        at = str((release or {}).get("at", ""))[:10]
        when = f"发布于 {at}" if re.fullmatch(r"\d{4}-\d{2}-\d{2}", at) else "已发布"
        return when + {"stale": "；发布后内容已变，须重新审核", "": "；审核已撤回，下次 nianbao release 时移出"}.get(approved, "")
    if stage.key == "sent" and sent:
        return f"模板发于 {str(sent.get('at', ''))[:10]}"
    if stage.key == "failed" and record:
        return str(record.get("reason", ""))[:200]
    if stage.key == "rendered" and record:
        return "待处理：" + "；".join(str(p) for p in record.get("pending") or [])
    return ""


# ------------------------------------------------------------------ as text and JSON


def left_text(board: Board, row: Row) -> str:
    """The row's days left: a number, 逾期 N 天 once past the deadline, — once released."""
    left = board.days_left
    return "—" if row.done else f"{LATE} {-left} 天" if left < 0 else str(left)


def days_text(board: Board) -> str:
    left = board.days_left
    return f"还有 {left} 天" if left > 0 else "今天截止" if left == 0 else f"已过 {-left} 天"


def to_text(board: Board) -> str:
    from .format import aligned

    late = "、".join(r.name for r in board.late)
    lines = [f"{board.year} 年度报告进度（截止 {board.deadline}，{days_text(board)}；按 {board.today} 计）",
             "，".join(f"{s.label} {n}" for s, n in board.totals().items() if n) or "名录中没有单位",
             f"逾期 {len(board.late)} 个单位：{late}" if late else "没有逾期的单位", ""]
    rows = [["单位", "代码", "阶段", "错误", "警告", "审核人", "审核时间", "剩余天数", "说明"]]
    for r in sorted(board.rows, key=lambda r: (r.order, r.agency)):
        counts = ["—" if n is None else str(n) for n in (r.errors, r.warnings)]
        rows.append([r.name, r.agency, r.stage.label, *counts, r.approved_by or "—", r.approved_at[:16] or "—",
                     left_text(board, r), r.note])
    return "\n".join(lines + aligned(rows)) + "\n"


def to_json(board: Board) -> str:
    payload = {
        "year": board.year, "deadline": board.deadline.isoformat(), "today": board.today.isoformat(),
        "days_left": board.days_left, "totals": {s.key: n for s, n in board.totals().items()},
        "late": [r.agency for r in board.late],
        "agencies": [{"agency": r.agency, "name": r.name, "stage": r.stage.key, "stage_label": r.stage.label,
                      "errors": r.errors, "warnings": r.warnings, "approved_by": r.approved_by,
                      "approved_at": r.approved_at, "days_left": None if r.done else board.days_left,
                      "late": r.late, "note": r.note} for r in board.rows],
    }
    return json.dumps(payload, ensure_ascii=False, indent=1) + "\n"
