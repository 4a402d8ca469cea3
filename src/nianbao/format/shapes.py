"""The shapes the format is made of: columns, rows, blocks, tables, sections and parts."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass, field

COUNT = "count"  # a non-negative whole number
AMOUNT = "amount"  # a non-negative amount, decimals allowed


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = COUNT
    group: tuple[str, ...] = ()  # header labels above this one, outermost first


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    heading: bool = False  # a heading over numbered rows carries no figures
    parent: str = ""  # key of the heading row this row sits under
    block: str = ""  # table A: the block the row belongs to


@dataclass(frozen=True)
class Block:
    """One of table A's stacked blocks, with its own caption and columns."""

    key: str
    caption: str
    columns: tuple[Column, ...]


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    rows: tuple[Row, ...]
    columns: tuple[Column, ...] = ()
    blocks: tuple[Block, ...] = ()
    row_header: str = ""
    note: str = ""

    def figure_rows(self) -> tuple[Row, ...]:
        return tuple(r for r in self.rows if not r.heading)

    def row(self, key: str) -> Row:
        return self._by_key[key]

    @functools.cached_property
    def _by_key(self) -> dict[str, Row]:
        return {r.key: r for r in self.rows}

    def columns_of(self, row: Row) -> tuple[Column, ...]:
        if not self.blocks:
            return self.columns
        return next(b.columns for b in self.blocks if b.key == row.block)

    def children(self, heading: str) -> tuple[Row, ...]:
        return tuple(r for r in self.rows if r.parent == heading)

    def cells(self) -> Iterator[tuple[Row, Column]]:
        for r in self.figure_rows():
            for c in self.columns_of(r):
                yield r, c


@dataclass(frozen=True)
class Section:
    key: str
    title: str


@dataclass(frozen=True)
class Part:
    key: str
    number: str
    title: str
    table: str = ""  # key of the table the part presents
    sections: tuple[Section, ...] = field(default=())

    @property
    def heading(self) -> str:
        return f"{self.number}、{self.title}"
