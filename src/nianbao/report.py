"""One agency-year put together: its data, earlier years, reviewers' decisions and check results.

The notebook, ``nianbao render`` and ``nianbao check`` all go through here, so the results a report
shows, the results saved beside it and the results the command line prints are the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from . import checks, reviews
from .checks import packs
from .errors import NianbaoError, ParamsError
from .format import REPORT_TITLE
from .load import load_history, load_report
from .model import ReportData
from .narrative import filled
from .params import REGISTRY, Agency, Project, check_params_file, load_registry
from .params import agency as find_agency

T = TypeVar("T")


@dataclass(frozen=True)
class Report:
    """Everything shown for one agency-year, computed once."""

    project: Project
    agency: Agency
    data: ReportData
    history: dict[int, ReportData]  # every year up to this one, for trends
    texts: dict[str, str]  # narrative with placeholders filled
    results: list[checks.Result]

    @property
    def title(self) -> str:
        return f"{self.agency.name}{self.data.year}年{REPORT_TITLE}"

    @property
    def marks(self) -> dict[str, set[str]]:
        return checks.marks(self.results)


def project_for(project_dir: str = "", data_dir: str = "", rules: Iterable[str] = ()) -> Project:
    """The project the notebook's parameters name: its folder, its data folder, the rule packs added."""
    project = Project(Path(project_dir).resolve()) if project_dir else Project.find()
    data_root = (project.root / data_dir).resolve() if data_dir else None
    return Project(project.root, data_root, tuple(Path(r) for r in rules))


def prepare(agency: str, year: int, project_dir: str = "", data_dir: str = "", rules: Iterable[str] = ()) -> Report:
    """Load and check one agency-year (with its earlier years): the notebook's first step."""
    return load(project_for(project_dir, data_dir, rules), agency, int(year))


def validate(project: Project, agency: str, year: int) -> Report:
    """Everything a run rests on — registry, params file, data of every year, reviews — read and
    checked before any kernel starts; raises the first problem with where it is and how to fix it.
    """
    who = find_agency(project, agency)  # an unknown agency first: its id may be no file's name at all
    check_params_file(project, agency, year)
    return load(project, agency, year, who)


def load(project: Project, agency: str, year: int, who: Agency | None = None) -> Report:
    who = who or find_agency(project, agency)
    data = load_report(project, agency, year)  # the year asked for first: its problem is the one to report
    history = {**load_history(project, agency, year - 1), year: data}
    return assemble(project, who, history, year)


def assemble(project: Project, who: Agency, history: dict[int, ReportData], year: int, previous_problem: str = "") -> Report:
    data, previous = history[year], history.get(year - 1)
    texts = filled(data)
    found = checks.run(data, texts, previous, filled(previous) if previous else None, previous_problem,
                       packs.load(project))
    results = reviews.apply(found, reviews.load(project, who.id, year), data)
    return Report(project, who, data, history, texts, results)


@dataclass(frozen=True)
class Unreadable:
    """An agency-year (or a params file) that could not be read: what ``nianbao check`` reports as failed."""

    agency: str
    name: str  # the agency's full name, or its id when it is not in the registry
    year: int
    error: str  # the message, naming the file, the sheet and cell or the key, and the fix
    file: str = ""


def check_all(
    project: Project,
    agencies: Iterable[str] = (),
    years: Iterable[int] = (),
    jobs: int = 1,
    each: Callable[[Report], T] | None = None,
) -> Iterator[Report | Unreadable | T]:
    """Every agency-year with data (or those named), in agency and year order; each file read once.

    Params files that stock papermill would refuse or misread, and agency-years whose data cannot be
    read, come as :class:`Unreadable` entries (never through ``each``), so that one bad file stops
    nothing.

    With ``each``, yields ``each(report)`` instead of the report. With ``jobs`` > 1 the agencies are
    shared among that many worker processes, which apply ``each`` themselves so that only its
    (small) result travels back — give a module-level function, such as a ``functools.partial``.
    """
    registry = load_registry(project)
    names = list(agencies) or sorted(registry)
    for name in names:
        if name not in registry:
            find_agency(project, name)  # raises with the list of known agencies
    wanted: tuple[int, ...] = tuple(sorted(set(years)))
    yield from _check_params(project, registry, set(agencies), set(wanted))
    if jobs <= 1 or len(names) < 4 * jobs:
        yield from _check_chunk((project, [registry[n] for n in names], wanted, each))
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    size = max(1, len(names) // (jobs * 4))
    jobs_ = [(project, [registry[n] for n in names[i : i + size]], wanted, each) for i in range(0, len(names), size)]
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context(method)) as pool:
        for done in pool.map(_check_chunk, jobs_):
            yield from done


def _check_chunk(job) -> list:
    project, agencies, wanted, each = job
    reports = (r for who in agencies for r in _check_agency(project, who, wanted))
    return [each(r) if each and isinstance(r, Report) else r for r in reports]


def _check_agency(project: Project, who: Agency, wanted: tuple[int, ...]) -> Iterator[Report | Unreadable]:
    history: dict[int, ReportData] = {}
    problems: dict[int, str] = {}
    for year in project.years_with_data(who.id):
        if wanted and year not in wanted and year + 1 not in wanted:
            continue
        try:
            history[year] = load_report(project, who.id, year)
            report = assemble(project, who, history, year, problems.get(year - 1, ""))
        except NianbaoError as exc:
            problems[year] = str(exc)
            history.pop(year, None)
            if not wanted or year in wanted:
                yield Unreadable(who.id, who.name, year, str(exc), str(getattr(exc, "file", "") or ""))
            continue
        if not wanted or year in wanted:
            yield report


def _check_params(project: Project, registry: dict[str, Agency], agencies: set[str], years: set[int]) -> Iterator[Unreadable]:
    """Every params file of the agencies and years asked for, read as stock papermill would take it."""
    for path in project.params_files():
        agency, folder = path.stem, path.parent.name
        year = int(folder) if folder.isdigit() else 0
        if agencies and agency not in agencies or years and year not in years:
            continue
        try:
            if not year:
                raise ParamsError("参数文件应放在 params/<年度>/ 中", file=path)
            if agency not in registry:
                raise ParamsError(f"参数文件的单位 {agency} 不在单位名录中", file=path, hint=f"请先在 params/{REGISTRY} 中登记")
            check_params_file(project, agency, year)
        except NianbaoError as exc:
            who = registry.get(agency)
            yield Unreadable(agency, who.name if who else agency, year, str(exc), str(path))
