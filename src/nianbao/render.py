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
import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
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
#: All an ``.aux`` may hold to be used as a start: \relax, longtable's widths, the pages of rows and reports — numbers,
#: never commands of its own (a file read from disk is TeX's input, and must not be code).
_SEED = re.compile(
    rb"\\relax \n(?:\\providecommand \\oddpage@label \[2\]\{\}\n)?"
    rb"(?:\\gdef \\LT@[ivxlcdm]+ \{\\LT@entry \n(?:    \{[0-9]\}\{[0-9.]+pt\}\\LT@entry \n)*    \{[0-9]\}\{[0-9.]+pt\}\}\n"
    rb"|\\nb(?:start|review|end)\{[0-9]+\}\{[0-9]+\}\n|\\nbrowat\{[0-9]+\}\{[0-9]+\}\{[0-9]+\}\n)*"
    rb"(?:\\newlabel\{LastPage\}\{\{\}\{[0-9]+\}\}\n\\xdef\\lastpage@lastpage\{[0-9]+\}\n\\gdef\\lastpage@lastpageHy\{\}\n)?"
    rb"(?:\\gdef \\@abspage@last\{[0-9]+\}\n)?"
)

#: Where each report's own lines of a joint run's .aux are (see nianbao_both_latex): its long tables
#: (``\LT@…``, longtable's widths) and rows (``\nbrowat``) numbered from ``_STRIDE`` × (N − 1), and
#: the marks of its pages: ``\nbstart{N}{pages before it}``, ``\nbreview{N}{its review pages}``,
#: ``\nbend{N}{pages up to its last}``.
_STRIDE = 100
_ODDPAGE = b"\\providecommand \\oddpage@label [2]{}\n"  # written once a run, where its first page is
_AUX_LINE = re.compile(
    rb"\\gdef \\LT@(?P<table>[ivxlcdm]+) (?P<widths>\{(?:[^{}]|\{[^{}]*\})*\}\n)"
    rb"|\\nbrowat\{(?P<row>[0-9]+)\}(?P<at>\{[0-9]+\}\{[^{}\n]*\}\n)"
    rb"|\\nb(?P<mark>start|review|end)\{(?P<report>[0-9]+)\}\{(?P<pages>[0-9]+)\}\n"
    rb"|\\gdef \\@abspage@last\{(?P<last>[0-9]+)\}\n"
    rb"|(?P<oddpage>\\providecommand \\oddpage@label \[2\]\{\}\n)"
)
_MARK = re.compile(rb"^(?:\\nb(?:start|end)\{[0-9]+\}\{[0-9]+\}|\\providecommand \\oddpage@label \[2\]\{\})\n", re.MULTILINE)
#: A report's LaTeX: the preamble every report shares, and its own pages.
_DOCUMENT = re.compile(r"(?P<preamble>.*?)^\\begin\{document\}\n(?P<body>.*)^\\end\{document\}\s*", re.MULTILINE | re.DOTALL)


def _unmarked(aux: bytes | None) -> bytes | None:
    """An ``.aux`` without where reports start and end (TeX does not read that back, only nianbao does),
    nor the line a package writes once wherever the run's first page falls.
    """
    return None if aux is None else _MARK.sub(b"", aux)


def _reports(aux: bytes) -> tuple[bytes, list[list[tuple[str, int, bytes]]]] | None:
    """A joint run's ``.aux`` as its head and, per report, its lines: (kind, number, rest); ``None``
    for an ``.aux`` with anything else in it.
    """
    reports: list[list[tuple[str, int, bytes]]]
    if not aux.startswith(b"\\relax \n"):
        return None
    head, reports, report = b"\\relax \n", [], 0
    position = len(head)
    while position < len(aux):
        m = _AUX_LINE.match(aux, position)
        if m is None:
            return None
        position = m.end()
        if m["table"]:
            line = ("table", _roman_value(m["table"].decode()), m["widths"])
        elif m["row"]:
            line = ("row", int(m["row"]), m["at"])
        elif m["mark"]:
            report = int(m["report"])
            line = (m["mark"].decode(), report, m["pages"])
        else:
            head += _ODDPAGE if m["oddpage"] else b""  # the run's page count is the sum of the reports' (see _joined)
            continue
        if report < 1:
            return None
        while len(reports) < report:
            reports.append([])
        reports[report - 1].append(line)
    return head, reports


def _alone(aux: bytes, place: int) -> bytes | None:
    """The lines of a joint run's ``.aux`` of the report set ``place``-th, numbered as if it were set
    alone: where it starts from next time. ``None`` when the ``.aux`` cannot be read so.
    """
    read = _reports(aux)
    if read is None or len(read[1]) < place:
        return None
    head, lines = read[0], read[1][place - 1]
    start = next((int(pages) for kind, _, pages in lines if kind == "start"), 0)
    alone = [(kind, number - (place - 1) * _STRIDE if kind in ("table", "row") else 1,
              b"%d" % (int(rest) - start) if kind in ("start", "end") else rest) for kind, number, rest in lines]
    return _joined([head + _lines(alone)])


