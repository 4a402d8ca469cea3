"""The kernel fork server: kernels forked from a warm template process instead of started cold.

A batch worker starts one template process that imports ipykernel and the report's libraries and
runs no code; each report's kernel is a new process forked from it — a kernel of its own, which never
ran another report's cell — without paying Python's and the libraries' start-up again.
"""

from __future__ import annotations

import gc
import json
import os
import signal
import subprocess
import sys
import threading
import time
from typing import IO

from ..kernel import launch_kernels_with

#: Modules a kernel's template process imports once, so that each forked kernel starts with them.
PRELOAD = (
    "ipykernel.kernelapp", "ipykernel.ipkernel", "nianbao.present", "nianbao.summary",
    "matplotlib.backends.backend_svg", "matplotlib.backends.backend_pdf",
    # what a kernel's start imports besides (about half its CPU time): the debugger's debugpy, IPython's pdb
    # and history (sqlite3), tornado's event loop
    "ipykernel.debugger", "IPython.core.debugger", "IPython.core.completerlib", "IPython.extensions.storemagic",
    "sqlite3", "tornado.platform.asyncio",
    "pandas.io.formats.style",  # the Styler, whose import compiles its Jinja templates (see present.warm_up)
)
_ZYGOTE: Zygote | None = None


def preload() -> None:
    """Import :data:`PRELOAD`, quietly."""
    import importlib

    # pydevd (the debugger's) warns on import, on stderr, that frozen modules may hide breakpoints:
    # no one sets a breakpoint in a batch's kernels, and the warning would land amid the progress bar
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    for name in PRELOAD:
        importlib.import_module(name)


class Zygote:
    """A template process that has imported ipykernel and the report's libraries but run no code.

    Each kernel is a fresh process forked from it: a kernel of its own, which never ran another
    report's cell, without paying for Python's and the libraries' start-up again (about 0.8 s of CPU).
    The template itself is forked from this process while it has one thread, and so starts with what
    this process has imported (a batch worker: everything, from its fork server); else it is started
    as a new Python.
    """

    def __init__(self) -> None:
        if threading.active_count() == 1:
            self.process = None
            self.pid, self.stdin, self.stdout = _fork_template()
        else:
            code = "from nianbao.batch.kernels import _zygote_main; _zygote_main()"
            self.process = subprocess.Popen(
                [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1
            )
            assert self.process.stdin is not None and self.process.stdout is not None
            self.pid, self.stdin, self.stdout = self.process.pid, self.process.stdin, self.process.stdout
        if self.stdout.readline().strip() != "ready":
            raise RuntimeError("kernel template process did not start")

    def fork(self, args: list[str], cwd: str, env: dict) -> int:
        """A new kernel process started with ipykernel's ``args``; returns its pid."""
        self.stdin.write(json.dumps({"args": args, "cwd": cwd, "env": env}) + "\n")
        return int(self.stdout.readline())

    def close(self) -> None:
        self.stdin.close()
        if self.process is not None:
            self.process.wait(10)
        else:
            os.waitpid(self.pid, 0)


def use_zygote() -> None:
    """Fork this process's kernels from a warm template process (a batch worker calls this once)."""
    global _ZYGOTE
    if _ZYGOTE is None and hasattr(os, "fork"):
        _ZYGOTE = Zygote()
        launch_kernels_with(_fork_provisioner())


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
            self.process = _Forked(pid)  # type: ignore[assignment]  # a Popen look-alike
            self.pid, self.pgid, self.cwd = pid, pid, cwd
            return self.connection_info

        async def kill(self, restart: bool = False) -> None:
            if not isinstance(self.process, _Forked):
                return await super().kill(restart)
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                return
            try:  # gone once the template has reaped it, a moment later: jupyter_client need not poll for it
                self.process.wait(1)
            except subprocess.TimeoutExpired:
                pass

    return ForkProvisioner


class _Forked:
    """What jupyter_client needs of a ``Popen`` for a kernel that is not our child (the template reaps it)."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.returncode = 0
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while (code := self.poll()) is None:
            if timeout is not None and deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            time.sleep(0.01)
        return code

    def send_signal(self, signum: int) -> None:
        try:
            os.kill(self.pid, signum)
        except ProcessLookupError:
            pass

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def _fork_template() -> tuple[int, IO[str], IO[str]]:
    """Fork the template process from this one: (its pid, the pipe to it, the pipe from it)."""
    requests_r, requests_w = os.pipe()
    replies_r, replies_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            # keep only the two pipes: a copy of the worker's connection to the batch would hide the
            # worker's death from the batch
            os.dup2(requests_r, 0)
            os.dup2(replies_w, 1)
            os.closerange(3, os.sysconf("SC_OPEN_MAX") if hasattr(os, "sysconf") else 1024)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115
            sys.stdout = open(1, "w", encoding="utf-8", buffering=1, closefd=False)  # noqa: SIM115
            _zygote_main()
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(requests_r)
    os.close(replies_w)
    return pid, open(requests_w, "w", encoding="utf-8", buffering=1), open(replies_r, encoding="utf-8")  # noqa: SIM115


def _zygote_main() -> None:
    """The template process: import, then fork one kernel per request read from stdin."""
    preload()
    from nianbao.present import warm_up

    warm_up()  # fonts loaded and templates compiled once, for every kernel forked from here
    gc.freeze()  # and left alone by the kernels' collections, which would otherwise touch, and so copy, every page of it

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
