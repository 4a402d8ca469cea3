"""The only loop over agency × year: every report, in parallel, incrementally, one failure at a time.

Each agency-year runs in a worker process of its own (a warm process that has imported papermill,
nbconvert and matplotlib once), which executes the master notebook in a fresh kernel reached over
IPC sockets — no TCP port to race for — and renders HTML and PDF in the same process. A worker
renders one report at a time, so nbconvert's and papermill's changes of the working folder never
meet. The parent never changes folder; it enforces each run's wall-clock limit by killing the
worker's process tree, keeps the partial notebook, and starts a new worker.

A run whose inputs — data, params, registry entry, reviews, notebook, the package's code, render
options — hash to the key of its last good render is skipped. Every run's result is one record in
``outputs/ledger.json``; ``outputs/index.html`` is written from the ledger after each batch. With a
Dask scheduler each run is a task on the cluster instead, run in a subprocess of the worker.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import signal
import sys
import tempfile
import time
import traceback
from collections import deque
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from . import index as index_
from .errors import NianbaoError, ParamsError, writing
from .notebook import input_files, summary_input_files
from .params import Agency, Project, load_registry
from .publish import writable, write_text

RENDERED, FAILED, SKIPPED = "rendered", "failed", "skipped"
REPORT, SUMMARY = "report", "summary"
LEDGER = "ledger.json"
SUMMARY_FOLDER = "_summary"  # the same as render.SUMMARY_FOLDER, without importing nbconvert here
#: Seconds a worker gets after its limit to finish writing before it is killed.
GRACE = 5


@dataclass(frozen=True)
class Task:
    """One run: an agency-year's report, or (``agency`` empty) a year's overview. Picklable."""

    root: str
    data_root: str
    year: int
    agency: str = ""
    pdf: bool = True
    timeout: int = 600
    key: str = ""
    failed: dict = field(default_factory=dict)  # the overview's agencies whose reports failed

    @property
    def id(self) -> str:
        return f"{self.year}/{self.agency or SUMMARY_FOLDER}"

    @property
    def kind(self) -> str:
        return REPORT if self.agency else SUMMARY

    @property
    def project(self) -> Project:
        return Project(Path(self.root), Path(self.data_root) if self.data_root else None)

    @property
    def out(self) -> Path:
        return self.project.outputs_dir / str(self.year) / (self.agency or SUMMARY_FOLDER)


@dataclass
class Batch:
    """What a batch did: one record per run it was asked for, in the order they finished."""

    records: list[dict] = field(default_factory=list)
    interrupted: bool = False

    def count(self, status: str) -> int:
        return sum(r["batch_status"] == status for r in self.records)

    @property
    def check_errors(self) -> int:
        return sum((r.get("checks") or {}).get("errors", 0) for r in self.records if r["kind"] == REPORT)

    def exit_code(self, strict: bool = False) -> int:
        """0 when everything rendered, 1 when a run failed, 3 with ``strict`` when a check found an error."""
        if self.count(FAILED):
            return 1
        if strict and self.check_errors:
            return 3
        return 0


# ---------------------------------------------------------------- what to run, and what changed


def plan(project: Project, agencies: Iterable[str] = (), years: Iterable[int] = ()) -> list[tuple[str, int]]:
    """Every agency-year with data, or those of the agencies and years named, in year and agency order."""
    registry = load_registry(project)
    names = list(agencies) or list(registry)
    for name in names:
        if name not in registry:
            known = "、".join(sorted(registry)) or "（名录为空）"
            raise ParamsError(f"未知单位 {name!r}", file=project.params_dir / "agencies.yaml", hint=f"名录中的单位：{known}")
    wanted = set(years)
    runs = [(a, y) for a in names for y in project.years_with_data(a) if not wanted or y in wanted]
    if not runs:
        which = "、".join(map(str, sorted(wanted))) or "任何"
        raise ParamsError(f"所选单位没有 {which} 年度的数据", hint="用 --year 和 --agency 选择 data/ 中已有的单位和年度")
    return sorted(runs, key=lambda r: (r[1], r[0]))


def code_hash() -> str:
    """SHA-256 over the package's own source and templates: a change to the code re-renders everything."""
    package = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc", ".pyo"):
            h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


