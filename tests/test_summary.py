"""The year overview: sums and comparisons (no kernel), its notebook's hygiene, and one render (kernel, TeX)."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from pypdf import PdfReader

from nianbao import summary
from nianbao.format import all_cell_keys
from nianbao.model import ReportData, empty_cells
from nianbao.params import Project

from .conftest import ROOT

NOTEBOOK = ROOT / "notebooks" / "summary.ipynb"


def data(**cells) -> ReportData:
    return ReportData("x", 2024, {**empty_cells(), **{k.replace("__", "."): v for k, v in cells.items()}})


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([None, None], None),  # blank everywhere stays blank, not 0
        ([None, "/"], None),
        ([3, None], 3),
        ([3, "—", 4], 7),
        ([3, "?"], "?"),  # one unknown makes the sum unknown
        ([0, 0], 0),
    ],
)
def test_a_total_cell_keeps_blank_and_unknown_apart_from_figures(values, expected) -> None:
    reports = [data(B__new__total=v) for v in values]
    assert summary.total(2024, reports).cells["B.new.total"] == expected


def test_amounts_are_summed_without_float_noise() -> None:
    reports = [data(A__fees__amount=v) for v in (0.1, 0.2, 46.6847)]
    assert summary.total(2024, reports).cells["A.fees.amount"] == 46.9847
    assert set(summary.total(2024, reports).cells) == set(all_cell_keys())


def test_overview_knows_who_reported_and_who_is_missing() -> None:
    overview = summary.prepare(2023, str(ROOT))
    assert [r.agency.id for r in overview.reports] == ["linjiang-scjg", "jiangbin", "shimen"]
    assert [a.id for a in overview.missing] == ["yueyanglou", "broken-example"]
    assert overview.title == "2023年政府信息公开工作年度报告汇总"


def test_the_comparison_adds_up_to_the_totals() -> None:
    overview = summary.prepare(2023, str(ROOT))
    frame = summary.comparison(overview, summary.REQUESTS)
    assert list(frame["单位"]) == ["青川市临江区市场监督管理局", "青川市临江区江滨街道办事处", "青川市临江区石门镇人民政府"]
    totals = overview.totals
    assert frame["新收申请"].sum() == totals.cells["B.new.total"]
    withheld = sum(v for k, v in totals.cells.items() if k.startswith("B.withheld_") and k.endswith(".total"))
    assert frame["不予公开"].sum() == withheld
    assert frame["办结总计"].sum() == totals.cells["B.total.total"]


def test_an_unknown_figure_is_shown_as_unknown_not_as_zero() -> None:
    overview = summary.prepare(2024, str(ROOT))
    frame = summary.comparison(overview, summary.DECISIONS)
    yueyanglou = frame[frame["单位"] == "岳阳市岳阳楼区人民政府"].iloc[0]
    assert yueyanglou["行政许可"] == 58787 and yueyanglou["行政复议"] != yueyanglou["行政复议"]  # NaN
    html = summary.compare(overview).items[2].bundle["text/html"]
    assert "？" in html and "58787" in html and "46.6847" in html


def test_agencies_needing_attention_include_unreadable_data_and_failed_renders(project: Project) -> None:
    path = project.data_dir / "2024" / "jiangbin.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("licensing:", "licensing: [1]\n  bogus:"), encoding="utf-8")
    overview = summary.prepare(2024, str(project.root), failed={"shimen": "笔记本第 4 格出错"})
    assert list(overview.unreadable) == ["jiangbin"]
    assert overview.errors == 1  # broken-example
    text = summary.problems(overview).bundle["text/html"]
    assert "青川市临江区江滨街道办事处</td>" in text and "数据无法读取" in text
    assert "报告渲染失败" in text and "笔记本第 4 格出错" in text
    assert "青川市临江区示例错误局" in text and "校验错误 6 项" in text
    assert summary.status(overview)["shimen"]["state"] == "failed"
    box = re.search(r'<div class="status status-error"[^>]*style="([^"]*)"', summary.title(overview).bundle["text/html"])
    assert box and "background" in box.group(1) and "border-left" in box.group(1)  # its look on itself, for JupyterLab


# ---------------------------------------------------------------- the notebook


@pytest.fixture(scope="module")
def nb() -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOK, as_version=4)


def test_one_parameters_cell_with_typed_commented_defaults(nb) -> None:
    cells = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1
    tree = ast.parse(cells[0].source)
    defaults = {n.target.id: ast.literal_eval(n.value) for n in tree.body if isinstance(n, ast.AnnAssign)}
    assert defaults == {"year": 2024, "project_dir": "", "data_dir": "", "failed": {}, "rules": []}
    assert all("#" in line for line in cells[0].source.splitlines())


def test_no_outputs_and_each_code_cell_calls_the_package(nb) -> None:
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    for cell in code:
        assert not [n for n in ast.walk(ast.parse(cell.source)) if isinstance(n, (ast.FunctionDef, ast.Lambda))]


def test_notebook_is_what_its_generator_writes(tmp_path: Path) -> None:
    fresh = tmp_path / "summary.ipynb"
    subprocess.run([sys.executable, str(ROOT / "tools" / "make_summary_notebook.py"), str(fresh)], check=True, capture_output=True)
    assert fresh.read_bytes() == NOTEBOOK.read_bytes()


@pytest.mark.kernel
@pytest.mark.tex
@pytest.mark.tex
def test_the_overview_renders_to_html_and_pdf(project: Project) -> None:
    from nianbao.publish import overview
    from nianbao.run import Run

    done = overview(Run(project, 2024), failed={"shimen": "测试：渲染失败"})
    assert done.folder == project.outputs_dir / "2024" / "_summary"
    page = done.html.read_text(encoding="utf-8")
    assert "<title>2024年政府信息公开工作年度报告汇总</title>" in page
    for text in ("一、各表合计", "二、各单位比较", "三、图表", "四、需要关注的单位", "青川市临江区石门镇人民政府", "测试：渲染失败"):
        assert text in page, text
    assert "import nianbao" not in page and "<script" not in page
    # yueyanglou's table 四 is unknown, so its totals are marked unknown; table 三's add up, unmarked
    assert re.search(r'<td class="unknown" data-cell="C\.cases\.review_total"[^>]*>？<small class="mark"', page)
    assert re.search(r'<td data-cell="B\.new\.total"[^>]*>\d+</td>', page)
    pdf = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(done.pdf).pages))
    assert "政府信息公开工作年度报告汇总" in pdf and "各单位比较" in pdf and "58787" in pdf
    meta = nbformat.read(done.notebook, as_version=4).metadata["nianbao"]
    assert "notebooks/summary.ipynb" in meta["inputs"] and "data/2024/shimen.yaml" in meta["inputs"]
