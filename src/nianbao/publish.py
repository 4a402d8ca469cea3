"""The only writer of ``outputs/``: a run's documents staged and swapped in whole, its failed
notebook, its provenance and check results; and the recovery of a run whose worker was killed.
Single files (the ledger, the index, reviews, templates) are written by :mod:`nianbao.atomic`.

A reader — a reviewer's browser, the next batch — sees the old outputs or the new ones, never half
of either; a failed write (no permission, a full disk) leaves the old ones as they were and says so
in one line (:class:`~nianbao.errors.OutputError`).
"""

from __future__ import annotations

import contextlib
import json
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from . import timing
from .characters import csv_text
from .errors import GlyphError, writing
from .folders import staged
from .run import Run, fingerprint

if TYPE_CHECKING:  # nbconvert, papermill and the checks are imported when a run is published, not before
    import nbformat

    from .checks import Result
    from .model import ReportData
    from .report import Report


@dataclass(frozen=True)
class Rendered:
    """What a published run wrote, at its final paths."""

    folder: Path
    notebook: Path
    html: Path
    pdf: Path | None
    checks_json: Path  # checks.json for a report, summary.json for an overview
    summary: dict[str, int]
    publication: dict[str, Path] = field(default_factory=dict)  # the publication edition's files (a report's)
    pending: tuple[str, ...] = ()  # why the report is not yet fit to publish (unknown cells, open errors)
    kept: tuple[str, ...] = ()  # documents not made this time, kept from an earlier render (``--no-pdf``)


def report(run: Run, prepared: Report, *, pdf: bool = True, timeout: int | None = 600) -> Rendered:
    """Execute the master notebook for the run and publish notebook, HTML, PDF and check results.

    ``prepared`` is the report the caller validated and computed before any kernel started; its
    check results are the ones saved. On failure the partial notebook is kept at ``run.failed`` and
    the previous outputs stay as they were.
    """
    from . import render

    with drafted(run, prepared, pdf=pdf, timeout=timeout) as draft:
        if draft.typesetting is not None:
            draft.pdfs = render.to_pdfs(*draft.typesetting)
    assert draft.rendered is not None
    return draft.rendered


@dataclass
class Draft:
    """A report executed and written but for its PDFs (see :func:`drafted`)."""

    #: what :func:`nianbao.render.to_pdfs` sets the PDFs from (review, publication, date); ``None`` without PDFs
    typesetting: tuple[nbformat.NotebookNode, nbformat.NotebookNode, int] | None
    pdfs: tuple[bytes, bytes] | None = None  # the review and publication PDFs, set by the caller
    rendered: Rendered | None = None  # what was published, once the block is left


@contextlib.contextmanager
def drafted(run: Run, prepared: Report, *, pdf: bool = True, timeout: int | None = 600) -> Iterator[Draft]:
    """:func:`report` in two steps, so that reports' PDFs can be set together: the run executed and
    every document but the PDFs written to its staging folder; the block sets the draft's PDFs from
    ``draft.typesetting`` (:func:`nianbao.render.to_pdfs`, or ``to_pdfs_together`` with other
    reports'), and on leaving it they are written and the outputs swapped in (``draft.rendered``).
    An exception in the block leaves the previous outputs as they were.
    """
    from . import checks, render
    from .edition import pending, title_lines
    from .notebook import execute

    data = prepared.data
    with staged(run.folder, run.own()) as staging:
        nb = execute(run, staging / run.notebook.name, timeout=timeout)
        render.annotate(nb, prepared.title, data.year, office=prepared.agency.office, published=data.published,
                        provenance={"agency": run.agency, "inputs": run.fingerprints()}, title_lines=title_lines(prepared))
        with writing(staging), _glyphs_located(prepared):
            where, publication = _publication(prepared, staging / run.publication.name, run)
            _documents(nb, staging, run, None)
            _write_checks(prepared.results, staging, data)
            kept = () if pdf else _keep(run, staging, ("pdf", "publish_pdf"))
            draft = Draft((nb, publication, render.source_date_epoch(data)) if pdf else None)
            yield draft
            if draft.typesetting is not None:
                if draft.pdfs is None:
                    raise RuntimeError("a drafted report's PDFs were not set")
                (staging / run.pdf.name).write_bytes(draft.pdfs[0])
                where.write_bytes(draft.pdfs[1])
            _write_made(run, staging, kept)
        run.failed.unlink(missing_ok=True)
    done = _rendered(run, pdf, checks.summary(prepared.results))
    published = {k: p for k, p in run.published().items() if p.is_file()}
    draft.rendered = replace(done, publication=published, pending=tuple(pending(prepared)), kept=kept)


@contextlib.contextmanager
def _glyphs_located(prepared: Report) -> Iterator[None]:
    """A character the PDF's fonts lack, named where it was typed: the data file's or the registry's key.

    The characters are checked as the inputs are read (:mod:`nianbao.characters`); this names the place
    of any that still reach xelatex, rather than only the character.
    """
    from .params import REGISTRY

    try:
        yield
    except GlyphError as exc:
        data, agency = prepared.data, prepared.agency
        places = [(data.source, f"narrative.{k}", t) for k, t in data.narrative.items()]
        places += [(data.source, f"notes.{k}", t) for k, t in data.notes.items()]
        places += [(str(prepared.project.params_dir / REGISTRY), f"{agency.id}.{f}", getattr(agency, f))
                   for f in ("name", "office", "contact")]
        for file, key, text in places:
            if exc.chars and any(c in text for c in exc.chars):
                raise GlyphError(exc.message, file=file, key=key,
                                 hint="这个字不在 PDF 所用的字体中：生僻字请改用通行的写法，符号请改用常用的符号") from None
        raise


