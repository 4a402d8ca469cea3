"""The release package: exactly the approved, current publication files of a year, for the web editors.

``nianbao release --year Y --out DIR`` puts each approved agency's files in a folder of its own
(``<年度>-<代码>-<全称>``), with a manifest (``manifest.csv`` for Excel, ``manifest.json``) naming
agency, file, SHA-256, approver and approval time. Only files whose bytes still are those approved
are copied, so what is posted is what was approved. A second release with nothing changed changes
nothing (no file is written again); a release that changed the folder is appended to the season's history.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from . import approval
from .atomic import write_file, write_text
from .characters import spreadsheet_text
from .errors import DataError, writing
from .filenames import safe_name
from .params import Project, load_registry
from .run import Run
from .run import fingerprint as file_sha256

MANIFEST_JSON, MANIFEST_CSV = "manifest.json", "manifest.csv"
#: What marks a folder as one this command made.
TOOL = "nianbao release"
COLUMNS = ("单位代码", "单位", "文件夹", "文件", "SHA-256", "审核人", "审核时间")


@dataclass
class Released:
    """What a release did: the files in the package, which were (re)written or removed, who is not approved."""

    out: Path
    entries: list[dict] = field(default_factory=list)
    written: list[str] = field(default_factory=list)  # paths relative to out
    removed: list[str] = field(default_factory=list)
    unapproved: list[tuple[str, str]] = field(default_factory=list)  # (id, name)
    warnings: list[str] = field(default_factory=list)  # what the history's appender said

    @property
    def changed(self) -> bool:
        return bool(self.written or self.removed)


def folder_name(year: int, agency: str, name: str) -> str:
    """``2024-shimen-青川市临江区石门镇人民政府``: a web editor finds it by name; safe on every file system."""
    return safe_name(name, before=f"{year}-{agency}-")


def release(project: Project, year: int, out: Path) -> Released:
    """Copy the year's approved, current publication files into ``out``; refuses stale approvals (naming
    them) and a folder that holds files it did not make. Agencies not approved are listed, not refused.
    """
    registry = load_registry(project)
    ids = [a for a in sorted(registry) if year in project.years_with_data(a)]
    if not ids:
        raise DataError(f"{project.data_dir} 中没有 {year} 年的数据，没有可发布的报告", year=year)
    done = Released(out)
    stale = []
    for agency in ids:
        status, record = approval.state(project, agency, year)
        who = registry[agency]
        if status == approval.NONE or record is None:
            done.unapproved.append((agency, who.name))
        elif status == approval.STALE:
            stale.append(f"{who.name}（{agency}{_blocked(project, agency, year)}）")
        else:
            folder = folder_name(year, agency, who.name)
            for name, sha in sorted(record.files.items()):
                done.entries.append({"agency": agency, "name": who.name, "folder": folder, "file": name, "sha256": sha,
                                     "approved_by": record.by, "approved_at": record.at})
    if stale:
        raise DataError(f"以下单位的发布版{approval.STALE}，不能发布：{'、'.join(stale)}", year=year,
                        hint="请重新渲染并审核（nianbao render，nianbao approve），或撤回审核（nianbao approve --revoke）")
    before = _own_files(out, year)
    wanted = {f"{e['folder']}/{e['file']}": e for e in done.entries}
    with writing(out):
        for rel, entry in wanted.items():
            target = out / rel
            if target.is_file() and file_sha256(target) == entry["sha256"]:
                continue
            source = Run(project, year, entry["agency"]).publication / entry["file"]
            write_file(target, functools.partial(_copy, source))
            if file_sha256(target) != entry["sha256"]:  # changed between the check and the copy
                raise DataError("复制时发布版文件又变了", file=source, hint="请重新审核后再发布")
            done.written.append(rel)
        for rel in sorted(set(before) - set(wanted)):
            (out / rel).unlink()
            done.removed.append(rel)
            if (out / rel).parent != out and not any((out / rel).parent.iterdir()):
                (out / rel).parent.rmdir()
    payload = {"tool": TOOL, "year": year, "files": done.entries,
               "unapproved": [{"agency": a, "name": n} for a, n in done.unapproved]}
    for name, text in ((MANIFEST_JSON, json.dumps(payload, ensure_ascii=False, indent=1) + "\n"),
                       (MANIFEST_CSV, "\ufeff" + _csv(done.entries))):
        target = out / name
        if not target.is_file() or target.read_bytes() != text.encode("utf-8"):
            write_text(target, text)
            done.written.append(name)
    _record(project, year, out, done, {rel.split("/", 1)[0]: before[rel] for rel in done.removed})
    return done


def _blocked(project: Project, agency: str, year: int) -> str:
    """What now stops the agency's approval, if anything: said beside its name."""
    from .errors import NianbaoError
    from .report import validate

    try:
        found = approval.blockers(validate(project, agency, year))
    except NianbaoError:
        return "；数据现在读不了"
    return f"；现有{'；'.join(found)}" if found else ""


