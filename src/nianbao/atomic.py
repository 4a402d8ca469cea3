"""The one atomic writer of single files, below everything that writes one: the ledger and the index in
``outputs/``, the reviewers' decisions in ``params/``, templates and collected workbooks.

A file is written to a temporary name beside it and moved over the old one, so that a reader sees
the old file or the new one, never half of either; a failed write (no permission, a full disk)
leaves the old file as it was and says so in one line (:class:`~nianbao.errors.OutputError`).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
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


def writable(folder: Path) -> None:
    """Raise :class:`~nianbao.errors.OutputError` now, before any work, when ``folder`` cannot be written."""
    with writing(folder):
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".write-test.{os.getpid()}.{uuid.uuid4().hex[:6]}"
        probe.write_bytes(b"")
        probe.unlink()


__all__ = ["writable", "write_file", "write_text"]
