"""Runs on a Dask distributed cluster: each task renders in a fresh Python process on its worker."""

from __future__ import annotations

import os
import time

from ..errors import ParamsError
from .tasks import FAILED, Record, Task
from .work import isolated, new_record

#: Seconds to wait for a listening Dask scheduler to answer: generous, since a busy scheduler (or a busy
#: machine) answers late; an address where nothing listens is refused at once (see :func:`_reach`).
CONNECT_TIMEOUT = 30
#: Seconds to wait for a TCP connection itself: what a dropped (not refused) connection costs.
TCP_TIMEOUT = 10


class DaskPool:
    """Runs as tasks on a Dask distributed cluster; each task renders in a subprocess of its worker."""

    def __init__(self, address: str) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise ParamsError(
                "使用 --scheduler 需要 Dask distributed", hint="请安装可选依赖：pip install 'nianbao[dask]'"
            ) from None
        _reach(address)
        self.client = Client(address, set_as_default=False, timeout=f"{CONNECT_TIMEOUT * 2}s")
        self.futures: dict = {}
        self.free = 1 << 30  # the scheduler decides; every task is handed over at once
        self.together = 1  # reports per task: each renders alone in a process of its own
        self.returned: list[Task] = []  # never any: a task is not stopped for another's sake

    @property
    def busy(self) -> list:
        return list(self.futures)

    def submit(self, tasks: list[Task]) -> None:
        for task in tasks:
            key = f"nianbao-{task.year}-{task.agency or 'summary'}-{task.key[:16]}-{os.urandom(4).hex()}"
            future = self.client.submit(isolated, task, key=key, pure=False, retries=0)
            self.futures[future] = task

    def wait(self, timeout: float) -> list[tuple[Task, Record]]:
        deadline = time.monotonic() + timeout
        finished = [f for f in self.futures if f.done()]
        while not finished and time.monotonic() < deadline:
            time.sleep(0.05)
            finished = [f for f in self.futures if f.done()]
        done = []
        for future in finished:
            task = self.futures.pop(future)
            try:
                record = future.result()
            except Exception as exc:  # the worker died or the task could not run there
                record = new_record(task)
                record.update({"status": FAILED, "reason": f"集群任务失败：{type(exc).__name__}: {exc}"})
            done.append((task, record))
        return done

    def stop(self) -> list[Task]:
        running = list(self.futures.values())
        self.client.cancel(list(self.futures))
        self.futures = {}
        return running

    def close(self) -> None:
        self.stop()
        self.client.close()


def _reach(address: str) -> None:
    """Refuse, within seconds and in one line, a scheduler address that is malformed, does not answer,
    or is not a Dask scheduler.

    Asked before a ``Client`` exists: a client that failed to connect spends ten more seconds, and a
    traceback, closing itself when it is collected.
    """
    import asyncio

    from distributed.comm import connect
    from distributed.comm.addressing import parse_address

    hint = "请确认调度器已经启动（dask scheduler），地址形如 tcp://10.0.0.5:8786，且本机能访问该端口"
    try:
        scheme, location = parse_address(address, strict=True)
    except (ValueError, TypeError) as exc:
        raise ParamsError(f"Dask 调度器地址 {address!r} 无效（{exc}）", hint=hint) from None
    if scheme == "tcp":  # Dask's connect retries a refused connection until its timeout: ask TCP first
        _listening(address, location, hint)

    async def identity() -> dict:
        comm = await connect(address, timeout=f"{CONNECT_TIMEOUT}s")
        try:
            await comm.write({"op": "identity", "reply": True})
            return await asyncio.wait_for(comm.read(), CONNECT_TIMEOUT)
        finally:
            comm.abort()

    try:
        answer = asyncio.run(asyncio.wait_for(identity(), CONNECT_TIMEOUT * 2))
    except (OSError, asyncio.TimeoutError):
        raise ParamsError(f"无法连接 Dask 调度器 {address}：{CONNECT_TIMEOUT} 秒内没有应答", hint=hint) from None
    except Exception:  # it answered, but not as a scheduler does
        answer = {}
    if not isinstance(answer, dict) or answer.get("type") != "Scheduler":
        raise ParamsError(f"{address} 上的服务不是 Dask 调度器", hint=hint)


def _listening(address: str, location: str, hint: str) -> None:
    """Refuse at once an address where nothing listens (connection refused), within :data:`TCP_TIMEOUT`
    one that does not answer at all.
    """
    import socket

    from distributed.comm.addressing import parse_host_port

    try:
        host, port = parse_host_port(location)
        socket.create_connection((host, port), timeout=TCP_TIMEOUT).close()
    except (OSError, ValueError, TypeError) as exc:
        reason = "拒绝连接" if isinstance(exc, ConnectionRefusedError) else f"{TCP_TIMEOUT} 秒内没有连上" if isinstance(
            exc, TimeoutError) else str(exc)
        raise ParamsError(f"无法连接 Dask 调度器 {address}：{reason}", hint=hint) from None
