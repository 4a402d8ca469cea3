"""Sign-off bound to content: who approved an agency-year's publication edition, when, and exactly what.

An approval lives beside the reviews, in ``params/<year>/<agency>.approval.yaml``, and survives
re-runs. It keeps a fingerprint of the publication's content (:func:`fingerprint`: the edition's
blocks, not file times) and the SHA-256 of each publication file as it was approved. Anything that
changes the publication afterwards — data, narrative, the registry's entry, code that changes its
text or its files — makes the approval stale (:data:`STALE`, “已审核，但内容已变”).

Approvals and revocations are appended to the season's history ``outputs/season-history.jsonl``
(beside the ledger's history, through the same appender), never rewritten.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, fields, is_dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from . import characters, yamlfile
from .atomic import append_json, read_json_lines, write_file, write_text
from .errors import DataError, NianbaoError
from .model import is_unknown
from .params import Project
from .run import Run
from .run import fingerprint as file_sha256

if TYPE_CHECKING:  # the report is read only where one is checked: the season's board reads approvals alone
    from .report import Report

NONE, CURRENT, STALE = "未审核", "已审核", "已审核，但内容已变"
HISTORY = "season-history.jsonl"
HEADER = ("# 发布版审核记录：谁在何时审核通过了哪一版（fingerprint 为发布版内容的指纹，files 为各文件的 SHA-256）。"
          "内容改变后审核自动失效。请用 nianbao approve 修改或撤回（--revoke）。\n")
_FIX = "请用 nianbao approve 重新审核（或 nianbao approve --revoke 撤回），不要手工改动文件的结构"
_SHA = re.compile(r"[0-9a-f]{64}")
_NOTE_LIMIT = 2000  # characters


@dataclass(frozen=True)
class Approval:
    by: str
    at: str  # ISO 8601 UTC, seconds: 2025-02-01T09:30:00Z
    note: str
    fingerprint: str  # SHA-256 hex of the publication's content (fingerprint(report))
    files: dict[str, str]  # publication file name → SHA-256 at approval


def path(project: Project, agency: str, year: int) -> Path:
    """``params/<year>/<agency>.approval.yaml``, beside the reviews."""
    return project.params_dir / str(year) / f"{agency}.approval.yaml"


def read(project: Project, agency: str, year: int) -> Approval | None:
    """The agency-year's approval, checked; none when there is no record."""
    where = path(project, agency, year)
    if not where.exists():  # a folder or a pipe there: refused when read
        return None
    raw = yamlfile.read(where)
    if not isinstance(raw, dict):
        raise DataError("审核记录应为一个映射，含 by、at、note、fingerprint、files", file=where, hint=_FIX)
    unknown = sorted(set(map(str, raw)) - {f.name for f in fields(Approval)})
    if unknown:
        raise DataError(f"审核记录中有未知的键 {'、'.join(unknown)}", file=where, key=unknown[0], hint=_FIX)
    for name in ("by", "at", "fingerprint", "files"):
        if name not in raw:
            raise DataError(f"审核记录缺少 {name}", file=where, key=name, hint=_FIX)
    for name, kind in (("by", str), ("at", str), ("note", str), ("fingerprint", str), ("files", dict)):
        if name in raw and raw[name] is not None and not isinstance(raw[name], kind):
            raise DataError(f"审核记录的 {name} 格式不对：这里是{yamlfile.kind_of(raw[name])}", file=where, key=name, hint=_FIX)
    if not str(raw["by"] or "").strip():
        raise DataError("审核记录的审核人 by 不能为空", file=where, key="by", hint=_FIX)
    characters.check(str(raw["by"]), one_line=True, limit=characters.MAX_LINE, file=where, key="by")
    characters.check(str(raw.get("note") or ""), limit=_NOTE_LIMIT, file=where, key="note")
    if not _is_time(raw["at"]):
        raise DataError(f"审核时间 at 应写成 2025-02-01T09:30:00Z，而不是 {raw['at']!r}", file=where, key="at", hint=_FIX)
    if not _SHA.fullmatch(raw["fingerprint"]):
        raise DataError("内容指纹 fingerprint 应为 64 位十六进制的 SHA-256", file=where, key="fingerprint", hint=_FIX)
    files = raw["files"] or {}
    for name, sha in files.items():
        if not isinstance(name, str) or "/" in name or not isinstance(sha, str) or not _SHA.fullmatch(sha):
            raise DataError("files 的每一项应为“文件名: SHA-256”", file=where, key=f"files.{name}", hint=_FIX)
    if not files:
        raise DataError("审核记录的 files 不能为空", file=where, key="files", hint=_FIX)
    return Approval(str(raw["by"]).strip(), raw["at"], str(raw.get("note") or ""), raw["fingerprint"], dict(files))


