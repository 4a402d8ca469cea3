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

from .errors import GlyphError, RenderError
from .model import ReportData, chinese_date

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
LATEX_ENV = {"openin_any": "p", "openout_any": "p", "shell_escape": "f"}


class ReportPDFExporter(PDFExporter):
    """nbconvert's PDF exporter on the report's LaTeX template, failing on any missing glyph."""

    def run_latex(self, filename, raise_on_failure=LatexFailed):
        self.texinputs = str(Path(filename).resolve().parent)  # the build folder only, not the project
        ok = super().run_latex(filename, raise_on_failure)
        log = Path(filename).with_suffix(".log")
        if log.is_file():
            missing = sorted(set(_MISSING_GLYPH.findall(log.read_text(encoding="utf-8", errors="replace"))))
            if missing:
                chars = "、".join(f"“{c}”（{font}）" for c, font in missing[:10])
                raise GlyphError(
                    f"PDF 中有字体缺少的字符：{chars}",
                    hint="请安装 Noto CJK 字体（apt-get install fonts-noto-cjk），或改用常见字符",
                )
        return ok


def to_pdf(nb: nbformat.NotebookNode, source_date_epoch: int, template: str = "nianbao_latex") -> bytes:
    """The executed notebook as an A4 PDF through nbconvert's LaTeX path (xelatex + xeCJK)."""
    exporter = _pdf_exporter(template)
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
    return ReportPDFExporter(
        config=_config(), template_name=template, extra_template_basedirs=[str(TEMPLATES)],
        extra_template_paths=[str(TEMPLATES)],
        latex_count=2,  # the page count (共 M 页) and longtable's column widths settle in the second run
        latex_command=LATEX_COMMAND,
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
             provenance: dict | None = None) -> None:
    """Title, byline, date and provenance into the executed notebook's metadata (read by the templates)."""
    nb.metadata["title"] = title
    if office:
        nb.metadata["authors"] = [{"name": office}]
    if published:
        nb.metadata["date"] = chinese_date(published)
    nb.metadata["nianbao"] = {**(provenance or {}), "year": year, "versions": versions()}
