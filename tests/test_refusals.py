"""Odd inputs met where a user's files are read: each refused in Chinese, naming the file (and line, key
or cell) and what to do, never a traceback, never a file skipped in silence. No kernel, no TeX.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from nianbao import reviews
from nianbao.audit import audit, read_manifest
from nianbao.cli import main
from nianbao.errors import DataError, ParamsError
from nianbao.load import load_report, read_xlsx, read_yaml
from nianbao.params import Project, load_registry
from nianbao.template import layout, write_template
from nianbao.yamlfile import read

from .conftest import ROOT

PINGTAN = ROOT / "tests" / "fixtures" / "import" / "site-page-linjiang-zjj-2024.html"


def invoke(project: Project, *args: str):
    return CliRunner().invoke(main, ["--project", str(project.root), *args])


def shimen_workbook(project: Project, path: Path, cells: dict[str, object]) -> Path:
    """shimen's 2024 figures in the Excel template, with ``cells`` (key → value) typed over them."""
    write_template(path, "shimen", "青川市临江区石门镇人民政府", 2024, load_report(project, "shimen", 2024))
    book = openpyxl.load_workbook(path)
    for key, value in cells.items():
        place = layout().cells[key]
        book[place.sheet][place.cell] = value
    book.save(path)
    return path


def test_a_date_that_does_not_exist_is_refused_with_its_line_in_every_yaml_file(project: Project) -> None:
    path = project.data_dir / "2024" / "shimen.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^published: .*$", "published: 2025-02-30", text), encoding="utf-8")
    line = next(n for n, t in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if t.startswith("published"))
    with pytest.raises(DataError, match=f"第 {line} 行的日期“2025-02-30”不存在"):
        read(path)
    result = invoke(project, "check", "-y", "2024", "-a", "shimen", "-a", "jiangbin", "-j", "1")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "2025-02-30" in result.output and "共 1 份报告" in result.output  # jiangbin checked, shimen said unreadable
    registry = project.params_dir / "agencies.yaml"
    registry.write_text(registry.read_text(encoding="utf-8") + "odd:\n  name: 某局\n  kind: department\n  contact: 2025-02-30\n",
                        encoding="utf-8")
    assert invoke(project, "status", "--year", "2024").exit_code == 1


@pytest.mark.parametrize(("text", "says"), [
    ("a:\n\tb: 1\n", "用了制表符（Tab）"),
    ("[a]: 1\n", "键不能是列表或映射"),
    ("a: b: c\n", "值中有“: ”时请给整个值加引号"),
    ('a: "x\n', "引号没有配对"),
])
def test_yaml_slips_are_said_in_chinese(tmp_path: Path, text: str, says: str) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as caught:
        read(path)
    assert says in str(caught.value) and str(path) in str(caught.value) and "第" in str(caught.value)


@pytest.mark.parametrize("kind", ["folder", "pipe", "device"])
def test_a_data_file_that_is_not_a_file_is_said_unreadable_not_missing(project: Project, kind: str) -> None:
    path = project.data_dir / "2024" / "shimen.yaml"
    path.unlink()
    {"folder": path.mkdir, "pipe": lambda: os.mkfifo(path), "device": lambda: path.symlink_to("/dev/zero")}[kind]()
    result = invoke(project, "check", "-y", "2024", "-a", "shimen", "-a", "jiangbin", "-j", "1")
    assert result.exit_code == 1
    assert str(path) in result.output and ("目录" in result.output or "不是普通文件" in result.output)
    assert "没有 shimen" not in invoke(project, "export", "-a", "shimen", "-y", "2024").output


def test_audit_and_collect_list_a_pipe_in_a_folder_as_unreadable(tmp_path: Path, project: Project) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    os.mkfifo(folder / "report.txt")
    (folder / "page.html").symlink_to("/dev/zero")
    found = audit([folder])
    assert sorted(Path(f).name for f, _ in found.unreadable) == ["page.html", "report.txt"]
    assert all("不是普通文件" in why for _, why in found.unreadable)
    os.mkfifo(folder / "returned.xlsx")
    collected = invoke(project, "collect", str(folder), "--year", "2024", "--dry-run")
    assert "returned.xlsx" in collected.output and "不是普通文件" in collected.output


