"""A table's printed rows → readings: each row found by its label, and the texts of its values in order."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..format import (
    LABEL_VARIANTS,
    TABLE_A,
    TABLE_A_2019,
    TABLE_A_2019_CAPTIONS,
    TABLE_C_HEADER,
    TABLE_NAMES,
    TABLES,
    cell_key,
)
from .labels import BLANK_CELL, canonical, compacted, label_regex, misread_as, scan
from .sources import Cell, Grid, Scanned
from .tokens import UNITS, token


@dataclass(frozen=True)
class Spec:
    """One printed row: its key, label and variants, and the cell key of each printed column."""

    key: str
    label: str
    variants: tuple[str, ...]
    slots: tuple[str, ...]  # "" for a printed column this format has no cell for
    heading: bool = False

    @property
    def labels(self) -> tuple[str, ...]:
        return (self.label, *self.variants)


@dataclass(frozen=True)
class Reading:
    """What was read for one printed row: its values' texts in order."""

    tokens: tuple[str, ...]  # as printed; "" for an empty cell
    exact: bool  # a web page's row: one token per cell, in place
    junk: str = ""  # text among the values that is not a value
    scans: tuple[Scanned | None, ...] = ()  # read from a scan: how each token was read
    placed: str = ""  # read from a scan whose label OCR could not read: how the row was placed


def row_specs(key: str, fmt: str) -> list[Spec]:
    if key == "A" and fmt == "2019":
        return [Spec(label, label, (), slots) for label, _, slots in TABLE_A_2019]
    table = TABLES[key]
    specs = []
    for row in table.rows:
        columns = table.columns_of(row)
        slots = tuple(cell_key(key, row.key, c.key) for c in columns)
        label = row.label if key != "C" else ""
        specs.append(Spec(row.key, label, LABEL_VARIANTS.get(f"{key}.{row.key}", ()), slots, row.heading))
    return specs


def stop_labels(key: str, fmt: str) -> list[str]:
    """Labels that only end the row before them: table A's captions and column headers."""
    if key != "A":
        return []
    if fmt == "2019":
        return [*TABLE_A_2019_CAPTIONS, TABLE_A.row_header, *(c for _, cols, _ in TABLE_A_2019 for c in cols)]
    return [*(b.caption for b in TABLE_A.blocks), TABLE_A.row_header, *(c.label for b in TABLE_A.blocks for c in b.columns)]


def text_readings(key: str, text: str, specs: list[Spec], stops: list[str]) -> dict[str, Reading]:
    canon = canonical(text)
    if key == "C":
        header = scan(canon, ((w, w) for w in TABLE_C_HEADER))
        start = header[-1].end if header else 0
        return {"cases": _values_after(text[start:])}
    labels = [(s.key, label) for s in specs for label in s.labels] + [("", label) for label in stops]
    hits = scan(canon, labels)
    readings: dict[str, Reading] = {}
    for hit, after in zip(hits, [*hits[1:], None]):
        if hit.key and hit.key not in readings:
            readings[hit.key] = _values_after(text[hit.end:after.start if after else len(text)])
    return readings


def _values_after(segment: str) -> Reading:
    """The values after a row label: one per tab-separated field (a copied table row), else separated
    by whitespace, a unit standing apart joined to its number; prose on a later line ends them.
    """
    tokens: list[str] = []
    junk = ""
    for n, line in enumerate(segment.split("\n")):
        if "\t" in line:
            fields = line.split("\t")
            if n == 0 and not fields[0].strip():
                fields = fields[1:]
            items = [f.strip() for f in fields]
        else:
            items = _units_joined(line.split())
        bad = [t for t in items if token(t).junk]
        if bad and n > 0 and tokens:
            break
        if bad and not junk:
            junk = bad[0]
        tokens.extend("" if t == BLANK_CELL else t for t in items)
    return Reading(tuple(tokens), exact=False, junk=junk)


def _units_joined(items: list[str]) -> list[str]:
    out: list[str] = []
    for item in items:
        if out and canonical(item) in UNITS and not token(out[-1]).junk and token(out[-1]).value is not None:
            out[-1] += item
        else:
            out.append(item)
    return out


