"""nbconvert in one place: an executed notebook → HTML text and PDF bytes. Writes nothing.

:mod:`nianbao.publish` decides where they go. xelatex runs without shell escape and may read and
write only below its own build folder.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
from collections.abc import Iterator, Sequence
from importlib import metadata as importlib_metadata

import nbformat
from jinja2 import TemplateNotFound
from nbconvert import HTMLExporter
from nbconvert.exporters.pdf import LatexFailed
from traitlets.config import Config

from . import timing
from .errors import RenderError
from .model import ReportData, chinese_date
from .typeset import BOTH, LATEX_COMMAND, LATEX_ENV, TEMPLATES, ReportPDFExporter, environment

HIDDEN_TAGS = {"remove-cell", "parameters", "injected-parameters"}
PACKAGES = ("nianbao", "papermill", "nbconvert", "nbclient", "nbformat", "ipykernel", "pandas", "matplotlib", "jinja2")


def _config() -> Config:
    c = Config()
    c.TagRemovePreprocessor.enabled = True
    c.TagRemovePreprocessor.remove_cell_tags = set(HIDDEN_TAGS)
    c.TemplateExporter.exclude_input = True
    c.TemplateExporter.exclude_input_prompt = True
    c.TemplateExporter.exclude_output_prompt = True
    c.Exporter.optimistic_validation = True  # the notebook validated once, after all preprocessors, not after each
    return c


def to_html(nb: nbformat.NotebookNode) -> str:
    """The executed notebook as a self-contained HTML page: no code, no prompts, nothing remote."""
    with timing.stage("html"):
        body, _ = _html_exporter().from_notebook_node(nb)
    return body


class ReportHTMLExporter(HTMLExporter):
    """nbconvert's HTML exporter, returning the page as its template wrote it.

    nbconvert's own exporter parses the whole page again when it is written (BeautifulSoup, most of
    the export's time) only to give an image without alt text an English placeholder and the outputs
    inside a ``.jp-Notebook`` a stop for the Tab key. A report's every image carries its Chinese alt
    text, and its template sets its outputs in ``<main>``: the parse adds nothing (a test reads both
    pages), so the page is kept as written.
    """

    def from_notebook_node(self, nb, resources=None, **kw):
        import nbconvert.exporters.html as exporter

        parse = getattr(exporter, "BeautifulSoup", None)
        if parse is None:  # another nbconvert than this was written for: its own way
            return super().from_notebook_node(nb, resources, **kw)
        setattr(exporter, "BeautifulSoup", _AsWritten)  # noqa: B010  (mypy: a module's class, replaced)
        try:
            return super().from_notebook_node(nb, resources, **kw)
        finally:
            setattr(exporter, "BeautifulSoup", parse)  # noqa: B010


class _AsWritten(str):
    """A page that stands where nbconvert parses it: it selects nothing, and reads back as written."""

    def __new__(cls, markup: str, features: str | None = None) -> _AsWritten:
        return super().__new__(cls, markup)

    def select(self, selector: str) -> list:
        return []


@functools.cache
def _html_exporter(kind: type[HTMLExporter] = ReportHTMLExporter) -> HTMLExporter:
    """One exporter per process: its templates are compiled once, not for every report of a batch."""
    return kind(
        config=_config(), template_name="nianbao_html", extra_template_basedirs=[str(TEMPLATES)],
        extra_template_paths=[str(TEMPLATES)], language_code="zh"
    )


def overview_family(template: str = "nianbao_latex") -> str:
    """The kind of document a year's overview set on ``template`` is (:data:`nianbao.settling.SETTLED`):
    its layout is not a report's.
    """
    return f"{template}:overview"


def to_pdf(nb: nbformat.NotebookNode, source_date_epoch: int, template: str = "nianbao_latex", *,
           overview: bool = False) -> bytes:
    """The executed notebook as an A4 PDF through nbconvert's LaTeX path (xelatex + xeCJK).

    ``overview``: the notebook is a year's overview, whose layout is not a report's (see :data:`nianbao.settling.SETTLED`).
    """
    exporter = _pdf_exporter(template)
    exporter.family = overview_family(template) if overview else template
    return _typeset(exporter, nb, source_date_epoch)


def to_pdfs(review: nbformat.NotebookNode, publication: nbformat.NotebookNode, source_date_epoch: int) -> tuple[bytes, bytes]:
    """A report's two PDFs from one xelatex run, which loads the packages and fonts once, not twice:
    the review edition's (the executed notebook, as :func:`to_pdf` sets it) and the publication
    edition's (``publication``, as ``to_pdf(publication, …, template="nianbao_publish_latex")`` sets
    it). Each PDF holds only its own pages, and only the glyphs they use.
    """
    made = to_pdfs_together([(review, publication, source_date_epoch)])[0]
    if isinstance(made, Exception):
        raise made
    return made


def to_pdfs_together(reports: Sequence[tuple[nbformat.NotebookNode, nbformat.NotebookNode, int]]
                     ) -> list[tuple[bytes, bytes] | Exception]:
    """Several reports' PDFs, as :func:`to_pdfs` makes each, from one xelatex run: TeX loads its
    packages and fonts once for them all. Every PDF is byte for byte the one the report gives alone.

    When the run fails (one report's text TeX cannot set, a glyph the fonts lack), each report is set
    alone, so that only the one at fault fails, with its own message: for each report, its review and
    publication PDFs, or the error that stopped it.
    """
    from nbconvert import LatexExporter

    exporter = _pdf_exporter(BOTH)
    exporter.family = BOTH
    made: list[tuple[bytes, bytes] | Exception | None] = []
    documents = []
    for review, publication, epoch in reports:
        switch = nbformat.v4.new_code_cell("", outputs=[
            nbformat.v4.new_output("display_data", data={"text/latex": "\\nbpublication", "text/plain": ""})])
        both = nbformat.v4.new_notebook(metadata=review.metadata, cells=[*review.cells, switch, *publication.cells])
        try:
            with timing.stage("editions_latex"), _tex_errors(epoch):
                tex, resources = LatexExporter.from_notebook_node(exporter, both)
        except Exception as exc:  # noqa: BLE001  this report's own failure
            made.append(exc)
            continue
        made.append(None)
        documents.append((tex, resources, epoch))
    pdfs: list[tuple[bytes, bytes] | Exception] = []
    if len(documents) > 1:
        try:
            with _tex_errors(documents[0][2]):
                pdfs = list(exporter.set_together(documents))
        except Exception:  # noqa: BLE001  whatever stopped the run, each report set alone says what is its own
            pdfs = []
    for document in documents[len(pdfs):]:
        try:
            with _tex_errors(document[2]):
                pdfs.append(exporter.set_together([document])[0])
        except Exception as exc:  # noqa: BLE001  the report's own failure, returned for its caller to raise
            pdfs.append(exc)
    each = iter(pdfs)
    return [next(each) if m is None else m for m in made]


def _typeset(exporter: ReportPDFExporter, nb: nbformat.NotebookNode, source_date_epoch: int) -> bytes:
    with _tex_errors(source_date_epoch):
        pdf, _ = exporter.from_notebook_node(nb)
    return pdf


@contextlib.contextmanager
def _tex_errors(source_date_epoch: int) -> Iterator[None]:
    """TeX run as the PDF's date says, its failures as :class:`RenderError` in the user's words."""
    with environment(SOURCE_DATE_EPOCH=str(source_date_epoch), FORCE_SOURCE_DATE="1", **LATEX_ENV):
        try:
            yield
        except LatexFailed as exc:
            raise RenderError(f"xelatex 排版失败：{latex_errors(str(exc))}", hint="请把这段信息报告给维护者") from None
        except TemplateNotFound as exc:
            raise RenderError(f"找不到 PDF 模板 {exc.name}", hint="请重新安装 nianbao（bash scripts/setup.sh）") from None
        except OSError as exc:
            raise RenderError(
                f"无法运行 xelatex：{exc}",
                hint="请安装 TeX：apt-get install texlive-xetex texlive-lang-chinese texlive-plain-generic fonts-noto-cjk",
            ) from None


def latex_errors(log: str) -> str:
    """The error lines of a TeX run (``! …`` and the ``l.N`` line after it), never the rest of the log.

    The log echoes whatever files TeX read; only its own error lines are worth showing a user.
    """
    lines = log.splitlines()
    picked = []
    for i, line in enumerate(lines):
        if line.startswith("!"):
            picked.append(line)
            picked += [x for x in lines[i + 1 : i + 4] if x.startswith("l.")][:1]
    return "\n".join(picked[:6]) or "（xelatex 没有给出错误行）"


@functools.cache
def _pdf_exporter(template: str) -> ReportPDFExporter:
    # BOTH: xelatex's pages (.xdv) only, cut into two PDFs by ReportPDFExporter._cut
    command = [*LATEX_COMMAND[:-1], "-no-pdf", LATEX_COMMAND[-1]] if template == BOTH else LATEX_COMMAND
    return ReportPDFExporter(
        config=_config(), template_name=template, extra_template_basedirs=[str(TEMPLATES)],
        extra_template_paths=[str(TEMPLATES)], latex_command=command,
    )


def source_date_epoch(data: ReportData) -> int:
    """The PDF's date: ``SOURCE_DATE_EPOCH`` when set, else the report's publication date."""
    if os.environ.get("SOURCE_DATE_EPOCH", "").isdigit():
        return int(os.environ["SOURCE_DATE_EPOCH"])
    day = dt.date.fromisoformat(data.published) if data.published else dt.date(data.year + 1, 1, 31)
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc).timestamp())


def versions() -> dict[str, str]:
    out = {}
    for name in PACKAGES:
        try:
            out[name] = importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def annotate(nb: nbformat.NotebookNode, title: str, year: int, *, office: str = "", published: str = "",
             provenance: dict | None = None, title_lines: tuple[str, ...] = ()) -> None:
    """Title (and the lines it is set on), byline, date and provenance into the executed notebook's
    metadata (read by the templates).
    """
    nb.metadata["title"] = title
    if title_lines:
        nb.metadata["title_lines"] = list(title_lines)
    if office:
        nb.metadata["authors"] = [{"name": office}]
    if published:
        nb.metadata["date"] = chinese_date(published)
    nb.metadata["nianbao"] = {**(provenance or {}), "year": year, "versions": versions()}
