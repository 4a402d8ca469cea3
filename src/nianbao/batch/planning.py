"""What to run, and what changed: the agency-years to render and the input key of each run."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import asdict
from pathlib import Path

from ..errors import ParamsError
from ..params import Agency, Project, load_registry
from ..params import agency as find_agency
from ..run import Fingerprints, Run, digest, input_files, rests_on


def plan(project: Project, agencies: Iterable[str] = (), years: Iterable[int] = (),
         registry: Mapping[str, Agency] | None = None) -> list[tuple[str, int]]:
    """Every agency-year with data, or those of the agencies and years named, in year and agency order.

    ``registry`` is the agency registry when the caller has read it already.
    """
    registry = load_registry(project) if registry is None else registry
    names = list(agencies) or list(registry)
    for name in names:
        if name not in registry:
            find_agency(project, name)  # raises, listing the agencies the registry knows
    wanted = set(years)
    runs = [(a, y) for a in names for y in project.years_with_data(a) if not wanted or y in wanted]
    if not runs:
        which = "、".join(map(str, sorted(wanted))) or "任何"
        raise ParamsError(f"所选单位没有 {which} 年度的数据", hint="用 --year 和 --agency 选择 data/ 中已有的单位和年度")
    return sorted(runs, key=lambda r: (r[1], r[0]))


def code_files() -> list[Path]:
    """Every file of the package that a render runs or reads: its modules, templates and data files."""
    package = Path(__file__).resolve().parents[1]
    return sorted(
        p for p in package.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo")
    )


def code_hash() -> str:
    """SHA-256 over the package's own source and templates: a change to the code re-renders everything."""
    package = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for path in code_files():
        h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


class Hasher:
    """Input keys for runs: their inputs' fingerprints (:meth:`Run.fingerprints`, each file read at
    most once per batch), the code, the render options and the registry entries the run shows.
    """

    def __init__(self, project: Project, options: dict) -> None:
        self.project = project
        self.options = options
        self.code = code_hash()
        self.registry = load_registry(project)
        self.seen = Fingerprints()
        self.inputs: dict[str, dict[str, str]] = {}  # per report key, what the report rests on (see rests_on)

    def _key(self, inputs: dict[str, str], extra: dict | None = None) -> str:
        payload = {"inputs": inputs, "code": self.code, "options": self.options, **(extra or {})}
        return digest(payload)

    def report(self, agency: str, year: int) -> str:
        inputs = rests_on(Run(self.project, year, agency), self.registry, self.seen)
        key = self._key(inputs)
        self.inputs[key] = inputs
        return key

    def summary(self, year: int, failed: dict) -> str:
        entries = {a: asdict(x) for a, x in self.registry.items()}
        return self._key(input_files(Run(self.project, year), self.seen), {"registry": entries, "failed": failed})
