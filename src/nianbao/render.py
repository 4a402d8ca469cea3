"""nbconvert in one place: the executed notebook → HTML and PDF, written atomically.

A render stages everything in a fresh folder beside the output folder and swaps it in only when
every file is made, so a failed render leaves the previous good outputs in place.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata as importlib_metadata
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter, PDFExporter
from nbconvert.exporters.pdf import LatexFailed
from traitlets.config import Config

from . import checks
from .errors import GlyphError, RenderError, writing
from .model import ReportData
from .notebook import execute, execute_summary, input_hashes
from .params import Agency, Project
from .publish import staged
from .report import prepare

TEMPLATES = Path(__file__).parent / "templates"
HIDDEN_TAGS = {"remove-cell", "parameters", "injected-parameters"}
PACKAGES = ("nianbao", "papermill", "nbconvert", "nbclient", "nbformat", "ipykernel", "pandas", "matplotlib", "jinja2")
_MISSING_GLYPH = re.compile(r"Missing character: There is no (.+?) in font ([^:!\n]+)")


@dataclass(frozen=True)
class Rendered:
    folder: Path
    notebook: Path
    html: Path | None
    pdf: Path | None
    checks_json: Path
    summary: dict[str, int]


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
    css = (TEMPLATES / "nianbao_html" / "report.css").read_text(encoding="utf-8")
    body, _ = _html_exporter().from_notebook_node(nb, resources={"nianbao_css": css})
    return body


@functools.cache
def _html_exporter() -> HTMLExporter:
    """One exporter per process: its templates are compiled once, not for every report of a batch."""
    return HTMLExporter(
        config=_config(), template_name="nianbao_html", extra_template_basedirs=[str(TEMPLATES)], language_code="zh"
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


def to_pdf(nb: nbformat.NotebookNode, source_date_epoch: int) -> bytes:
    """The executed notebook as an A4 PDF through nbconvert's LaTeX path (xelatex + xeCJK)."""
    exporter = _pdf_exporter()
    with _environ(SOURCE_DATE_EPOCH=str(source_date_epoch), FORCE_SOURCE_DATE="1", **LATEX_ENV):
        try:
            pdf, _ = exporter.from_notebook_node(nb)
        except LatexFailed as exc:
            raise RenderError(f"xelatex 排版失败：{latex_errors(str(exc))}", hint="请把这段信息报告给维护者") from None
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
def _pdf_exporter() -> ReportPDFExporter:
    return ReportPDFExporter(
        config=_config(), template_name="nianbao_latex", extra_template_basedirs=[str(TEMPLATES)], latex_count=2,
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


def annotate(nb: nbformat.NotebookNode, agency: Agency, data: ReportData, hashes: dict[str, str]) -> None:
    """Title, date and provenance into the executed notebook's metadata (read by the templates)."""
    nb.metadata["title"] = f"{agency.name}{data.year}年政府信息公开工作年度报告"
    if agency.office:
        nb.metadata["authors"] = [{"name": agency.office}]
    if data.published:
        day = dt.date.fromisoformat(data.published)
        nb.metadata["date"] = f"{day.year}年{day.month}月{day.day}日"
    nb.metadata["nianbao"] = {"agency": agency.id, "year": data.year, "inputs": hashes, "versions": versions()}


def write_checks(results: list[checks.Result], folder: Path, data: ReportData) -> Path:
    """The check results as JSON (with the summary) and CSV, for batches and reviewers."""
    frame = checks.frame(results)
    payload = {
        "agency": data.agency,
        "year": data.year,
        "status": checks.status_line(results),
        "summary": checks.summary(results),
        "results": json.loads(frame.to_json(orient="records", force_ascii=False)),
    }
    path = folder / "checks.json"
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8")
    frame.to_csv(folder / "checks.csv", index=False, encoding="utf-8-sig")
    return path


def render(
    project: Project,
    agency: Agency,
    data: ReportData,
    out: Path | None = None,
    *,
    pdf: bool = True,
    timeout: int | None = 600,
) -> Rendered:
    """Execute the master notebook for one agency-year and write notebook, HTML, PDF and checks.

    Inputs must already be loaded (and so validated) by the caller. On failure the partial executed
    notebook is kept as ``<out>.failed.ipynb`` and the previous outputs stay as they were.
    """
    out = out or project.output_dir(agency.id, data.year)
    stem = f"{agency.id}-{data.year}"
    failed = out.parent / f"{out.name}.failed.ipynb"
    with staged(out) as staging:
        nb = execute(project, agency.id, data.year, staging / f"{stem}.ipynb", failed, timeout=timeout)
        annotate(nb, agency, data, input_hashes(project, agency.id, data.year))
        results = prepare(agency.id, data.year, str(project.root), str(project.data_root or "")).results
        with writing(staging):
            written = _documents(nb, staging, stem, source_date_epoch(data) if pdf else None)
            write_checks(results, staging, data)
        failed.unlink(missing_ok=True)
    return _rendered(out, written, out / "checks.json", checks.summary(results))


def _rendered(out: Path, written: tuple[Path, Path, Path | None], checks_json: Path, summary: dict[str, int]) -> Rendered:
    """Where the staged documents are now that the folder was swapped in."""
    notebook, html, pdf = written
    return Rendered(out, out / notebook.name, out / html.name, out / pdf.name if pdf else None, checks_json, summary)


def _documents(nb: nbformat.NotebookNode, folder: Path, stem: str, pdf_epoch: int | None) -> tuple[Path, Path, Path | None]:
    """The executed notebook, its HTML and (with a date for it) its PDF, written into ``folder``."""
    notebook, html_path, pdf_path = (folder / f"{stem}{suffix}" for suffix in (".ipynb", ".html", ".pdf"))
    nbformat.write(nb, notebook)
    html_path.write_text(to_html(nb), encoding="utf-8")
    if pdf_epoch is None:
        return notebook, html_path, None
    pdf_path.write_bytes(to_pdf(nb, pdf_epoch))
    return notebook, html_path, pdf_path


SUMMARY_FOLDER = "_summary"  # beside the agencies' folders; an agency id cannot start with "_"


def render_summary(
    project: Project,
    year: int,
    out: Path | None = None,
    *,
    pdf: bool = True,
    timeout: int | None = 600,
    failed: dict[str, str] | None = None,
) -> Rendered:
    """Execute ``notebooks/summary.ipynb`` for one year: the overview across agencies, as notebook, HTML, PDF.

    ``failed`` names the agencies whose reports failed to render (agency → reason). Written atomically
    like :func:`render`; ``summary.json`` holds the per-agency comparison.
    """
    from . import summary

    out = out or project.outputs_dir / str(year) / SUMMARY_FOLDER
    stem = f"summary-{year}"
    kept = out.parent / f"{out.name}.failed.ipynb"
    with staged(out) as staging:
        nb = execute_summary(project, year, staging / f"{stem}.ipynb", kept, timeout=timeout, failing=failed)
        overview = summary.prepare(year, str(project.root), str(project.data_root or ""), failed)
        nb.metadata["title"] = overview.title
        nb.metadata["nianbao"] = {"year": year, "inputs": summary.input_hashes(project, year), "versions": versions()}
        with writing(staging):
            written = _documents(nb, staging, stem, summary.source_date_epoch(overview) if pdf else None)
            (staging / "summary.json").write_text(summary.to_json(overview), encoding="utf-8")
        kept.unlink(missing_ok=True)
    counts = {"agencies": len(overview.reports), "missing": len(overview.missing), "errors": overview.errors}
    return _rendered(out, written, out / "summary.json", counts)