def test_collect_never_moves_a_file_over_an_earlier_one_moved_aside(project: Project, tmp_path: Path, monkeypatch) -> None:
    import nianbao.collect

    monkeypatch.setattr(nianbao.collect.time, "strftime", lambda *_: "20250120-093000")  # all within one second
    backups = project.data_dir / "2024" / "replaced"
    for n in range(3):  # three workbooks of one agency in a row
        returned = tmp_path / f"round{n}"
        returned.mkdir()
        shimen_workbook(project, returned / "shimen.xlsx", {"B.new.natural": 100 + n})
        assert invoke(project, "collect", str(returned), "--year", "2024").exit_code in (0, 1)
    kept = sorted(p.name for p in backups.iterdir())
    assert len(kept) == 3, kept  # the YAML, then each of the first two workbooks
    assert read_xlsx(project.data_dir / "2024" / "shimen.xlsx").cells["B.new.natural"] == 102


def test_a_manifest_fills_in_what_a_file_lacks_and_never_overrides_its_title(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(PINGTAN.read_bytes())
    manifest = tmp_path / "清单.csv"
    manifest.write_text("file,agency,year\npage.html,另一个局,2023\n", encoding="utf-8")
    found = audit([page], read_manifest(manifest))
    line = found.reports.iloc[0]
    assert (line["agency"], line["year"]) == ("青川市临江区住房和城乡建设局", 2024)
    assert line["identity_from"].endswith("（与清单不符，按标题）")
    for rows, says in (("page.html,甲局,2024\npage.html,乙局,2024\n", "第 3 行的文件 page.html 在前面已列过"),
                       ("gone.html,甲局,2024\n", "第 2 行的文件 gone.html 不存在"),
                       ("page.html,甲\u202e局,2024\n", "第 2 行的单位名称有误")):
        manifest.write_text("file,agency,year\n" + rows, encoding="utf-8")
        with pytest.raises(DataError, match=says):
            read_manifest(manifest)
    manifest.write_bytes("file,agency,year\npage.html,石门镇,2024\n".encode("gbk"))
    with pytest.raises(DataError, match="清单不是 UTF-8 编码，看来是 GBK"):
        read_manifest(manifest)


def test_a_character_no_font_has_is_marked_on_import_and_said(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(PINGTAN.read_text(encoding="utf-8").replace("一、总体情况", "一、总体情况👍", 1)
                    .replace("，", "，😀", 1), encoding="utf-8")
    result = CliRunner().invoke(main, ["import", str(page), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    written = next((tmp_path / "out").rglob("*.yaml")).read_text(encoding="utf-8")
    assert "〓" in written and "😀" not in written and "👍" not in written
    assert "显示不了的字符（" in result.output and "换成了“〓”" in result.output


def test_encrypted_and_truncated_pdfs_are_told_apart_with_what_to_do(tmp_path: Path) -> None:
    import pypdf

    writer = pypdf.PdfWriter()
    writer.add_blank_page(595, 842)
    writer.encrypt(user_password="secret", owner_password="owner")
    buf = io.BytesIO()
    writer.write(buf)
    (tmp_path / "locked.pdf").write_bytes(buf.getvalue())
    locked = CliRunner().invoke(main, ["import", str(tmp_path / "locked.pdf"), "--out", str(tmp_path / "o")])
    assert locked.exit_code == 1 and "设置了打开密码" in locked.output and "不加密的 PDF" in locked.output
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(buf.getvalue()[:400])
    broken = CliRunner().invoke(main, ["import", str(cut), "--out", str(tmp_path / "o")])
    assert broken.exit_code == 1 and "文件不完整或已损坏" in broken.output and "重新下载" in broken.output


def test_a_formula_error_and_a_date_in_a_workbook_cell_are_named_as_such(project: Project, tmp_path: Path) -> None:
    place = layout().cells["B.new.natural"]
    for value, says in (("#DIV/0!", "公式算出的错误值 #DIV/0!"), (__import__("datetime").datetime(2024, 1, 9), "是日期或时间")):
        path = shimen_workbook(project, tmp_path / "shimen.xlsx", {"B.new.natural": value})
        with pytest.raises(DataError) as caught:
            read_xlsx(path)
        text = str(caught.value) + "".join(str(p) for p in getattr(caught.value, "problems", ()) or ())
        assert says in text and place.cell in text and "datetime" not in text, text


def test_a_sheet_that_cannot_be_read_is_said_damaged_with_what_to_do(project: Project, tmp_path: Path) -> None:
    buf = io.BytesIO(shimen_workbook(project, tmp_path / "good.xlsx", {}).read_bytes())
    broken = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet2.xml":
                data = re.sub(rb"<v>\d+</v>", b"<v>abc</v>", data, count=1)
            dst.writestr(item, data)
    path = tmp_path / "shimen.xlsx"
    path.write_bytes(broken.getvalue())
    with pytest.raises(DataError, match="文件已损坏，或不是 Excel、WPS、LibreOffice 保存的") as caught:
        read_xlsx(path)
    assert "另存为" in str(caught.value)


@pytest.mark.parametrize(("entry", "says"), [
    ("odd:\n  name: 12345\n  kind: department\n", "单位全称 name 应为文字"),
    ("odd:\n  name: 某局\n", "缺少单位类型 kind"),
    ("~:\n  name: 某局\n  kind: department\n", "单位代码是空的"),
])
def test_registry_slips_are_said_as_a_person_wrote_them(project: Project, entry: str, says: str) -> None:
    registry = project.params_dir / "agencies.yaml"
    registry.write_text(registry.read_text(encoding="utf-8") + entry, encoding="utf-8")
    with pytest.raises(ParamsError) as caught:
        load_registry(project)
    assert says in str(caught.value) and "None" not in str(caught.value)


def test_a_device_given_to_compare_or_import_is_not_called_missing(tmp_path: Path) -> None:
    for args, code in ((["compare", str(ROOT / "data" / "2024" / "shimen.yaml"), "/dev/zero"], 2), (["import", "/dev/zero"], 1)):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == code and "不是普通文件" in result.output and "找不到" not in result.output


def test_a_report_dated_before_its_year_ended_or_long_after_is_refused_and_not_taken_on_import(project: Project,
                                                                                               tmp_path: Path) -> None:
    path = project.data_dir / "2024" / "shimen.yaml"
    text = path.read_text(encoding="utf-8")
    for date, says in (("2019-01-01", "早于 2024 年度结束"), ("2099-01-20", "在 2024 年度的 5 年之后")):
        path.write_text(re.sub(r"(?m)^published: .*$", f"published: {date}", text), encoding="utf-8")
        with pytest.raises(DataError, match=says) as caught:
            read_yaml(path)
        assert caught.value.where.get("key") == "published"
    path.write_text(text, encoding="utf-8")
    book = shimen_workbook(project, tmp_path / "shimen.xlsx", {})
    sheet = openpyxl.load_workbook(book)
    place = layout().meta["published"]
    sheet[place.sheet][place.cell] = "2019-01-01"
    sheet.save(book)
    with pytest.raises(DataError, match="早于 2024 年度结束") as caught:
        read_xlsx(book)
    assert place.cell in str(caught.value)
    page = tmp_path / "page.html"
    page.write_text(PINGTAN.read_text(encoding="utf-8").replace("2025年1月24日", "2023年1月24日")
                    .replace("2025-01-24", "2023-01-24"), encoding="utf-8")
    result = CliRunner().invoke(main, ["import", str(page), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0 and "原文的日期 2023-01-24 早于 2024 年度结束（年度报告在次年发布），未采用" in result.output
    assert "published: 2023" not in next((tmp_path / "out").rglob("*.yaml")).read_text(encoding="utf-8")


def test_a_review_file_of_the_wrong_shape_is_said_in_words(project: Project) -> None:
    path = project.reviews_file("shimen", 2024)
    path.write_text("- rule: B-BALANCE\n  cell: B.new.natural\n  reason: 5\n  figures: [1, 2]\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        reviews.read(path)
    assert "格式不对：这里是" in str(caught.value) and "list" not in str(caught.value) and "int" not in str(caught.value)
