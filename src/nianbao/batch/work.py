"""One run, in whatever process renders it: the record it leaves, and what is salvaged when it dies."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import sys
import tempfile
import time
import traceback
from dataclasses import asdict

from .. import timing
from ..errors import NianbaoError
from .ledger import recorded_outputs
from .tasks import FAILED, GRACE, RENDERED, Record, Task, relative


def work(task: Task) -> Record:
    """Render one run and describe it as a ledger record; never raises for a failed run."""
    started = time.time()
    project = task.project
    record = new_record(task)
    try:
        from .. import publish

        with timing.recording() as stages:
            if task.agency:
                from ..report import validate

                with timing.stage("data_checks"):
                    prepared = validate(project, task.agency, task.year)  # every input read and checked, once, before the kernel
                done = publish.report(task.run, prepared, pdf=task.pdf, timeout=task.timeout)
            else:
                done = publish.overview(task.run, pdf=task.pdf, timeout=task.timeout, failed=task.failed)
        record["stages"] = stages
        record.update({"status": RENDERED, "checks": dict(done.summary), "outputs": recorded_outputs(task.run)})
        if done.pending:
            record["pending"] = list(done.pending)
        if done.kept:
            record["kept"] = list(done.kept)
    except NianbaoError as exc:
        record.update({"status": FAILED, "reason": str(exc)})
    except Exception as exc:  # a bug: keep the traceback in the ledger for whoever debugs it
        record.update({"status": FAILED, "reason": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()})
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