class Hasher:
    """Input keys for runs, each file hashed at most once per batch."""

    def __init__(self, project: Project, options: dict) -> None:
        self.project = project
        self.options = options
        self.code = code_hash()
        self.registry = load_registry(project)
        self._files: dict[Path, str] = {}

    def file(self, path: Path) -> str:
        if path not in self._files:
            self._files[path] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "absent"
        return self._files[path]

    def _key(self, files: list[Path], extra: dict) -> str:
        root = self.project.root
        registry = self.project.params_dir / "agencies.yaml"
        inputs = {_relative(p, root): self.file(p) for p in files if p != registry}  # the registry counts by entry
        payload = {"inputs": inputs, "code": self.code, "options": self.options, **extra}
        return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()

    def report(self, agency: str, year: int) -> str:
        return self._key(input_files(self.project, agency, year), {"agency": asdict(self.registry[agency])})

    def summary(self, year: int, failed: dict) -> str:
        entries = {a: asdict(x) for a, x in self.registry.items()}
        return self._key(summary_input_files(self.project, year), {"registry": entries, "failed": failed})


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


# ---------------------------------------------------------------- the ledger


def ledger_path(project: Project) -> Path:
    return project.outputs_dir / LEDGER


class LedgerDamaged(NianbaoError, ValueError):
    """``outputs/ledger.json`` is not a ledger: truncated, not JSON, or JSON of another shape."""


def read_ledger(project: Project) -> dict[str, dict]:
    """The last record of every run ever made in the project, keyed by ``<year>/<agency>``.

    An absent ledger is empty; a damaged one raises :class:`LedgerDamaged` (see :func:`recover_ledger`).
    """
    path = ledger_path(project)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (ValueError, UnicodeDecodeError) as exc:
        raise LedgerDamaged(f"台账不是完整的 JSON（{exc}）", file=path) from None
    runs = raw.get("runs") if isinstance(raw, dict) else None
    if not isinstance(runs, dict):
        raise LedgerDamaged("台账的结构不对：应为 {\"version\": 1, \"runs\": {…}}", file=path)
    for run_id, record in runs.items():
        problem = _record_problem(record)
        if problem:
            raise LedgerDamaged(f"台账中的记录 {run_id!r} {problem}", file=path)
    return runs


_RECORD_FIELDS: dict[str, type | tuple[type, ...]] = {
    "kind": str, "agency": str, "year": int, "status": str, "outputs": dict, "checks": dict, "key": str,
}


def _record_problem(record: object) -> str:
    if not isinstance(record, dict):
        return "不是一条记录"
    for name, kind in _RECORD_FIELDS.items():
        if not isinstance(record.get(name), kind):
            return f"缺少 {name} 或类型不对"
    if record["kind"] not in (REPORT, SUMMARY) or record["status"] not in (RENDERED, FAILED):
        return "的 kind 或 status 不是已知的值"
    if not all(isinstance(v, str) for v in record["outputs"].values()):
        return "的 outputs 不是路径"
    return ""


