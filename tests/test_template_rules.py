"""The template knows the pack: with rule packs in effect, the 叙述 sheet shows beside each section's input
what the packs ask that section to contain, and the 说明 sheet names the packs; without packs the
workbook is as it always was; a bad pack stops ``template`` before any workbook is written.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

from nianbao.cli import main
from nianbao.params import Project
from nianbao.template import GUIDE_SHEET, NARRATIVE_SHEET, layout, printing, write_template
from nianbao.template.guidance import HEADER

from .conftest import copy_project

HOSTILE = "=cmd|' /C calc'!A0 <script>alert(1)</script>"
PACK = f"""\
name: '=HYPERLINK("http://example.invalid","测试市补充要求")'
notice:
  title: 关于做好年报工作的通知
  issuer: 测试市
  date: 2025-12-19
rules:
  - id: T-WEBSITE
    kind: figure
    section: 一（一）
    term: [政府网站, 网站]
    units: [条]
    severity: warning
    message: 主动公开写明通过政府网站公开信息的条数
    hint: 如“通过政府门户网站主动公开信息 1234 条”
  - id: T-INTERPRETATION
    kind: figure
    section: 一（一）
    term: [政策解读]
    units: [篇]
    severity: warning
    message: 主动公开写明政策解读的数量
  - id: T-HOSTILE
    kind: mentions
    section: 一（三）
    terms: [[规范性文件]]
    severity: warning
    message: "{HOSTILE}"
  - id: T-FOLLOW-UP
    kind: follows_up
    severity: warning
    message: 第五部分回顾上年问题的整改情况
"""
#: A pack for another year: it asks nothing of a 2025 template.
OTHER_YEAR = """\
name: 2024 年度的要求
notice: {title: 旧通知, issuer: 测试市, date: 2024-12-01}
years: [2024]
rules:
  - {id: OLD-1, kind: length, part: 一, at_most: 500, severity: warning, message: 只对 2024 年度有效}
