"""How fast `nianbao check` validates data: agency-years checked per second, without a kernel.

Generates a synthetic project of N agencies × 3 years (copies of the bundled department's
2022–2024 data under new ids), then times, in the same process:

- the baseline: reading every data file with PyYAML's pure-Python ``yaml.safe_load`` alone, as a
  hand-written script would before checking anything;
- nianbao: the ``nianbao check`` command itself, called in this process (output captured): load and
  validate every file, fill the narrative, run every rule including the cross-year ones, print the
  report — with ``--jobs 1``, and with its default of one worker process per core.

Target (issue 3): at least 1,000 agency-years per second on a 2-core machine.

    .venv/bin/python benchmarks/check_speed.py [--agencies 400]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path

import yaml
from click.testing import CliRunner

from nianbao.cli import main as main_command
from nianbao.params import Project
from nianbao.report import check_all

ROOT = Path(__file__).resolve().parents[1]
SOURCE = "linjiang-scjg"
YEARS = (2022, 2023, 2024)


def make_project(folder: Path, agencies: int) -> Project:
    (folder / "params").mkdir(parents=True)
    registry = []
    for i in range(agencies):
        agency = f"synthetic-{i:04d}"
        registry.append(f"{agency}:\n  name: 合成测试单位{i:04d}\n  kind: department\n")
        for year in YEARS:
            text = (ROOT / "data" / str(year) / f"{SOURCE}.yaml").read_text(encoding="utf-8")
            target = folder / "data" / str(year) / f"{agency}.yaml"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text.replace(f"agency: {SOURCE}", f"agency: {agency}"), encoding="utf-8")
    (folder / "params" / "agencies.yaml").write_text("".join(registry), encoding="utf-8")
    return Project(folder)


def timed(project: Project, *args: str) -> float:
    """Seconds for ``nianbao check`` on the project, run in this process; its output is discarded."""
    start = time.perf_counter()
    result = CliRunner().invoke(main_command, ["--project", str(project.root), "check", *args])
    elapsed = time.perf_counter() - start
    assert result.exit_code == 0, result.output[-2000:]
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, default=400)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="nianbao-check-bench-"))
    try:
        project = make_project(folder, args.agencies)
        files = sorted(project.data_dir.glob("*/*.yaml"))
        n = len(files)

        start = time.perf_counter()
        for path in files:
            yaml.safe_load(path.read_text(encoding="utf-8"))
        baseline = time.perf_counter() - start

        single = timed(project, "--jobs", "1")
        elapsed = timed(project)
        timed(project, "--format", "json")  # the JSON form costs about the same; run once to be sure it works
        results = sum(len(r.results) for r in check_all(project))

        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
        print(f"agency-years: {n} ({args.agencies} agencies × {len(YEARS)} years), {results} results")
        print(f"baseline  yaml.safe_load only : {baseline:7.3f} s  {n / baseline:8.0f} agency-years/s")
        print(f"nianbao check --jobs 1         : {single:7.3f} s  {n / single:8.0f} agency-years/s")
        print(f"nianbao check ({os.cpu_count()} processes)    : {elapsed:7.3f} s  {n / elapsed:8.0f} agency-years/s")
        print(f"ratio (baseline time / nianbao time): {baseline / elapsed:.2f}")
        print(f"target ≥ 1000 agency-years/s: {'met' if n / elapsed >= 1000 else 'NOT met'}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
