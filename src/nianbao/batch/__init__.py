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

One module per idea, in the order a batch goes through them:

- :mod:`.tasks`   a run (:class:`Task`) and what a batch did (:class:`Batch`)
- :mod:`.planning` which agency-years to run, and each run's input key
- :mod:`.ledger`  the ledger of last records and the append-only history of every run
- :mod:`.work`    one run in whatever process renders it; salvage after a killed one
- :mod:`.kernels` the kernel fork server of a worker
- :mod:`.local`   warm worker processes on this machine
- :mod:`.cluster` tasks on a Dask cluster
- :mod:`.loop`    the scheduling loop
"""

from .ledger import (
    LedgerDamaged,
    append_history,
    history_path,
    ledger_path,
    read_history,
    read_ledger,
    recover_ledger,
    write_ledger,
)
from .loop import run
from .planning import Hasher, code_files, code_hash, plan
from .tasks import FAILED, RENDERED, REPORT, SKIPPED, SUMMARY, Batch, Task
from .work import isolated, salvage, work

__all__ = [
    "FAILED", "RENDERED", "REPORT", "SKIPPED", "SUMMARY", "Batch", "Hasher", "LedgerDamaged", "Task",
    "append_history", "code_files", "code_hash", "history_path", "isolated", "ledger_path", "plan", "read_history",
    "read_ledger", "recover_ledger", "run", "salvage", "work", "write_ledger",
]
