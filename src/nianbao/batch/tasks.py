"""What a batch is made of — runs (:class:`Task`) — and what it did (:class:`Batch`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict

from ..params import Project
from ..run import Run

RENDERED, FAILED, SKIPPED = "rendered", "failed", "skipped"
REPORT, SUMMARY = "report", "summary"
#: Seconds a worker gets after its limit to finish writing before it is killed.
GRACE = 5


class Record(TypedDict, total=False):
    """One run's record, as the ledger keeps it and the history appends it (JSON)."""

    kind: str  # REPORT or SUMMARY
    agency: str  # "" for a year's overview
    year: int
    status: str  # RENDERED or FAILED
    reason: str  # why it failed, as the user reads it
    duration: float  # seconds
    checks: dict[str, int]  # counts of errors, warnings, uncertain … (an overview: agencies, missing, errors)
    key: str  # the inputs' key the run was made from ("" when rebuilt from outputs)
    outputs: dict[str, str]  # html / pdf / notebook / checks / failed_notebook → path relative to outputs/
    pdf: bool
    finished: str  # ISO time, UTC
    host: str  # where it ran: the machine …
    worker: int  # … and the process
    name: str  # the agency's full name, or 2024年汇总
    stale: bool  # failed, and the outputs shown are the last good ones
    pending: list[str]  # why the report is not yet fit to publish (unknown cells, open errors); rendered anyway
    kept: list[str]  # documents not made this time (--no-pdf) but kept from an earlier render
    rebuilt: bool  # recreated from the outputs after the ledger was damaged
    traceback: str  # a bug's traceback, for whoever debugs it
    stages: dict[str, float]  # CPU seconds per stage of the render (see nianbao.timing.STAGES)
    inputs: dict[str, str]  # a report's: what it rested on (files, its registry entry) → fingerprint
    settled: str  # an overview's: the .aux its PDF settled with, where the next one starts (numbers only)
    batch_status: str  # in a batch's own list only: rendered, failed or skipped this time


@dataclass(frozen=True)
class Task:
    """One run: an agency-year's report, or (``agency`` empty) a year's overview. Picklable."""

    root: str
    data_root: str
    year: int
    agency: str = ""
    pdf: bool = True
    timeout: int = 600
    key: str = ""
    failed: dict = field(default_factory=dict)  # the overview's agencies whose reports failed
    rules: tuple[str, ...] = ()  # rule packs added for the batch (--rules), besides params/rules/
    settled: str = ""  # an overview's: the .aux its last PDF settled with (its ledger record's), to start from

    @property
    def run(self) -> Run:
        """The run this task renders: its paths and inputs."""
        return Run(self.project, self.year, self.agency)

    @property
    def id(self) -> str:
        return self.run.id

    @property
    def kind(self) -> str:
        return REPORT if self.agency else SUMMARY

    @property
    def project(self) -> Project:
        return Project(Path(self.root), Path(self.data_root) if self.data_root else None, tuple(map(Path, self.rules)))



@dataclass
class Batch:
    """What a batch did: one record per run it was asked for, in the order they finished."""

    records: list[Record] = field(default_factory=list)
    interrupted: bool = False

    def count(self, status: str) -> int:
        return sum(r["batch_status"] == status for r in self.records)

    @property
    def check_errors(self) -> int:
        return sum((r.get("checks") or {}).get("errors", 0) for r in self.records if r["kind"] == REPORT)

    def exit_code(self, strict: bool = False) -> int:
        """0 when everything rendered, 1 when a run failed, 3 with ``strict`` when a check found an error."""
        if self.count(FAILED):
            return 1
        if strict and self.check_errors:
            return 3
        return 0


def relative(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` (as the ledger stores it), absolute when outside."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)
