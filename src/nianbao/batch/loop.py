"""The scheduling loop: every run in turn, skipped when current; each year's overview first, beside its reports."""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable, Iterable

from .. import index as index_
from ..atomic import writable
from ..params import Agency, Project
from ..run import Run
from .cluster import DaskPool
from .ledger import LedgerDamaged, append_history, is_current, read_ledger, recover_ledger, write_ledger
from .local import LocalPool
from .planning import Hasher, plan
from .tasks import FAILED, REPORT, SKIPPED, Batch, Record, Task


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
    on_record: Callable[[Record], None] | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> Batch:
    """Render every agency-year with data (or those named) and each year's overview; write ledger and index.

    ``on_plan(total)`` is called once with the number of runs, ``on_record(record)`` after each run
    (skipped ones included, with ``batch_status`` ``"skipped"``). Ctrl-C stops the workers, removes
    their half-made outputs, writes ledger and index of what finished, and re-raises.
    """
    project = Project(project.root.resolve(), project.data_root.resolve() if project.data_root else None,
                      tuple(p.resolve() for p in project.rules))
    hasher = Hasher(project, {"pdf": pdf, "timeout": timeout})  # reads the registry, once for the batch
    runs = plan(project, agencies, years, hasher.registry)
    writable(project.outputs_dir)  # a read-only or missing disk is one line now, not a failure per report
    try:
        ledger = read_ledger(project)
    except LedgerDamaged:
        ledger, warning = recover_ledger(project, hasher.registry)
        if on_warning:
            on_warning(warning)
    loop = _Loop(project, hasher, ledger, pdf=pdf, timeout=timeout, summary=summary, on_record=on_record,
                 on_warning=on_warning)
    loop.queue.extend(loop.task(agency, year) for agency, year in runs)
    if on_plan:
        on_plan(len(loop.queue) + (len(loop.left) if summary else 0))
    try:
        loop.drain(lambda: DaskPool(scheduler) if scheduler else LocalPool(jobs or _cores()), force)
    finally:
        write_ledger(project, ledger)
        index_.write(project, ledger, hasher.registry)
    return loop.batch


