"""Warm worker processes on this machine, each rendering one run at a time."""

from __future__ import annotations

import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

from .tasks import GRACE, Record, Task
from .work import kill_tree, salvage, stopped, work


def _serve(conn, scratch: str) -> None:
    """A worker process: render the tasks the parent sends, one at a time, until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops the workers
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    os.environ["TMPDIR"] = scratch  # kernel sockets and LaTeX folders: removed with the worker
    tempfile.tempdir = None
    import nianbao.render  # noqa: F401  (warm: papermill, nbconvert, matplotlib, pandas, once per worker)

    from .kernels import use_zygote

    use_zygote()  # each report's fresh kernel is forked from a process that has imported its libraries

    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        if task is None:
            return
        conn.send(work(task))




class LocalPool:
    """``jobs`` warm worker processes on this machine, each rendering one run at a time."""

    def __init__(self, jobs: int) -> None:
        import multiprocessing

        methods = multiprocessing.get_all_start_methods()
        self.ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        if "forkserver" in methods:
            self.ctx.set_forkserver_preload(["nianbao.batch.preload"])
        self.jobs = jobs
        self.scratch = Path(tempfile.mkdtemp(prefix="nianbao-batch-"))
        self.idle: list[_Worker] = []
        self.busy: list[_Worker] = []
        self._n = 0

    def _new(self) -> _Worker:
        self._n += 1
        return _Worker(self.ctx, self.scratch / f"w{self._n}")

    @property
    def free(self) -> int:
        return self.jobs - len(self.busy)

    def submit(self, task: Task) -> None:
        worker = self.idle.pop() if self.idle else self._new()
        worker.give(task)
        self.busy.append(worker)

    def wait(self, timeout: float) -> list[tuple[Task, Record]]:
        from multiprocessing.connection import wait

        done: list[tuple[Task, Record]] = []
        ready = wait([w.conn for w in self.busy], timeout=timeout) if self.busy else []
        for worker in [w for w in self.busy if w.conn in ready]:
            task, started = worker.running, worker.started
            try:
                record = worker.conn.recv()
            except (EOFError, OSError):
                code = worker.process.exitcode
                worker.kill()
                self.busy.remove(worker)
                done.append((task, stopped(task, f"工作进程意外退出（退出码 {code}），可能是内存不足", started)))
                continue
            worker.task = None
            self.busy.remove(worker)
            self.idle.append(worker)
            done.append((task, record))
        now = time.monotonic()
        for worker in [w for w in self.busy if now - w.started > w.running.timeout + GRACE]:
            task, started = worker.running, worker.started
            worker.kill()
            self.busy.remove(worker)
            reason = f"运行超过时限 {task.timeout} 秒，已终止（可用 --timeout 放宽）"
            done.append((task, stopped(task, reason, started)))
        return done

    def stop(self) -> list[Task]:
        """Kill every worker; return the tasks that were running (their staging is removed)."""
        running = [w.task for w in self.busy if w.task]
        for worker in self.busy:
            worker.kill()
        for task in running:
            salvage(task, keep=False)
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

    @property
    def running(self) -> Task:
        """The task of a busy worker."""
        assert self.task is not None
        return self.task

    def give(self, task: Task) -> None:
        self.task, self.started = task, time.monotonic()
        self.conn.send(task)

    def kill(self) -> None:
        if self.process.pid:
            kill_tree(self.process.pid)
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
