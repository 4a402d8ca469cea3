"""The analysts' data round, the way back: every workbook the agencies returned, under any name and in
any folder, known by the agency and year written inside it (``nianbao template`` locks them there),
validated in full, and taken into ``data/<year>/<id>.xlsx``.

A returned workbook is *good* (read without a problem, taken in), *with errors* (each bad cell named
as ``sheet!address`` with its value and the fix; not taken), or *not recognised* (not a workbook of
the template, another year's, an agency the registry does not know, or a spreadsheet saved in
another format). Agencies of the registry with nothing returned are listed as *not returned*.

A file already in ``data/`` is never replaced silently: an identical one is left as it is, a
different one (or the agency's YAML data) is moved to ``data/<year>/replaced/`` and the change listed.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import shutil
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .atomic import write_file
from .errors import DataError, NianbaoError
from .params import FOREIGN_DATA, Project, load_registry

GOOD, ERRORS, MISSING, UNRECOGNISED = "good", "errors", "missing", "unrecognised"
STATUS_NAMES = {GOOD: "已交回、无误", ERRORS: "已交回、有错误", MISSING: "未交回", UNRECOGNISED: "无法识别"}
#: Files a spreadsheet program leaves beside an open workbook (Excel's owner file, LibreOffice's lock).
_LEFTOVERS = ("~$", ".~lock", "~WRL")
#: Spreadsheets saved in a form other than .xlsx: the agency is asked to save them again as .xlsx.
_SPREADSHEETS = (*(s for s in FOREIGN_DATA if s not in (".yml", ".json", ".xlsx.xlsx")), ".xltx")
#: Where a replaced file of data/<year>/ is kept.
REPLACED = "replaced"


@dataclass
class Returned:
    """One file found in the folders, or one agency with nothing returned."""

    status: str
    file: str = ""
    agency: str = ""  # the id, as the workbook (or the registry) says
    name: str = ""
    problems: list[str] = field(default_factory=list)  # each: place, value, fix
    taken: str = ""  # data/<year>/<id>.xlsx, when taken in
    change: str = ""  # what happened to the file there before
    checks: dict[str, int] = field(default_factory=dict)  # errors / warnings of the rules, once taken in


@dataclass
class Collection:
    year: int
    entries: list[Returned]

    def of(self, status: str) -> list[Returned]:
        return [e for e in self.entries if e.status == status]

    @property
    def exit_code(self) -> int:
        """0 when every agency returned a good workbook and nothing else was found, else 1."""
        return 0 if all(e.status == GOOD for e in self.entries) else 1


def _files(folders: Iterable[Path]) -> list[Path]:
    """Every file under the folders (or given), without spreadsheet programs' lock files and anything hidden."""
    found: list[Path] = []
    for folder in folders:
        base, paths = (folder.parent, [folder]) if folder.is_file() else (folder, sorted(folder.rglob("*")))
        found += [p for p in paths if not p.is_dir() and not p.name.startswith(_LEFTOVERS)  # a pipe: said unreadable
                  and not any(part.startswith(".") for part in p.relative_to(base).parts)]
    return list(dict.fromkeys(found))


def identify(path: Path) -> tuple[str, str, object]:
    """The agency id, its name and the year written in a returned workbook's 说明 sheet.

    Raises :class:`DataError` when the file is not a workbook of the template.
    """
    from .load.workbook import _open_workbook, year_of
    from .template import GUIDE_SHEET, layout

    book = _open_workbook(path, read_only=True)  # only the 说明 sheet's three cells are read
    try:
        if GUIDE_SHEET not in book.sheetnames:
            raise DataError(f"不是 nianbao 的填报模板（没有“{GUIDE_SHEET}”工作表）", file=path,
                            hint="请用 nianbao template 生成的模板填报")
        sheet = book[GUIDE_SHEET]
        meta = layout().meta

        def value(key: str) -> object:
            return sheet[meta[key].cell].value

        agency, name, year = (str(value("agency") or "").strip(), str(value("agency_name") or "").strip(), value("year"))
    finally:
        book.close()
    if not agency:
        raise DataError("说明页没有单位代码", file=path, sheet=GUIDE_SHEET, cell=meta["agency"].cell,
                        hint="请用 nianbao template 重新生成该单位的模板")
    return agency, name, year_of(year)  # an int when it is one; else as written, for the message


