"""What a reader sees in the HTML report, checked without a kernel: the notebook's outputs are made
in this process (:mod:`tests.inprocess`), which ``test_render`` proves gives the kernel's HTML."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from nianbao.format import TABLE_B
from nianbao.params import Project
from nianbao.render import to_html

from .conftest import copy_project
from .inprocess import executed
from .test_tables import html_cells


@pytest.fixture(scope="module")
def html(tmp_path_factory) -> str:
    project: Project = copy_project(tmp_path_factory.mktemp("html"))
    return to_html(executed(project, "yueyanglou", 2024))


def test_html_is_chinese_and_has_the_title(html: str) -> None:
    assert re.search(r'<html lang="zh"', html)
    assert "<title>岳阳市岳阳楼区人民政府2024年政府信息公开工作年度报告</title>" in html
    assert re.search('<h1 class="report-title">岳阳市岳阳楼区人民政府2024年<br ?/?>政府信息公开工作年度报告</h1>', html)  # title_lines


def test_the_page_is_as_its_template_wrote_it_and_reads_as_nbconvert_would_leave_it(tmp_path: Path) -> None:
    """nbconvert's exporter parses the page again to add English alt placeholders and tab stops; the
    report's keeps it as written: the same elements, attributes and text (so the parse added nothing),
    every image with Chinese alt text."""
    from lxml import html as lxml_html
    from nbconvert import HTMLExporter

    from nianbao import render

    nb = executed(copy_project(tmp_path / "p"), "jiangbin", 2024)
    ours, (stock, _) = to_html(nb), render._html_exporter(HTMLExporter).from_notebook_node(nb)

    def read(page: str) -> tuple[str, list]:
        root = lxml_html.document_fromstring(page)
        elements = [(e.tag, sorted((k, " ".join(v.split())) for k, v in e.attrib.items()))
                    for e in root.iter() if isinstance(e.tag, str)]  # a class list's spaces are not read
        return " ".join(root.text_content().split()), elements

    assert read(ours) == read(stock)
    images = lxml_html.document_fromstring(ours).findall(".//img")
    assert len(images) == 4 and all(re.search("[\u4e00-\u9fff]", i.get("alt", "")) for i in images)


def test_html_has_no_code_prompts_or_parameters(html: str) -> None:
    assert "jp-InputArea" not in html
    assert not re.search(r"In\s*(&nbsp;)?\[\d*\]", html)
    assert "nb.prepare" not in html and 'agency = "' not in html and "import nianbao" not in html


def test_html_loads_nothing_from_the_network(html: str) -> None:
    assert "<script" not in html
    assert not re.search(r'<link[^>]+href="https?://', html)
    assert not re.search(r'src="https?://', html)
    assert not re.search(r"@import|url\(\s*['\"]?https?://", html)


def test_html_tables_keep_their_merged_headers(html: str) -> None:
    spans = {text: (rs, cs) for tag, rs, cs, text in html_cells(html) if tag == "th"}
    assert spans[TABLE_B.row_header] == (3, 3)
    assert spans["申请人情况"] == (1, 7) and spans["法人或其他组织"] == (1, 5)
    assert spans["三、本年度办理结果"] == (22, 1)
    assert spans["行政诉讼"] == (1, 10)
    assert spans["第二十条第（一）项"] == (1, 4)


def test_html_shows_the_six_parts_in_order(html: str) -> None:
    headings = re.findall(r"<h2[^>]*>(.*?)</h2>", html)
    parts = [h for h in headings if re.match(r"[一二三四五六]、", h)]
    assert parts == [
        "一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项",
    ]


def test_html_narrative_has_figures_filled_in(html: str) -> None:
    assert "全区共收到依申请公开件80件，上年度结转办理件0件，共办理完成80件，结转到2025年办理0件" in html
    assert "{{" not in html


def test_status_line_is_at_the_top(html: str) -> None:
    body = html.split("<main>", 1)[1]
    line = re.search(r"校验：0 项错误，(\d+) 项警告，4 项无法判定", body)
    assert line and int(line.group(1)) > 0  # the bundled rule pack's warnings: params/rules/wuwei-2025.yaml
    assert line.start() < body.index("一、总体情况")


def _stock_nbconvert(tmp_path, to: str) -> subprocess.CompletedProcess:
    """``jupyter nbconvert --to <to> --template nianbao_<…>`` with no other flag, as a user types it."""
    nb = executed(copy_project(tmp_path / "project"), "shimen", 2024)
    nbformat.write(nb, tmp_path / "shimen-2024.ipynb")
    template = "nianbao_html" if to == "html" else "nianbao_latex"
    jupyter = Path(sys.executable).with_name("jupyter")
    return subprocess.run([str(jupyter), "nbconvert", "--to", to, "--template", template, "shimen-2024.ipynb"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)


def test_stock_nbconvert_finds_the_html_template_and_shows_no_code(tmp_path: Path) -> None:
    done = _stock_nbconvert(tmp_path, "html")
    assert done.returncode == 0, done.stderr[-2000:]
    page = (tmp_path / "shimen-2024.html").read_text(encoding="utf-8")
    assert re.search('<h1 class="report-title">青川市临江区石门镇人民政府<br ?/>2024年政府信息公开工作年度报告</h1>', page)
    assert "nb.part" not in page and "jp-InputArea" not in page and "Out[" not in page
    assert "figure.official-table" in page  # the report's own stylesheet, from the template folder
    assert 'agency = "' not in page  # the parameters cell is removed by the template's own preprocessor


@pytest.mark.tex
def test_stock_nbconvert_finds_the_latex_template_and_makes_the_pdf(tmp_path: Path) -> None:
    from pypdf import PdfReader

    done = _stock_nbconvert(tmp_path, "pdf")
    assert done.returncode == 0, done.stderr[-2000:]
    text = "".join(p.extract_text() for p in PdfReader(tmp_path / "shimen-2024.pdf").pages)
    flat = re.sub(r"\s+", "", text)
    assert "青川市临江区石门镇人民政府2024年政府信息公开工作年度报告" in flat and "申请人情况" in flat
    assert "nb.part" not in text and "Out[" not in text and "agency=" not in flat
