"""Report data → the YAML data file, in the diff-friendly form of ``data/``.

One list per row in column order, ``~`` for blank, ``"?"`` for unknown, comments with the labels
of :mod:`nianbao.format`; then notes, provenance, headings, and the narrative as block scalars.
``load.read_yaml`` reads back exactly the data written (everything but ``source``).
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from .errors import DataError
from .format import C_GROUPS, PARTS, TABLE_NAMES, TABLES, Table, all_cell_keys, cell_key, describe
from .model import ReportData, Value

_PLAIN_ID = re.compile(r"^[a-z][a-z0-9_-]*$")
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}
#: Characters a YAML file may not hold as they are (PyYAML's non-printable set) or reads as line breaks.
_ESCAPE = re.compile("[^\x09\x0a\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|[\x85\u2028\u2029\ufeff]")
_PAD = 28  # where table B's lists start, as in the bundled examples


def to_yaml(data: ReportData, *, comment: str = "") -> str:
    """The data file's text. ``comment`` (lines without ``#``) heads the file."""
    lines = [f"# {line}".rstrip() for line in comment.splitlines()]
    lines += [
        "# 空白格写 ~（与 0 不同）；“/”“—”照原样保留；无法确定的值写 \"?\"。",
        f"agency: {_identifier(data.agency)}",
        f"year: {data.year}",
    ]
    if data.published:
        lines.append(f"published: {data.published}")
    for table in TABLES.values():
        lines += ["", *_table(table, data)]
    lines += _mapping("notes", {k: data.notes[k] for k in TABLES if k in data.notes}, describe_key=False)
    lines += _mapping("provenance", dict(sorted(data.provenance.items(), key=_cell_order)), describe_key=True)
    if data.headings:
        lines += ["", "# 各部分标题，照原文", "headings:", *(f"  - {_quoted(h)}" for h in data.headings)]
    lines += _narrative(data.narrative)
    return "\n".join(lines) + "\n"


def write(data: ReportData, path: Path, *, comment: str = "", force: bool = False) -> Path:
    """Write the data file; refuse to replace an existing one unless ``force``.

    The text is read back with the loader before it takes the file's place, so a file that would
    not load (or would load differently) is never left behind.
    """
    from .load import read_yaml

    if path.exists() and not force:
        raise DataError("数据文件已存在，未覆盖", file=path, hint="如要覆盖请加 --force")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".yaml", dir=path.parent)
    temp = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(to_yaml(data, comment=comment))
        try:
            back = read_yaml(temp)
        except DataError as exc:  # what the data would be refused for, said of the file it was to become
            raise DataError(exc.message, hint=exc.hint, **{**exc.where, "file": str(path)}) from None
        if replace(back, source="") != replace(data, source=""):
            raise RuntimeError(f"{path}: the YAML written does not read back as the same data")
        temp.replace(path)
    finally:
        temp.unlink(missing_ok=True)
    return path


def value_text(value: Value) -> str:
    """One cell as YAML: ``~`` blank, numbers as they are, marks and ``"?"`` quoted."""
    if value is None:
        return "~"
    if isinstance(value, bool):
        raise TypeError(f"not a cell value: {value!r}")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"not a finite amount: {value!r}")
        text = repr(value)
        if "e" in text:  # 1e-05: written out in digits, the one number grammar the loaders read
            from decimal import Decimal

            text = format(Decimal(text), "f")
        return text
    return _quoted(str(value))


def _identifier(text: str) -> str:
    return text if _PLAIN_ID.match(text) and text not in _YAML_WORDS else _quoted(text)


def _quoted(text: str) -> str:
    """A double-quoted scalar: JSON's escapes, plus those YAML needs for line-break-like characters."""
    return _ESCAPE.sub(lambda m: _escape(m.group(0)), json.dumps(text, ensure_ascii=False))


def _escape(ch: str) -> str:
    code = ord(ch)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _table(table: Table, data: ReportData) -> list[str]:
    part = next(p for p in PARTS if p.table == table.key)
    lines = [f"# {part.heading}" if table.key != "F" else f"# {part.heading}：{table.title}"]
    if not table.blocks:
        lines.append(f"# 列：{_columns(table)}")
    lines.append(f"{table.key}:")
    width = _PAD if table.key == "B" else max(len(r.key) for r in table.figure_rows()) + 3
    rows = []
    for row in table.figure_rows():
        values = [data.cells[cell_key(table.key, row.key, c.key)] for c in table.columns_of(row)]
        body = f"  {row.key + ':':<{width}}[{', '.join(value_text(v) for v in values)}]"
        label = row.label if not table.blocks else f"{row.label}：{'、'.join(c.label for c in table.columns_of(row))}"
        rows.append((body, label))
    pad = max(len(body) for body, _ in rows) + 3
    return [*lines, *(f"{body:<{pad}}# {label}" for body, label in rows)]


def _columns(table: Table) -> str:
    if table.key != "C":
        return "、".join(c.label for c in table.columns)
    outcomes = "、".join(c.label for c in table.columns[:5])
    return f"每组五列（{outcomes}），依次为{'；'.join('·'.join(g) for _, g in C_GROUPS)}"


_ORDER = {key: i for i, key in enumerate(all_cell_keys())}


def _cell_order(item: tuple[str, str]) -> int:
    return _ORDER.get(item[0], len(_ORDER))


def _mapping(name: str, items: dict[str, str], *, describe_key: bool) -> list[str]:
    if not items:
        return []
    lines = ["", f"{name}:"]
    for key, text in items.items():
        where = describe(key) if describe_key else TABLE_NAMES.get(key, key)
        lines += [f"  # {where}", f"  {key}: {_quoted(text)}"]
    return lines


def _narrative(narrative: Mapping[str, str]) -> list[str]:
    texts = {k: v for k, v in narrative.items() if v}
    if not texts:
        return []
    lines = ["", "narrative:"]
    if "preamble" in texts:
        lines += _text("  ", "preamble", texts.pop("preamble"))
    for part in PARTS:
        own = [(s.key, texts[f"{part.key}.{s.key}"]) for s in part.sections if f"{part.key}.{s.key}" in texts]
        if own:
            lines.append(f"  {part.key}:   # {part.heading}")
            for key, text in own:
                lines += _text("    ", key, text)
    return lines


def _text(indent: str, key: str, text: str) -> list[str]:
    text = text.strip()
    if not _block_safe(text):
        return [f"{indent}{key}: {_quoted(text)}"]
    return [f"{indent}{key}: |", *(f"{indent}  {line}" if line else "" for line in text.split("\n"))]


def _block_safe(text: str) -> bool:
    """Whether a literal block scalar gives back exactly this (already stripped) text."""
    if _ESCAPE.search(text) or "\t" in text or "\r" in text:
        return False
    return all(line == "" or line.strip(" ") != "" for line in text.split("\n"))


__all__ = ["to_yaml", "value_text", "write"]
