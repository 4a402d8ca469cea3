"""The analysts' data round: templates for every agency, fill-time checks, A4 printing, collect, and the
whole round through LibreOffice (what Excel and WPS users' files look like after a save)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from nianbao.cli import main
from nianbao.format import TABLE_B
from nianbao.format.relations import balances, sums
from nianbao.load import load_report, read_xlsx
from nianbao.params import Project, load_registry
from nianbao.template import GUIDE_SHEET, layout

ROOT = Path(__file__).resolve().parents[1]
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A copy of the bundled project (registry and data of 2022–2024) to run the 2025 round in."""
    for folder in ("params", "data"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    return Project(tmp_path)


def invoke(project: Project, *args: str):
    return CliRunner().invoke(main, ["--project", str(project.root), *args])


def templates(project: Project, out: Path) -> dict[str, Path]:
    result = invoke(project, "template", "--year", "2025", "--all", "--out", str(out))
    assert result.exit_code == 0, result.output
    return {p.name.split("-", 1)[1].rsplit("-", 1)[0]: p for p in out.glob("*.xlsx")}


def cell(book: openpyxl.Workbook, key: str):
    place = layout().cells[key]
    return book[place.sheet][place.cell]


def office() -> str:
    if SOFFICE is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice is missing: scripts/setup.sh installs libreoffice-calc-nogui")
        pytest.skip("needs LibreOffice (scripts/setup.sh installs libreoffice-calc-nogui)")
    return SOFFICE


def convert(source: Path, to: str, out: Path) -> Path:
    """Open in LibreOffice headless and save as ``to`` (xlsx: recalculated and saved as Calc saves it)."""
    out.mkdir(parents=True, exist_ok=True)
    profile = out / "profile"
    subprocess.run([office(), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", to,
                    "--outdir", str(out), str(source)], check=True, capture_output=True, timeout=180)
    return out / f"{source.stem}.{to.split(':')[0]}"


# ---------------------------------------------------------------- template --all


def test_template_all_makes_one_workbook_per_agency_that_knows_who_and_when(project: Project, tmp_path: Path) -> None:
    made = templates(project, tmp_path / "send")
    registry = load_registry(project)
    assert sorted(made) == sorted(registry)
    for agency, path in made.items():
        assert path.name == f"2025-{agency}-{registry[agency].name}.xlsx"
        book = openpyxl.load_workbook(path)
        guide, meta = book[GUIDE_SHEET], layout().meta
        assert (guide[meta["agency"].cell].value, guide[meta["year"].cell].value) == (agency, 2025)
        assert guide[meta["agency"].cell].protection.locked and guide[meta["year"].cell].protection.locked
    again = invoke(project, "template", "--year", "2025", "--all", "--out", str(tmp_path / "send"))
    assert again.exit_code == 1 and "已有 5 份同名模板" in again.output  # nothing overwritten without --force


def test_last_years_carried_forward_is_this_years_carried_over_locked_and_sourced(project: Project, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(templates(project, tmp_path / "send")["shimen"])
    last = load_report(project, "shimen", 2024)
    for column in TABLE_B.columns:
        carried = cell(book, f"B.carried_over.{column.key}")
        assert carried.value == last.cells[f"B.carried_forward.{column.key}"]
        assert carried.protection.locked
        assert "取自 2024 年数据（data/2024/shimen.yaml）" in carried.comment.text
        assert not cell(book, f"B.new.{column.key}").protection.locked
    hint = next(c for row in book["表二 主动公开"].iter_rows() for c in row if str(c.value or "").startswith('="上年现行有效'))
    assert f"上年现行有效 {last.number('A.normative.in_force')} 件" in hint.value or "上年现行有效" in hint.value


def test_without_last_years_data_nothing_is_prefilled(project: Project, tmp_path: Path) -> None:
    result = invoke(project, "template", "--year", "2030", "--agency", "shimen", "--output", str(tmp_path / "a.xlsx"))
    assert result.exit_code == 0 and "无 2029 年数据" in result.output
    book = openpyxl.load_workbook(tmp_path / "a.xlsx")
    assert cell(book, "B.carried_over.total").value is None and not cell(book, "B.carried_over.total").protection.locked


def test_every_sum_of_the_rules_has_its_check_cell_and_no_figure_cell_holds_a_formula(project: Project, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(templates(project, tmp_path / "send")["jiangbin"])
    formulas = [c for ws in book for row in ws.iter_rows() for c in row if str(c.value or "").startswith("=IF(")]
    assert len(formulas) == len(sums()) + len(balances())
    figures = {(p.sheet, p.cell) for p in layout().cells.values()}
    assert not any((c.parent.title, c.coordinate) in figures for c in formulas)
    total = cell(book, "B.new.total").coordinate
    assert any(total in c.value and "SUM(D5:I5)" in c.value for c in formulas)  # B-ROWSUM of 一、本年新收
    assert all(c.protection.locked for c in formulas)
    rules = [r for ws in book for cf in ws.conditional_formatting for r in cf.rules]
    assert len(rules) == len(formulas) and all(r.dxf.fill is not None for r in rules)


# ---------------------------------------------------------------- collect


def fill(path: Path, out: Path, values: dict[str, object]) -> Path:
    book = openpyxl.load_workbook(path)
    for key, value in values.items():
        cell(book, key).value = value
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return out


def test_collect_knows_renamed_files_lists_every_bad_cell_and_what_is_missing(project: Project, tmp_path: Path) -> None:
    made = templates(project, tmp_path / "send")
    back = tmp_path / "back"
    fill(made["shimen"], back / "镇" / "石门镇年报数据 final(1).xlsx", {"B.new.natural": 3, "B.new.total": 3})
    fill(made["jiangbin"], back / "街道" / "江滨.xlsx", {"B.new.natural": "12件", "C.cases.review_total": "abc"})
    (back / "旧格式.xls").write_bytes(b"\xd0\xcf\x11\xe0 not really")
    (back / "说明.docx").write_bytes(b"PK")
    (back / "~$江滨.xlsx").write_bytes(b"owner file")  # Excel's lock file: not a return
    result = invoke(project, "collect", str(back), "--year", "2025", "--format", "json")
    assert result.exit_code == 1, result.output
    payload = json.loads(result.output)
    by = {(e["status"], e["agency"] or Path(e["file"]).name): e for e in payload["entries"]}
    assert payload["summary"] == {"good": 1, "errors": 1, "missing": 3, "unrecognised": 2}
    assert by["good", "shimen"]["taken"].endswith("data/2025/shimen.xlsx")
    problems = by["errors", "jiangbin"]["problems"]
    assert len(problems) == 2 and problems[0].startswith("'表三 依申请'!D5：") and "“12件”" in problems[0]
    assert problems[1].startswith("'表四 复议诉讼'!") and "abc" in problems[1]
    assert "另存为" in by["unrecognised", "旧格式.xls"]["problems"][0]
    assert {a for s, a in by if s == "missing"} == {"yueyanglou", "linjiang-scjg", "broken-example"}
    assert read_xlsx(project.data_dir / "2025" / "shimen.xlsx").cells["B.new.total"] == 3
    assert not (project.data_dir / "2025" / "jiangbin.xlsx").exists()  # a workbook with errors is not taken
    text = invoke(project, "collect", str(back), "--year", "2025").output
    assert "已交回、无误 1，已交回、有错误 1，未交回 3，无法识别 2" in text and "与 data 中已有的相同，未改动" in text


def test_collect_never_replaces_a_different_file_silently(project: Project, tmp_path: Path) -> None:
    made = templates(project, tmp_path / "send")
    folder = project.data_dir / "2024"
    before = (folder / "shimen.yaml").read_bytes()
    late = fill(made["shimen"], tmp_path / "back" / "a.xlsx", {"B.new.total": 1, "B.new.natural": 1})
    book = openpyxl.load_workbook(late)
    book[GUIDE_SHEET][layout().meta["year"].cell].value = 2024  # a correction of last year's figures
    book.save(late)
    result = invoke(project, "collect", str(tmp_path / "back"), "--year", "2024")
    assert "替换：原 shimen.yaml 移至" in result.output, result.output
    [aside] = (folder / "replaced").glob("shimen-*.yaml")
    assert aside.read_bytes() == before and not (folder / "shimen.yaml").exists()
    wrong_year = invoke(project, "collect", str(tmp_path / "back"), "--year", "2025")
    assert "工作簿的年度是 2024，而收集的是 2025 年" in wrong_year.output and wrong_year.exit_code == 1


def test_a_name_too_long_for_a_file_name_is_shortened_and_the_workbook_still_collected(project: Project, tmp_path: Path) -> None:
    from nianbao.filenames import SAFE_BYTES

    name = "青川市临江区" + "很长的名称" * 18 + "局"  # 97 characters, 291 bytes: longer than any file system's names
    registry = project.params_dir / "agencies.yaml"
    registry.write_text(registry.read_text(encoding="utf-8") + f"\nlong-name:\n  name: {name}\n  kind: department\n",
                        encoding="utf-8")
    result = invoke(project, "template", "--year", "2025", "--all", "--out", str(tmp_path / "send"))
    assert result.exit_code == 0, result.output
    [made] = (tmp_path / "send").glob("2025-long-name-*.xlsx")
    assert len(made.name.encode("utf-8")) <= SAFE_BYTES and name.startswith(made.name[len("2025-long-name-"):-len(".xlsx")])
    assert f"{made}  无 2024 年数据" in result.output and "文件名中的全称已截短" in result.output
    book = openpyxl.load_workbook(made)
    assert book[GUIDE_SHEET][layout().meta["agency"].cell].value == "long-name"
    back = fill(made, tmp_path / "back" / made.name, {"B.new.natural": 0, "B.new.total": 0})
    collected = invoke(project, "collect", str(back.parent), "--year", "2025", "--format", "json")
    entry = next(e for e in json.loads(collected.output)["entries"] if e["agency"] == "long-name")  # by its 说明 sheet
    assert (entry["status"], entry["name"]) == ("good", name), entry
    assert entry["taken"].endswith("data/2025/long-name.xlsx") and (project.data_dir / "2025" / "long-name.xlsx").is_file()


# ---------------------------------------------------------------- through LibreOffice


@pytest.mark.office
def test_the_template_prints_each_table_on_one_a4_page_with_no_label_cut(project: Project, tmp_path: Path) -> None:
    import pdfplumber

    pdf = convert(templates(project, tmp_path / "send")["shimen"], "pdf", tmp_path / "pdf")
    with pdfplumber.open(pdf) as doc:
        pages = [(p.width, p.height, re.sub(r"\s+", "", p.extract_text() or "")) for p in doc.pages]
    for title, last in (("收到和处理政府信息公开申请情况", "四、结转下年度继续办理"), ("政府信息公开行政复议、行政诉讼情况", "复议后起诉"),
                        ("主动公开政府信息情况", "行政事业性收费")):
        [page] = [p for p in pages if title in p[2] and last in p[2]]  # the whole table on one page
        width, height, text = page
        assert sorted((round(width), round(height))) == [595, 842]  # A4
        if title.startswith("收到"):
            assert width > height  # landscape
            for row in (r for r in TABLE_B.rows if not r.heading):  # every label whole: a row too low would cut it
                assert re.sub(r"\s+", "", row.label) in text, row.label
    words = [p for p in pages if "段落代码" in p[2]]  # the narrative sheet prints landscape, as wide as the page
    assert words and all(w > h for w, h, _ in words) and "problems.improvements" in "".join(t for *_, t in words)


@pytest.mark.office
def test_the_round_through_libreoffice_gives_the_figures_typed_and_shows_the_breaks(project: Project, tmp_path: Path) -> None:
    from nianbao.edition import blocks, web
    from nianbao.report import load

    made = templates(project, tmp_path / "send")
    carried = load_report(project, "shimen", 2024).cells["B.carried_forward.natural"] or 0
    typed = {"B.new.natural": 7, "B.new.total": 7 + 1,  # a row that does not add up
             "B.disclosed.natural": 5 + carried, "B.disclosed.total": 5 + carried,
             "B.total.natural": 7 + carried, "B.total.total": 7 + carried,
             "C.cases.review_upheld": 2, "C.cases.review_total": 3}  # nor does this group
    filled = fill(made["shimen"], tmp_path / "filled" / "石门镇.xlsx", typed)
    saved = convert(filled, "xlsx:Calc MS Excel 2007 XML", tmp_path / "lo")
    values = openpyxl.load_workbook(saved, data_only=True)
    for key, value in typed.items():
        assert cell(values, key).value == value  # the figures stay what was typed
    shown = [str(c.value) for ws in values for row in ws.iter_rows() for c in row if str(c.value or "").startswith("✗")]
    assert "✗ 总计应为 7" in shown and "✗ 应为 2" in shown  # LibreOffice evaluated the checks
    back = tmp_path / "back"
    back.mkdir()
    shutil.copy(saved, back / "石门镇年报数据 final(1).xlsx")
    result = invoke(project, "collect", str(back), "--year", "2025")
    assert "已交回、无误 1" in result.output, result.output
    report = load(project, "shimen", 2025)
    for key, value in typed.items():
        assert report.data.cells[key] == value
    failed = {(r.rule, r.where) for r in report.results if r.is_error}
    assert ("B-ROWSUM", "表三「一、本年新收政府信息公开申请数量」行") in failed and ("C-TOTAL", "表四「行政复议」") in failed
    html = web.fragment(blocks(report))
    row = re.search(r"一、本年新收政府信息公开申请数量</t[hd]>(.*?)</tr>", html, re.S).group(1)
    figures = re.findall(r">([^<>]*)</td>", row)
    assert (figures[0], figures[-1]) == ("7", "8")  # the published table prints the figures typed
    check = invoke(project, "check", "--year", "2025", "--agency", "shimen")
    assert check.exit_code == 1 and "B-ROWSUM" in check.output