def _is_time(text: object) -> bool:
    try:
        return isinstance(text, str) and text.endswith("Z") and bool(dt.datetime.fromisoformat(text[:-1] + "+00:00"))
    except ValueError:
        return False


def fingerprint(report: Report) -> str:
    """SHA-256 of the publication edition's content: its blocks (texts, grid cells, signature; figures
    by the hash of their bytes) serialized canonically — the same inputs give the same hex in any process.
    """
    from . import edition

    canonical = json.dumps([_plain(b) for b in edition.blocks(report)], ensure_ascii=False, sort_keys=True,
                           separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _plain(value: Any) -> Any:
    """A block as JSON-able data: dataclasses tagged with their type, bytes by their SHA-256, sets sorted."""
    if is_dataclass(value) and not isinstance(value, type):
        return {"type": type(value).__name__, **{f.name: _plain(getattr(value, f.name)) for f in fields(value)}}
    if isinstance(value, bytes):
        return {"sha256": hashlib.sha256(value).hexdigest()}
    if isinstance(value, (frozenset, set)):
        return sorted(_plain(v) for v in value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def state(project: Project, agency: str, year: int, report: Report | None = None) -> tuple[str, Approval | None]:
    """:data:`NONE`, :data:`CURRENT` or :data:`STALE`, with the approval. Stale when the publication's
    content changed, an approved file is gone or no longer the bytes approved, the report no longer reads,
    or it now has what would stop an approval (:func:`blockers`: an error found since, as when last year's
    data changed).
    """
    approval = read(project, agency, year)
    if approval is None:
        return NONE, None
    try:
        if report is None:
            from .report import validate

            report = validate(project, agency, year)
    except NianbaoError:
        return STALE, approval
    if fingerprint(report) != approval.fingerprint or blockers(report):
        return STALE, approval
    folder = Run(project, year, agency).publication
    for name, sha in approval.files.items():
        if not (folder / name).is_file() or file_sha256(folder / name) != sha:
            return STALE, approval
    return CURRENT, approval


def blockers(report: Report) -> list[str]:
    """What stops an approval, each named: open check errors (rule, place, cell) and “?” cells that no
    accepted finding (``nianbao accept``) covers.
    """
    from .checks import ACCEPTED

    out = [f"校验错误 {r.rule}（{r.where or r.key}；可用 nianbao accept --rule {r.rule} --cell {r.key.split('@', 1)[1]} 说明）"
           for r in report.results if r.is_error and r.is_open]
    accepted = {c for r in report.results if r.status == ACCEPTED for c in r.cells}
    unknown = [k for k, v in report.data.cells.items() if is_unknown(v) and k not in accepted]
    if unknown:
        out.append(f"{len(unknown)} 格无法确定（？）：{'、'.join(unknown)}")
    return out


def approve(project: Project, agency: str, year: int, by: str, note: str = "",
            warn: Callable[[str], None] | None = None) -> Approval:
    """Record that the publication edition as it stands is approved; refuses open errors, “?” cells and
    publication files that are missing or not made from the current content. The record and the history
    change together: when the history cannot take the event, the record is put back as it was. ``warn``
    hears what the history's appender says (a damaged last line set aside).
    """
    if not by.strip():
        raise DataError("审核人不能为空", key="--by", hint="请用 --by 写明审核人的姓名")
    characters.check(by, one_line=True, limit=characters.MAX_LINE, key="--by")
    characters.check(note, limit=_NOTE_LIMIT, key="--note")
    from .report import validate

    report = validate(project, agency, year)
    blocking = blockers(report)
    if blocking:
        raise DataError("不能审核：" + "；".join(blocking), agency=agency, year=year,
                        hint="请改正数据并重新渲染，或对已核实的结果用 nianbao accept 逐条说明")
    files = current_files(report)
    approval = Approval(by.strip(), now(), note.strip(), fingerprint(report), files)
    where = path(project, agency, year)
    with _undone_unless_recorded(where):
        write_text(where, HEADER + yaml.safe_dump(asdict(approval), allow_unicode=True, sort_keys=False))
        said = append(project, {"event": "approve", "agency": agency, "year": year, **asdict(approval)})
    if said and warn:
        warn(said)
    return approval


@contextlib.contextmanager
def _undone_unless_recorded(where: Path) -> Iterator[None]:  # the record as it was, should the block fail
    before = where.read_bytes() if where.is_file() else None
    try:
        yield
    except BaseException:
        if before is None:
            where.unlink(missing_ok=True)
        else:
            write_file(where, lambda tmp: tmp.write_bytes(before))
        raise


def current_files(report: Report) -> dict[str, str]:
    """The rendered publication files and their SHA-256, once they are shown to be made from the report
    as it stands: the page, the fragment and the Word file are made again and must match byte for byte;
    every file must still be the bytes the render recorded (:attr:`Run.made`: a PDF or Word file edited by
    hand is refused); a PDF older than the fragment was kept from an earlier render (``--no-pdf``).
    """
    from .edition import blocks, web, word

    run = Run(report.project, report.data.year, report.agency.id)
    files = run.published()
    again = f"请先运行 nianbao render -a {run.agency} -y {run.year}，再审核"
    for key in ("publish_fragment", "publish_html", "publish_docx"):
        if not files[key].is_file():
            raise DataError("发布版文件不存在", file=files[key], hint=again)
    made = blocks(report)
    for key, raw in (("publish_fragment", web.fragment(made).encode("utf-8")), ("publish_html", web.page(made).encode("utf-8")),
                     ("publish_docx", word.report_docx(report, made))):
        if files[key].read_bytes() != raw:
            raise DataError("发布版文件不是由现在的数据、叙述和代码生成的（或在渲染后被改动过）", file=files[key], hint=again)
    recorded, hashes = run.made_files(), {p: file_sha256(p) for p in files.values() if p.is_file()}
    for path, sha in hashes.items():  # no record at all: rendered before renders kept one
        if recorded.get(path.name) != sha:
            raise DataError("发布版文件在渲染后被改动过，不是 nianbao 写出的字节" if recorded else
                            "发布版没有渲染时留下的记录，无法确认文件未被改动", file=path, hint=f"改动应改在数据或叙述中；{again}")
    pdf = files["publish_pdf"]
    if pdf.is_file() and pdf.stat().st_mtime_ns < files["publish_fragment"].stat().st_mtime_ns:
        raise DataError("发布版 PDF 是上次渲染保留下来的（渲染时加了 --no-pdf），可能已过时", file=pdf,
                        hint=f"请运行 nianbao render -a {run.agency} -y {run.year}（不加 --no-pdf），再审核")
    return {p.name: sha for p, sha in hashes.items()}


def revoke(project: Project, agency: str, year: int, by: str, warn: Callable[[str], None] | None = None) -> None:
    """Withdraw the agency-year's approval (the history keeps it; when it cannot, the approval stays)."""
    if not by.strip():
        raise DataError("撤回人不能为空", key="--by", hint="请用 --by 写明撤回人的姓名")
    characters.check(by, one_line=True, limit=characters.MAX_LINE, key="--by")
    from .report import validate

    validate(project, agency, year)  # an unknown agency or year is said as such
    where = path(project, agency, year)
    if not where.is_file():
        raise DataError(f"{agency} {year} 年的发布版没有审核记录，无需撤回", file=where)
    try:
        withdrawn = read(project, agency, year)
    except DataError:
        withdrawn = None  # a damaged record may be withdrawn all the same
    with _undone_unless_recorded(where):
        where.unlink()
        said = append(project, {"event": "revoke", "agency": agency, "year": year, "by": by.strip(), "at": now(),
                                "fingerprint": withdrawn.fingerprint if withdrawn else ""})
    if said and warn:
        warn(said)


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def history_path(project: Project) -> Path:
    return project.outputs_dir / HISTORY


def append(project: Project, event: dict) -> str:
    """One event (approve, revoke, release) onto the season's history; the appender's warning, if any."""
    return append_json(history_path(project), event, "审核与发布历史")


def read_history(project: Project) -> list[dict]:
    """Every event of the season's history that reads as one, oldest first (other lines passed over)."""
    return [e for e in read_json_lines(history_path(project)) if isinstance(e, dict) and isinstance(e.get("event"), str)]


def standing(project: Project, agency: str, year: int) -> tuple[str, Any]:
    """``("approved" | "stale" | "", the approval)``: the reviewers' sign-off, and whether it still holds,
    as the season board shows it.
    """
    try:
        found = read(project, agency, year)
    except NianbaoError:  # a damaged record approves nothing; `nianbao approve` says what is wrong with it
        return "", None
    if found is None:
        return "", None
    try:
        held, found = state(project, agency, year)
    except NianbaoError:  # the data no longer reads: it is not what was approved
        return "stale", found
    return {CURRENT: "approved", STALE: "stale"}.get(held, ""), found


__all__ = ["CURRENT", "HISTORY", "NONE", "STALE", "Approval", "append", "approve", "blockers", "current_files", "now",
           "fingerprint", "history_path", "path", "read", "read_history", "revoke", "standing", "state"]
