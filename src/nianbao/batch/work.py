"""One run, in whatever process renders it: the record it leaves, and what is salvaged when it dies."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import socket
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict

from .. import timing
from ..errors import NianbaoError
from .ledger import recorded_outputs
from .tasks import FAILED, GRACE, RENDERED, Record, Task, relative


def work(task: Task) -> Record:
    """Render one run and describe it as a ledger record; never raises for a failed run."""
    if task.agency:
        return work_together([task])[0]
    started = time.time()
    record = new_record(task)
    try:
        from .. import publish, settling
        from ..render import overview_family

        if task.settled:  # its PDF starts where the last one settled: one xelatex pass when its pages are as many
            settling.resume(overview_family(), task.settled)
        with timing.recording() as stages:
            done = publish.overview(task.run, pdf=task.pdf, timeout=task.timeout, failed=task.failed)
        _rendered(record, task, stages, done)
        if task.pdf and (aux := settling.latest(overview_family())) is not None:
            record["settled"] = aux.decode("ascii", "replace")
    except Exception as exc:  # noqa: BLE001  recorded, not raised
        _failed(record, exc)
    return _finished(task, record, started)


def work_together(tasks: list[Task], on_step: Callable[[int | None], None] | None = None) -> list[Record]:
    """Render reports, their PDFs set in one xelatex run (TeX's start-up paid once for them all), and
    describe each as a ledger record; never raises for a failed run. Each report fails alone: one whose
    data, notebook or TeX fails does not stop the others, and their PDFs are the ones each gives alone.

    ``on_step(i)`` is called as the i-th report starts, ``on_step(None)`` as their PDFs are set: so that
    whoever watches the clock knows which report is over its limit.
    """
    from .. import publish, render
    from ..report import validate

    records = [new_record(task) for task in tasks]
    stages: list[dict[str, float]] = [{} for _ in tasks]
    spans = [0.0] * len(tasks)  # each report's own seconds, and its share of the run that set them together
    drafts: list[tuple[int, contextlib.ExitStack, publish.Draft]] = []
    for i, task in enumerate(tasks):
        if on_step:
            on_step(i)
        began = time.time()
        stack = contextlib.ExitStack()
        try:
            with timing.recording() as spent:
                with timing.stage("data_checks"):
                    prepared = validate(task.project, task.agency, task.year)  # every input read and checked, once, before the kernel
                drafts.append((i, stack, stack.enter_context(publish.drafted(task.run, prepared, pdf=task.pdf,
                                                                             timeout=task.timeout))))
        except Exception as exc:  # noqa: BLE001  recorded, not raised
            _failed(records[i], exc)
        _add(stages[i], spent)
        spans[i] += time.time() - began
    setting = [draft.typesetting for _, _, draft in drafts if draft.typesetting is not None]
    if on_step and setting:
        on_step(None)
    began = time.time()
    with timing.recording() as shared:
        try:
            made = iter(render.to_pdfs_together(setting) if setting else [])
        except Exception as exc:  # noqa: BLE001  a bug: each report records it
            made = iter([exc] * len(setting))
    together = time.time() - began
    for i, stack, draft in drafts:
        began = time.time()
        try:
            with timing.recording() as spent, stack:
                if draft.typesetting is not None:
                    pdfs = next(made)
                    if isinstance(pdfs, Exception):
                        raise pdfs
                    draft.pdfs = pdfs
            _add(stages[i], spent, {k: v / len(setting) for k, v in shared.items()} if draft.typesetting else {})
            assert draft.rendered is not None
            _rendered(records[i], tasks[i], stages[i], draft.rendered)
        except Exception as exc:  # noqa: BLE001  recorded, not raised
            _failed(records[i], exc)
        spans[i] += time.time() - began + (together / len(setting) if draft.typesetting is not None else 0.0)
    return [_finished(task, record, time.time() - span) for task, record, span in zip(tasks, records, spans)]


def _add(stages: dict[str, float], *more: dict[str, float]) -> None:
    for spent in more:
        for key, seconds in spent.items():
            stages[key] = round(stages.get(key, 0.0) + seconds, 3)


def _rendered(record: Record, task: Task, stages: dict[str, float], done) -> None:
    record["stages"] = stages
    record.update({"status": RENDERED, "checks": dict(done.summary), "outputs": recorded_outputs(task.run)})
    if done.pending:
        record["pending"] = list(done.pending)
    if done.kept:
        record["kept"] = list(done.kept)


def _failed(record: Record, exc: Exception) -> None:
    if isinstance(exc, NianbaoError):
        record.update({"status": FAILED, "reason": str(exc)})
    else:  # a bug: keep the traceback in the ledger for whoever debugs it
        reason = f"{type(exc).__name__}: {exc}"
        record.update({"status": FAILED, "reason": reason,
                       "traceback": "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))})


def _finished(task: Task, record: Record, started: float) -> Record:
    record["duration"] = round(time.time() - started, 2)
    _keep_failed(task, record)
    return record


def new_record(task: Task) -> Record:
    return {
        "kind": task.kind, "agency": task.agency, "year": task.year, "status": FAILED, "reason": "",
        "duration": 0.0, "checks": {}, "key": task.key, "outputs": {}, "pdf": task.pdf,
        "finished": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "host": socket.gethostname(), "worker": os.getpid(),  # where it ran: this machine or a cluster's
    }


def _keep_failed(task: Task, record: Record) -> None:
    """A failed run points at its partial notebook, and at the previous good outputs when they exist."""
    if record["status"] != FAILED:
        return
    failed = task.run.failed
    if failed.is_file():
        record["outputs"]["failed_notebook"] = relative(failed, task.project.outputs_dir)


def kill_tree(pid: int) -> None:
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


def salvage(task: Task, keep: bool) -> None:
    """After a worker was killed: what :func:`nianbao.publish.recover` does for the task's run."""
    from ..publish import recover

    recover(task.run, keep)


def stopped(task: Task, reason: str, started: float) -> Record:
    """The record of a run whose worker was killed: over its limit, or dead."""
    salvage(task, keep=True)
    record = new_record(task)
    record.update({"status": FAILED, "reason": reason, "duration": round(time.monotonic() - started, 2)})
    _keep_failed(task, record)
    return record


def isolated(task: Task) -> Record:
    """Render one run in a fresh Python process (for a Dask worker, whose threads share a working folder).

    The subprocess is killed with its kernel when it runs past the task's limit.
    """
    import subprocess

    started = time.monotonic()
    payload = json.dumps(asdict(task), ensure_ascii=False)
    code = (
        "import sys, json; from nianbao.batch.work import Task, work; "
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
            kill_tree(proc.pid)
            proc.communicate()
            return stopped(task, f"运行超过时限 {task.timeout} 秒，已终止（可用 --timeout 放宽）", started)
    lines = out.decode("utf-8", "replace").strip().splitlines()
    try:
        return json.loads(lines[-1])
    except (IndexError, ValueError):
        tail = err.decode("utf-8", "replace").strip().splitlines()[-5:]
        return stopped(task, f"工作进程意外退出（退出码 {proc.returncode}）：{' '.join(tail)}", started)
