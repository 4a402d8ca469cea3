"""papermill in one place: execute a master notebook for one agency-year (or one year's overview).

Every run gets a fresh kernel of its own, reached over IPC sockets in a private folder rather than
TCP ports, so parallel runs cannot race for a port ("Address already in use", "Kernel didn't
respond in 60 seconds").
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import signal
import sys
import tempfile
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import RenderError, os_error
from .params import Project

if TYPE_CHECKING:  # papermill and nbformat are imported when a notebook runs, not before
    import nbformat

#: Seconds a kernel may take to start; generous, since a batch starts many at once.
START_TIMEOUT = 300

# papermill logs what goes wrong in a run ("Timeout waiting for execute reply") before raising it;
# the kit reports the error itself, so those lines reach a handler only where the user set one up.
logging.getLogger("papermill").addHandler(logging.NullHandler())


def parameters(project: Project, agency: str, year: int) -> dict:
    """The parameters papermill injects: absolute paths, so the kernel's working folder never matters."""
    params = {"agency": agency, "year": int(year), "project_dir": str(project.root.resolve())}
    if project.data_root:
        params["data_dir"] = str(project.data_root.resolve())
    return params


def summary_parameters(project: Project, year: int, failed: dict[str, str] | None = None) -> dict:
    """The parameters of the year overview (``notebooks/summary.ipynb``); ``failed``: agency → reason."""
    params = {"year": int(year), "project_dir": str(project.root.resolve()), "failed": dict(failed or {})}
    if project.data_root:
        params["data_dir"] = str(project.data_root.resolve())
    return params


def summary_notebook(project: Project) -> Path:
    return project.root / "notebooks" / "summary.ipynb"


def input_files(project: Project, agency: str, year: int) -> list[Path]:
    """Every file one agency-year's report rests on: notebook, registry, params, reviews, data up to that year."""
    files = [project.notebook, project.params_dir / "agencies.yaml", project.params_file(agency, year)]
    files.append(project.reviews_file(agency, year))
    for y in project.years_with_data(agency):
        if y <= year:
            files += project.data_files(agency, y)
    return files


def summary_input_files(project: Project, year: int) -> list[Path]:
    """Every file the year overview rests on: its notebook, the registry, the year's and the year before's data."""
    from .params import load_registry

    files = [summary_notebook(project), project.params_dir / "agencies.yaml"]
    for agency in load_registry(project):
        for y in (year - 1, year):
            files += [*project.data_files(agency, y), project.reviews_file(agency, y)]
    return files


def input_hashes(project: Project, agency: str, year: int) -> dict[str, str]:
    """SHA-256 of every file the report rests on, keyed by its path in the project."""
    return hashes(project, input_files(project, agency, year))


