"""How fast `nianbao batch` renders reports (HTML + PDF each) against the shell loop a user would write.

Generates a synthetic project: N agencies for 2024, copies of the bundled agencies' data under new
ids, each with its params file. Then, in the same run and on the same agency-years:

- the baseline: for each report, one after another, what a user would otherwise write —
      papermill notebooks/report.ipynb out.ipynb -f params/2024/<id>.yaml
      jupyter nbconvert --to html --template nianbao_html … out.ipynb
      jupyter nbconvert --to pdf  --template nianbao_latex … out.ipynb
- nianbao: ``nianbao batch --year 2024 --no-summary --force`` (the command line, start-up included);
- the same batch again with nothing changed (every run skipped).

With ``--scale M`` it then renders M agency-years in one batch (in process, through
``nianbao.batch.run``) and reports, per tenth of the batch, the time per report and the peak
memory of the whole process tree (parent, workers, kernels, xelatex), sampled every 0.5 s.

    .venv/bin/python benchmarks/batch.py [--reports 24] [--scale 500] [--jobs N] [--skip-baseline]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "src" / "nianbao" / "templates"
BIN = Path(sys.executable).parent
LIKE = ("shimen", "jiangbin", "linjiang-scjg")


def make_project(folder: Path, n: int) -> list[str]:
    """A copy of the bundled project with ``n`` synthetic agencies for 2024; returns their ids."""
    for name in ("params", "data", "notebooks"):
        shutil.copytree(ROOT / name, folder / name)
    ids = [f"bench{i:04d}" for i in range(n)]
    entries = []
    for i, agency in enumerate(ids):
        like = LIKE[i % len(LIKE)]
        text = (ROOT / "data" / "2024" / f"{like}.yaml").read_text(encoding="utf-8")
        (folder / "data" / "2024" / f"{agency}.yaml").write_text(
            text.replace(f"agency: {like}\n", f"agency: {agency}\n", 1), encoding="utf-8"
        )
        (folder / "params" / "2024" / f"{agency}.yaml").write_text(f"agency: {agency}\nyear: 2024\n", encoding="utf-8")
        entries.append(f"{agency}:\n  name: 青川市临江区基准测试单位{i}\n  kind: township\n")
    registry = folder / "params" / "agencies.yaml"
    registry.write_text(registry.read_text(encoding="utf-8") + "\n" + "".join(entries), encoding="utf-8")
    return ids


def shell_loop(project: Path, ids: list[str]) -> float:
    """The baseline: papermill, then nbconvert to HTML, then to PDF, per report, one after another."""
    out = project / "shell-out"
    out.mkdir()
    env = {**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}"}
    common = f"--TemplateExporter.extra_template_basedirs={TEMPLATES} --no-input"
    script = "set -e\n" + "".join(
        f"papermill notebooks/report.ipynb {out}/{a}.ipynb -f params/2024/{a}.yaml --no-progress-bar\n"
        f"jupyter nbconvert --to html --template nianbao_html {common} {out}/{a}.ipynb\n"
        f"jupyter nbconvert --to pdf --template nianbao_latex {common} {out}/{a}.ipynb\n"
        for a in ids
    )
    started = time.perf_counter()
    subprocess.run(["bash", "-c", script], cwd=project, env=env, check=True, capture_output=True)
    elapsed = time.perf_counter() - started
    assert len(list(out.glob("*.pdf"))) == len(ids) and len(list(out.glob("*.html"))) == len(ids)
    return elapsed


def cli_batch(project: Path, ids: list[str], jobs: int | None, *extra: str) -> float:
    args = [str(BIN / "nianbao"), "--project", str(project), "batch", "--year", "2024", "--no-summary", "-q", *extra]
    args += [x for a in ids for x in ("-a", a)]
    if jobs:
        args += ["--jobs", str(jobs)]
    started = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True)
    return time.perf_counter() - started


class TreeMemory:
    """Samples the resident memory of this process and all its descendants."""

    def __init__(self, interval: float = 0.5) -> None:
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(interval,), daemon=True)

    def _run(self, interval: float) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for p in [me, *me.children(recursive=True)]:
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    pass
            self.samples.append((time.perf_counter(), total))
            self._stop.wait(interval)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def scale(project: Path, n: int, jobs: int | None) -> None:
    from nianbao import batch
    from nianbao.params import Project

    ids = make_project(project, n)
    done: list[float] = []
    started = time.perf_counter()
    with TreeMemory() as memory:
        result = batch.run(
            Project(project), agencies=ids, years=[2024], jobs=jobs, summary=False,
            on_record=lambda r: done.append(time.perf_counter()),
        )
    total = time.perf_counter() - started
    failed = result.count(batch.FAILED)
    print(f"\n{n} agency-years (HTML + PDF): {total:.0f} s in all, {total / n:.2f} s per report, {failed} failed")
    print(f"{'reports':>12} {'s/report':>9} {'peak MiB':>9}")
    step = max(1, n // 10)
    edges = [started, *done]
    for i in range(0, n, step):
        lo, hi = edges[i], edges[min(i + step, n)]
        peak = max((m for t, m in memory.samples if lo <= t <= hi), default=0)
        print(f"{i + 1:>5}–{min(i + step, n):<6} {(hi - lo) / (min(i + step, n) - i):>9.2f} {peak / 2**20:>9.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=24, help="agency-years in the comparison (default 24)")
    parser.add_argument("--scale", type=int, default=0, help="then render this many in one batch (e.g. 500)")
    parser.add_argument("--jobs", type=int, default=None, help="nianbao's workers (default: the cores)")
    parser.add_argument("--skip-baseline", action="store_true", help="time nianbao only")
    args = parser.parse_args()
    cpu = platform.processor() or platform.machine()
    print(f"machine: {os.cpu_count()} cores ({cpu}), {psutil.virtual_memory().total / 2**30:.0f} GiB, "
          f"Python {platform.python_version()}, {platform.system()} {platform.release()}")
    with tempfile.TemporaryDirectory(prefix="nianbao-bench-") as tmp:
        if args.reports:
            project = Path(tmp) / "compare"
            ids = make_project(project, args.reports)
            n = len(ids)
            ours = cli_batch(project, ids, args.jobs, "--force")
            again = cli_batch(project, ids, args.jobs)
            print(f"nianbao batch:   {ours:7.1f} s for {n} reports = {ours / n:5.2f} s per report")
            print(f"  again, nothing changed: {again:.2f} s in total")
            if not args.skip_baseline:
                shell = shell_loop(project, ids)
                print(f"shell loop:      {shell:7.1f} s for {n} reports = {shell / n:5.2f} s per report")
                print(f"ratio: nianbao is {shell / ours:.1f}× faster")
        if args.scale:
            scale(Path(tmp) / "scale", args.scale, args.jobs)


if __name__ == "__main__":
    main()
