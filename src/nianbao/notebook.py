"""papermill in one place: execute a master notebook for one agency-year (or one year's overview).

Every run gets a fresh kernel of its own, reached over IPC sockets in a private folder rather than
TCP ports, so parallel runs cannot race for a port ("Address already in use", "Kernel didn't
respond in 60 seconds").
"""

from __future__ import annotations

import functools
import logging
import re
import shutil
import tempfile
import time
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from . import timing
from .errors import RenderError, os_error
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

    A report's are ``agency``, ``year`` and the folders; an overview's are ``year``, the folders and
    ``failed`` (agency → why its report failed to render).
    """
    project = run_.project
    params: dict = {"agency": run_.agency} if run_.agency else {}
    params |= {"year": int(run_.year), "project_dir": str(project.root.resolve())}
    if not run_.agency:
        params["failed"] = dict(failed or {})
    if project.data_root:
        params["data_dir"] = str(project.data_root.resolve())
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


#: The kernel provisioner class this process launches kernels with (None: jupyter_client's own).
_PROVISIONER: type | None = None


def launch_kernels_with(provisioner: type | None) -> None:
    """Launch this process's kernels with ``provisioner`` (a jupyter_client provisioner class)."""
    global _PROVISIONER
    _PROVISIONER = provisioner


def ipc_kernel_manager(folder: Path, clock: KernelClock | None = None) -> type:
    """A kernel manager class whose kernels listen on IPC sockets in ``folder``, not on TCP ports.

    When :func:`launch_kernels_with` gave a provisioner (a batch worker's fork server), kernels are
    launched by it. ``clock`` learns the kernel's process, to read its CPU time.
    """
    from jupyter_client.manager import AsyncKernelManager

    class IPCKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.client_factory = _client()
            self.transport = "ipc"
            self.connection_file = str(folder / "kernel.json")
            self.ip = str(folder / "k")

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            # The kernel's own log (tracebacks while it is stopped after a timeout, say) is noise to a
            # user: what goes wrong in a cell is in the notebook, and the error says what to do.
            import subprocess

            kw.setdefault("stdout", subprocess.DEVNULL)
            kw.setdefault("stderr", subprocess.DEVNULL)
            await super()._async_launch_kernel(kernel_cmd, **kw)
            if clock is not None:
                clock.pid = getattr(self.provisioner, "pid", None)

        async def _async_pre_start_kernel(self, **kw):
            if _PROVISIONER is not None and self.provisioner is None:
                self.kernel_id = self.kernel_id or str(uuid.uuid4())
                self.provisioner = _PROVISIONER(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self)
            return await super()._async_pre_start_kernel(**kw)

    return IPCKernelManager


@functools.cache
def _client() -> type:
    """jupyter_client's kernel client, ready once the kernel has answered on its shell and IOPub channels.

    jupyter_client then also waits until IOPub has been quiet for 0.2 s, to drop what the handshake
    left there; nbclient reads only the messages that answer its own requests, so here that wait —
    a fifth of a second per report — is not made.
    """
    from queue import Empty

    from jupyter_client.asynchronous import AsyncKernelClient
    from jupyter_core.utils import ensure_async

    class Client(AsyncKernelClient):
        async def _async_wait_for_ready(self, timeout: float | None = None) -> None:
            deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
            while True:
                self.kernel_info()
                try:
                    msg = await ensure_async(self.shell_channel.get_msg(timeout=1))
                except Empty:
                    pass
                else:
                    if msg["msg_type"] == "kernel_info_reply":
                        try:
                            await ensure_async(self.iopub_channel.get_msg(timeout=0.2))  # IOPub is connected
                        except Empty:
                            pass
                        else:
                            self._handle_kernel_info_reply(msg)
                            return
                if not await self._async_is_alive():
                    raise RuntimeError("Kernel died before replying to kernel_info")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")

        wait_for_ready = _async_wait_for_ready

    return Client


class KernelClock:
    """The CPU time a run's kernel spends, read from its process at each cell's start and end.

    The kernel's own start-up (up to its first cell) is ``kernel_start``; each cell's time goes to
    the stage of the function it calls: ``nb.prepare`` reads and checks the data, ``nb.charts``
    draws the charts, every other cell is ``kernel_cells``.
    """

    def __init__(self) -> None:
        self.pid: int | None = None
        self.last: float | None = None

    def _read(self) -> float | None:
        import psutil

        if self.pid is None:
            return None
        try:
            times = psutil.Process(self.pid).cpu_times()
        except psutil.Error:
            return None
        return times.user + times.system

    def cell_start(self) -> None:
        if self.last is None and (now := self._read()) is not None:
            self.last = now
            timing.add("kernel_start", now)

    def cell_complete(self, source: str) -> None:
        now = self._read()
        if now is None or self.last is None:
            return
        called = re.search(r"\bnb\.(\w+)\(", source)
        name = {"prepare": "kernel_data_checks", "charts": "kernel_charts"}.get(called.group(1) if called else "")
        timing.add(name or "kernel_cells", now - self.last)
        self.last = now


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
