"""Rendering through papermill and nbconvert: what a reader sees in the HTML and the PDF.

The renders that start a kernel (and, with PDF, xelatex) are marked so and shared per module; the rest need neither.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path

import nbformat
import pytest
from pypdf import PdfReader

from nianbao import settling, typeset
from nianbao.errors import RenderError
from nianbao.load import load_report
from nianbao.params import Project
from nianbao.publish import Rendered, report
from nianbao.report import validate
from nianbao.run import Run

from .conftest import ROOT, copy_project


def run(project: Project, agency_id: str, out: Path, pdf: bool = True) -> Rendered:
    return report(Run(project, 2024, agency_id, out), validate(project, agency_id, 2024), pdf=pdf)


@pytest.fixture(scope="module")
def bundled(tmp_path_factory) -> Project:
    return copy_project(tmp_path_factory.mktemp("bundled"))


@pytest.fixture(scope="module")
def seed_render(bundled: Project) -> Rendered:
    return run(bundled, "yueyanglou", bundled.root / "out-1")


@pytest.fixture(scope="module")
def seed_html(bundled: Project) -> Rendered:
    """The seed rendered without its PDF: what the HTML tests read, with no TeX run."""
    return run(bundled, "yueyanglou", bundled.root / "out-html", pdf=False)


@pytest.mark.kernel
def test_the_kernel_and_the_in_process_outputs_make_the_same_html(bundled: Project, seed_html: Rendered) -> None:
    from nianbao.render import to_html

    from .inprocess import executed  # what the kernel-free HTML tests (test_html.py) read

    assert to_html(executed(bundled, "yueyanglou", 2024)) == seed_html.html.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def pdf_text(seed_render: Rendered) -> str:
    reader = PdfReader(seed_render.pdf)
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.mark.kernel
@pytest.mark.tex
def test_pdf_text_holds_title_labels_and_seed_figures(pdf_text: str, seed_render: Rendered) -> None:
    text = re.sub(r"\s+", "", pdf_text)
    for expected in [
        "岳阳市岳阳楼区", "政府信息公开工作年度报告", "申请人情况", "法人或其他组织", "三、本年度办理结果",
        "行政规范性文件", "本年处理决定数量", "行政复议", "未经复议直接起诉",
        "58787", "302", "46.6847", "75", "第1页",
    ]:
        assert expected in text, expected
    assert "Continued" not in text and "Out[" not in text  # no English in a Chinese report
    page = PdfReader(seed_render.pdf).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)  # A4


@pytest.mark.kernel
def test_executed_notebook_records_inputs_and_versions(seed_html: Rendered) -> None:
    meta = nbformat.read(seed_html.notebook, as_version=4).metadata["nianbao"]
    assert set(meta["inputs"]) >= {"data/2024/yueyanglou.yaml", "notebooks/report.ipynb", "params/agencies.yaml"}
    assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in meta["inputs"].values())
    assert {"papermill", "nbconvert", "matplotlib", "pandas"} <= set(meta["versions"])


@pytest.mark.kernel
def test_check_results_are_saved_beside_the_report(seed_html: Rendered) -> None:
    import json

    saved = json.loads(seed_html.checks_json.read_text(encoding="utf-8"))
    assert saved["summary"]["uncertain"] == 4 and saved["summary"]["errors"] == 0
    assert (seed_html.folder / "checks.csv").read_text(encoding="utf-8-sig").startswith("rule,title,severity")


@pytest.mark.kernel
@pytest.mark.tex
def test_same_inputs_render_identical_html_and_pdf(bundled: Project, seed_render: Rendered) -> None:
    again = run(bundled, "yueyanglou", bundled.root / "out-2")
    assert again.html.read_bytes() == seed_render.html.read_bytes()
    assert again.pdf.read_bytes() == seed_render.pdf.read_bytes()


@pytest.mark.kernel
def test_broken_report_shows_failures_at_the_top_and_at_the_tables(bundled: Project) -> None:
    page = run(bundled, "broken-example", bundled.root / "out-broken", pdf=False).html.read_text(encoding="utf-8")
    top = page.split("一、总体情况", 1)[0]
    assert "status-error" in top and "校验：6 项错误" in top
    assert top.count('class="badge badge-failed-error"') == 6
    assert re.search(r'<td class="flag" data-cell="C\.cases\.review_total"', page)
    assert re.search(r'<td class="flag" data-cell="B\.total\.natural"', page)
    assert "table-findings" in page


@pytest.mark.kernel
@pytest.mark.tex
def test_hostile_text_in_every_field_reaches_html_and_pdf_as_text(tmp_path: Path) -> None:
    from nianbao.checks import figures
    from nianbao.report import prepare

    project = copy_project(tmp_path / "p")
    secret = tmp_path / "outside.txt"  # a file outside the project that no input may bring in
    secret.write_text("OUTSIDE-SECRET-LINE\n", encoding="utf-8")
    pwned = tmp_path / "pwned"
    tex = f"\\input{{{secret}}} \\write18{{touch {pwned}}} \\MakeUppercase{{abc}} $\\input{{{secret}}}$"
    evil = f"<script>alert('x')</script> <img src=x onerror=alert(1)> [点我](javascript:alert(1)) 50% & $5 #1 a_b {tex}"
    data_file = project.data_dir / "2024" / "broken-example.yaml"
    text = data_file.read_text(encoding="utf-8")
    text = text.replace("    problems: |\n", f"    problems: |\n      {evil}\n\n      ![图一][r]\n\n      [r]: {secret}\n\n", 1)
    text = text.replace("\nnarrative:", f"\nnotes:\n  C: '注记 {tex}'\nnarrative:", 1)
    assert evil in text and "注记" in text
    data_file.write_text(text, encoding="utf-8")
    registry = project.params_dir / "agencies.yaml"
    office = f"A&B #1 {tex} [x]".replace("'", "")
    registry.write_text(re.sub(r"(broken-example:\n(?:  .*\n)*?)  office: .*\n", lambda m: m.group(1) + f"  office: '{office}'\n",
                               registry.read_text(encoding="utf-8")), encoding="utf-8")
    finding = next(r for r in prepare("broken-example", 2024, str(project.root)).results if r.rule == "C-TOTAL" and r.is_open)
    import yaml

    project.reviews_file("broken-example", 2024).write_text(yaml.safe_dump(
        [{"rule": "C-TOTAL", "cell": finding.cells[0], "reason": f"已核实 {tex}",
          "figures": figures(finding, load_report(project, "broken-example", 2024))}], allow_unicode=True), encoding="utf-8")

    done = run(project, "broken-example", tmp_path / "out")
    page = done.html.read_text(encoding="utf-8")
    assert "<script" not in page and "onerror=alert(1)>" not in page and 'href="javascript:' not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page or "&lt;script&gt;alert('x')&lt;/script&gt;" in page
    pdf = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(done.pdf).pages))
    shown = re.sub(r"\s+", "", f"\\input{{{secret}}}")
    assert "<script>" in pdf and "50%" in pdf and "图一" in pdf
    assert pdf.count(shown) >= 4  # typed in the narrative, the note, the office and the reason: shown, not run
    assert "\\MakeUppercase{abc}" in pdf and "A&B#1" in pdf
    assert "OUTSIDE-SECRET-LINE" not in pdf and not pwned.exists()


@pytest.mark.tex
def test_xelatex_reads_no_file_outside_its_folder_and_runs_no_shell(tmp_path: Path) -> None:
    import os
    import subprocess

    from nianbao.render import LATEX_COMMAND, LATEX_ENV, latex_errors

    secret, pwned = tmp_path / "outside.txt", tmp_path / "pwned"
    secret.write_text("OUTSIDE-SECRET-LINE\n", encoding="utf-8")
    build = tmp_path / "build"
    build.mkdir()
    (build / "t.tex").write_text(
        f"\\documentclass{{article}}\\begin{{document}}\\immediate\\write18{{touch {pwned}}}A\\input{{{secret}}}B"
        "\\end{document}\n", encoding="utf-8")
    run_ = subprocess.run([c.format(filename="t.tex") for c in LATEX_COMMAND], cwd=build, capture_output=True,
                          env={**os.environ, **LATEX_ENV}, stdin=subprocess.DEVNULL, text=True, errors="replace")
    log = run_.stdout + run_.stderr + (build / "t.log").read_text(encoding="utf-8", errors="replace")
    assert run_.returncode != 0 and "openin_any = p" in log
    assert "OUTSIDE-SECRET-LINE" not in log and not pwned.exists() and not (build / "t.pdf").exists()
    assert "OUTSIDE-SECRET-LINE" not in latex_errors(log) and latex_errors(log).startswith("!")


@pytest.mark.kernel
def test_a_failed_render_keeps_the_previous_outputs(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    out = tmp_path / "out"
    first = run(project, "shimen", out, pdf=False)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert {p.parts[0] for p in before} >= {"publish", "shimen-2024.html"}
    nb = nbformat.read(project.notebook, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("raise RuntimeError('中途出错')"))
    nbformat.write(nb, project.notebook)
    with pytest.raises(RenderError, match="RuntimeError: 中途出错") as info:
        run(project, "shimen", out, pdf=False)
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert first.html.is_file()
    failed = tmp_path / "out.failed.ipynb"
    assert failed.is_file() and "中途出错" in failed.read_text(encoding="utf-8")
    assert str(failed) in str(info.value)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith((".tmp", ".old"))]


@pytest.mark.tex
def test_a_character_missing_from_the_fonts_fails_the_pdf() -> None:
    from nianbao.errors import GlyphError
    from nianbao.render import to_pdf

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("正文\ue000")])
    nb.metadata["title"] = "测试"
    with pytest.raises(GlyphError, match="字体缺少的字符"):
        to_pdf(nb, 0)


@pytest.mark.kernel
@pytest.mark.tex
def test_an_accepted_finding_shows_as_explained_in_html_and_pdf(tmp_path: Path) -> None:
    from nianbao.checks import figures
    from nianbao.report import prepare

    project = copy_project(tmp_path)
    finding = next(r for r in prepare("broken-example", 2024, str(project.root)).results if r.rule == "C-TOTAL" and r.is_open)
    data = load_report(project, "broken-example", 2024)
    import yaml

    project.reviews_file("broken-example", 2024).write_text(yaml.safe_dump(
        [{"rule": "C-TOTAL", "cell": finding.cells[0], "reason": "原件如此已核实", "figures": figures(finding, data)}],
        allow_unicode=True), encoding="utf-8")
    done = run(project, "broken-example", tmp_path / "out")
    page = done.html.read_text(encoding="utf-8")
    assert re.search(r"校验：5 项错误，\d+ 项警告，1 项已说明", page)  # warnings: the bundled pack's
    assert 'class="accepted" data-cell="C.cases.review_total"' in page
    assert "已说明：原件如此已核实" in page
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(done.pdf).pages))
    assert "1项已说明" in text and "原件如此已核实" in text


@pytest.mark.kernel
def test_one_render_reads_each_input_once_and_checks_once_in_the_parent(tmp_path: Path, monkeypatch) -> None:
    from collections import Counter

    from click.testing import CliRunner

    from nianbao import checks, yamlfile
    from nianbao.cli import main

    project = copy_project(tmp_path / "p")
    reads: Counter[str] = Counter()
    runs: list[str] = []
    real_read, real_run = yamlfile.read, checks.run

    def counting_read(path, *args, **kwargs):
        reads[Path(path).relative_to(project.root).as_posix()] += 1
        return real_read(path, *args, **kwargs)

    def counting_run(data, *args, **kwargs):
        runs.append(f"{data.agency} {data.year}")
        return real_run(data, *args, **kwargs)

    monkeypatch.setattr(yamlfile, "read", counting_read)
    monkeypatch.setattr(checks, "run", counting_run)
    result = CliRunner().invoke(main, ["--project", str(project.root), "render", "-a", "shimen", "-y", "2024", "--no-pdf"])
    assert result.exit_code == 0, result.output
    assert reads == Counter({  # the kernel reads them again in its own process: its entry point, not counted here
        "params/agencies.yaml": 1, "params/2024/shimen.yaml": 1, "params/rules/wuwei-2025.yaml": 1,
        "data/2022/shimen.yaml": 1, "data/2023/shimen.yaml": 1, "data/2024/shimen.yaml": 1,
    })
    assert runs == ["shimen 2024"]
    saved = (project.outputs_dir / "2024" / "shimen" / "checks.json").read_text(encoding="utf-8")
    assert '"errors": 0' in saved


@pytest.mark.kernel
@pytest.mark.tex
def test_a_render_without_pdf_keeps_the_pdfs_of_an_earlier_render_and_says_so(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    out = tmp_path / "out"
    first = run(project, "shimen", out)
    assert first.pdf and first.publication["publish_pdf"].is_file() and first.publication["publish_docx"].is_file()
    pdfs = {p: p.read_bytes() for p in (first.pdf, first.publication["publish_pdf"])}
    again = run(project, "shimen", out, pdf=False)
    assert again.pdf is None and again.kept == ("pdf", "publish_pdf")
    assert {p: p.read_bytes() for p in pdfs} == pdfs  # not deleted, not changed
    assert again.html.is_file() and again.publication["publish_fragment"].is_file()
    fresh = run(project, "shimen", tmp_path / "elsewhere", pdf=False)
    assert fresh.kept == () and not (tmp_path / "elsewhere" / "shimen-2024.pdf").exists()


@pytest.mark.kernel
@pytest.mark.tex
def test_a_pdf_settles_in_one_pass_after_a_like_one_and_is_the_same_as_made_from_nothing(
    seed_render: Rendered, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nianbao import render, timing

    nb = nbformat.read(seed_render.notebook, as_version=4)
    with monkeypatch.context() as m:
        m.setattr(settling, "SETTLED", {})  # as in a new worker …
        m.setattr(settling, "start", lambda templates, template, family, size=(0, 0): settling.latest(family))  # … without the template's
        with timing.recording() as cold:
            first = render.to_pdf(nb, 0)
        settled = settling.SETTLED
    monkeypatch.setattr(settling, "SETTLED", settled)
    with timing.recording() as warm:
        second = render.to_pdf(nb, 0)
    assert first == second
    assert "review_xelatex_2" in cold  # from nothing, the page count needs a second pass …
    assert "review_xelatex_1" in warm and "review_xelatex_2" not in warm  # … after a like report, one is enough
    pages = PdfReader(io.BytesIO(second)).pages
    assert f"共 {len(pages)} 页" in pages[0].extract_text()


@pytest.mark.kernel
@pytest.mark.tex
def test_both_editions_from_one_xelatex_run_are_the_pages_each_edition_makes_alone(
    bundled: Project, seed_render: Rendered
) -> None:
    """The review and publication PDFs of a report come out of one run, each with its own pages only."""
    from nianbao import render, timing
    from nianbao.edition import blocks
    from nianbao.edition import pdf as publication

    review = nbformat.read(seed_render.notebook, as_version=4)
    made = validate(bundled, "yueyanglou", 2024)
    alone = (render.to_pdf(review, 0), publication.to_pdf(blocks(made), made.title, 0))
    both = render.to_pdfs(review, publication.notebook(blocks(made), made.title), 0)
    with timing.recording() as stages:
        again = render.to_pdfs(review, publication.notebook(blocks(made), made.title), 0)
    assert again == both  # the same bytes, from the .aux the first left settled …
    assert [k for k in stages if "xelatex" in k] == ["editions_xelatex_1"]  # … in one xelatex run of one pass

    def pages(pdf: bytes) -> list[str]:
        return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]

    review_pages, published_pages = pages(both[0]), pages(both[1])
    assert review_pages == pages(alone[0]) and published_pages == pages(alone[1])  # page for page, the same text
    assert f"第 1 页 共 {len(review_pages)} 页" in review_pages[0]  # the review edition's own count, not both's
    assert re.search(r"—\s*1\s*—", published_pages[0]) and "页 共" not in "".join(published_pages)
    assert "校验" not in "".join(published_pages)  # no check status in what is published …
    assert "校验" in review_pages[0] and not re.search(r"—\s*1\s*—", "".join(review_pages))  # … and no publication page here


@pytest.mark.parametrize("name", ["nianbao_latex", "nianbao_publish_latex", "nianbao_both_latex"])
def test_the_templates_settled_aux_holds_numbers_only(name: str) -> None:
    from nianbao import render

    shipped = list((render.TEMPLATES / name).glob("settled*.aux"))
    assert len(shipped) >= 3 and len(settling.shipped(render.TEMPLATES, name)) == len(shipped)
    for path in shipped:
        assert settling.SEED.fullmatch(path.read_bytes())


@pytest.mark.parametrize("line", [
    rb"\def\x{1}", rb"\input{/etc/passwd}", rb"\newlabel{LastPage}{{}{\jobname}}", rb"\immediate\write18{ls}",
    rb"\gdef \LT@i {\LT@entry " + b"\n" + rb"    {1}{\textbf{9}pt}}", rb"\gdef\nbreviewpages{\input{x}}",
    rb"\nbreview{1}{\input{x}}", rb"\nbrowat{1}{2}{\jobname}", rb"\nbstart{1}{0}\def\x{1}",
])
def test_an_aux_with_anything_but_widths_and_the_page_count_is_never_a_start(tmp_path: Path, line: bytes,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from nianbao import render

    [(_, shipped), *_] = settling.shipped(render.TEMPLATES, "nianbao_latex")
    planted = shipped + line + b"\n"
    assert not settling.SEED.fullmatch(planted)
    (tmp_path / "nianbao_latex").mkdir()
    (tmp_path / "nianbao_latex" / "settled-3-1000.aux").write_bytes(planted)
    monkeypatch.setattr(settling, "SETTLED", {})
    assert settling.start(tmp_path, "nianbao_latex", "nianbao_latex", (3, 1000)) is None
    (tmp_path / "nianbao_latex" / "settled-3-900.aux").write_bytes(shipped)
    (tmp_path / "nianbao_latex" / "settled-x.aux").write_bytes(shipped + shipped)  # named by no extent
    assert settling.start(tmp_path, "nianbao_latex", "nianbao_latex", (3, 1000)) == shipped  # numbers only: a start
    assert settling.shipped(tmp_path, "nianbao_latex") == [((3, 900), shipped)]
    # an overview's, kept in the ledger (outputs/ledger.json, which anyone may edit): the same rule
    assert not settling.resume("o", planted.decode()) and settling.latest("o") is None
    assert settling.resume("o", shipped.decode()) and settling.start(tmp_path, "x", "o", (3, 5000)) == shipped


@pytest.mark.kernel
def test_render_with_rules_shows_the_packs_results_in_the_review_edition(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from nianbao.cli import main

    project = copy_project(tmp_path / "p")
    evaluator = ROOT / "params" / "rules" / "evaluators" / "pingjia-2025.yaml"
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["--project", str(project.root), "render", "-a", "shimen", "-y", "2024", "--no-pdf",
                                       "--out", str(out), "--rules", str(evaluator)])
    assert result.exit_code == 0, result.output
    page = (out / "shimen-2024.html").read_text(encoding="utf-8")
    # the kernel checked with the pack given on the command line, besides the project's own
    assert "PJ-PART-FIVE-LENGTH" in page and "第五部分写得具体（至少 100 字）〔政府信息公开工作年度报告评估要点（2025 年度）〕" in page
    assert "WW-LENGTH" in page
    saved = json.loads((out / "checks.json").read_text(encoding="utf-8"))
    failed = next(r for r in saved["results"] if r["rule"] == "PJ-PART-FIVE-LENGTH")
    assert failed["status"] == "failed" and failed["hint"].startswith("问题和改进措施要具体")


def test_an_aux_reads_the_same_when_its_tables_break_at_the_same_rows_whatever_the_pages() -> None:
    from nianbao.table_latex import aux_reading

    def aux(rows: str, pages: int = 10) -> bytes:
        return (b"\\relax \n\\gdef\\nbreviewpages{%d}\n" % pages) + rows.encode()

    one = aux("\\nbrowat{2}{5}{3}\n\\nbrowat{2}{6}{3}\n\\nbrowat{2}{7}{4}\n")
    later = aux("\\nbrowat{2}{5}{4}\n\\nbrowat{2}{6}{4}\n\\nbrowat{2}{7}{5}\n")  # the same breaks, a page on
    assert aux_reading(one) == aux_reading(later)
    assert aux_reading(one) != aux_reading(aux("\\nbrowat{2}{5}{3}\n\\nbrowat{2}{6}{4}\n\\nbrowat{2}{7}{4}\n"))
    assert aux_reading(one) != aux_reading(aux("\\nbrowat{2}{5}{3}\n\\nbrowat{2}{6}{3}\n\\nbrowat{2}{7}{4}\n", 11))
    assert aux_reading(None) is None


def _setting(project: Project, agency: str, year: int) -> tuple:
    """What a report's two PDFs are set from, as a batch has it: its executed notebook (charts included),
    its publication and its date.
    """
    from nianbao.edition import blocks
    from nianbao.edition import pdf as publication
    from nianbao.render import source_date_epoch

    from .inprocess import executed

    made = validate(project, agency, year)
    return executed(project, agency, year), publication.notebook(blocks(made), made.title), source_date_epoch(made.data)


#: Reports of other layouts, page counts and dates (a figure-less one among them), set together.
TOGETHER = [("jiangbin", 2024), ("linjiang-scjg", 2024), ("shimen", 2023)]


@pytest.mark.tex
def test_reports_set_together_are_byte_for_byte_the_pdfs_each_gives_alone() -> None:
    """Several reports' PDFs from one xelatex run: each the one its report gives alone, with its own pages,
    page count and date — from the second report on too, whose pages follow another's in the run."""
    from nianbao import render, timing

    project = Project(ROOT)
    reports = [_setting(project, agency, year) for agency, year in TOGETHER]
    with timing.recording() as stages:
        together = render.to_pdfs_together(reports)
    assert "editions_xelatex_1" in stages and stages.get("editions_xelatex_1", 0) > 0
    alone = [render.to_pdfs(*r) for r in reports]
    assert together == alone
    for (review, published), (_, _, epoch) in zip(together, reports):
        pages = [p.extract_text() for p in PdfReader(io.BytesIO(review)).pages]
        assert f"第 1 页 共 {len(pages)} 页" in pages[0] and f"第 {len(pages)} 页 共 {len(pages)} 页" in pages[-1]
        assert re.search(r"—\s*1\s*—", PdfReader(io.BytesIO(published)).pages[0].extract_text())
        date = PdfReader(io.BytesIO(review)).metadata["/CreationDate"]
        assert date.startswith("D:" + dt.datetime.fromtimestamp(epoch, dt.timezone.utc).strftime("%Y%m%d"))
    assert len({r[0] for r in together}) == len(together)  # three reports, not one thrice


