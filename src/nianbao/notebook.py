"""papermill in one place: execute a master notebook for one agency-year (or one year's overview).

Every run gets a fresh kernel of its own, reached over IPC sockets in a private folder rather than
TCP ports, so parallel runs cannot race for a port ("Address already in use", "Kernel didn't
respond in 60 seconds").
"""

from __future__ import annotations

import functools
import logging
import shutil
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from . import timing
from .errors import RenderError, os_error
from .kernel import KernelClock, ipc_kernel_manager
from .run import Run

if TYPE_CHECKING:  # papermill and nbformat are imported when a notebook runs, not before
    import nbformat

#: Seconds a kernel may take to start; generous, since a batch starts many at once.
START_TIMEOUT = 300
#: papermill saves the output notebook at each cell's start and end; here at most this often (and
#: always at the end), so that a worker killed mid-run still leaves a recent partial notebook.
SAVE_EVERY = 2.0

# papermill logs what goes wrong in a run ("Timeout waiting for execute reply") before raising it;
# the kit reports the error itself, so those lines reach a handler only where the user set one up.
logging.getLogger("papermill").addHandler(logging.NullHandler())


def parameters(run_: Run, failed: Mapping[str, str] | None = None) -> dict:
    """The parameters papermill injects: absolute paths, so the kernel's working folder never matters.

    A report's are ``agency``, ``year``, the folders and the rule packs added to the run (``rules``);
    an overview's are ``year``, the folders, the packs and ``failed`` (agency → why its report failed
    to render).
    """
    project = run_.project
    params: dict = {"agency": run_.agency} if run_.agency else {}
    params |= {"year": int(run_.year), "project_dir": str(project.root.resolve())}
    if not run_.agency:
        params["failed"] = dict(failed or {})
    if project.data_root:
        params["data_dir"] = str(project.data_root.resolve())
    if project.rules:
        params["rules"] = [str(p.resolve()) for p in project.rules]
    return params


def execute(run_: Run, output: Path, *, timeout: int | None = 600, failed: Mapping[str, str] | None = None
            ) -> nbformat.NotebookNode:
    """Execute the run's master notebook into ``output`` and return the executed notebook.

    When a cell raises, the partial notebook (with papermill's error banner) is copied to the run's
    ``failed`` path and :class:`RenderError` names the cell and the error.
    """
    where = {"agency": run_.agency, "year": run_.year} if run_.agency else {"year": run_.year}
    return run(run_.source, output, run_.failed, parameters(run_, failed), run_.project.root, timeout=timeout, **where)


def run(
    source: Path, output: Path, failed: Path, params: dict, cwd: Path, *, timeout: int | None, **where: object
) -> nbformat.NotebookNode:
    """Execute ``source`` with ``params`` in a fresh kernel; on failure keep the partial notebook."""
    import papermill as pm
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    sockets = Path(tempfile.mkdtemp(prefix="nianbao-kernel-"))
    clock = KernelClock()
    try:
        with timing.stage("papermill"):
            return pm.execute_notebook(
                str(source),
                str(output),
                parameters=params,
                engine_name=_engine(),
                kernel_name="python3",
                cwd=str(cwd),
                progress_bar=False,
                log_output=False,
                execution_timeout=timeout,
                start_timeout=START_TIMEOUT,
                kernel_manager_class=ipc_kernel_manager(sockets, clock),
                shutdown_kernel="immediate",  # every output is in: the kernel has nothing left to do or save
                clock=clock,
            )
    except PapermillExecutionError as exc:
        _keep(output, failed)
        raise RenderError(
            f"笔记本第 {exc.cell_index} 格出错：{exc.ename}: {exc.evalue}",
            hint=f"出错的笔记本已保存为 {failed}，打开即可看到出错位置",
            **where,
        ) from None
    except CellTimeoutError:
        _keep(output, failed)
        raise RenderError(
            f"笔记本的一个代码格运行超过时限 {timeout} 秒，已停止",
            hint=f"可用 --timeout 放宽时限；已执行部分保存为 {failed}",
            **where,
        ) from None
    except DeadKernelError:
        _keep(output, failed)
        raise RenderError(
            "内核意外退出（可能是内存不足或被终止）",
            hint=f"请重试；已执行部分保存为 {failed}",
            **where,
        ) from None
    except OSError as exc:  # the output folder: no permission, a full disk
        raise os_error(exc, output) from None
    except Exception as exc:  # a kernel that never started, or anything else
        _keep(output, failed)
        raise RenderError(
            f"笔记本执行失败：{type(exc).__name__}: {exc}",
            hint=f"已执行部分（如有）保存为 {failed}",
            **where,
        ) from None
    finally:
        shutil.rmtree(sockets, ignore_errors=True)


@functools.cache
def _engine() -> str:
    """The nbclient engine of papermill, saving the output notebook at most every :data:`SAVE_EVERY` seconds
    (and always at the end) and reading the kernel's CPU time at each cell; registered as ``nianbao``.
    """
    from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines

    class Manager(NotebookExecutionManager):
        def __init__(self, *args, clock: KernelClock | None = None, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self.clock = clock or KernelClock()
            self.saved = -SAVE_EVERY
            self.final = False

        def save(self, **kwargs):
            if self.final or time.monotonic() - self.saved >= SAVE_EVERY:
                super().save(**kwargs)
                self.saved = time.monotonic()

        def cell_start(self, cell, cell_index=None, **kwargs):
            if cell.get("cell_type") == "code":
                self.clock.cell_start()
            return super().cell_start(cell, cell_index, **kwargs)

        def cell_complete(self, cell, cell_index=None, **kwargs):
            if cell.get("cell_type") == "code":
                self.clock.cell_complete(cell.get("source", ""))
            return super().cell_complete(cell, cell_index, **kwargs)

        def notebook_complete(self, **kwargs):
            self.final = True
            return super().notebook_complete(**kwargs)

    class Engine(NBClientEngine):
        @classmethod
        def execute_notebook(cls, nb, kernel_name, output_path=None, progress_bar=True, log_output=False,
                             autosave_cell_every=30, clock=None, **kwargs):
            # papermill's Engine.execute_notebook, with the manager above
            nb_man = Manager(nb, output_path=output_path, progress_bar=progress_bar, log_output=log_output,
                             autosave_cell_every=autosave_cell_every, clock=clock)
            nb_man.notebook_start()
            try:
                cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
            finally:
                nb_man.cleanup_pbar()
                nb_man.notebook_complete()
            return nb_man.nb

    papermill_engines.register("nianbao", Engine)
    return "nianbao"


def _keep(output: Path, failed: Path) -> None:
    if output.is_file():
        shutil.copyfile(output, failed)