def recover_ledger(project: Project, registry: dict[str, Agency]) -> tuple[dict[str, dict], str]:
    """Set a damaged ledger aside and rebuild it from the outputs on disk; returns the runs and a warning.

    The damaged file is kept as ``ledger.damaged-<time>.json``. Each report and overview found under
    ``outputs/`` gets a record again (status and check counts from its ``checks.json``), with no
    input key, so that the next batch renders it anew instead of trusting it.
    """
    path = ledger_path(project)
    aside = path.with_name(f"ledger.damaged-{dt.datetime.now():%Y%m%dT%H%M%S}-{os.getpid()}.json")
    with writing(path):
        os.replace(path, aside)
    runs: dict[str, dict] = {}
    for checks_file in sorted(project.outputs_dir.glob("[0-9]*/*/checks.json")):
        folder = checks_file.parent
        try:
            summary = json.loads(checks_file.read_text(encoding="utf-8")).get("summary") or {}
        except (ValueError, OSError, AttributeError):
            continue
        year, agency = int(folder.parent.name), folder.name
        runs[f"{year}/{agency}"] = _rebuilt(project, REPORT, agency, year, folder, f"{agency}-{year}", summary,
                                            registry.get(agency).name if agency in registry else agency)
    for summary_file in sorted(project.outputs_dir.glob(f"[0-9]*/{SUMMARY_FOLDER}/summary.json")):
        folder, year = summary_file.parent, int(summary_file.parent.parent.name)
        runs[f"{year}/{SUMMARY_FOLDER}"] = _rebuilt(project, SUMMARY, "", year, folder, f"summary-{year}", {},
                                                    f"{year}年汇总", checks_name="summary.json")
    warning = (f"台账 {path} 已损坏，原文件另存为 {aside.name}；已按 outputs/ 中现有的 {len(runs)} 份输出重建台账，"
               "本次批量中的报告都将重新渲染")
    write_ledger(project, runs)
    return runs, warning


def _rebuilt(project: Project, kind: str, agency: str, year: int, folder: Path, stem: str, checks: dict,
             name: str, checks_name: str = "checks.json") -> dict:
    files = {"html": f"{stem}.html", "pdf": f"{stem}.pdf", "notebook": f"{stem}.ipynb", "checks": checks_name}
    outputs = {k: _relative(folder / f, project.outputs_dir) for k, f in files.items() if (folder / f).is_file()}
    finished = dt.datetime.fromtimestamp((folder / checks_name).stat().st_mtime, dt.timezone.utc)
    return {
        "kind": kind, "agency": agency, "year": year, "status": RENDERED, "reason": "", "duration": 0.0,
        "checks": dict(checks), "key": "", "outputs": outputs, "pdf": "pdf" in outputs, "name": name,
        "finished": finished.isoformat(timespec="seconds"), "rebuilt": True,
    }


def write_ledger(project: Project, runs: dict[str, dict]) -> None:
    """Write the ledger atomically: a reader sees the old file or the new one, never half of one."""
    ordered = dict(sorted(runs.items()))
    write_text(ledger_path(project), json.dumps({"version": 1, "runs": ordered}, ensure_ascii=False, indent=1) + "\n")


def _is_current(record: dict | None, task: Task) -> bool:
    if not record or record.get("status") != RENDERED or record.get("key") != task.key:
        return False
    outputs = record.get("outputs") or {}
    wanted = ["html", "notebook"] + (["pdf"] if task.pdf else [])
    root = task.project.outputs_dir
    return all(outputs.get(k) and (root / outputs[k]).is_file() for k in wanted)


# ---------------------------------------------------------------- one run, in a worker


def work(task: Task) -> dict:
    """Render one run and describe it as a ledger record; never raises for a failed run."""
    started = time.time()
    project = task.project
    record = _record(task)
    try:
        if task.agency:
            from .render import render
            from .report import validate

            report = validate(project, task.agency, task.year)  # every input checked before the kernel starts
            done = render(project, report.agency, report.data, pdf=task.pdf, timeout=task.timeout)
        else:
            from .render import render_summary

            done = render_summary(project, task.year, pdf=task.pdf, timeout=task.timeout, failed=task.failed)
        record.update(status=RENDERED, checks=dict(done.summary), outputs=_outputs(project, done))
    except NianbaoError as exc:
        record.update(status=FAILED, reason=str(exc))
    except Exception as exc:  # a bug: keep the traceback in the ledger for whoever debugs it
        record.update(status=FAILED, reason=f"{type(exc).__name__}: {exc}", traceback=traceback.format_exc())
    record["duration"] = round(time.time() - started, 2)
    _keep_failed(task, record)
    return record