@pytest.mark.tex
def test_a_report_whose_tex_fails_fails_alone_and_the_others_are_as_they_are_alone() -> None:
    from nianbao import render

    project = Project(ROOT)
    reports = [_setting(project, agency, year) for agency, year in TOGETHER]
    broken = reports[1][0]
    broken.cells.append(nbformat.v4.new_code_cell("", outputs=[nbformat.v4.new_output(
        "display_data", data={"text/latex": "\\nbnosuchcommand", "text/plain": ""})]))
    made = render.to_pdfs_together(reports)
    assert isinstance(made[1], RenderError) and "Undefined control sequence" in str(made[1])
    assert made[0] == render.to_pdfs(*reports[0]) and made[2] == render.to_pdfs(*reports[2])


def test_a_document_starts_from_the_settled_aux_of_the_one_nearest_in_extent(tmp_path: Path, monkeypatch) -> None:
    """Pages follow extent: of the last settled documents of its kind, the one with as many figures and
    nearest in characters gives the start."""
    monkeypatch.setattr(settling, "SETTLED", {})
    assert settling.start(tmp_path, "t", "t", (4, 500)) is None and settling.latest("t") is None
    for size, pages in (((4, 1000), 9), ((4, 2000), 10), ((4, 3000), 11), ((4, 2000), 12), ((3, 2000), 8)):
        settling.remember("t", size, b"\\nbreview{1}{%d}\n" % pages)
    assert settling.start(tmp_path, "t", "t", (4, 1100)) == b"\\nbreview{1}{9}\n"
    assert settling.start(tmp_path, "t", "t", (4, 2400)) == b"\\nbreview{1}{12}\n"  # the same extent again: the latest
    assert settling.start(tmp_path, "t", "t", (4, 2600)) == b"\\nbreview{1}{11}\n"
    assert settling.start(tmp_path, "t", "t", (3, 2900)) == b"\\nbreview{1}{8}\n"  # as many figures first
    assert settling.start(tmp_path, "t", "t", (2, 1000)) == b"\\nbreview{1}{8}\n"
    assert settling.latest("t") == b"\\nbreview{1}{8}\n" and settling.start(tmp_path, "t", "other", (0, 0)) is None
    assert settling.extent("x\\includegraphics{a}\\adjustimage{}{b}\\adjustimagex") == (2, 50)
    for size in range(100):
        settling.remember("t", (1, size), b"x")
    assert len(settling.SETTLED["t"]) == settling.KEPT