def _lines(lines: list[tuple[str, int, bytes]]) -> bytes:
    out = []
    for kind, number, rest in lines:
        if kind == "table":
            out.append(b"\\gdef \\LT@%s %s" % (_roman(number).encode(), rest))
        elif kind == "row":
            out.append(b"\\nbrowat{%d}%s" % (number, rest))
        else:
            out.append(b"\\nb%s{%d}{%s}\n" % (kind.encode(), number, rest))
    return b"".join(out)


def _joined(alone: list[bytes]) -> bytes:
    """The ``.aux`` of a run that sets reports one after another, each starting from ``alone[N]``
    (an ``.aux`` of one report set alone): its lines renumbered into the report's range, its page
    marks moved after the reports before it.
    """
    head, body, before = b"", [], 0
    for n, aux in enumerate(alone, 1):
        read = _reports(aux)
        if read is None or len(read[1]) > 1:
            return alone[0] if len(alone) == 1 else b""
        head = head or read[0]
        lines = read[1][0] if read[1] else []
        total = next((int(pages) for kind, _, pages in lines if kind == "end"), 0)
        body.append(_lines([(kind, number + (n - 1) * _STRIDE if kind in ("table", "row") else n,
                             b"%d" % (int(rest) + before) if kind in ("start", "end") else rest)
                            for kind, number, rest in lines]))
        before += total
    return head + b"".join(body) + (b"\\gdef \\@abspage@last{%d}\n" % before if before else b"")


_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"),
          (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))


def _roman(n: int) -> str:
    r"""``n`` as TeX's ``\romannumeral`` writes it (longtable names its tables so)."""
    out = ""
    for value, letters in _ROMAN:
        while n >= value:
            out, n = out + letters, n - value
    return out


def _roman_value(letters: str) -> int:
    values = dict((v, k) for k, v in _ROMAN if len(v) == 1)
    total = 0
    for i, c in enumerate(letters):
        value = values[c]
        total += -value if i + 1 < len(letters) and values[letters[i + 1]] > value else value
    return total


def _marks(aux: bytes, reports: int) -> list[tuple[int, int, int]] | None:
    """Per report of a joint run, its pages: (pages before it, its review edition's, pages up to its last)."""
    read = _reports(aux)
    if read is None or len(read[1]) != reports:
        return None
    out = []
    for lines in read[1]:
        marks = {kind: int(pages) for kind, _, pages in lines if kind in ("start", "review", "end")}
        if len(marks) != 3 or not marks["start"] < marks["start"] + marks["review"] < marks["end"]:
            return None
        out.append((marks["start"], marks["review"], marks["end"]))
    return out


#: The comment xelatex writes at the head of its pages (.xdv), which xdvipdfmx makes the PDF's Creator:
#: the only place the run's date appears in them.
_XDV_STAMP = re.compile(rb" XeTeX output [0-9]{4}\.[0-9]{2}\.[0-9]{2}:[0-9]{4}")


