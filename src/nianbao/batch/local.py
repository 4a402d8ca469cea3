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
from .work import kill_tree, salvage, stopped, work, work_together

#: At most this many reports a worker renders at a time, their PDFs set in one xelatex run (TeX's
#: start-up paid once for them): enough to pay it a few times less, few enough that a report waits
#: little for the others, and a worker stopped over its limit takes few with it.
TOGETHER = 6


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
            tasks = conn.recv()
        except EOFError:
            return
        if tasks is None:
            return
        if all(t.agency for t in tasks):
            conn.send(work_together(tasks, lambda step: conn.send(("step", step))))
        else:
            conn.send([work(t) for t in tasks])




class LocalPool:
    """``jobs`` warm worker processes on this machine, each rendering a run at a time — or up to
    :data:`TOGETHER` reports, set together (see :func:`~nianbao.batch.work.work_together`).
    """

    def __init__(self, jobs: int) -> None:
        import multiprocessing

        methods = multiprocessing.get_all_start_methods()
        self.ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        if "forkserver" in methods:
            self.ctx.set_forkserver_preload(["nianbao.batch.preload"])
        self.jobs = jobs
        self.together = TOGETHER
        self.returned: list[Task] = []  # runs given back unmade, by a worker stopped for another's sake
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

    def submit(self, tasks: list[Task]) -> None:
        """Hand runs to a worker: one, or reports to render together."""
        worker = self.idle.pop() if self.idle else self._new()
        worker.give(tasks)
        self.busy.append(worker)

    def wait(self, timeout: float) -> list[tuple[Task, Record]]:
        from multiprocessing.connection import wait

        done: list[tuple[Task, Record]] = []
        ready = wait([w.conn for w in self.busy], timeout=timeout) if self.busy else []
        for worker in [w for w in self.busy if w.conn in ready]:
            try:
                while worker.conn.poll():
                    message = worker.conn.recv()
                    if isinstance(message, tuple):  # ("step", i): the i-th report starts; None: their PDFs
                        worker.step(message[1])
                        continue
                    done.extend(zip(worker.tasks, message))
                    worker.tasks = []
                    self.busy.remove(worker)
                    self.idle.append(worker)
                    break
            except (EOFError, OSError):
                code = worker.process.exitcode
                done += self._stopped(worker, f"工作进程意外退出（退出码 {code}），可能是内存不足")
        now = time.monotonic()
        for worker in [w for w in self.busy if now - w.started > w.limit + GRACE]:
            done += self._stopped(worker, f"运行超过时限 {worker.limit} 秒，已终止（可用 --timeout 放宽）")
        return done

    def _stopped(self, worker: _Worker, reason: str) -> list[tuple[Task, Record]]:
        """Kill a worker: the run it was on failed for ``reason``; the others it held go back, unmade,
        to be made alone (:attr:`returned`). When it was setting reports' PDFs together, they all go back.
        """
        worker.kill()
        self.busy.remove(worker)
        culprit = worker.current
        for task in worker.tasks:
            if task is not culprit:
                salvage(task, keep=False)  # what it had made of it is removed
                self.returned.append(task)
        return [] if culprit is None else [(culprit, stopped(culprit, reason, worker.started))]

    def stop(self) -> list[Task]:
        """Kill every worker; return the tasks that were running (their staging is removed)."""
        running = [task for w in self.busy for task in w.tasks]
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
        self.tasks: list[Task] = []  # the runs it holds (their records come back together)
        self.current: Task | None = None  # the run it is on; None while it sets reports' PDFs together
        self.started = 0.0  # since when

    @property
    def limit(self) -> int:
        """Seconds the worker may spend on what it is on: the run's limit, or while setting reports'
        PDFs together, the largest of theirs.
        """
        return self.current.timeout if self.current else max(task.timeout for task in self.tasks)

    def give(self, tasks: list[Task]) -> None:
        self.tasks = list(tasks)
        self.current, self.started = tasks[0], time.monotonic()
        self.conn.send(self.tasks)

    def step(self, index: int | None) -> None:
        """The worker has started its ``index``-th run, or (``None``) to set the reports' PDFs together."""
        self.current, self.started = (None if index is None else self.tasks[index]), time.monotonic()

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