def test_a_joint_runs_aux_holds_each_reports_lines_in_a_range_of_its_own() -> None:
    """The .aux a joint run starts from and the one it leaves: a report's long tables and rows renumbered
    into its own range, its pages after the reports before it, and read back as if it were set alone."""
    from nianbao import render

    [(_, alone), *_] = settling.shipped(render.TEMPLATES, render.BOTH)
    alone = alone.replace(b"\\nbend", b"\\nbrowat{2}{99}{3}\n\\nbend")  # a row of the second long table, on page 3
    [(_, review, total)] = settling.marks(alone, 1) or [(0, 0, 0)]
    joined = settling.joined([alone, alone, alone])
    assert joined.count(b"\\gdef \\LT@i ") == 1 and b"\\gdef \\LT@ci " in joined and b"\\gdef \\LT@cciii " in joined
    assert b"\\nbrowat{102}{99}{3}\n" in joined and b"\\nbrowat{202}{99}{3}\n" in joined
    assert b"\\nbstart{2}{%d}\n" % total in joined and b"\\nbend{3}{%d}\n" % (3 * total) in joined
    assert joined.endswith(b"\\gdef \\@abspage@last{%d}\n" % (3 * total))
    assert settling.marks(joined, 3) == [(0, review, total), (total, review, 2 * total), (2 * total, review, 3 * total)]
    assert settling.alone(joined, 3) == settling.alone(joined, 1) == settling.joined([alone])  # each, as if alone
    assert settling.marks(joined, 2) is None and settling.alone(joined + b"\\input{x}\n", 1) is None and settling.alone(joined, 4) is None
    assert [settling._roman_value(settling._roman(n)) for n in (1, 4, 9, 14, 99, 101, 249, 1994)] == [1, 4, 9, 14, 99, 101, 249, 1994]