def _record(project: Project, year: int, out: Path, done: Released, gone: dict[str, str]) -> None:
    """One history event per agency whose files this release wrote (``release``: what was posted, with
    hashes and approver) or took out of the package (``unrelease``); nothing when nothing changed.
    """
    at = approval.now()
    touched = {rel.split("/", 1)[0] for rel in done.written + done.removed if "/" in rel}
    posted = {e["folder"]: e["agency"] for e in done.entries}
    for folder in sorted(touched):
        if folder in posted:
            files = [e for e in done.entries if e["folder"] == folder]
            said = approval.append(project, {"event": "release", "agency": posted[folder], "year": year, "at": at,
                                      "out": str(out.resolve()), "folder": folder, "files": files})
        else:
            said = approval.append(project, {"event": "unrelease", "agency": gone[folder], "year": year, "at": at,
                                      "out": str(out.resolve()), "folder": folder,
                                      "removed": [r for r in done.removed if r.startswith(folder + "/")]})
        if said and said not in done.warnings:
            done.warnings.append(said)


def _own_files(out: Path, year: int) -> dict[str, str]:
    """The package files already in ``out`` (relative path → agency), from its manifest; refuses a folder
    that holds anything else, or another year's package.
    """
    if not out.exists():
        return {}
    if not out.is_dir():
        raise DataError("发布目录是一个文件", file=out, hint="请用 --out 指定一个新的或空的目录")
    present = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    if not present:
        return {}
    listed: dict[str, str] = {}
    try:
        manifest = json.loads((out / MANIFEST_JSON).read_text(encoding="utf-8"))
        if manifest.get("tool") == TOOL:
            listed = {f"{e['folder']}/{e['file']}": str(e["agency"]) for e in manifest["files"]}
        else:
            manifest = None
    except (OSError, ValueError, AttributeError, KeyError, TypeError):
        manifest = None
    if manifest is not None and manifest.get("year") != year:
        raise DataError(f"发布目录中是 {manifest.get('year')} 年的发布包，不是 {year} 年的", file=out,
                        hint="每个年度用自己的发布目录；请核对 --year，或用 --out 指定另一个目录。其中的文件都没有改动")
    foreign = sorted(present - set(listed) - {MANIFEST_JSON, MANIFEST_CSV})
    if manifest is None or foreign:
        shown = "、".join(foreign[:5]) + (f" 等 {len(foreign)} 个" if len(foreign) > 5 else "")
        raise DataError(f"发布目录中已有不是 nianbao release 生成的文件：{shown or '（没有可识别的 manifest.json）'}",
                        file=out, hint="请用 --out 指定一个新的或空的目录，或先移走这些文件；其中的文件都没有改动")
    return {rel: agency for rel, agency in listed.items() if rel in present}


def _copy(source: Path, tmp: Path) -> None:
    shutil.copyfile(source, tmp)


def _csv(entries: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for e in entries:
        row = (e["agency"], e["name"], e["folder"], e["file"], e["sha256"], e["approved_by"], e["approved_at"])
        writer.writerow([spreadsheet_text(v) for v in row])  # a name or an approver typed as =… stays text
    return buffer.getvalue()


__all__ = ["COLUMNS", "MANIFEST_CSV", "MANIFEST_JSON", "TOOL", "Released", "folder_name", "release"]
