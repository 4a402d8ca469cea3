"""Characters a report's text may hold: every medium can take them, and what one cannot is refused where
the text is read — naming the file and key (or sheet and cell), the place in the text and the code point —
never a traceback in python-docx, xelatex or a browser that shows the text reordered."""

from __future__ import annotations

import re
import subprocess
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from nianbao import characters
from nianbao.cli import main
from nianbao.errors import DataError
from nianbao.importer import parse_text
from nianbao.load import read_xlsx, read_yaml
from nianbao.params import Project
from nianbao.template import layout, write_template

from .conftest import ROOT, copy_project

SHIMEN = ROOT / "data" / "2024" / "shimen.yaml"
#: One of each class nothing downstream can take: (character, what the message calls it).
REFUSED = [
    ("\x00", "控制字符"), ("\x08", "控制字符"), ("\x0b", "控制字符"), ("\x0c", "控制字符"), ("\x1b", "控制字符"),
    ("\u202e", "方向控制符"), ("\u202c", "方向控制符"), ("\u200f", "方向控制符"), ("\u2066", "方向控制符"),
    ("\u200b", "格式字符"), ("\ufeff", "格式字符"), ("\u00ad", "格式字符"), ("\ufe0f", "格式字符"),
    ("\u2028", "分行符"), ("\ue000", "不是可显示的字符"), ("\U000f0001", "不是可显示的字符"), ("\ufdd0", "不是可显示的字符"),
    ("😀", "字体中没有的字"), ("𠀀", "字体中没有的字"), ("ب", "字体中没有的字"),
]
#: Symbols Chinese reports use that Latin Modern lacks: the PDF sets them in the CJK font.
SYMBOLS = "①②■□▲◆★☆※≤≥≠≈±√∞αβΩЯⅠⅡⅢ→←℃№ˉ―′"


def with_line(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def invoke(project: Project, *args: str):
    return CliRunner().invoke(main, ["--project", str(project.root), *args])


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return copy_project(tmp_path / "project")


@pytest.mark.parametrize(("char", "kind"), REFUSED)
def test_each_class_is_named_with_its_place_and_code_point(char: str, kind: str) -> None:
    found = characters.problem(f"石门镇{char}人民政府")
    assert found is not None
    message, hint = found
    assert kind in message and f"U+{ord(char):04X}" in message and "第 4 个字符" in message
    assert "石门镇▲人民政府" in message and hint


def test_ordinary_text_and_the_symbols_reports_use_pass() -> None:
    assert characters.problem(read_yaml(SHIMEN).narrative["overview.active"]) is None
    assert characters.problem(f"一、总体情况\n\t{SYMBOLS}，《条例》“第二十条”（2024年）…… 50%") is None
    assert characters.problem("a\nb") is None and characters.problem("a\nb", one_line=True) is not None


def test_text_far_longer_than_a_report_is_refused_with_its_length() -> None:
    message, hint = characters.problem("政" * 200_000)  # type: ignore[misc]
    assert "200,000" in message and f"{characters.MAX_PART:,}" in message and "粘贴" in hint
    assert characters.problem("政" * characters.MAX_PART) is None


def test_a_control_character_typed_into_a_yaml_file_is_named_with_its_line(project: Project) -> None:
    path = project.data_dir / "2024" / "shimen.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("我镇", "我\x1b镇", 1), encoding="utf-8")
    line = text[:text.index("我镇")].count("\n") + 1
    result = invoke(project, "render", "-a", "shimen", "-y", "2024", "--no-pdf")
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1
    assert str(path) in result.output and f"第 {line} 行" in result.output and "U+001B" in result.output


@pytest.mark.parametrize(("char", "kind"), [REFUSED[4], REFUSED[5], REFUSED[10], REFUSED[17]])
def test_a_narrative_with_one_is_refused_by_check_and_render_before_any_kernel(
    project: Project, char: str, kind: str
) -> None:
    path = project.data_dir / "2024" / "shimen.yaml"
    text = path.read_text(encoding="utf-8")
    escaped = char.encode("unicode_escape").decode("ascii") if char.isascii() else char  # YAML's "\\x1b" escape
    line = with_line(text, "    active: |\n      2024年，我镇", f'    active: "2024年，我{escaped}镇')
    line = line.replace("均按规定公示。\n    requests:", '均按规定公示。"\n    requests:', 1)
    path.write_text(line, encoding="utf-8")
    assert read_yaml.__name__  # the file parses as YAML; the text it holds is what is refused
    checked = invoke(project, "check", "-a", "shimen", "-y", "2024")
    assert checked.exit_code == 1 and "无法读取" in checked.output and kind in checked.output
    rendered = invoke(project, "render", "-a", "shimen", "-y", "2024", "--no-pdf")
    assert rendered.exit_code == 1 and rendered.output.startswith("Error: ")
    assert "Traceback" not in rendered.output and len(rendered.output.strip().splitlines()) == 1
    assert str(path) in rendered.output and "narrative." in rendered.output and f"U+{ord(char):04X}" in rendered.output
    assert not (project.outputs_dir / "2024" / "shimen").exists()  # nothing made, not even the HTML


def test_a_200000_character_paragraph_is_refused_naming_file_and_key(project: Project) -> None:
    path = project.data_dir / "2024" / "shimen.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(with_line(text, "    active: |\n      2024年", "    active: |\n      " + "政" * 200_000 + "2024年"),
                    encoding="utf-8")
    result = invoke(project, "render", "-a", "shimen", "-y", "2024", "--no-pdf")
    assert result.exit_code == 1, result.output
    assert str(path) in result.output and "narrative.overview.active" in result.output and "200,109 字" in result.output