def test_each_reports_pages_carry_its_own_date_and_nothing_else_is_changed() -> None:
    from nbconvert.exporters.pdf import LatexFailed


    xdv = bytes([247, 7]) + bytes(12) + bytes([29]) + b" XeTeX output 2026.12.07:1953" + b"\x8b pages"
    assert typeset._stamped(xdv, 1737676800) == xdv.replace(b"2026.12.07:1953", b"2025.01.24:0000")
    with pytest.raises(LatexFailed):
        typeset._stamped(b"%PDF-1.4 not pages at all", 0)


@pytest.mark.tex
def test_only_the_reports_not_yet_settled_are_set_again(monkeypatch) -> None:
    """A report whose lines of the .aux come out as they went in is final after one pass; the next pass
    sets only the others."""
    from nianbao import render

    project = Project(ROOT)
    like, other = _setting(project, "jiangbin", 2024), _setting(project, "yueyanglou", 2024)
    alone = [render.to_pdfs(*other), render.to_pdfs(*like)]  # the last settled: like's …
    monkeypatch.setattr(settling, "start", lambda templates, template, family, size=(0, 0): settling.latest(family))
    reports_per_pass = []  # … where both start
    original = typeset.ReportPDFExporter._pass

    def counted(self, filename, n, *args):
        reports_per_pass.append(Path(filename).read_text(encoding="utf-8").count("\\nbreport{"))
        return original(self, filename, n, *args)

    monkeypatch.setattr(typeset.ReportPDFExporter, "_pass", counted)
    assert render.to_pdfs_together([like, other]) == alone[::-1]
    assert reports_per_pass[0] == 2 and reports_per_pass[1:] and set(reports_per_pass[1:]) == {1}