def grid_readings(key: str, grids: Iterable[Grid], specs: list[Spec]) -> dict[str, Reading]:
    if key == "C":
        return _grid_c(grids)
    readings: dict[str, Reading] = {}
    for grid in grids:
        found = [row_label(row, specs) for row in grid]
        for r, (row, label) in enumerate(zip(grid, _between(grid, found, specs))):
            if label and label[0].key not in readings:
                spec, cell = label
                values = _distinct(c for c in row if c.col > cell.col + cell.colspan - 1)
                while len(values) > len(spec.slots) and not values[0].text.strip():
                    values = values[1:]  # an empty label cell left of the figures (a PDF's unmerged box)
                tokens = tuple(c.text if c.row == r else SPANNED for c in values)
                scans = tuple(c.scanned if c.row == r else None for c in values)
                placed = "" if found[r] == label else f"行标签读作“{cell.text}”，按上下两行定为“{spec.label}”"
                readings[spec.key] = Reading(tokens, exact=True, scans=scans if any(scans) else (), placed=placed)
    return readings


def _between(grid: Grid, found: list[tuple[Spec, Cell] | None], specs: list[Spec]) -> list[tuple[Spec, Cell] | None]:
    """The rows' labels, and a scanned row whose label OCR could not read placed by its neighbours: the
    table prints its rows in the format's order, so a row between the rows of two figure rows that are
    one row apart in the format is the row between them.
    """
    rows = [s for s in specs if not s.heading]
    order = {s.key: n for n, s in enumerate(rows)}
    out = list(found)
    for r in range(1, len(grid) - 1):
        before, after, this = found[r - 1], found[r + 1], found[r]
        if not before or not after or before[0].key not in order or after[0].key not in order:
            continue
        if order[after[0].key] - order[before[0].key] != 2:
            continue
        if this and not this[0].heading:
            continue  # a row with a label of its own
        right_of = this[1].col + this[1].colspan if this else 0  # a heading's merged label left of the row's own
        label = next((c for c in reversed(_distinct(grid[r])) if c.row == r and c.col >= right_of
                      and c.scanned is not None and len(compacted(c.text)) >= 4), None)
        if label is not None:
            out[r] = (rows[order[before[0].key] + 1], label)
    return out


SPANNED = "\ue001"  # a cell spanning down from the row above, where a value should be


def row_label(row: tuple[Cell, ...], specs: list[Spec]) -> tuple[Spec, Cell] | None:
    """The row's label, the rightmost first (a sub-row's label stands right of its heading's)."""
    for cell in reversed(_distinct(row)):
        canon = canonical(cell.text).strip()
        for spec in specs:
            if any(label_regex(label).fullmatch(canon) for label in spec.labels):
                return spec, cell
        if cell.scanned is not None and (read_as := _read_as(canon, specs)) is not None:
            return read_as, cell
    return None


def _read_as(text: str, specs: list[Spec]) -> Spec | None:
    """The row whose label a label read from a scan is, when one is clearly nearest; else None."""
    return misread_as(text, [(spec, spec.labels) for spec in specs])


def _distinct(cells: Iterable[Cell]) -> list[Cell]:
    seen: list[Cell] = []
    for cell in cells:
        if not seen or seen[-1] is not cell:
            if cell not in seen:
                seen.append(cell)
    return seen


def _grid_c(grids: Iterable[Grid]) -> dict[str, Reading]:
    header = [label_regex(w) for w in TABLE_C_HEADER]
    rows = []
    for grid in grids:
        for r, row in enumerate(grid):
            own = [c for c in _distinct(row) if c.row == r]
            if any(any(h.fullmatch(canonical(c.text).strip()) for h in header) for c in own):
                continue
            if any(isinstance(token(c.text).value, (int, float)) or (c.scanned and c.scanned.choices) for c in own):
                while own and token(own[0].text).junk:
                    own = own[1:]  # a label before the figures
                rows.append(own)
    if len(rows) == 1:
        scans = tuple(c.scanned for c in rows[0])
        return {"cases": Reading(tuple(c.text for c in rows[0]), exact=True, scans=scans if any(scans) else ())}
    problem = (f"原文{TABLE_NAMES['C']}中有 {len(rows)} 行数字，无法确定哪一行是本表的十五个数" if rows
               else f"原文{TABLE_NAMES['C']}中没有数字行")
    return {"cases": Reading((), exact=True, junk=problem)}