@pytest.mark.parametrize("field", ["name", "office", "contact"])
def test_a_registry_line_with_a_direction_override_is_refused_naming_its_key(project: Project, field: str) -> None:
    registry = project.params_dir / "agencies.yaml"
    entries = yaml.safe_load(registry.read_text(encoding="utf-8"))
    entries["shimen"][field] = "石门\u202e镇"
    registry.write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    result = invoke(project, "render", "-a", "shimen", "-y", "2024", "--no-pdf")
    assert result.exit_code == 1 and "agencies.yaml" in result.output and f"shimen.{field}" in result.output
    assert "U+202E" in result.output and "Traceback" not in result.output


def test_a_workbook_narrative_cell_is_named_by_its_address(tmp_path: Path) -> None:
    path = write_template(tmp_path / "w.xlsx", "shimen", "石门镇", 2024, read_yaml(SHIMEN))
    place = layout().narrative["overview.active"]
    book = openpyxl.load_workbook(path)
    book[place.sheet][place.cell] = "本镇\u202e主动公开"
    book.save(path)
    with pytest.raises(DataError, match="方向控制符") as caught:
        read_xlsx(path)
    assert f"{place.sheet}!{place.cell}" in str(caught.value)


def test_a_review_reason_with_a_control_character_is_refused(project: Project) -> None:
    result = invoke(project, "accept", "-a", "broken-example", "-y", "2024", "--rule", "C-TOTAL",
                    "--cell", "C.cases.review_total", "--reason", "已核实\x1b[31m")
    assert result.exit_code == 1 and "--reason" in result.output and "控制字符" in result.output
    assert not project.reviews_file("broken-example", 2024).exists()


def test_an_imported_page_loses_its_invisible_characters_and_reads_back_as_data(tmp_path: Path) -> None:
    from nianbao.dump import write

    page = (ROOT.parent / "shared" / "corpus" / "pingtan-2024-page-text.txt")
    if not page.is_file():
        pytest.skip("needs ../shared/corpus")
    text = page.read_text(encoding="utf-8")
    body = text.index("（一）主动公开") + len("（一）主动公开")  # in the paragraphs, past the title and headings
    hostile = text[:body] + text[body:].replace("主动公开", "\u202e主动\u200b公开\ufeff", 3)
    imported = parse_text(hostile)
    assert all(characters.problem(t) is None for t in imported.data.narrative.values())
    assert imported.data.narrative == parse_text(text).data.narrative
    path = write(imported.data, tmp_path / "imported.yaml")
    assert read_yaml(path).narrative == imported.data.narrative


@pytest.mark.tex
def test_the_symbols_reports_use_print_in_the_pdf(tmp_path: Path) -> None:
    from nianbao.edition import blocks, pdf
    from nianbao.render import source_date_epoch
    from nianbao.report import validate

    report = validate(Project(ROOT), "shimen", 2024)
    texts = {**report.texts, "overview.active": f"符号：{SYMBOLS}。"}
    made = replace(report, texts=texts)
    path = tmp_path / "symbols.pdf"
    path.write_bytes(pdf.to_pdf(blocks(made), made.title, source_date_epoch(made.data)))  # no glyph missing
    shown = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    line = re.sub(r"\s+", "", shown).split("符号：", 1)[1].split("。", 1)[0]
    assert line.replace("➀", "①").replace("➁", "②") == SYMBOLS  # the font's text map gives ① as ➀, a twin


def test_a_character_that_still_reaches_xelatex_without_a_glyph_is_named_where_it_was_typed() -> None:
    from nianbao.errors import GlyphError
    from nianbao.publish import _glyphs_located
    from nianbao.report import validate

    report = validate(Project(ROOT), "shimen", 2024)
    key, text = next((k, t) for k, t in report.data.narrative.items() if t)
    missing = GlyphError("PDF 中有字体缺少的字符：“x”")
    missing.chars = text[-1]  # as if the fonts lacked the last character of that part
    with pytest.raises(GlyphError) as caught, _glyphs_located(report):
        raise missing
    assert caught.value.key == f"narrative.{key}" and caught.value.file == report.data.source  # type: ignore[attr-defined]
    assert "字体" in caught.value.hint and "请安装" not in caught.value.hint


def test_csv_cells_a_spreadsheet_would_run_as_formulas_are_written_as_text() -> None:
    import csv
    import io

    import pandas as pd

    cells = ['=HYPERLINK("http://x","点")', "+cmd|' /C calc'!A0", "@SUM(A1)", "-2+3", "\t=1", "-", "-5", "+1.5", "—", "/",
             "石门镇", 12]
    text = characters.csv_text(pd.DataFrame({"值": cells}))
    read = [row[0] for row in csv.reader(io.StringIO(text))][1:]
    assert read[:5] == ["'" + str(c) for c in cells[:5]]  # shown as the text typed, never run
    assert read[5:] == [str(c) for c in cells[5:]]  # a dash, numbers and words as they are