def _shown(year: object) -> str:
    return str(year) if isinstance(year, int) else "（空）" if year in (None, "") else f"“{year}”"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def collect(project: Project, folders: Iterable[Path], year: int, take: bool = True) -> Collection:
    """Read every returned workbook under ``folders`` and take each good one of ``year`` into data/."""
    from .load import read_xlsx

    registry = load_registry(project)
    entries: list[Returned] = []
    good: dict[str, list[Returned]] = {}
    data_dir = project.data_dir.resolve()
    for path in _files(folders):
        if data_dir in path.resolve().parents:
            continue  # the project's own data is where returns go, not a return
        shown = str(path)
        suffix = path.suffix.lower()
        if suffix != ".xlsx":
            why = (f"是 {suffix} 格式：请在 Excel、WPS 或 LibreOffice 中打开，“另存为”Excel 工作簿（*.xlsx）后再交回"
                   if suffix in _SPREADSHEETS else "不是 Excel 工作簿（.xlsx）")
            entries.append(Returned(UNRECOGNISED, shown, problems=[why]))
            continue
        try:
            agency, name, found_year = identify(path)
        except DataError as exc:
            entries.append(Returned(UNRECOGNISED, shown, problems=[_plain(exc, path)]))
            continue
        if agency not in registry:
            entries.append(Returned(UNRECOGNISED, shown, agency, name,
                                    [f"单位代码“{agency}”不在单位名录（params/agencies.yaml）中"]))
            continue
        if found_year != year:
            entries.append(Returned(UNRECOGNISED, shown, agency, registry[agency].name,
                                    [f"工作簿的年度是 {_shown(found_year)}，而收集的是 {year} 年"]))
            continue
        entry = Returned(GOOD, shown, agency, registry[agency].name)
        try:
            read_xlsx(path)
        except DataError as exc:
            entry.status = ERRORS
            entry.problems = [_problem(p) for p in (exc.problems or (exc,))]
        entries.append(entry)
        if entry.status == GOOD:
            good.setdefault(agency, []).append(entry)
    for agency, returns in good.items():
        if len({_digest(Path(r.file)) for r in returns}) > 1:
            files = "、".join(r.file for r in returns)
            for r in returns:
                r.status = ERRORS
                r.problems = [f"{registry[agency].name}交回了内容不同的几份工作簿：{files}；请只留一份"]
        else:
            for r in returns[1:]:
                r.change = f"与 {returns[0].file} 相同，只收一份"
            if take:
                _take(project, returns[0], year)
    returned = {e.agency for e in entries if e.status in (GOOD, ERRORS)}
    entries += [Returned(MISSING, agency=a, name=who.name) for a, who in registry.items() if a not in returned]
    if take:
        _check(project, [e for e in entries if e.taken], year)
    return Collection(year, entries)