def _stamped(xdv: bytes, epoch: int) -> bytes:
    """The run's pages as xelatex would have written them at ``epoch`` (a joint run's reports each have
    their own date).
    """
    size = xdv[14] if len(xdv) > 15 and xdv[0] == 247 else 0  # DVI's pre: id, num, den, mag, then the comment
    stamp = time.strftime(" XeTeX output %Y.%m.%d:%H%M", time.gmtime(epoch)).encode()
    if not _XDV_STAMP.fullmatch(xdv[15:15 + size]) or len(stamp) != size:
        raise LatexFailed("xelatex's pages do not start as expected")
    return xdv[:15] + stamp + xdv[15 + size:]


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
        aux = Path(filename).with_suffix(".aux")
        if (seed := _seed(self.template_name, self.family)) is not None:
            aux.write_bytes(seed)
        text = ""
        for n in range(1, MAX_PASSES + 1):
            before = aux.read_bytes() if aux.is_file() else None
            text = self._pass(filename, n, raise_on_failure)
            after = aux.read_bytes() if aux.is_file() else None
            if aux_reading(after) == aux_reading(before) and not _RERUN.search(text):
                if after is not None:
                    _SETTLED[self.family] = after
                break
        _glyphs(text)
        return True

    def _pass(self, filename: str, n: int, raise_on_failure=LatexFailed) -> str:
        """One xelatex pass (the ``n``-th): its log."""
        def log_error(command, out):
            self.log.critical("%s failed: %s\n%s", command[0], command, out)

        with timing.stage(f"{self.timing_stage}_xelatex_{n}"):
            self.run_command(self.latex_command, filename, 1, log_error, raise_on_failure)
        log = Path(filename).with_suffix(".log")
        return log.read_text(encoding="utf-8", errors="replace") if log.is_file() else ""

    def set_together(self, documents: list[tuple[str, dict, int]]) -> list[tuple[bytes, bytes]]:
        """Reports' LaTeX (each as :data:`BOTH` exports it: text, resources, date) set in one xelatex
        run: their review and publication PDFs, each as the report gives alone.

        Each report starts from the last settled report's ``.aux`` (:data:`_SETTLED`), and its pages
        are final once its own lines of the ``.aux`` come out as they went in; only the reports not yet
        settled are set again, in a run of their own. xdvipdfmx then cuts each report's pages, from the
        run that settled it, into its two PDFs, dated as the report is.
        """
        parts = [_DOCUMENT.fullmatch(tex) for tex, _, _ in documents]
        preambles = {m["preamble"] for m in parts if m}
        if len(preambles) != 1 or not all(parts):
            raise LatexFailed("the reports' preambles differ")
        preamble, bodies = preambles.pop(), [m["body"] for m in parts if m]
        start = _seed(BOTH, self.family) or b"\\relax \n"
        auxes = [start] * len(documents)  # each report's own lines of the .aux, numbered as if alone
        final: list[tuple[bytes, tuple[int, int, int]] | None] = [None] * len(documents)  # its pages: run, where
        pending = list(range(len(documents)))
        with tempfile.TemporaryDirectory() as folder, _inside(folder):
            self.texinputs = folder  # the build folder only, not the project
            for n in range(1, MAX_PASSES + 1):
                for place, i in enumerate(pending, 1):  # report i's figures where \nbreport{place} looks
                    shutil.rmtree(f"r{place}", ignore_errors=True)
                    Path(f"r{place}").mkdir()
                    for name, data in (documents[i][1].get("outputs") or {}).items():
                        Path(f"r{place}", name).write_bytes(data)  # nbconvert's own names (output_3_0.pdf)
                text = "".join(f"\\nbreport{{{place}}}\n{bodies[i]}\\nbreportend\n" for place, i in enumerate(pending, 1))
                Path("notebook.tex").write_text(f"{preamble}\\begin{{document}}\n{text}\\end{{document}}\n",
                                                encoding="utf-8")
                Path("notebook.aux").write_bytes(_joined([auxes[i] for i in pending]))
                log = self._pass("notebook.tex", n)
                _glyphs(log)
                after = Path("notebook.aux").read_bytes()
                marks = _marks(after, len(pending))
                if marks is None:
                    raise LatexFailed("the reports' pages are not marked in the .aux")
                pages, unsettled = Path("notebook.xdv").read_bytes(), []
                for place, i in enumerate(pending, 1):
                    alone = _alone(after, place)
                    if alone is None:
                        raise LatexFailed("the .aux holds more than the reports' numbers")
                    if aux_reading(_unmarked(alone)) != aux_reading(_unmarked(auxes[i])):
                        unsettled.append(i)
                    auxes[i], final[i] = alone, (pages, marks[place - 1])
                if _RERUN.search(log) and not unsettled:
                    unsettled = pending  # asked for a rerun, but not by a report's numbers: all of them again
                if not unsettled:
                    break
                pending = unsettled
            _SETTLED[self.family] = auxes[-1]
            return [self._cut(*done, epoch) for done, (_, _, epoch) in zip(final, documents) if done]

    def _cut(self, pages: bytes, marks: tuple[int, int, int], epoch: int) -> tuple[bytes, bytes]:
        """A report's review and publication PDFs: its pages of a run (``marks``: pages before it, its
        review edition's, pages up to its last), as xelatex would have written them at ``epoch``.
        """
        def log_error(command, out):
            self.log.critical("%s failed: %s\n%s", command[0], command, out)

        first, review, end = marks
        Path("notebook.xdv").write_bytes(_stamped(pages, epoch))
        made = []
        for name, part, out in (("review", f"{first + 1}-{first + review}", "notebook.pdf"),
                                ("publication", f"{first + review + 1}-{end}", "publication.pdf")):
            with timing.stage(f"{name}_xdvipdfmx"), _environ(SOURCE_DATE_EPOCH=str(epoch)):
                self.run_command([*PDF_COMMAND, "-s", part, "-o", out, "{filename}"], "notebook.xdv", 1, log_error,
                                 LatexFailed)
            made.append(Path(out).read_bytes())
        return made[0], made[1]

    def run_bib(self, filename, raise_on_failure=False):
        return False  # a report cites nothing: no bibtex run

    def from_notebook_node(self, nb, resources=None, **kw):
        with timing.stage(f"{self.timing_stage}_latex"):  # the LaTeX export itself; the passes are timed apart
            return super().from_notebook_node(nb, resources, **kw)


def _glyphs(log: str) -> None:
    """Raise :class:`GlyphError` for any character a TeX run's log says the fonts lack."""
    missing = sorted(set(_MISSING_GLYPH.findall(log)))
    if missing:
        chars = "、".join(f"“{c}”（{font}）" for c, font in missing[:10])
        error = GlyphError(
            f"PDF 中有字体缺少的字符：{chars}",
            hint="请安装 Noto CJK 字体（apt-get install fonts-noto-cjk），或改用常见字符",
        )
        error.chars = "".join(c for c, _ in missing)
        raise error


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
    with _environ(SOURCE_DATE_EPOCH=str(source_date_epoch), FORCE_SOURCE_DATE="1", **LATEX_ENV):
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


@contextlib.contextmanager
def _inside(folder: str) -> Iterator[None]:
    """Work in ``folder`` (where TeX runs and writes), then where we were."""
    back = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(back)


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
