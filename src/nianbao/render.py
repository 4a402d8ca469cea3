"""nbconvert in one place: an executed notebook → HTML text and PDF bytes. Writes nothing.

:mod:`nianbao.publish` decides where they go. xelatex runs without shell escape and may read and
write only below its own build folder.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import re
from collections.abc import Iterator
from importlib import metadata as importlib_metadata
from pathlib import Path

import nbformat
from jinja2 import TemplateNotFound
from nbconvert import HTMLExporter, PDFExporter
from nbconvert.exporters.pdf import LatexFailed
from traitlets.config import Config

from . import timing
from .errors import GlyphError, RenderError
from .format.page import PAGE
from .model import ReportData, chinese_date
from .table_latex import aux_reading

TEMPLATES = Path(__file__).parent / "templates"
HIDDEN_TAGS = {"remove-cell", "parameters", "injected-parameters"}
PACKAGES = ("nianbao", "papermill", "nbconvert", "nbclient", "nbformat", "ipykernel", "pandas", "matplotlib", "jinja2")
_MISSING_GLYPH = re.compile(r"Missing character: There is no (.+?) in font ([^:!\n]+)")


def _config() -> Config:
    c = Config()
    c.TagRemovePreprocessor.enabled = True
    c.TagRemovePreprocessor.remove_cell_tags = set(HIDDEN_TAGS)
    c.TemplateExporter.exclude_input = True
    c.TemplateExporter.exclude_input_prompt = True
    c.TemplateExporter.exclude_output_prompt = True
    return c


def to_html(nb: nbformat.NotebookNode) -> str:
    """The executed notebook as a self-contained HTML page: no code, no prompts, nothing remote."""
    with timing.stage("html"):
        body, _ = _html_exporter().from_notebook_node(nb)
    return body


@functools.cache
def _html_exporter() -> HTMLExporter:
    """One exporter per process: its templates are compiled once, not for every report of a batch."""
    return HTMLExporter(
        config=_config(), template_name="nianbao_html", extra_template_basedirs=[str(TEMPLATES)],
        extra_template_paths=[str(TEMPLATES)], language_code="zh"
    )


#: xelatex as the PDF exporter runs it: no shell escape, stopping at the first error, and (through
#: kpathsea's ``openin_any``/``openout_any``, set in :func:`to_pdf`) reading and writing only below
#: its working folder — no absolute paths, no ``..``, no dot files.
LATEX_COMMAND = ["xelatex", "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error", "{filename}"]
#: The template that sets both editions of a report in one xelatex run (see :func:`to_pdfs`).
BOTH = "nianbao_both_latex"
#: How xelatex itself hands its pages to xdvipdfmx; here with the pages of one edition (``-s``).
PDF_COMMAND = ["xdvipdfmx", "-q", "-E"]
LATEX_ENV = {"openin_any": "p", "openout_any": "p", "shell_escape": "f"}


#: At most this many xelatex passes: the page count (共 M 页) and longtable's column widths settle by then.
MAX_PASSES = 3
#: What LaTeX and its packages print when cross-references or table widths need another pass.
_RERUN = re.compile(r"Rerun to get|may have changed\. Rerun|Table widths have changed\. Rerun")
#: Per kind of document (a template's reports, or its overviews), the ``.aux`` — labels such as the
#: page count, longtable's column widths — as the last one that settled left it: the next starts
#: from it, and when its own comes out the same (same page count, same widths) one pass is enough.
#: A process's first document of a kind starts from the template's ``settled.aux`` (a typical
#: report's, shipped with the template) if it is one of :data:`_SEED`.
_SETTLED: dict[str, bytes] = {}
#: All an ``.aux`` may hold to be used as a start: \relax, longtable's widths, the page count — numbers,
#: never commands of its own (a file read from disk is TeX's input, and must not be code).
_SEED = re.compile(
    rb"\\relax \n(?:\\providecommand \\oddpage@label \[2\]\{\}\n)?"
    rb"(?:\\gdef \\LT@[ivxl]+ \{\\LT@entry \n(?:    \{[0-9]\}\{[0-9.]+pt\}\\LT@entry \n)*    \{[0-9]\}\{[0-9.]+pt\}\}\n"
    rb"|\\gdef\\nbreviewpages\{[0-9]+\}\n)*"
    rb"(?:\\newlabel\{LastPage\}\{\{\}\{[0-9]+\}\}\n\\xdef\\lastpage@lastpage\{[0-9]+\}\n\\gdef\\lastpage@lastpageHy\{\}\n)?"
    rb"(?:\\gdef \\@abspage@last\{[0-9]+\}\n)?"
)


def _seed(template: str, family: str) -> bytes | None:
    """Where a document of ``family`` starts: the last settled one's ``.aux``, else the template's."""
    if family in _SETTLED:
        return _SETTLED[family]
    shipped = TEMPLATES / template / "settled.aux"
    if family == template and shipped.is_file() and _SEED.fullmatch(content := shipped.read_bytes()):
        return content
    return None


class ReportPDFExporter(PDFExporter):
    """nbconvert's PDF exporter on the report's LaTeX template, failing on any missing glyph.

    xelatex runs until the document has settled — its ``.aux`` (labels such as the page count,
    longtable's widths) comes out as it went in and no package asks for a rerun — starting from
    the last settled ``.aux`` of the same template; no bibtex.
    """

    family = ""  # the kind of document being made (see _SETTLED)
    second: bytes = b""  # on the BOTH template: the publication edition's PDF (the review's is nbconvert's)

    @property
    def timing_stage(self) -> str:
        """The prefix of its timing stages: review, publication or editions (both, see :func:`to_pdfs`)."""
        return {"nianbao_latex": "review", BOTH: "editions"}.get(self.template_name, "publication")

    def _create_environment(self):
        """The Jinja environment nbconvert makes, with the publication edition's page (GB/T 9704) as ``page``."""
        environment = super()._create_environment()
        environment.globals["page"] = PAGE
        return environment

    def run_latex(self, filename, raise_on_failure=LatexFailed):
        self.texinputs = str(Path(filename).resolve().parent)  # the build folder only, not the project
        aux, log = Path(filename).with_suffix(".aux"), Path(filename).with_suffix(".log")
        if (seed := _seed(self.template_name, self.family)) is not None:
            aux.write_bytes(seed)

        def log_error(command, out):
            self.log.critical("%s failed: %s\n%s", command[0], command, out)

        for n in range(1, MAX_PASSES + 1):
            before = aux.read_bytes() if aux.is_file() else None
            with timing.stage(f"{self.timing_stage}_xelatex_{n}"):
                if not self.run_command(self.latex_command, filename, 1, log_error, raise_on_failure):
                    return False
            after = aux.read_bytes() if aux.is_file() else None
            text = log.read_text(encoding="utf-8", errors="replace") if log.is_file() else ""
            if aux_reading(after) == aux_reading(before) and not _RERUN.search(text):
                if after is not None:
                    _SETTLED[self.family] = after
                break
        missing = sorted(set(_MISSING_GLYPH.findall(text)))
        if missing:
            chars = "、".join(f"“{c}”（{font}）" for c, font in missing[:10])
            error = GlyphError(
                f"PDF 中有字体缺少的字符：{chars}",
                hint="请安装 Noto CJK 字体（apt-get install fonts-noto-cjk），或改用常见字符",
            )
            error.chars = "".join(c for c, _ in missing)
            raise error
        if self.template_name == BOTH:
            return self._cut(Path(filename).with_suffix(".xdv").name, after or b"", log_error, raise_on_failure)
        return True

    def _cut(self, xdv: str, aux: bytes, log_error, raise_on_failure) -> bool:
        """The run's pages as two PDFs, as xelatex would have made one: the review edition's pages as
        ``notebook.pdf`` (what nbconvert reads) and the publication edition's as :attr:`second`.
        """
        found = re.search(rb"^\\gdef\\nbreviewpages\{([0-9]+)\}$", aux, re.MULTILINE)
        if found is None:
            raise LatexFailed("the review edition's page count is missing from the .aux")
        pages = int(found.group(1))
        for name, part, out in (("review", f"1-{pages}", "notebook.pdf"), ("publication", f"{pages + 1}-", "publication.pdf")):
            with timing.stage(f"{name}_xdvipdfmx"):
                if not self.run_command([*PDF_COMMAND, "-s", part, "-o", out, "{filename}"], xdv, 1, log_error,
                                        raise_on_failure):
                    return False
        self.second = Path("publication.pdf").read_bytes()
        return True

    def run_bib(self, filename, raise_on_failure=False):
        return False  # a report cites nothing: no bibtex run

    def from_notebook_node(self, nb, resources=None, **kw):
        with timing.stage(f"{self.timing_stage}_latex"):  # the LaTeX export itself; the passes are timed apart
            return super().from_notebook_node(nb, resources, **kw)


def to_pdf(nb: nbformat.NotebookNode, source_date_epoch: int, template: str = "nianbao_latex", *,
           overview: bool = False) -> bytes:
    """The executed notebook as an A4 PDF through nbconvert's LaTeX path (xelatex + xeCJK).

    ``overview``: the notebook is a year's overview, whose layout is not a report's (see ``_SETTLED``).
    """
    exporter = _pdf_exporter(template)
    exporter.family = f"{template}:overview" if overview else template
    return _typeset(exporter, nb, source_date_epoch)


def to_pdfs(review: nbformat.NotebookNode, publication: nbformat.NotebookNode, source_date_epoch: int) -> tuple[bytes, bytes]:
    """A report's two PDFs from one xelatex run, which loads the packages and fonts once, not twice:
    the review edition's (the executed notebook, as :func:`to_pdf` sets it) and the publication
    edition's (``publication``, as ``to_pdf(publication, …, template="nianbao_publish_latex")`` sets
    it). Each PDF holds only its own pages, and only the glyphs they use.
    """
    switch = nbformat.v4.new_code_cell("", outputs=[
        nbformat.v4.new_output("display_data", data={"text/latex": "\\nbpublication", "text/plain": ""})])
    both = nbformat.v4.new_notebook(metadata=review.metadata, cells=[*review.cells, switch, *publication.cells])
    exporter = _pdf_exporter(BOTH)
    exporter.family, exporter.second = BOTH, b""
    return _typeset(exporter, both, source_date_epoch), exporter.second


def _typeset(exporter: ReportPDFExporter, nb: nbformat.NotebookNode, source_date_epoch: int) -> bytes:
    with _environ(SOURCE_DATE_EPOCH=str(source_date_epoch), FORCE_SOURCE_DATE="1", **LATEX_ENV):
        try:
            pdf, _ = exporter.from_notebook_node(nb)
        except LatexFailed as exc:
            raise RenderError(f"xelatex 排版失败：{latex_errors(str(exc))}", hint="请把这段信息报告给维护者") from None
        except TemplateNotFound as exc:
            raise RenderError(f"找不到 PDF 模板 {exc.name}", hint="请重新安装 nianbao（bash scripts/setup.sh）") from None
        except OSError as exc:
            raise RenderError(
                f"无法运行 xelatex：{exc}",
                hint="请安装 TeX：apt-get install texlive-xetex texlive-lang-chinese texlive-plain-generic fonts-noto-cjk",
            ) from None
    return pdf


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


@contextlib.contextmanager
def _environ(**values: str) -> Iterator[None]:
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


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
