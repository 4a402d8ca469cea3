"""Audit many published reports at once: import each, run every check, one table of reports × rules.

The result is tidy: one row per open finding (a failed error or warning, or a result the checks
could not decide) and per notice (blank cells), with the report, the agency's name as its title prints it, the year, the rule,
its severity and status, the message, where, and the evidence — each cell the finding rests on
with the value the report prints, and the sentence it quotes. Files that could not be read are listed apart,
with the reason. Two reports of the same agency a year apart are checked against each other too
(the agency known by its name: the same, or one the other without the leading city, as in
洪泽区人民政府 and 淮安市洪泽区人民政府).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from . import checks
from .errors import NianbaoError
from .format import describe
from .importer import SUFFIXES, Imported, photographed, read_report
from .model import ReportData, Value, is_empty, is_unknown, number
from .narrative import filled

COLUMNS = ("report", "agency", "year", "rule", "severity", "status", "message", "where", "evidence")
_FIELDS = COLUMNS[3:-1]  # of each result's record (nianbao.checks.records)
#: The notice rule: blank cells, listed with the findings (severity info, 提示) and counted apart.
NOTICE = "V-BLANK"
#: How many cells a finding's evidence lists before it says how many more there are.
_EVIDENCE_CELLS = 8
REPORT_COLUMNS = ("report", "agency", "agency_id", "year", "identity_from", "format", "errors", "warnings", "uncertain", "notices",
                  "unknown_cells")


class Audit(NamedTuple):
    """What an audit found: the findings, the files it could not read, and one line per report read."""

    violations: pd.DataFrame  # COLUMNS, one row per open finding or notice
    unreadable: list[tuple[str, str]]  # (file, reason)
    reports: pd.DataFrame  # REPORT_COLUMNS, one row per report read
    packs: tuple[checks.Pack, ...] = ()  # the rule packs the reports were checked by, besides the format's rules

    @property
    def findings(self) -> pd.DataFrame:
        """The violations without the notices."""
        return self.violations[self.violations["rule"] != NOTICE]

    @property
    def exit_code(self) -> int:
        """0 when no report breaks an error rule and every file was read, else 1."""
        broken = bool(self.reports["errors"].sum()) if len(self.reports) else False
        return 1 if broken or self.unreadable else 0


def report_files(paths: Iterable[Path]) -> list[Path]:
    """The reports to audit: each file given, and under each folder given every file ``nianbao import``
    reads (.html .htm .txt .pdf .docx, a scan's .png .jpg) — but a folder of pictures and nothing else,
    the folder given or one under it, is one report photographed page by page, as ``import`` reads it.
    """
    out: list[Path] = []
    for path in paths:
        out.extend(_reports_in(path, set()) if path.is_dir() else [path])
    return list(dict.fromkeys(out))


def _reports_in(folder: Path, seen: set[Path]) -> list[Path]:
    if (where := folder.resolve()) in seen:  # a link back up the tree
        return []
    seen.add(where)
    if photographed(folder):
        return [folder]
    entries = sorted(folder.iterdir())
    out = [p for p in entries if not p.is_dir() and p.suffix.lower() in SUFFIXES]  # a pipe or a device: listed unreadable
    for sub in (p for p in entries if p.is_dir()):
        out.extend(_reports_in(sub, seen))
    return out


def read_manifest(path: Path) -> dict[Path, tuple[str, int]]:
    """A manifest (CSV with columns file, agency, year): whose report each file is, where the file does
    not say it. ``agency`` is the agency's full name; ``file`` is relative to the manifest's folder.
    """
    import csv

    from . import characters, inputs, yamlfile
    from .errors import DataError

    raw = inputs.read(path, "csv")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataError(f"清单不是 UTF-8 编码{yamlfile.seems(raw)}", file=path,
                        hint="请在 Excel 或 WPS 中“另存为”CSV UTF-8（逗号分隔）；列为 file,agency,year") from None
    rows = list(csv.DictReader(text.splitlines()))
    if rows and not {"file", "agency", "year"} <= set(rows[0]):
        raise DataError("清单的表头应为 file,agency,year", file=path)
    fix = "每行写 file,agency,year，如 a.html,某某局,2024"
    out: dict[Path, tuple[str, int]] = {}
    for n, row in enumerate(rows, start=2):
        file, agency, year = ((row.get(k) or "").strip() for k in ("file", "agency", "year"))
        if not year.isdigit() or not file or not agency:
            raise DataError(f"清单第 {n} 行不完整或年度不是数字：{file},{agency},{year}", file=path, hint=fix)
        if problem := characters.problem(agency, one_line=True, limit=characters.MAX_LINE):
            raise DataError(f"清单第 {n} 行的单位名称有误：{problem[0]}", file=path, hint=problem[1])
        where = (path.parent / file).resolve()
        if where in out:
            raise DataError(f"清单第 {n} 行的文件 {file} 在前面已列过", file=path, hint="每个文件只列一行")
        if not where.exists():
            raise DataError(f"清单第 {n} 行的文件 {file} 不存在（相对清单所在的目录）", file=path, hint=fix)
        out[where] = (agency, int(year))
    return out


def audit(paths: Iterable[Path], manifest: dict[Path, tuple[str, int]] | None = None,
          on_file: Callable[[Path], None] | None = None, jobs: int = 1, scheduler: str | None = None,
          packs: Sequence[checks.Pack] = ()) -> Audit:
    """Import every report under ``paths`` and run every check on each — the format's, with the
    changes and rules of ``packs`` (an evaluator's criteria, say).

    ``manifest`` (from :func:`read_manifest`) names the agency and year of the files it lists; the
    others are read from their titles. With ``jobs`` > 1 the files are imported and checked in that
    many worker processes (the cross-year pairing is made between the two steps, in this process);
    with ``scheduler`` (a Dask scheduler's address) on that cluster's workers, which must see the files
    at the same paths.
    """
    manifest = manifest or {}
    files = report_files(paths)
    pages = jobs if _in_process(jobs, len(files), scheduler) else 1  # then a scan's pages are read side by side
    work = [(path, manifest.get(path.resolve()), pages) for path in files]
    with _mapper(jobs, len(files), scheduler) as mapper:
        imported: list[tuple[str, Imported]] = []
        unreadable: list[tuple[str, str]] = []
        for path, got in zip(files, mapper(_import_one, work)):
            if on_file:
                on_file(path)
            if isinstance(got, str):
                unreadable.append((str(path), got))
            else:
                imported.append((str(path), got))
        ids = agency_ids([r.name for _, r in imported])
        pairs = [(report, _previous(report, [r for _, r in imported]), tuple(packs)) for _, report in imported]
        checked = list(mapper(_check_pair, pairs))
    rows: list[dict] = []
    reports: list[dict] = []
    for (name, report), results in zip(imported, checked):
        s = checks.summary(results)
        reports.append({"report": name, "agency": report.name, "agency_id": ids.get(report.name, report.data.agency),
                        "year": report.data.year, "identity_from": report.identity_from,
                        "format": report.format,
                        "errors": s["errors"], "warnings": s["warnings"], "uncertain": s["uncertain"],
                        "notices": sum(map(_is_notice, results)),
                        "unknown_cells": len(report.unknown())})
        rows.extend(
            {"report": name, "agency": report.name, "year": report.data.year, **{k: record[k] for k in _FIELDS},
             "message": r.advice, "evidence": evidence(r, report.data)}
            for r, record in zip(results, checks.records(results)) if r.is_open or _is_notice(r)
        )
    return Audit(pd.DataFrame(rows, columns=list(COLUMNS)), unreadable, pd.DataFrame(reports, columns=list(REPORT_COLUMNS)),
                 tuple(packs))


def _is_notice(result: checks.Result) -> bool:
    return result.rule == NOTICE and result.status == checks.FAILED


def evidence(result: checks.Result, data: ReportData) -> str:
    """What a finding rests on, as a reader checks it against the published report: the sentence it
    quotes (“…”), then each cell with the value printed there (表四「行政复议·总计」= 0; 空白, ?).
    """
    quoted = [f"“{q}”" for q in _QUOTE.findall(result.message) if len(q) > 4]
    shown = result.cells[:_EVIDENCE_CELLS]
    cells = [f"{describe(key)} = {_printed(data.cells.get(key))}" for key in shown if key in data.cells]
    more = [f"另 {len(result.cells) - len(shown)} 格"] if len(result.cells) > len(shown) else []
    return "；".join([*quoted[:1], *cells, *more])


_QUOTE = re.compile(r"“([^”]+)”")


def _printed(value: Value) -> str:
    if is_unknown(value):
        return "?（无法确定）"
    if is_empty(value):
        return "空白"
    figure = number(value)
    return checks.fmt(value if figure is None else figure)


def _in_process(jobs: int, n: int, scheduler: str | None) -> bool:
    """Whether :func:`_mapper` maps in this process: one worker, or too few files to share out."""
    return not scheduler and (jobs <= 1 or n < 2 * jobs)


@contextlib.contextmanager
def _mapper(jobs: int, n: int, scheduler: str | None = None) -> Iterator[Callable]:
    """``map`` in this process, over ``jobs`` worker processes (forked: the package is imported once),
    or on a Dask cluster.
    """
    if scheduler:
        from .batch.cluster import CONNECT_TIMEOUT, _reach

        _reach(scheduler)  # one line within seconds when there is no scheduler there
        from distributed import Client

        client = Client(scheduler, set_as_default=False, timeout=f"{CONNECT_TIMEOUT * 2}s")
        try:
            yield lambda fn, items: client.gather(client.map(fn, list(items), pure=False))
        finally:
            client.close()
        return
    if _in_process(jobs, n, scheduler):
        yield map
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context(method)) as pool:
        yield lambda fn, items: pool.map(fn, items, chunksize=max(1, n // (jobs * 8)))


def _import_one(job: tuple[Path, tuple[str, int] | None, int]) -> Imported | str:
    """One file imported (a scan's pages ``jobs`` at a time), or why it could not be (a batch keeps
    going; the reason names the failure).
    """
    path, given, jobs = job
    try:
        if given:  # what the file does not say itself
            name, year = given
            return read_report(path, untold_name=name, untold_year=year, jobs=jobs)
        return read_report(path, jobs=jobs)
    except NianbaoError as exc:
        return exc.beside(path)  # listed under the file already
    except Exception as exc:  # noqa: BLE001
        return f"导入时出错（{type(exc).__name__}: {exc}）"


def _check_pair(pair: tuple[Imported, Imported | None, tuple[checks.Pack, ...]]) -> list[checks.Result]:
    return _check(*pair)


def _check(report: Imported, previous: Imported | None, packs: tuple[checks.Pack, ...] = ()) -> list[checks.Result]:
    texts = filled(report.data)
    if previous is None:
        return checks.run(report.data, texts, packs=packs)
    return checks.run(report.data, texts, previous=previous.data, previous_narrative=filled(previous.data), packs=packs)


def _previous(report: Imported, others: list[Imported]) -> Imported | None:
    for other in others:
        if other.data.year == report.data.year - 1 and _same_agency(other.name, report.name):
            return other
    return None


def agency_ids(names: Iterable[str]) -> dict[str, str]:
    """One id per agency across the reports audited together: a name printed shorter in one year
    (洪泽区人民政府) and in full in another (淮安市洪泽区人民政府) gets the full name's id.
    """
    from .importer import agency_slug

    names = sorted({n for n in names if n}, key=len, reverse=True)
    out = {}
    for name in names:
        full = next((other for other in names if len(other) > len(name) and _same_agency(name, other)), name)
        out[name] = agency_slug(full)
    return out


def _same_agency(a: str, b: str) -> bool:
    short, long = sorted((a, b), key=len)
    return bool(short) and (a == b or (len(short) >= 4 and long.endswith(short)))


__all__ = ["Audit", "COLUMNS", "NOTICE", "audit", "evidence", "read_manifest", "report_files"]