class _Loop:
    """One batch's state: the queue of runs, the ledger it updates, and how many reports each year awaits."""

    def __init__(self, project: Project, hasher: Hasher, ledger: dict[str, Record], *, pdf: bool, timeout: int,
                 summary: bool, on_record: Callable[[Record], None] | None,
                 on_warning: Callable[[str], None] | None = None) -> None:
        self.project, self.hasher, self.ledger = project, hasher, ledger
        self.rules = tuple(str(p) for p in project.rules)  # the packs added to the batch, for each task
        self.pdf, self.timeout, self.summary, self.on_record = pdf, timeout, summary, on_record
        self.on_warning = on_warning
        self.queue: deque[Task] = deque()
        self.left: dict[int, set[str]] = {}  # per year, the agencies whose reports this batch has yet to finish
        self.early: dict[int, Task] = {}  # a year's overview started while its reports still run …
        self.early_done: dict[int, Record] = {}  # … and its record, kept until those reports are done
        self.hashing: dict[str, float] = {}  # per input key, the CPU seconds its inputs took to hash
        self.alone: set[str] = set()  # runs to be made alone, not together with other reports
        self.batch = Batch()

    def task(self, agency: str, year: int) -> Task:
        self.left.setdefault(year, set()).add(agency)
        return Task(str(self.project.root), str(self.project.data_root or ""), year, agency, self.pdf, self.timeout,
                    self.hashed(self.hasher.report, agency, year), rules=self.rules)

    def summary_task(self, year: int) -> Task:
        """The year's overview, naming the reports that failed; those this batch has yet to finish are
        taken to succeed (an overview started before they are done is made again if one fails).
        """
        left = self.left.get(year, set())
        failed = {
            r["agency"]: r.get("reason", "") for r in self.ledger.values()
            if r["kind"] == REPORT and r["year"] == year and r["status"] == FAILED and r["agency"] not in left
        }
        previous: Record = self.ledger.get(Run(self.project, year, "").id) or {}
        return Task(str(self.project.root), str(self.project.data_root or ""), year, "", self.pdf, self.timeout,
                    self.hashed(self.hasher.summary, year, failed), failed, self.rules, str(previous.get("settled", "")))

    def hashed(self, key: Callable[..., str], *args: object) -> str:
        """A run's input key, and (for its record's ``stages``) the CPU time it took."""
        started = time.process_time()
        made = key(*args)
        self.hashing[made] = time.process_time() - started
        return made

    def drain(self, make_pool: Callable[[], LocalPool | DaskPool], force: bool) -> None:
        """Run the queue to its end: current runs skipped, the rest handed to the pool as it has room."""
        pool: LocalPool | DaskPool | None = None
        try:
            self.skip_current(force)  # first, so that an overview can start beside the first reports
            while self.queue or (pool and pool.busy):
                while self.queue and (pool is None or pool.free > 0):
                    task = self.queue[0]
                    if (previous := self.current(task, force)) is not None:
                        self.queue.popleft()
                        self.finish(task, previous, SKIPPED)  # an overview put in line since, still current
                        continue
                    if pool is None:  # the first run to make: the workers start, and the overviews first
                        pool = make_pool()
                        self.start_overviews(pool, force)
                        continue
                    pool.submit(self.take(pool, force))
                if pool:
                    self.start_overviews(pool, force)
                if pool and pool.busy:
                    for task, record in pool.wait(timeout=0.5):
                        self.done(task, record)
                    while pool.returned:  # given back unmade when a worker was stopped for another run: alone now
                        task = pool.returned.pop()
                        self.alone.add(task.id)
                        self.queue.appendleft(task)
        except KeyboardInterrupt:
            self.batch.interrupted = True
            if pool:
                pool.stop()
            for year in list(self.early_done):  # an overview made beside reports that will not finish now: its key
                record = self.early_done.pop(year)  # says what it took them to be, so it is current while that holds
                self.finish(self.early.pop(year), record, record["status"])
            raise
        finally:
            if pool:
                pool.close()

    def take(self, pool: LocalPool | DaskPool, force: bool) -> list[Task]:
        """The next run from the queue, with the reports after it that a worker renders together with it
        (``pool.together`` at most): as many as leave every worker a share of what is left.
        """
        def joins(task: Task) -> bool:  # a report whose PDFs are to be set, not one to make alone
            return bool(task.agency) and task.pdf and task.id not in self.alone

        taken = [self.queue.popleft()]
        share = min(pool.together, -(-(len(self.queue) + 1) // getattr(pool, "jobs", 1))) if joins(taken[0]) else 1
        while len(taken) < share and self.queue and joins(self.queue[0]) and self.current(self.queue[0], force) is None:
            taken.append(self.queue.popleft())
        return taken

    def current(self, task: Task, force: bool) -> Record | None:
        """The ledger's record of the run when its outputs are current (never with ``force``), else ``None``."""
        previous = self.ledger.get(task.id)
        return previous if previous is not None and not force and is_current(previous, task) else None

    def skip_current(self, force: bool) -> None:
        """Take the runs whose outputs are current out of the queue, recorded as skipped."""
        todo = list(self.queue)
        self.queue.clear()
        for task in todo:
            if (previous := self.current(task, force)) is not None:
                self.finish(task, previous, SKIPPED)  # a year whose reports are all current puts its overview in line
            else:
                self.queue.append(task)

    def start_overviews(self, pool: LocalPool | DaskPool, force: bool) -> None:
        """A year with reports to render starts its overview on the first free worker, beside them.

        The overview is the longest run of a year: started first, it ends beside the year's reports,
        not after them with the other workers idle. It is made as if the reports still to finish
        succeed; if one fails, it is made again once they are all done (see :meth:`year_done`). With
        one worker it comes after its year's reports, as there is nothing to run it beside.
        """
        if not self.summary:
            return
        alone = pool.free + len(pool.busy) < 2
        for year, left in self.left.items():
            if not left or year in self.early or pool.free <= 0:
                continue
            if alone and any(t.year == year for t in self.queue):
                continue
            task = self.summary_task(year)
            if self.current(task, force) is not None:
                continue  # skipped in turn once the reports are done, if still current then
            self.early[year] = task
            pool.submit([task])

    def done(self, task: Task, record: Record) -> None:
        if not task.agency and self.early.get(task.year) is task:
            self.early_done[task.year] = record
            if not self.left[task.year]:
                self.settle_overview(task.year)
            return
        self.finish(task, record, record["status"])

    def year_done(self, year: int) -> None:
        """A year's reports are all done: its overview is next in line, or the early one is settled."""
        if year not in self.early:
            self.queue.appendleft(self.summary_task(year))
        elif year in self.early_done:
            self.settle_overview(year)

    def settle_overview(self, year: int) -> None:
        """The early overview stands if the failures it was made with are the year's; else it is made again."""
        task, record = self.early.pop(year), self.early_done.pop(year)
        final = self.summary_task(year)
        if final.key == task.key:
            self.finish(task, record, record["status"])
        else:
            self.queue.appendleft(final)

    def finish(self, task: Task, record: Record, status: str) -> None:
        """Record a run's outcome; once a year's reports are all done, its overview is next in line."""
        record = record.copy()
        record["name"] = _name(self.hasher.registry, task)
        previous: Record = self.ledger.get(task.id) or {}
        if status == FAILED and previous.get("outputs"):  # render() kept the last good outputs in place
            kept = {k: v for k, v in previous["outputs"].items() if k != "failed_notebook"}
            record["outputs"] = {**kept, **record["outputs"]}
            record["stale"] = True
        if status != SKIPPED:
            if "stages" in record:
                record["stages"] = {**record["stages"], "hashing": round(self.hashing.get(task.key, 0.0), 3)}
            if task.key in self.hasher.inputs:  # what it rests on: `nianbao status` tells when that has changed since
                record["inputs"] = self.hasher.inputs[task.key]
            saved = record.copy()
            saved.pop("batch_status", None)
            self.ledger[task.id] = saved
            write_ledger(self.project, self.ledger)
            warning = append_history(self.project, self.ledger[task.id])
            if warning and self.on_warning:
                self.on_warning(warning)
        record["batch_status"] = status
        self.batch.records.append(record)
        if self.on_record:
            self.on_record(record)
        if task.agency:
            self.left[task.year].discard(task.agency)
            if self.summary and not self.left[task.year]:
                self.year_done(task.year)


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