"""


@pytest.fixture
def bare(tmp_path: Path) -> Project:
    """A copy of the bundled project without its own packs (params/rules/)."""
    project = copy_project(tmp_path / "project")
    shutil.rmtree(project.params_dir / "rules")
    return project


def invoke(project: Project, *args: str):
    return CliRunner().invoke(main, ["--project", str(project.root), *args])


def narrative_row(key: str) -> int:
    return coordinate_from_string(layout().narrative[key].cell)[1]


def input_column() -> int:
    """The column every section is typed in (D)."""
    [column] = {coordinate_from_string(p.cell)[0] for p in layout().narrative.values()}
    return column_index_from_string(column)


def templates(project: Project, out: Path, *rules: Path) -> list[Path]:
    args = [a for r in rules for a in ("--rules", str(r))]
    result = invoke(project, "template", "--all", "--year", "2025", "--out", str(out), *args)
    assert result.exit_code == 0, result.output
    made = sorted(out.glob("*.xlsx"))
    assert made
    return made


def test_each_section_shows_what_the_pack_asks_of_it_beside_its_input(bare: Project, tmp_path: Path) -> None:
    pack, old = tmp_path / "pack.yaml", tmp_path / "old.yaml"
    pack.write_text(PACK, encoding="utf-8")
    old.write_text(OTHER_YEAR, encoding="utf-8")
    for path in templates(bare, tmp_path / "out", pack, old):
        book = openpyxl.load_workbook(path)
        words = book[NARRATIVE_SHEET]
        beside = input_column() + 1
        assert words.max_column == beside
        assert words.cell(1, beside).value == HEADER
        guidance = {key: words.cell(narrative_row(key), beside).value for key in layout().narrative}
        assert guidance["overview.active"] == (
            "· 主动公开写明通过政府网站公开信息的条数（如“通过政府门户网站主动公开信息 1234 条”）\n"
            "· 主动公开写明政策解读的数量")
        assert guidance["problems.problems"] == "· 第五部分回顾上年问题的整改情况"
        assert guidance["overview.management"] == f"· {HOSTILE}"
        asked = {"overview.active", "overview.management", "problems.problems"}
        assert all(value is None for key, value in guidance.items() if key not in asked)  # the 2024 pack too
        assert words.cell(narrative_row("overview.active"), beside).alignment.wrap_text
        # the row is tall enough for its two requirements, and the inputs are where they were
        assert words.row_dimensions[narrative_row("overview.active")].height >= 48
        assert words.cell(narrative_row("overview.active"), input_column()).protection.locked is False
        # texts are data: nothing on the 叙述 and 说明 sheets is a formula
        for name in (NARRATIVE_SHEET, GUIDE_SHEET):
            formulas = [c.coordinate for row in book[name].iter_rows() for c in row if c.data_type == "f"]
            assert not formulas, (name, formulas)
        note = [c for row in book[GUIDE_SHEET].values for c in row if isinstance(c, str) and HEADER in c]
        assert len(note) == 1 and "测试市补充要求" in note[0] and "《关于做好年报工作的通知》" in note[0]
        assert "2025-12-19" in note[0] and "2024 年度的要求" not in note[0]
        # printed as before: the code, part, section and text, on A4 at 9 points or more; the guidance on screen
        assert words.print_area == f"'{NARRATIVE_SHEET}'!$A$1:$D${max(map(narrative_row, layout().narrative))}"
        assert printing.paper(words).scale * 11 >= printing.LEAST


def test_a_template_for_one_agency_reads_back_with_the_guidance_beside_it(bare: Project, tmp_path: Path) -> None:
    from nianbao.load import read_xlsx

    pack = tmp_path / "pack.yaml"
    pack.write_text(PACK, encoding="utf-8")
    out = tmp_path / "shimen.xlsx"
    result = invoke(bare, "template", "-a", "shimen", "-y", "2025", "-o", str(out), "--rules", str(pack))
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    book[NARRATIVE_SHEET].cell(narrative_row("overview.active"), input_column()).value = "通过政府网站公开信息 12 条。"
    book.save(out)
    assert read_xlsx(out).narrative["overview.active"].strip() == "通过政府网站公开信息 12 条。"


def test_the_bundled_pack_guides_the_bundled_projects_templates(project: Project, tmp_path: Path) -> None:
    out = tmp_path / "shimen.xlsx"
    result = invoke(project, "template", "-a", "shimen", "-y", "2025", "-o", str(out))
    assert result.exit_code == 0, result.output
    words = openpyxl.load_workbook(out)[NARRATIVE_SHEET]
    active = str(words.cell(narrative_row("overview.active"), input_column() + 1).value)
    assert "· 主动公开写明通过政府网站公开信息的条数（如“通过政府门户网站主动公开信息 1234 条”）" in active.split("\n")


def test_without_packs_the_narrative_sheet_is_as_it_was(bare: Project, tmp_path: Path) -> None:
    plain = openpyxl.load_workbook(write_template(tmp_path / "plain.xlsx", "shimen", "石门镇", 2025))
    for path in templates(bare, tmp_path / "out")[:2]:
        book = openpyxl.load_workbook(path)
        for name in (NARRATIVE_SHEET, GUIDE_SHEET):
            ws, before = book[name], plain[name]
            assert ws.max_column == before.max_column and ws.max_row == before.max_row, name
            assert ws.print_area == before.print_area, name
            widths = {k: d.width for k, d in ws.column_dimensions.items()}
            assert widths == {k: d.width for k, d in before.column_dimensions.items()}, name
        assert book[NARRATIVE_SHEET].max_column == input_column()
        assert not any(HEADER in str(c) for row in book[GUIDE_SHEET].values for c in row)


@pytest.mark.parametrize("broken", [
    "name: 坏的规则包\nnotice: {title: 通知, issuer: 测试市, date: 2025-12-19}\n"
    "rules:\n  - {id: BAD-1, kind: nonsense, severity: warning, message: 不认识的类型}\n",
    "name: [\n",
])
def test_a_bad_pack_stops_template_before_any_workbook_is_written(bare: Project, tmp_path: Path, broken: str) -> None:
    pack = tmp_path / "坏的.yaml"
    pack.write_text(broken, encoding="utf-8")
    out = tmp_path / "out"
    result = invoke(bare, "template", "--all", "--year", "2025", "--out", str(out), "--rules", str(pack))
    assert result.exit_code == 1, result.output
    assert "坏的.yaml" in result.output
    assert not out.exists() or not any(out.iterdir())
    assert not list(tmp_path.rglob("*.xlsx"))
