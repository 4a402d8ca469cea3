"""Writing outputs safely: a folder staged and swapped in whole, a file replaced atomically.

A reader — a reviewer's browser, the next batch — sees the old outputs or the new ones, never half
of either; a failed write (no permission, a full disk) leaves the old ones as they were and says so
in one line (:class:`~nianbao.errors.OutputError`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

from .errors import OutputError, writing


@contextlib.contextmanager
def staged(out: Path) -> Iterator[Path]:
    """A fresh folder beside ``out``, put in its place when the block succeeds and removed when it fails.

    What the block writes into it should go through :func:`~nianbao.errors.writing`.
    """
    _replaceable(out)
    staging = out.parent / f".{out.name}.{uuid.uuid4().hex[:8]}.tmp"
    with writing(out):
        out.parent.mkdir(parents=True, exist_ok=True)
        staging.mkdir()
    try:
        yield staging
        with writing(out):
            _swap(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


#: The files that mark a folder as one the kit wrote (a report's, a year overview's): only such a
#: folder, or an empty one, is ever replaced.
MARKERS = ("checks.json", "summary.json")


def _replaceable(out: Path) -> None:
    """Refuse to replace anything at ``out`` that the kit did not write (``--out ~/Documents``, a file)."""
    if not out.exists() and not out.is_symlink():
        return
    if out.is_dir() and not out.is_symlink() and (not any(out.iterdir()) or any((out / m).is_file() for m in MARKERS)):
        return
    raise OutputError(
        "这里已有不是 nianbao 输出的文件或目录，不会替换它",
        file=out,
        hint="请用 --out 指定一个新目录，或原来的输出目录",
    )


def _swap(staging: Path, out: Path) -> None:
    """Put ``staging`` where ``out`` is, keeping the old folder until the new one is in place."""
    if not out.exists():
        staging.rename(out)
        return
    old = out.parent / f".{out.name}.{uuid.uuid4().hex[:8]}.old"
    out.rename(old)
    staging.rename(out)
    shutil.rmtree(old, ignore_errors=True)


def write_text(path: Path, text: str) -> Path:
    """Replace ``path`` with ``text`` (UTF-8) atomically: through a temporary file beside it."""
    with writing(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:6]}.tmp")
        try:
            tmp.write_text(text, encoding="utf-8")
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


__all__ = ["staged", "write_text", "writable"]