def hashes(project: Project, files: list[Path]) -> dict[str, str]:
    """SHA-256 of each existing file, keyed by its path relative to the project (absolute outside it)."""
    out = {}
    root = project.root.resolve()
    for path in files:
        if path.is_file():
            try:
                name = path.resolve().relative_to(root).as_posix()
            except ValueError:
                name = str(path)
            out[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def execute(
    project: Project, agency: str, year: int, output: Path, failed: Path, *, timeout: int | None = 600
) -> "nbformat.NotebookNode":
    """Run ``notebooks/report.ipynb`` into ``output`` and return the executed notebook.

    When a cell raises, the partial notebook (with papermill's error banner) is copied to ``failed``
    and :class:`RenderError` names the cell and the error.
    """
    return run(
        project.notebook, output, failed, parameters(project, agency, year), project.root,
        timeout=timeout, agency=agency, year=year,
    )


def execute_summary(
    project: Project, year: int, output: Path, failed: Path, *, timeout: int | None = 600, failing: dict | None = None
) -> "nbformat.NotebookNode":
    """Run ``notebooks/summary.ipynb`` for one year into ``output``; failures as for :func:`execute`.

    ``failing`` names the agencies whose reports failed to render, with the reason, for the overview to list.
    """
    return run(
        summary_notebook(project), output, failed, summary_parameters(project, year, failing), project.root,
        timeout=timeout, year=year,
    )


def run(
    source: Path, output: Path, failed: Path, params: dict, cwd: Path, *, timeout: int | None, **where: object
) -> "nbformat.NotebookNode":
    """Execute ``source`` with ``params`` in a fresh kernel; on failure keep the partial notebook."""
    import papermill as pm
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    sockets = Path(tempfile.mkdtemp(prefix="nianbao-kernel-"))
    try:
        return pm.execute_notebook(
            str(source),
            str(output),
            parameters=params,
            kernel_name="python3",
            cwd=str(cwd),
            progress_bar=False,
            log_output=False,
            execution_timeout=timeout,
            start_timeout=START_TIMEOUT,
            kernel_manager_class=ipc_kernel_manager(sockets),
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


def ipc_kernel_manager(folder: Path) -> type:
    """A kernel manager class whose kernels listen on IPC sockets in ``folder``, not on TCP ports.

    When this process has a :class:`Zygote` (see :func:`use_zygote`), the kernel is forked from it.
    """
    from jupyter_client.manager import AsyncKernelManager

    class IPCKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.transport = "ipc"
            self.connection_file = str(folder / "kernel.json")
            self.ip = str(folder / "k")

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            # The kernel's own log (tracebacks while it is stopped after a timeout, say) is noise to a
            # user: what goes wrong in a cell is in the notebook, and the error says what to do.
            import subprocess

            kw.setdefault("stdout", subprocess.DEVNULL)
            kw.setdefault("stderr", subprocess.DEVNULL)
            return await super()._async_launch_kernel(kernel_cmd, **kw)

        async def _async_pre_start_kernel(self, **kw):
            if _ZYGOTE is not None and self.provisioner is None:
                self.kernel_id = self.kernel_id or str(uuid.uuid4())
                self.provisioner = _fork_provisioner()(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self)
            return await super()._async_pre_start_kernel(**kw)

    return IPCKernelManager


# ---------------------------------------------------------------- kernels forked from a warm template

#: Modules a kernel's template process imports once, so that each forked kernel starts with them.
PRELOAD = (
    "ipykernel.kernelapp", "ipykernel.ipkernel", "nianbao.present", "nianbao.summary",
    "matplotlib.backends.backend_svg", "matplotlib.backends.backend_pdf",
)
_ZYGOTE: "Zygote | None" = None


class Zygote:
    """A template process that has imported ipykernel and the report's libraries but run no code.

    Each kernel is a fresh process forked from it: a kernel of its own, which never ran another
    report's cell, without paying for Python's and the libraries' start-up again (about 0.8 s of CPU).
    """

    def __init__(self) -> None:
        import subprocess

        code = "from nianbao.notebook import _zygote_main; _zygote_main()"
        self.process = subprocess.Popen(
            [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1
        )
        if self.process.stdout.readline().strip() != "ready":
            raise RuntimeError("kernel template process did not start")

    def fork(self, args: list[str], cwd: str, env: dict) -> int:
        """A new kernel process started with ipykernel's ``args``; returns its pid."""
        self.process.stdin.write(json.dumps({"args": args, "cwd": cwd, "env": env}) + "\n")
        return int(self.process.stdout.readline())

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(10)


def use_zygote() -> None:
    """Fork this process's kernels from a warm template process (a batch worker calls this once)."""
    global _ZYGOTE
    if _ZYGOTE is None and hasattr(os, "fork"):
        _ZYGOTE = Zygote()


def _fork_provisioner() -> type:
    from jupyter_client.provisioning import LocalProvisioner

    class ForkProvisioner(LocalProvisioner):
        async def launch_kernel(self, cmd: list[str], **kwargs):
            if _ZYGOTE is None or "ipykernel_launcher" not in cmd:
                return await super().launch_kernel(cmd, **kwargs)
            args = cmd[cmd.index("ipykernel_launcher") + 1 :]
            cwd = str(kwargs.get("cwd") or os.getcwd())
            env = {**(kwargs.get("env") or os.environ), "JPY_PARENT_PID": str(os.getpid())}  # as launch_kernel sets it
            pid = _ZYGOTE.fork(args, cwd, env)
            self.process, self.pid, self.pgid, self.cwd = _Forked(pid), pid, pid, cwd
            return self.connection_info

    return ForkProvisioner


class _Forked:
    """What jupyter_client needs of a ``Popen`` for a kernel that is not our child (the template reaps it)."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid, self.returncode = pid, None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.returncode = 0
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        import subprocess
        import time

        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            time.sleep(0.01)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        try:
            os.kill(self.pid, signum)
        except ProcessLookupError:
            pass

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def _zygote_main() -> None:
    """The template process: import, then fork one kernel per request read from stdin."""
    import importlib

    for name in PRELOAD:
        importlib.import_module(name)

    def reap(*_: object) -> None:
        try:
            while os.waitpid(-1, os.WNOHANG)[0] > 0:
                pass
        except ChildProcessError:
            pass

    signal.signal(signal.SIGCHLD, reap)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the batch to handle
    print("ready", flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _kernel(request)
        print(pid, flush=True)


def _kernel(request: dict) -> None:
    """In the forked child: become a kernel as ``python -m ipykernel_launcher <args>`` would. Never returns."""
    code = 0
    try:
        os.setsid()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        # No terminal for a batch's kernels: their log lines (such as the "KeyboardInterrupt caught" that
        # jupyter_client's interrupt-before-shutdown can cause) would break the progress bar. What goes
        # wrong in a run is in its notebook and the ledger.
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.path[0] = request["cwd"]  # as `python -m` would have it
        sys.argv = ["ipykernel_launcher", *request["args"]]
        from ipykernel.kernelapp import IPKernelApp

        IPKernelApp.launch_instance(argv=[*request["args"], f"--IPKernelApp.parent_handle={os.getppid()}"])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0
    except BaseException:
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        os._exit(code)


def _keep(output: Path, failed: Path) -> None:
    if output.is_file():
        shutil.copyfile(output, failed)
