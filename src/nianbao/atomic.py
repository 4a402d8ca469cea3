"""The one atomic writer of single files, below everything that writes one: the ledger and the index in
``outputs/``, the reviewers' decisions and approvals in ``params/``, templates and collected workbooks;
and the one appender of lines to an append-only history (the ledger's, the season's).

A file is written to a temporary name beside it and moved over the old one, so that a reader sees
the old file or the new one, never half of either; a failed write (no permission, a full disk)
leaves the old file as it was and says so in one line (:class:`~nianbao.errors.OutputError`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

from .errors import writing


def write_text(path: Path, text: str) -> Path:
    """Replace ``path`` with ``text`` (UTF-8) atomically: through a temporary file beside it."""
    return write_file(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_file(path: Path, fill: Callable[[Path], object]) -> Path:
    """Replace ``path`` atomically with what ``fill`` writes to a temporary file beside it: a failure
    halfway leaves the old file as it was.
    """
    with writing(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:6]}.tmp")
        try:
            fill(tmp)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    return path


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (through ``<path>.lock`` beside it) while a file is read, changed
    and written back: two commands changing it at once (two ``accept``) take turns, and neither change is lost.
    """
    import fcntl

    with writing(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path.with_name(f".{path.name}.lock"), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # the lock goes with it


def writable(folder: Path) -> None:
    """Raise :class:`~nianbao.errors.OutputError` now, before any work, when ``folder`` cannot be written."""
    with writing(folder):
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".write-test.{os.getpid()}.{uuid.uuid4().hex[:6]}"
        probe.write_bytes(b"")
        probe.unlink()


def append_line(path: Path, line: bytes, what: str) -> str:
    """Add one whole line to the append-only file ``path``, never rewriting what is there.

    The line goes out in one ``O_APPEND`` write under an exclusive lock, so that two writers appending
    at once each add whole lines. A last line left half-written (a crash, a full disk) is first set
    aside as ``<stem>.damaged-<time>-<pid><suffix>`` and cut off, so that the new line starts a line of
    its own and every line stays readable; the warning that says so (naming the file as ``what``) is
    returned, "" when all was well.
    """
    import fcntl

    with writing(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            warning, line = _mend_torn_tail(fd, path, line, what)
            while line:
                line = line[os.write(fd, line):]
        finally:
            os.close(fd)
    return warning


def append_json(path: Path, value: object, what: str) -> str:
    """One JSON value as a line of the history at ``path`` (:func:`append_line`)."""
    return append_line(path, (json.dumps(value, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8"), what)


def read_json_lines(path: Path) -> list[object]:
    """Every line of a history that reads as JSON, oldest first; a line that is not UTF-8 or not JSON (a torn
    line, a line written by something else) is passed over, so that the rest stays readable.
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return []
    out = []
    for line in raw.split(b"\n"):
        try:
            out.append(json.loads(line.decode("utf-8")))
        except (ValueError, RecursionError):  # not UTF-8, not JSON, or nested past what the parser takes
            continue
    return out


def _mend_torn_tail(fd: int, path: Path, line: bytes, what: str) -> tuple[str, bytes]:
    """When the file does not end in a newline: its last, torn line set aside and cut off (or, if it
    cannot be set aside, kept, with the new line started after it); the warning and the line to write.
    """
    size = os.fstat(fd).st_size
    if size == 0 or os.pread(fd, 1, size - 1) == b"\n":
        return "", line
    start, end = 0, size  # the torn line starts after the last newline, read backwards a block at a time
    while end > 0:
        block = max(0, end - 65536)
        cut = os.pread(fd, end - block, block).rfind(b"\n")
        if cut >= 0:
            start = block + cut + 1
            break
        end = block
    tail = os.pread(fd, size - start, start)
    aside = path.with_name(f"{path.stem}.damaged-{dt.datetime.now():%Y%m%dT%H%M%S}-{os.getpid()}{path.suffix}")
    said = f"{what} {path} 的最后一行不完整（{len(tail)} 字节，可能是上次运行中断或磁盘已满）"
    try:
        with open(aside, "xb") as f:
            f.write(tail)
    except OSError as exc:
        return f"{said}，无法另存（{exc.strerror or exc}），已保留在原处；新的记录另起一行", b"\n" + line
    os.ftruncate(fd, start)
    return f"{said}，已另存为 {aside.name} 并从历史中截去；新的记录另起一行", line


__all__ = ["append_line", "writable", "write_file", "write_text"]
