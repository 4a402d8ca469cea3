"""xelatex and xdvipdfmx as nbconvert's PDF exporter runs them: in a sandbox, pass after pass until the
``.aux`` settles (:mod:`nianbao.settling`), a missing glyph an error, several reports set in one run
and cut into each report's PDFs. :mod:`nianbao.render` is what the rest of the package calls.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from nbconvert import PDFExporter
from nbconvert.exporters.pdf import LatexFailed

from . import settling, timing
from .errors import GlyphError
from .format.page import PAGE

TEMPLATES = Path(__file__).parent / "templates"

_MISSING_GLYPH = re.compile(r"Missing character: There is no (.+?) in font ([^:!\n]+)")


#: xelatex as the PDF exporter runs it: no shell escape, stopping at the first error, and (through
#: kpathsea's ``openin_any``/``openout_any``, set in :func:`nianbao.render.to_pdf`) reading and writing only below
#: its working folder — no absolute paths, no ``..``, no dot files.
LATEX_COMMAND = ["xelatex", "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error", "{filename}"]
#: The template that sets both editions of a report in one xelatex run (see :func:`nianbao.render.to_pdfs`).
BOTH = "nianbao_both_latex"
#: How xelatex itself hands its pages to xdvipdfmx; here with the pages of one edition (``-s``).
PDF_COMMAND = ["xdvipdfmx", "-q", "-E"]
LATEX_ENV = {"openin_any": "p", "openout_any": "p", "shell_escape": "f"}


#: A report's LaTeX: the preamble every report shares, and its own pages.
_DOCUMENT = re.compile(r"(?P<preamble>.*?)^\\begin\{document\}\n(?P<body>.*)^\\end\{document\}\s*", re.MULTILINE | re.DOTALL)


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


class ReportPDFExporter(PDFExporter):
    """nbconvert's PDF exporter on the report's LaTeX template, failing on any missing glyph.

    xelatex runs until the document has settled — its ``.aux`` (labels such as the page count,
    longtable's widths) comes out as it went in and no package asks for a rerun — starting from
    the last settled ``.aux`` of the same template; no bibtex.
    """

    family = ""  # the kind of document being made (see settling.SETTLED)

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
        size = settling.extent(Path(filename).read_text(encoding="utf-8"))
        if (seed := settling.start(TEMPLATES, self.template_name, self.family, size)) is not None:
            aux.write_bytes(seed)
        text = ""
        for n in range(1, settling.MAX_PASSES + 1):
            before = aux.read_bytes() if aux.is_file() else None
            text = self._pass(filename, n, raise_on_failure)
            after = aux.read_bytes() if aux.is_file() else None
            if settling.settled(before, after) and not settling.RERUN.search(text):
                if after is not None:
                    settling.remember(self.family, size, after)
                break
        _glyphs(text)
        return True

    def _pass(self, filename: str, n: int, raise_on_failure=LatexFailed) -> str:
        """One xelatex pass (the ``n``-th): its log."""
        with timing.stage(f"{self.timing_stage}_xelatex_{n}"):
            self.run_command(self.latex_command, filename, 1, self._failed, raise_on_failure)
        log = Path(filename).with_suffix(".log")
        return log.read_text(encoding="utf-8", errors="replace") if log.is_file() else ""

    def set_together(self, documents: list[tuple[str, dict, int]]) -> list[tuple[bytes, bytes]]:
        """Reports' LaTeX (each as :data:`BOTH` exports it: text, resources, date) set in one xelatex
        run: their review and publication PDFs, each as the report gives alone.

        Each report starts from the ``.aux`` of the settled report nearest in extent (:data:`settling.SETTLED`), and its pages
        are final once its own lines of the ``.aux`` come out as they went in; only the reports not yet
        settled are set again, in a run of their own. xdvipdfmx then cuts each report's pages, from the
        run that settled it, into its two PDFs, dated as the report is.
        """
        parts = [_DOCUMENT.fullmatch(tex) for tex, _, _ in documents]
        preambles = {m["preamble"] for m in parts if m}
        if len(preambles) != 1 or not all(parts):
            raise LatexFailed("the reports' preambles differ")
        preamble, bodies = preambles.pop(), [m["body"] for m in parts if m]
        auxes = [settling.start(TEMPLATES, BOTH, self.family, settling.extent(body)) or b"\\relax \n"
                 for body in bodies]  # each report's own lines of the .aux, numbered as if alone
        final: list[tuple[bytes, tuple[int, int, int]] | None] = [None] * len(documents)  # its pages: run, where
        pending = list(range(len(documents)))
        with tempfile.TemporaryDirectory() as folder, _inside(folder):
            self.texinputs = folder  # the build folder only, not the project
            for n in range(1, settling.MAX_PASSES + 1):
                for place, i in enumerate(pending, 1):  # report i's figures where \nbreport{place} looks
                    shutil.rmtree(f"r{place}", ignore_errors=True)
                    Path(f"r{place}").mkdir()
                    for name, data in (documents[i][1].get("outputs") or {}).items():
                        Path(f"r{place}", name).write_bytes(data)  # nbconvert's own names (output_3_0.pdf)
                text = "".join(f"\\nbreport{{{place}}}\n{bodies[i]}\\nbreportend\n" for place, i in enumerate(pending, 1))
                Path("notebook.tex").write_text(f"{preamble}\\begin{{document}}\n{text}\\end{{document}}\n",
                                                encoding="utf-8")
                Path("notebook.aux").write_bytes(settling.joined([auxes[i] for i in pending]))
                log = self._pass("notebook.tex", n)
                _glyphs(log)
                after = Path("notebook.aux").read_bytes()
                marks = settling.marks(after, len(pending))
                if marks is None:
                    raise LatexFailed("the reports' pages are not marked in the .aux")
                pages, unsettled = Path("notebook.xdv").read_bytes(), []
                for place, i in enumerate(pending, 1):
                    alone = settling.alone(after, place)
                    if alone is None:
                        raise LatexFailed("the .aux holds more than the reports' numbers")
                    if not settling.settled(auxes[i], alone):
                        unsettled.append(i)
                    auxes[i], final[i] = alone, (pages, marks[place - 1])
                if settling.RERUN.search(log) and not unsettled:
                    unsettled = pending  # asked for a rerun, but not by a report's numbers: all of them again
                if not unsettled:
                    break
                pending = unsettled
            for i, (body, aux) in enumerate(zip(bodies, auxes)):
                if i not in unsettled:  # still moving after the last pass: no start for another
                    settling.remember(self.family, settling.extent(body), aux)
            return [self._cut(*done, epoch) for done, (_, _, epoch) in zip(final, documents) if done]

    def _cut(self, pages: bytes, marks: tuple[int, int, int], epoch: int) -> tuple[bytes, bytes]:
        """A report's review and publication PDFs: its pages of a run (``marks``: pages before it, its
        review edition's, pages up to its last), as xelatex would have written them at ``epoch``.
        """
        first, review, end = marks
        Path("notebook.xdv").write_bytes(_stamped(pages, epoch))
        made = []
        for name, part, out in (("review", f"{first + 1}-{first + review}", "notebook.pdf"),
                                ("publication", f"{first + review + 1}-{end}", "publication.pdf")):
            with timing.stage(f"{name}_xdvipdfmx"), environment(SOURCE_DATE_EPOCH=str(epoch)):
                self.run_command([*PDF_COMMAND, "-s", part, "-o", out, "{filename}"], "notebook.xdv", 1, self._failed,
                                 LatexFailed)
            made.append(Path(out).read_bytes())
        return made[0], made[1]

    def _failed(self, command, out) -> None:
        self.log.critical("%s failed: %s\n%s", command[0], command, out)

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
def environment(**values: str) -> Iterator[None]:
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