def _publication(prepared: Report, folder: Path, run: Run) -> tuple[Path, nbformat.NotebookNode]:
    """The publication edition into ``folder``: the page, the CMS fragment and the Word file; returns
    where its PDF goes and the notebook it is set from (with the review edition's, see :func:`_documents`).
    """
    from .edition import blocks, pdf, web, word

    folder.mkdir()
    names = {k: p.name for k, p in run.published().items()}
    with timing.stage("publication_html"):
        made = blocks(prepared)
        (folder / names["publish_html"]).write_text(web.page(made), encoding="utf-8")
        (folder / names["publish_fragment"]).write_text(web.fragment(made), encoding="utf-8")
    with timing.stage("docx"):
        (folder / names["publish_docx"]).write_bytes(word.report_docx(prepared, made))
    return folder / names["publish_pdf"], pdf.notebook(made, prepared.title)


def _keep(run: Run, staging: Path, names: tuple[str, ...]) -> tuple[str, ...]:
    """Documents this render did not make, copied from the current outputs so that they are not lost."""
    kept = []
    documents = run.documents()
    for name in names:
        old, new = documents[name], staging / documents[name].relative_to(run.folder)
        if old.is_file() and not new.exists():
            new.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(old, new)
            kept.append(name)
    return tuple(kept)


def overview(run: Run, *, pdf: bool = True, timeout: int | None = 600, failed: Mapping[str, str] | None = None) -> Rendered:
    """Execute ``notebooks/summary.ipynb`` for the run's year and publish it like :func:`report`.

    ``failed`` names the agencies whose reports failed to render (agency → reason); ``summary.json``
    holds the per-agency comparison. The overview is prepared here once, before the kernel starts.
    """
    from . import render, summary
    from .notebook import execute

    project = run.project
    prepared = summary.prepare(run.year, str(project.root), str(project.data_root or ""), failed)
    with staged(run.folder, run.own()) as staging:
        nb = execute(run, staging / run.notebook.name, timeout=timeout, failed=failed)
        render.annotate(nb, prepared.title, run.year, provenance={"inputs": run.fingerprints()})
        with writing(staging):
            made_pdf = _documents(nb, staging, run, summary.source_date_epoch(prepared) if pdf else None)
            (staging / run.results.name).write_text(summary.to_json(prepared), encoding="utf-8")
        run.failed.unlink(missing_ok=True)
    counts = {"agencies": len(prepared.reports), "missing": len(prepared.missing), "errors": prepared.errors}
    return _rendered(run, made_pdf, counts)


def _documents(nb: nbformat.NotebookNode, folder: Path, run: Run, pdf_epoch: int | None) -> bool:
    """The executed notebook, its HTML and (with a date for it) its PDF, written into ``folder``."""
    import nbformat

    from . import render

    with timing.stage("writing"):
        nbformat.write(nb, folder / run.notebook.name)
    (folder / run.html.name).write_text(render.to_html(nb), encoding="utf-8")
    if pdf_epoch is None:
        return False
    (folder / run.pdf.name).write_bytes(render.to_pdf(nb, pdf_epoch, overview=not run.is_report))
    return True


def _write_made(run: Run, staging: Path, kept: tuple[str, ...]) -> None:
    """:attr:`Run.made` in ``staging``: each publication file's SHA-256 as written now; a file kept from an
    earlier render (``--no-pdf``) keeps the SHA-256 that render recorded, and none if it no longer has it.
    """
    before = run.made_files()
    made = {}
    for key, path in run.published().items():
        new = staging / path.relative_to(run.folder)
        if new.is_file():
            sha = fingerprint(new)
            if key not in kept or before.get(path.name) == sha:
                made[path.name] = sha
    (staging / run.made.name).write_text(json.dumps(made, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def _write_checks(results: list[Result], folder: Path, data: ReportData) -> None:
    """The check results as JSON (with the summary) and CSV, for batches and reviewers."""
    from . import checks

    with timing.stage("writing"):
        text = json.dumps(checks.document(results, data.agency, data.year), ensure_ascii=False, indent=1, default=str)
        (folder / "checks.json").write_text(text + "\n", encoding="utf-8")
        (folder / "checks.csv").write_text(csv_text(checks.frame(results)), encoding="utf-8-sig")


def _rendered(run: Run, made_pdf: bool, summary: dict[str, int]) -> Rendered:
    return Rendered(run.folder, run.notebook, run.html, run.pdf if made_pdf else None, run.results, summary)


def recover(run: Run, keep: bool) -> None:
    """After the process rendering ``run`` was killed: keep its partial notebook (if ``keep``) as the
    run's failed notebook, remove its staging folders, and put back an output folder caught between
    the two renames of a swap.
    """
    staging = run.staging()
    if keep and staging and (staging[-1] / run.notebook.name).is_file():
        shutil.copyfile(staging[-1] / run.notebook.name, run.failed)
    for folder in staging:
        shutil.rmtree(folder, ignore_errors=True)
    old = run.swapped_out()
    if old and not run.folder.exists():
        old[-1].rename(run.folder)
    for folder in run.swapped_out():
        shutil.rmtree(folder, ignore_errors=True)


__all__ = ["Draft", "Rendered", "drafted", "overview", "recover", "report", "staged"]