def _take(project: Project, entry: Returned, year: int) -> None:
    """Copy the workbook to data/<year>/<id>.xlsx; a different file there (or the YAML data) is moved aside."""
    folder = project.data_dir / str(year)
    target = folder / f"{entry.agency}.xlsx"
    source = Path(entry.file)
    entry.taken = str(target)
    yaml = folder / f"{entry.agency}.yaml"
    if target.is_file() and _digest(target) == _digest(source):
        entry.change = "与 data 中已有的相同，未改动" + (f"；另有 {yaml}，请删去其中一份" if yaml.is_file() else "")
        return
    stamp = time.strftime("%Y%m%d-%H%M%S")
    moved: list[str] = []
    put_aside: list[tuple[Path, Path]] = []

    def move_aside_and_copy(tmp: Path) -> None:  # the copy is made before anything is moved
        shutil.copyfile(source, tmp)
        for old in (target, yaml):
            if old.is_file():
                aside = folder / REPLACED / f"{old.stem}-{stamp}{old.suffix}"
                for n in itertools.count(2):  # an earlier copy moved aside the same second stays
                    if not aside.exists():
                        break
                    aside = folder / REPLACED / f"{old.stem}-{stamp}-{n}{old.suffix}"
                aside.parent.mkdir(exist_ok=True)
                os.replace(old, aside)
                put_aside.append((old, aside))
                moved.append(f"{old.name} 移至 {aside}")

    try:
        write_file(target, move_aside_and_copy)
    except BaseException:  # put back what was moved aside: the data stays as it was
        for original, aside in reversed(put_aside):
            if aside.exists() and not original.exists():
                os.replace(aside, original)
        raise
    entry.change = ("替换：原 " + "；原 ".join(moved)) if moved else "新收"


def _check(project: Project, taken: list[Returned], year: int) -> None:
    """The rules over each workbook taken in: the counts, so that the round's next step is in view."""
    from .checks import summary
    from .report import load

    for entry in taken:
        try:
            found = summary(load(project, entry.agency, year).results)
            entry.checks = {"errors": found["errors"], "warnings": found["warnings"]}
        except NianbaoError as exc:
            entry.checks = {"errors": 1, "warnings": 0}
            entry.problems.append(f"校验时出错：{_plain(exc)}")


def _plain(exc: NianbaoError, file: Path | None = None) -> str:
    """The error on one line; without its file when that is the file it is listed under."""
    return " ".join((exc.beside(file) if file is not None else str(exc)).split())


def _problem(p: DataError) -> str:
    where = getattr(p, "place", "") or ""
    return (f"{where}：" if where else "") + p.message + (f"（{p.hint}）" if p.hint else "")


# ================================================================ writers


def to_text(result: Collection) -> str:
    lines = [f"{result.year} 年数据回收："
             + "，".join(f"{STATUS_NAMES[s]} {len(result.of(s))}" for s in (GOOD, ERRORS, MISSING, UNRECOGNISED))]
    from .format import aligned

    rows = [["状态", "单位", "文件", "说明"]]
    for status in (GOOD, ERRORS, MISSING, UNRECOGNISED):
        for e in result.of(status):
            note = e.change
            if e.checks:
                note = "；".join(x for x in (note, f"校验：错误 {e.checks['errors']}，警告 {e.checks['warnings']}") if x)
            if status in (ERRORS, UNRECOGNISED):
                note = f"{len(e.problems)} 处问题" if len(e.problems) > 1 else (e.problems[0] if e.problems else "")
            who = f"{e.name}（{e.agency}）" if e.agency else "—"
            rows.append([STATUS_NAMES[status], who, e.file or "—", note])
    lines += ["", *aligned(rows)]
    details = [e for e in result.entries if e.status in (ERRORS, UNRECOGNISED) and len(e.problems) > 1]
    for e in details:
        lines += ["", f"{e.file}（{e.name or e.agency}）：共 {len(e.problems)} 处需要修改"] + [f"  {p}" for p in e.problems]
    if result.of(GOOD):
        lines += ["", f"下一步：nianbao check --year {result.year}（校验收到的数据），改正后 nianbao batch --year {result.year}"]
    return "\n".join(lines) + "\n"


def to_json(result: Collection) -> str:
    payload = {"year": result.year,
               "summary": {s: len(result.of(s)) for s in (GOOD, ERRORS, MISSING, UNRECOGNISED)},
               "entries": [asdict(e) for e in result.entries]}
    return json.dumps(payload, ensure_ascii=False, indent=1) + "\n"


__all__ = ["Collection", "ERRORS", "GOOD", "MISSING", "REPLACED", "Returned", "UNRECOGNISED", "collect",
           "identify", "to_json", "to_text"]
