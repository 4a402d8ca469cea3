"""How fast `nianbao batch` renders every edition of every report, against the shell loops a user would write.

Generates a synthetic project: N agencies for 2024, copies of the bundled agencies' data under new
ids, each with its params file. Then, in the same run and on the same agency-years:

- the parallel loop (the baseline quoted first): what a competent user writes without nianbao,
  one report per core at a time (``xargs -P <cores>``), each report
      papermill notebooks/report.ipynb out.ipynb -f params/2024/<id>.yaml
      jupyter nbconvert --to html --template nianbao_html … out.ipynb
      jupyter nbconvert --to pdf  --template nianbao_latex … out.ipynb
  which makes the review edition's HTML and PDF only;
- with ``--sequential``, the same loop one report after another;
- nianbao: ``nianbao batch --year 2024 --force`` (the command line, start-up included) making all it
  makes by default: both editions (review HTML and PDF; the publication page, CMS fragment, PDF and
  Word file), the checks files, and the year's overview;
- the same batch again with nothing changed (every run skipped).

For each, the wall-clock time and the CPU time of the whole process tree; for nianbao, the CPU
time per stage per report, from the ledger (``stages`` in each record, see ``nianbao.timing``).

With ``--scale M`` it then renders M agency-years in one batch (in process, through
``nianbao.batch.run``) and reports, per tenth of the batch, the time per report and the peak
memory of the whole process tree (parent, workers, kernels, xelatex), sampled every 0.5 s.

    .venv/bin/python benchmarks/batch.py [--reports 12 24] [--scale 500] [--jobs N] [--sequential]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
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


def become_subreaper() -> None:
    """Adopt this process's orphaned descendants (Linux), so that their CPU time is counted when they end.

    A process that exits before its children (a batch's fork server, say) leaves them to init, and
    their CPU time to nobody; a subreaper receives them and, reaping them, their CPU time.
    """
    import ctypes

    PR_SET_CHILD_SUBREAPER = 36
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def reap_orphans(limit: float = 30.0) -> None:
    """Wait for the adopted descendants still running after a command ended."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.05)
    left = [p.cmdline() for p in psutil.Process().children()]
    sys.exit(f"processes left running {limit:.0f} s after the command ended: {left}")


def timed(args: list[str], **kwargs) -> tuple[float, float]:
    """Run a command to its end: (wall seconds, CPU seconds of it and of every process it started)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True, **kwargs)
    wall = time.perf_counter() - started
    reap_orphans()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def shell_loop(project: Path, ids: list[str], parallel: int) -> tuple[float, float]:
    """The user's loop: papermill, then nbconvert to HTML, then to PDF, per report; ``parallel`` at a time."""
    out = project / f"shell-out-{parallel}"
    out.mkdir()
    env = {**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}"}
    common = f"--TemplateExporter.extra_template_basedirs={TEMPLATES} --no-input"
    # A report that fails is run once more, as its user would: stock papermill's kernels listen on TCP
    # ports, and two started at the same moment can be given the same one (nianbao's use IPC sockets).
    steps = (
        f"papermill notebooks/report.ipynb {out}/$a.ipynb -f params/2024/$a.yaml --no-progress-bar 2>>{out}/$a.log && "
        f"jupyter nbconvert --to html --template nianbao_html {common} {out}/$a.ipynb 2>>{out}/$a.log && "
        f"jupyter nbconvert --to pdf --template nianbao_latex {common} {out}/$a.ipynb 2>>{out}/$a.log"
    )
    one = f"a=$1; {steps} || {{ echo $a >> {out}/again; {steps}; }}"
    script = f"printf '%s\\n' {' '.join(ids)} | xargs -P {parallel} -n 1 bash -c '{one}' _"
    wall, cpu = timed(["bash", "-c", script], cwd=project, env=env)
    again = (out / "again").read_text().split() if (out / "again").exists() else []
    if again:
        print(f"  the loop ran {len(again)} report(s) again after a failure: {' '.join(again)}; first error:")
        print("  " + "\n  ".join((out / f"{again[0]}.log").read_text(errors="replace").splitlines()[-6:]))
    assert len(list(out.glob("*.pdf"))) == len(ids) and len(list(out.glob("*.html"))) == len(ids)
    return wall, cpu


def cli_batch(project: Path, ids: list[str], jobs: int | None, *extra: str) -> tuple[float, float]:
    args = [str(BIN / "nianbao"), "--project", str(project), "batch", "--year", "2024", "-q", *extra]
    args += [x for a in ids for x in ("-a", a)]
    if jobs:
        args += ["--jobs", str(jobs)]
    return timed(args)


def made_everything(project: Path, ids: list[str]) -> None:
    """Every report's documents of both editions, and the overview, are there (or the comparison is void)."""
    from nianbao.batch import read_ledger
    from nianbao.params import Project

    records = {r["agency"]: r for r in read_ledger(Project(project)).values()}
    for agency in ids:
        outputs = records[agency]["outputs"]
        for name in ("html", "pdf", "notebook", "checks", "publish_html", "publish_fragment", "publish_pdf",
                     "publish_docx"):
            assert (project / "outputs" / outputs[name]).is_file(), (agency, name)
    assert records[""]["status"] == "rendered", "the year's overview"


def stages(project: Path, ids: list[str]) -> tuple[dict[str, float], dict[str, float]]:
    """Mean CPU seconds per stage over the reports, and the overview's, from the ledger."""
    from nianbao.batch import read_ledger
    from nianbao.params import Project

    ledger = read_ledger(Project(project))
    total: dict[str, float] = defaultdict(float)
    for agency in ids:
        for name, seconds in ledger[f"2024/{agency}"].get("stages", {}).items():
            total[name] += seconds / len(ids)
    return dict(total), ledger["2024/_summary"].get("stages", {})


def print_stages(per_report: dict[str, float], overview: dict[str, float], n: int, batch_cpu: float) -> None:
    from nianbao.timing import FLOOR, STAGES

    print(f"\nCPU seconds per report, by stage (mean of {n}):")
    for name, label in STAGES.items():
        if per_report.get(name):
            print(f"  {label:<36} {per_report[name]:6.3f}")
    reports = sum(per_report.values())
    print(f"  {'合计（每份报告）':<36} {reports:6.3f}")
    print(f"  {'年度汇总（整批一次，摊到每份）':<36} {sum(overview.values()) / n:6.3f}")
    rest = batch_cpu / n - reports - sum(overview.values()) / n
    print(f"  {'命令行启动、调度、工作进程与内核模板（摊到每份）':<36} {rest:6.3f}")
    floor = sum(per_report.get(name, 0.0) for name in FLOOR)
    print(f"\nfloor (stages no report can share: {', '.join(FLOOR)}): {floor:.3f} CPU s per report")
    print(f"  the batch's reports: {reports:.3f} CPU s = {reports / floor:.2f}× the floor;"
          f" all of the batch, per report: {batch_cpu / n:.3f} CPU s = {batch_cpu / n / floor:.2f}× the floor")


class TreeMemory:
    """Samples the memory of this process and all its descendants: the sum of their resident sets (RSS,
    which counts a page shared by forked processes once in each) and of their proportional sets (PSS,
    each shared page split among its sharers: what the tree takes from the machine).
    """

    def __init__(self, interval: float = 0.5) -> None:
        self.samples: list[tuple[float, int, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(interval,), daemon=True)

    def _run(self, interval: float) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            rss = pss = 0
            for p in [me, *me.children(recursive=True)]:
                try:
                    memory = p.memory_full_info()
                except psutil.Error:
                    continue
                rss, pss = rss + memory.rss, pss + memory.pss
            self.samples.append((time.perf_counter(), rss, pss))
            self._stop.wait(interval)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def compare(folder: Path, n: int, jobs: int | None, sequential: bool) -> None:
    cores = jobs or len(os.sched_getaffinity(0))
    project = folder / f"compare-{n}"
    ids = make_project(project, n)
    print(f"\n== {n} agency-years ==")
    loop_wall, loop_cpu = shell_loop(project, ids, cores)
    print(f"parallel loop (xargs -P {cores}), review HTML + PDF:  {loop_wall:7.1f} s = {loop_wall / n:5.2f} s per report"
          f"  (CPU {loop_cpu / n:5.2f} s per report)")
    if sequential:
        seq_wall, seq_cpu = shell_loop(project, ids, 1)
        print(f"sequential loop, review HTML + PDF:             {seq_wall:7.1f} s = {seq_wall / n:5.2f} s per report"
              f"  (CPU {seq_cpu / n:5.2f} s per report)")
    ours, ours_cpu = cli_batch(project, ids, jobs, "--force")
    made_everything(project, ids)
    again, _ = cli_batch(project, ids, jobs)
    print(f"nianbao batch, both editions + Word + checks + overview: {ours:7.1f} s = {ours / n:5.2f} s per report"
          f"  (CPU {ours_cpu / n:5.2f} s per report)")
    print(f"  again, nothing changed: {again:.2f} s in total")
    print(f"ratio: nianbao is {loop_wall / ours:.2f}× faster than the parallel loop"
          + (f", {seq_wall / ours:.2f}× than the sequential one" if sequential else ""))
    print_stages(*stages(project, ids), n, ours_cpu)


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
    print(f"\n{n} agency-years (both editions): {total:.0f} s in all, {total / n:.2f} s per report, {failed} failed")
    print(f"{'reports':>12} {'s/report':>9} {'peak PSS MiB':>13} {'peak RSS MiB':>13}")
    step = max(1, n // 10)
    edges = [started, *done]
    for i in range(0, n, step):
        lo, hi = edges[i], edges[min(i + step, n)]
        pss = max((m for t, _, m in memory.samples if lo <= t <= hi), default=0)
        rss = max((m for t, m, _ in memory.samples if lo <= t <= hi), default=0)
        print(f"{i + 1:>5}–{min(i + step, n):<6} {(hi - lo) / (min(i + step, n) - i):>9.2f} {pss / 2**20:>13.0f}"
              f" {rss / 2**20:>13.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, nargs="*", default=[12, 24, 100],
                        help="agency-years to compare (default 12 24 100)")
    parser.add_argument("--scale", type=int, default=0, help="then render this many in one batch (e.g. 500)")
    parser.add_argument("--jobs", type=int, default=None, help="nianbao's workers and the loop's -P (default: the cores)")
    parser.add_argument("--sequential", action="store_true", help="also time the loop one report at a time")
    args = parser.parse_args()
    cpu = platform.processor() or platform.machine()
    print(f"machine: {os.cpu_count()} cores ({cpu}), {psutil.virtual_memory().total / 2**30:.0f} GiB, "
          f"Python {platform.python_version()}, {platform.system()} {platform.release()}")
    become_subreaper()
    with tempfile.TemporaryDirectory(prefix="nianbao-bench-") as tmp:
        for n in (n for n in args.reports if n > 0):  # --reports 0 (or none): no comparison
            compare(Path(tmp), n, args.jobs, args.sequential)
        if args.scale:
            scale(Path(tmp) / "scale", args.scale, args.jobs)


if __name__ == "__main__":
    main()