def _record(task: Task) -> dict:
    return {
        "kind": task.kind, "agency": task.agency, "year": task.year, "status": FAILED, "reason": "",
        "duration": 0.0, "checks": {}, "key": task.key, "outputs": {}, "pdf": task.pdf,
        "finished": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }


def _outputs(project: Project, done) -> dict:
    paths = {"html": done.html, "pdf": done.pdf, "notebook": done.notebook, "checks": done.checks_json}
    return {k: _relative(p, project.outputs_dir) for k, p in paths.items() if p}


def _keep_failed(task: Task, record: dict) -> None:
    """A failed run points at its partial notebook, and at the previous good outputs when they exist."""
    if record["status"] != FAILED:
        return
    failed = task.out.parent / f"{task.out.name}.failed.ipynb"
    if failed.is_file():
        record["outputs"]["failed_notebook"] = _relative(failed, task.project.outputs_dir)


def _serve(conn, scratch: str) -> None:
    """A worker process: render the tasks the parent sends, one at a time, until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops the workers
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    os.environ["TMPDIR"] = scratch  # kernel sockets and LaTeX folders: removed with the worker
    tempfile.tempdir = None
    import nianbao.render  # noqa: F401  (warm: papermill, nbconvert, matplotlib, pandas, once per worker)
    from .notebook import use_zygote

    use_zygote()  # each report's fresh kernel is forked from a process that has imported its libraries

    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        if task is None:
            return
        conn.send(work(task))


def _kill_tree(pid: int) -> None:
    """Kill a process and everything it started (kernels run in sessions of their own, so by tree)."""
    import psutil

    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return
    for p in procs:
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(procs, timeout=10)


def _salvage(task: Task, keep: bool) -> None:
    """After a worker was killed: keep the partial notebook (if ``keep``), remove the staging folders,
    and put back an output folder caught between the two renames of a swap."""
    out = task.out
    if not out.parent.is_dir():
        return
    staging = sorted(out.parent.glob(f".{out.name}.*.tmp"), key=lambda p: p.stat().st_mtime)
    stem = f"{task.agency}-{task.year}" if task.agency else f"summary-{task.year}"
    if keep and staging and (staging[-1] / f"{stem}.ipynb").is_file():
        shutil.copyfile(staging[-1] / f"{stem}.ipynb", out.parent / f"{out.name}.failed.ipynb")
    for folder in staging:
        shutil.rmtree(folder, ignore_errors=True)
    old = sorted(out.parent.glob(f".{out.name}.*.old"), key=lambda p: p.stat().st_mtime)
    if old and not out.exists():
        old[-1].rename(out)
    for folder in out.parent.glob(f".{out.name}.*.old"):
        shutil.rmtree(folder, ignore_errors=True)


def _stopped(task: Task, reason: str, started: float) -> dict:
    """The record of a run whose worker was killed: over its limit, or dead."""
    _salvage(task, keep=True)
    record = _record(task)
    record.update(status=FAILED, reason=reason, duration=round(time.monotonic() - started, 2))
    _keep_failed(task, record)
    return record


# ---------------------------------------------------------------- pools of workers


class LocalPool:
    """``jobs`` warm worker processes on this machine, each rendering one run at a time."""

    def __init__(self, jobs: int) -> None:
        import multiprocessing

        methods = multiprocessing.get_all_start_methods()
        self.ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        if "forkserver" in methods:
            self.ctx.set_forkserver_preload(["nianbao.render"])
        self.jobs = jobs
        self.scratch = Path(tempfile.mkdtemp(prefix="nianbao-batch-"))
        self.idle: list[_Worker] = []
        self.busy: list[_Worker] = []
        self._n = 0

    def _new(self) -> "_Worker":
        self._n += 1
        return _Worker(self.ctx, self.scratch / f"w{self._n}")

    @property
    def free(self) -> int:
        return self.jobs - len(self.busy)

    def submit(self, task: Task) -> None:
        worker = self.idle.pop() if self.idle else self._new()
        worker.give(task)
        self.busy.append(worker)

    def wait(self, timeout: float) -> list[tuple[Task, dict]]:
        from multiprocessing.connection import wait

        done = []
        ready = wait([w.conn for w in self.busy], timeout=timeout) if self.busy else []
        for worker in [w for w in self.busy if w.conn in ready]:
            task, started = worker.task, worker.started
            try:
                record = worker.conn.recv()
            except (EOFError, OSError):
                code = worker.process.exitcode
                worker.kill()
                self.busy.remove(worker)
                done.append((task, _stopped(task, f"工作进程意外退出（退出码 {code}），可能是内存不足", started)))
                continue
            worker.task = None
            self.busy.remove(worker)
            self.idle.append(worker)
            done.append((task, record))
        now = time.monotonic()
        for worker in [w for w in self.busy if now - w.started > w.task.timeout + GRACE]:
            task, started = worker.task, worker.started
            worker.kill()
            self.busy.remove(worker)
            reason = f"运行超过时限 {task.timeout} 秒，已终止（可用 --timeout 放宽）"
            done.append((task, _stopped(task, reason, started)))
        return done

    def stop(self) -> list[Task]:
        """Kill every worker; return the tasks that were running (their staging is removed)."""
        running = [w.task for w in self.busy if w.task]
        for worker in self.busy:
            worker.kill()
        for task in running:
            _salvage(task, keep=False)
        self.busy = []
        return running

    def close(self) -> None:
        for worker in self.idle:
            worker.close()
        self.stop()
        self.idle = []
        shutil.rmtree(self.scratch, ignore_errors=True)


class _Worker:
    def __init__(self, ctx, scratch: Path) -> None:
        scratch.mkdir(parents=True)
        self.scratch = scratch
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(child, str(scratch)), daemon=True, name="nianbao-worker")
        self.process.start()
        child.close()
        self.task: Task | None = None
        self.started = 0.0

    def give(self, task: Task) -> None:
        self.task, self.started = task, time.monotonic()
        self.conn.send(task)

    def kill(self) -> None:
        if self.process.pid:
            _kill_tree(self.process.pid)
        self.process.join(5)
        self.conn.close()
        shutil.rmtree(self.scratch, ignore_errors=True)

    def close(self) -> None:
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.process.join(10)
        if self.process.is_alive():
            self.kill()
        else:
            self.conn.close()
            shutil.rmtree(self.scratch, ignore_errors=True)


#: Seconds to wait for a Dask scheduler to answer before saying it cannot be reached.
CONNECT_TIMEOUT = 5


class DaskPool:
    """Runs as tasks on a Dask distributed cluster; each task renders in a subprocess of its worker."""

    def __init__(self, address: str) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise ParamsError(
                "使用 --scheduler 需要 Dask distributed", hint="请安装可选依赖：pip install 'nianbao[dask]'"
            ) from None
        _reach(address)
        self.client = Client(address, set_as_default=False, timeout=f"{CONNECT_TIMEOUT * 2}s")
        self.futures: dict = {}
        self.free = 1 << 30  # the scheduler decides; every task is handed over at once

    @property
    def busy(self) -> list:
        return list(self.futures)

    def submit(self, task: Task) -> None:
        key = f"nianbao-{task.year}-{task.agency or 'summary'}-{task.key[:16]}-{os.urandom(4).hex()}"
        future = self.client.submit(isolated, task, key=key, pure=False, retries=0)
        self.futures[future] = task

    def wait(self, timeout: float) -> list[tuple[Task, dict]]:
        deadline = time.monotonic() + timeout
        finished = [f for f in self.futures if f.done()]
        while not finished and time.monotonic() < deadline:
            time.sleep(0.05)
            finished = [f for f in self.futures if f.done()]
        done = []
        for future in finished:
            task = self.futures.pop(future)
            try:
                record = future.result()
            except Exception as exc:  # the worker died or the task could not run there
                record = _record(task)
                record.update(status=FAILED, reason=f"集群任务失败：{type(exc).__name__}: {exc}")
            done.append((task, record))
        return done

    def stop(self) -> list[Task]:
        running = list(self.futures.values())
        self.client.cancel(list(self.futures))
        self.futures = {}
        return running

    def close(self) -> None:
        self.stop()
        self.client.close()


def _reach(address: str) -> None:
    """Refuse, within seconds and in one line, a scheduler address that is malformed, does not answer,
    or is not a Dask scheduler.

    Asked before a ``Client`` exists: a client that failed to connect spends ten more seconds, and a
    traceback, closing itself when it is collected.
    """
    import asyncio

    from distributed.comm import connect
    from distributed.comm.addressing import parse_address

    hint = "请确认调度器已经启动（dask scheduler），地址形如 tcp://10.0.0.5:8786，且本机能访问该端口"
    try:
        parse_address(address, strict=True)
    except (ValueError, TypeError) as exc:
        raise ParamsError(f"Dask 调度器地址 {address!r} 无效（{exc}）", hint=hint) from None

    async def identity() -> dict:
        comm = await connect(address, timeout=f"{CONNECT_TIMEOUT}s")
        try:
            await comm.write({"op": "identity", "reply": True})
            return await asyncio.wait_for(comm.read(), CONNECT_TIMEOUT)
        finally:
            comm.abort()

    try:
        answer = asyncio.run(asyncio.wait_for(identity(), CONNECT_TIMEOUT * 2))
    except (OSError, asyncio.TimeoutError):
        raise ParamsError(f"无法连接 Dask 调度器 {address}：{CONNECT_TIMEOUT} 秒内没有连上", hint=hint) from None
    except Exception:  # it answered, but not as a scheduler does
        answer = {}
    if not isinstance(answer, dict) or answer.get("type") != "Scheduler":
        raise ParamsError(f"{address} 上的服务不是 Dask 调度器", hint=hint)


def isolated(task: Task) -> dict:
    """Render one run in a fresh Python process (for a Dask worker, whose threads share a working folder).

    The subprocess is killed with its kernel when it runs past the task's limit.
    """
    import subprocess

    started = time.monotonic()
    payload = json.dumps(asdict(task), ensure_ascii=False)
    code = (
        "import sys, json; from nianbao.batch import Task, work; "
        "print(json.dumps(work(Task(**json.loads(sys.stdin.read()))), ensure_ascii=False))"
    )
    with tempfile.TemporaryDirectory(prefix="nianbao-task-") as scratch:
        env = {**os.environ, "TMPDIR": scratch}
        proc = subprocess.Popen(
            [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
        )
        try:
            out, err = proc.communicate(payload.encode(), timeout=task.timeout + GRACE)
        except subprocess.TimeoutExpired:
            _kill_tree(proc.pid)
            proc.communicate()
            return _stopped(task, f"运行超过时限 {task.timeout} 秒，已终止（可用 --timeout 放宽）", started)
    lines = out.decode("utf-8", "replace").strip().splitlines()
    try:
        return json.loads(lines[-1])
    except (IndexError, ValueError):
        tail = err.decode("utf-8", "replace").strip().splitlines()[-5:]
        return _stopped(task, f"工作进程意外退出（退出码 {proc.returncode}）：{' '.join(tail)}", started)


# ---------------------------------------------------------------- the batch


def run(
    project: Project,
    *,
    agencies: Iterable[str] = (),
    years: Iterable[int] = (),
    jobs: int | None = None,
    timeout: int = 600,
    pdf: bool = True,
    force: bool = False,
    summary: bool = True,
    scheduler: str | None = None,
    on_plan: Callable[[int], None] | None = None,
    on_record: Callable[[dict], None] | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> Batch:
    """Render every agency-year with data (or those named), then each year's overview; write ledger and index.

    ``on_plan(total)`` is called once with the number of runs, ``on_record(record)`` after each run
    (skipped ones included, with ``batch_status`` ``"skipped"``). Ctrl-C stops the workers, removes
    their half-made outputs, writes ledger and index of what finished, and re-raises.
    """
    project = Project(project.root.resolve(), project.data_root.resolve() if project.data_root else None)
    runs = plan(project, agencies, years)
    options = {"pdf": pdf, "timeout": timeout}
    hasher = Hasher(project, options)
    writable(project.outputs_dir)  # a read-only or missing disk is one line now, not a failure per report
    try:
        ledger = read_ledger(project)
    except LedgerDamaged:
        ledger, warning = recover_ledger(project, hasher.registry)
        if on_warning:
            on_warning(warning)
    base = dict(root=str(project.root), data_root=str(project.data_root or ""), pdf=pdf, timeout=timeout)
    tasks = [Task(year=y, agency=a, key=hasher.report(a, y), **base) for a, y in runs]
    years_left = {y: sum(1 for _, ry in runs if ry == y) for _, y in runs}
    batch = Batch()
    if on_plan:
        on_plan(len(tasks) + (len(years_left) if summary else 0))

    def finish(task: Task, record: dict, status: str) -> None:
        record = {**record, "name": _name(hasher.registry, task)}
        previous = ledger.get(task.id) or {}
        if status == FAILED and previous.get("outputs"):  # render() kept the last good outputs in place
            kept = {k: v for k, v in previous["outputs"].items() if k != "failed_notebook"}
            record["outputs"] = {**kept, **record["outputs"]}
            record["stale"] = True
        if status != SKIPPED:
            ledger[task.id] = {k: v for k, v in record.items() if k != "batch_status"}
            write_ledger(project, ledger)
        record["batch_status"] = status
        batch.records.append(record)
        if on_record:
            on_record(record)
        if task.agency:
            years_left[task.year] -= 1
            if summary and years_left[task.year] == 0:
                queue.appendleft(_summary_task(task.year))  # its reports are done: next in line

    def _summary_task(year: int) -> Task:
        failed = {
            r["agency"]: r.get("reason", "") for r in ledger.values()
            if r["kind"] == REPORT and r["year"] == year and r["status"] == FAILED
        }
        return Task(year=year, key=hasher.summary(year, failed), failed=failed, **base)

    queue: deque[Task] = deque()
    for task in tasks:
        queue.append(task)
    pool = None
    try:
        while queue or (pool and pool.busy):
            while queue:
                task = queue[0]
                previous = ledger.get(task.id)
                if not force and _is_current(previous, task):
                    queue.popleft()
                    finish(task, previous, SKIPPED)
                    continue
                if pool is None:
                    pool = DaskPool(scheduler) if scheduler else LocalPool(jobs or _cores())
                if pool.free <= 0:
                    break
                pool.submit(queue.popleft())
            if pool and pool.busy:
                for task, record in pool.wait(timeout=0.5):
                    finish(task, record, record["status"])
    except KeyboardInterrupt:
        batch.interrupted = True
        if pool:
            pool.stop()
        raise
    finally:
        if pool:
            pool.close()
        write_ledger(project, ledger)
        index_.write(project, ledger, hasher.registry)
    return batch


def _name(registry: dict[str, Agency], task: Task) -> str:
    if not task.agency:
        return f"{task.year}年汇总"
    who = registry.get(task.agency)
    return who.name if who else task.agency


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


__all__ = ["Batch", "Task", "plan", "run", "work", "isolated", "read_ledger", "recover_ledger", "write_ledger", "code_hash"]
