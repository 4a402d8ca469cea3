"""One run as a value: an agency-year's report (or, with no agency, a year's overview) — where its
outputs go, what files it rests on, and their fingerprints.

Render, batch, the ledger and the report's colophon all take their paths and hashes from here, so
no path is rebuilt from strings elsewhere and every file is hashed one way (:func:`fingerprint`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from .params import REGISTRY, Agency, Project, load_registry

#: The overview's folder beside the agencies' folders; an agency id cannot start with "_".
SUMMARY_FOLDER = "_summary"


def fingerprint(path: Path) -> str:
    """SHA-256 of a file's bytes, as hex; read a megabyte at a time (an input may be far too large to load)."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


class Fingerprints:
    """Fingerprints of files, each file read at most once (a batch shares one across its runs)."""

    def __init__(self) -> None:
        self._seen: dict[Path, str] = {}

    def of(self, path: Path) -> str:
        """The file's fingerprint, or ``"absent"`` when there is no such file."""
        if path not in self._seen:
            self._seen[path] = fingerprint(path) if path.is_file() else "absent"
        return self._seen[path]


@dataclass(frozen=True)
class Run:
    """(project, agency, year): everything about one run that follows from those three."""

    project: Project
    year: int
    agency: str = ""  # empty: the year's overview of every agency
    out: Path | None = None  # the output folder, when not the project's (``nianbao render --out``)

    @property
    def is_report(self) -> bool:
        return bool(self.agency)

    @property
    def id(self) -> str:
        """How the ledger and the index name the run: ``2024/shimen``, ``2024/_summary``."""
        return f"{self.year}/{self.agency or SUMMARY_FOLDER}"

    # ------------------------------------------------------------ where its outputs go

    @property
    def folder(self) -> Path:
        return self.out or self.project.outputs_dir / str(self.year) / (self.agency or SUMMARY_FOLDER)

    @property
    def stem(self) -> str:
        return f"{self.agency}-{self.year}" if self.agency else f"summary-{self.year}"

    @property
    def notebook(self) -> Path:
        return self.folder / f"{self.stem}.ipynb"

    @property
    def html(self) -> Path:
        return self.folder / f"{self.stem}.html"

    @property
    def pdf(self) -> Path:
        return self.folder / f"{self.stem}.pdf"

    @property
    def publication(self) -> Path:
        """The folder of the publication edition (a report's only)."""
        return self.folder / "publish"

    def published(self) -> dict[str, Path]:
        """The publication edition's files by the names the ledger gives them."""
        p = self.publication
        return {"publish_html": p / f"{self.stem}.html", "publish_fragment": p / f"{self.stem}.fragment.html",
                "publish_pdf": p / f"{self.stem}.pdf", "publish_docx": p / f"{self.stem}.docx"}

    @property
    def made(self) -> Path:
        """The SHA-256 of each publication file as the render wrote it (so that an edit after it is seen)."""
        return self.folder / "publish.sha256.json"

    def own(self) -> frozenset[str]:
        """What a render writes in :attr:`folder` (paths relative to it): anything else there is a person's."""
        files = [*self.documents().values(), self.folder / "checks.csv", self.made]
        return frozenset(p.relative_to(self.folder).as_posix() for p in files)

    def made_files(self) -> dict[str, str]:
        """What :attr:`made` records (file name → SHA-256); nothing where it is missing or unreadable."""
        try:
            found = json.loads(self.made.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return {str(k): v for k, v in found.items() if isinstance(v, str)} if isinstance(found, dict) else {}

    @property
    def results(self) -> Path:
        """The machine-readable results beside the documents: checks (a report) or the comparison (an overview)."""
        return self.folder / ("checks.json" if self.agency else "summary.json")

    def documents(self) -> dict[str, Path]:
        """The run's outputs by the names the ledger gives them (some may not have been made)."""
        review = {"html": self.html, "pdf": self.pdf, "notebook": self.notebook, "checks": self.results}
        return {**review, **self.published()} if self.agency else review

    @property
    def failed(self) -> Path:
        """Where the partial notebook of a failed run is kept, beside the folder (which keeps the last good one)."""
        return self.folder.parent / f"{self.folder.name}.failed.ipynb"

    def staging(self) -> list[Path]:
        """Half-made folders of this run (``.<name>.*.tmp``), oldest first."""
        return self._beside("tmp")

    def swapped_out(self) -> list[Path]:
        """Old folders set aside by a swap that did not finish (``.<name>.*.old``), oldest first."""
        return self._beside("old")

    def _beside(self, suffix: str) -> list[Path]:
        parent = self.folder.parent
        if not parent.is_dir():
            return []
        return sorted(parent.glob(f".{self.folder.name}.*.{suffix}"), key=lambda p: p.stat().st_mtime)

    # ------------------------------------------------------------ what it rests on

    @property
    def source(self) -> Path:
        """The master notebook the run executes."""
        return self.project.notebook if self.agency else self.project.summary_notebook

    def inputs(self) -> list[Path]:
        """Every file the run rests on (some may not exist: an absent reviews file is an input too)."""
        p = self.project
        files = [self.source, p.params_dir / REGISTRY, *p.rule_files()]
        if self.agency:
            files += [p.params_file(self.agency, self.year), p.reviews_file(self.agency, self.year)]
            for y in p.years_with_data(self.agency):
                if y <= self.year:
                    files += p.data_files(self.agency, y)
            return files
        for agency in load_registry(p):
            for y in (self.year - 1, self.year):
                files += [*p.data_files(agency, y), p.reviews_file(agency, y)]
        return files

    def name_of(self, path: Path) -> str:
        """A file's name in fingerprints and the ledger: relative to the project, absolute outside it. A path
        built from the project's folder (as every input's is) is named so without resolving it, which
        would look up each of its folders on disk again, for every file of every run.
        """
        if path.is_relative_to(self.project.root) and ".." not in path.parts:
            return path.relative_to(self.project.root).as_posix()
        try:
            return path.resolve().relative_to(self.project.root.resolve()).as_posix()
        except ValueError:
            return str(path)

    def fingerprints(self, seen: Fingerprints | None = None) -> dict[str, str]:
        """SHA-256 of every existing input, keyed by :meth:`name_of`."""
        seen = seen or Fingerprints()
        return {self.name_of(f): seen.of(f) for f in self.inputs() if f.is_file()}


def rests_on(run: Run, registry: Mapping[str, Agency], seen: Fingerprints) -> dict[str, str]:
    """What a report rests on, each by its fingerprint: its input files (:meth:`Run.inputs`; ``"absent"`` for
    one not there), and — not the whole registry, which changes with every agency added — its agency's entry
    in it, as ``params/agencies.yaml#<agency>``.
    """
    entry = registry.get(run.agency)
    name = f"{run.name_of(run.project.params_dir / REGISTRY)}{_ENTRY}{run.agency}"
    return {**input_files(run, seen), name: digest(asdict(entry)) if entry else "absent"}


#: What joins the registry's name and an agency's in the name of its entry (:func:`rests_on`).
_ENTRY = "#"


def described(name: str) -> str:
    """A name :func:`rests_on` gives, as a reader is told it: an agency's entry as 《registry》 中 x 的条目."""
    registry, entry, agency = name.partition(_ENTRY)
    return f"{registry} 中 {agency} 的条目" if entry else name


def changed_since(project: Project, record: Mapping, registry: Mapping[str, Agency],
                  seen: Fingerprints | None = None) -> list[str]:
    """The inputs of a report that are not as they were when its record was made (by name, as
    :func:`rests_on` names them): a data file edited, added or removed, its params, reviews or the
    notebook changed, a rule pack the batch was given edited, its registry entry changed. Empty when
    nothing changed, and for a record that does not say what it rested on.
    """
    then = record.get("inputs")
    if not isinstance(then, dict) or not record.get("agency") or not isinstance(record.get("year"), int):
        return []
    seen = seen or Fingerprints()
    run = Run(project, record["year"], record["agency"])
    now = rests_on(run, registry, seen)
    for name in then.keys() - now.keys():  # given to that batch only (a rule pack by --rules): as it is now
        if Path(name).suffix in (".yaml", ".yml") and _ENTRY not in name:
            path = Path(name) if Path(name).is_absolute() else project.root / name
            try:
                now[name] = seen.of(path)
            except OSError:  # not readable now: not as it was
                now[name] = "unreadable"
    return sorted(name for name in then.keys() | now.keys() if now.get(name, "absent") != then.get(name, "absent"))


def input_files(run: Run, seen: Fingerprints) -> dict[str, str]:
    """The run's input files (:meth:`Run.inputs`) by their fingerprints, but for the registry."""
    registry = run.project.params_dir / REGISTRY  # counted by entry (rests_on), not as a file
    return {run.name_of(p): seen.of(p) for p in run.inputs() if p != registry}


def digest(value: object) -> str:
    """SHA-256 of a value as JSON, keys sorted."""
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


__all__ = ["SUMMARY_FOLDER", "Fingerprints", "Run", "changed_since", "described", "digest", "fingerprint", "input_files",
           "rests_on"]
