"""The publication edition: what it holds and leaves out, its Word layout and merges, and that each
of its files reads back to the data it was made from (``nianbao compare``, ``nianbao audit``).

This tier starts no kernel and no TeX: the PDF tests are in ``test_edition_pdf``.
"""

from __future__ import annotations

import io
import json
import random
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from nianbao import changes
from nianbao.cli import main
from nianbao.compare import compare, read, same_value
from nianbao.edition import Figure, Signature, blocks, fee_sentence, printed_texts, published_grid, web, word
from nianbao.errors import ParamsError
from nianbao.format import PARTS
from nianbao.load import read_yaml
from nianbao.narrative import fill
from nianbao.params import Project, load_registry
from nianbao.report import validate

from .conftest import ROOT, copy_project

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
#: Every bundled agency-year.
EXAMPLES = [(p.stem, int(p.parent.name)) for p in sorted((ROOT / "data").glob("*/*.yaml"))]
REVIEW_ONLY = ("校验", "附一", "附二", "附三", "数据来源", "SHA-256", "无法判定", "已说明", "✗")


@pytest.fixture(scope="module")
def bundled() -> Project:
    return Project(ROOT)


@pytest.fixture(scope="module")
def editions(tmp_path_factory, bundled: Project) -> dict[tuple[str, int], dict[str, Path]]:
    """The fragment, page and Word file of every bundled example, written as render writes them."""
    out = tmp_path_factory.mktemp("editions")
    made = {}
    for agency, year in EXAMPLES:
        report = validate(bundled, agency, year)
        b = blocks(report)
        files = {"fragment": out / f"{agency}-{year}.fragment.html", "page": out / f"{agency}-{year}.html",
                 "docx": out / f"{agency}-{year}.docx"}
        files["fragment"].write_text(web.fragment(b), encoding="utf-8")
        files["page"].write_text(web.page(b), encoding="utf-8")
        files["docx"].write_bytes(word.to_docx(b, title=report.title, author=report.agency.office,
                                               date=report.data.published))
        made[(agency, year)] = files
    return made


def document_xml(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read("word/document.xml"))


def texts(element) -> str:
    return "".join(t.text or "" for t in element.iter(f"{W}t"))


# ---------------------------------------------------------------- what the edition holds


def test_the_fragment_is_block_elements_with_inline_styles_and_nothing_a_cms_strips(editions) -> None:
    fragment = editions[("shimen", 2024)]["fragment"].read_text(encoding="utf-8")
    # no wrapper (editors drop an <article>; wangEditor swallows the report into one paragraph) and no white
    # space between tags (wangEditor makes each run an empty paragraph): tests/test_editors.py
    assert fragment.startswith("<h1") and fragment.endswith("</p>") and not re.search(r">[ \t\r\n]+<", fragment)
    tags = set(re.findall(r"<([a-z0-9]+)", fragment))
    assert tags <= {"h1", "h2", "h3", "h4", "p", "table", "thead", "tbody", "tr", "th", "td", "ul", "ol", "li",
                    "strong", "em", "code", "caption", "figure", "img", "br", "blockquote", "pre", "hr"}
    assert not re.search(r"<(script|style|link|iframe|object)\b", fragment)
    assert "class=" not in fragment and "@import" not in fragment and "url(" not in fragment
    assert not re.search(r"""(src|href)=["'](https?:)?//""", fragment)
    assert 'style="' in fragment and 'border="1"' in fragment and 'align="center"' in fragment  # what a CMS editor keeps


def test_the_edition_holds_only_what_the_format_prescribes(editions) -> None:
    for (agency, _year), files in editions.items():
        text = web.plain(files["fragment"].read_text(encoding="utf-8"))
        positions = [text.index(p.heading) for p in PARTS]
        assert positions == sorted(positions), agency  # the six parts, in order
        assert not any(word_ in text for word_ in REVIEW_ONLY), (agency, [w for w in REVIEW_ONLY if w in text])
        assert not re.search(r"[A-Za-z]{3,}", text), agency  # no English (no file paths, no rule ids)
        assert "表六" not in text  # the fees are stated in words in part 六, as the format has it


def test_the_closing_names_the_office_and_the_date_right_aligned(bundled, editions) -> None:
    report = validate(bundled, "yueyanglou", 2024)
    fragment = editions[("yueyanglou", 2024)]["fragment"].read_text(encoding="utf-8")
    tail = re.findall(r"<p ([^>]*)>([^<]*)</p>", fragment)[-2:]
    assert [t for _, t in tail] == [report.agency.office, "2025年1月31日"]
    assert all("text-align:right" in attributes and 'align="right"' in attributes for attributes, _ in tail)
    assert isinstance(blocks(report)[-1], Signature)


def test_the_page_prints_on_a4_and_repeats_table_headers(editions) -> None:
    page = editions[("shimen", 2024)]["page"].read_text(encoding="utf-8")
    assert re.search(r"@page\s*\{\s*size:\s*A4", page)
    assert "thead { display: table-header-group; }" in page
    assert '<html lang="zh">' in page and "<script" not in page


def test_charts_and_the_comparison_come_only_when_the_registry_asks(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    plain = blocks(validate(project, "shimen", 2024))
    assert not any(isinstance(b, Figure) for b in plain)
    registry = project.params_dir / "agencies.yaml"
    registry.write_text(registry.read_text(encoding="utf-8").replace(
        "  contact: 0000-6623456\n", "  contact: 0000-6623456\n  publication: {charts: true, year_on_year: true}\n"),
        encoding="utf-8")
    asked = blocks(validate(project, "shimen", 2024))
    figures = [b for b in asked if isinstance(b, Figure)]
    assert [f.name for f in figures] == ["outcomes", "applicants", "headline", "trends"]
    assert all(f.alt.startswith(("条形图", "折线图")) for f in figures)
    html = web.fragment(asked)
    assert html.count('<img src="data:image/png;base64,') == 4 and 'alt="条形图，申请办理结果（件）：予以公开 5' in html
    assert "主要数据与上年比较（2024年与2023年）" in html


def test_a_publication_setting_that_is_not_known_or_not_true_false_is_refused(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    registry = project.params_dir / "agencies.yaml"
    original = registry.read_text(encoding="utf-8")
    for setting, message in (("{charts: yes please}", "publication.charts 应为 true 或 false"),
                             ("{pictures: true}", "未知设置 'pictures'"), ("[charts]", "publication 应为映射")):
        registry.write_text(original.replace("  contact: 0000-6623456\n", f"  contact: 0000-6623456\n  publication: {setting}\n"),
                            encoding="utf-8")
        with pytest.raises(ParamsError, match=re.escape(message)) as info:
            load_registry(project)
        assert "shimen.publication" in str(info.value)


def test_the_fee_sentence_says_only_what_part_six_does_not(bundled) -> None:
    data = read_yaml(ROOT / "data" / "2024" / "yueyanglou.yaml")
    assert data.cells["F.fee.collected"] == 0
    text = "2024年全区各级各部门未向申请人收取信息处理费。"
    assert fee_sentence(data, text) == "本年度发出收费通知0件，收费通知总金额0元。"
    stated = "本年度发出收费通知0件，收费通知总金额0元，实际收取信息处理费0元。"
    assert fee_sentence(data, stated) == ""
    blank = data.with_cells({"F.fee.notices": None, "F.fee.notice_amount": None, "F.fee.collected": 12.5})
    assert fee_sentence(blank, "") == "本年度实际收取信息处理费12.5元。"


def test_a_figure_part_six_states_is_not_said_again_and_nothing_follows_its_closing_sentence() -> None:
    data = read_yaml(ROOT / "data" / "2024" / "linjiang-scjg.yaml")
    closing = "本年度无其他需要报告的事项。"
    written = fill(data.narrative["other.text"], data)
    assert "实际收取200元" in written and written.strip().endswith(closing)
    assert printed_texts(data)["other.text"] == written  # “实际收取 200 元” states the collected fee
    unsaid = "2024年，我局发出信息处理费收费通知1件，金额200元。" + closing  # the collected 200 元 left unsaid
    printed = printed_texts(data, {"other.text": unsaid})["other.text"]
    assert printed.strip().endswith(closing) and printed.startswith("本年度实际收取信息处理费200元。")


# ---------------------------------------------------------------- year over year


def test_the_comparison_gives_last_years_figure_and_the_change(bundled) -> None:
    report = validate(bundled, "shimen", 2024)
    rows = {r[0]: r[1:] for r in changes.rows(report.data, report.history[2023])}
    assert rows["本年新收政府信息公开申请（件）"] == ("10", "8", "+2", "+25.0%")
    assert rows["行政处罚处理决定（件）"] == ("9", "11", "-2", "-18.2%")
    assert rows["行政复议（件）"][1:] == ("0", "+1", "—")  # no percentage from 0


def test_a_missing_previous_year_is_said_never_zero(bundled) -> None:
    report = validate(bundled, "yueyanglou", 2024)
    assert 2023 not in report.history
    rows = changes.rows(report.data, None)
    assert {r[2] for r in rows} == {changes.NO_DATA} and all(r[3] == "—" for r in rows)
    assert "没有 2023 年的数据" in changes.missing_note(report.data, None)


def test_an_unknown_figure_makes_its_change_unknown(bundled) -> None:
    data = read_yaml(ROOT / "data" / "2024" / "shimen.yaml")
    previous = read_yaml(ROOT / "data" / "2023" / "shimen.yaml").with_cells({"B.new.total": "?"})
    first = changes.rows(data, previous)[0]
    assert first[2:] == ("？", "？", "？")


# ---------------------------------------------------------------- Word


def test_the_word_file_is_a4_with_the_margins_and_fonts_of_gb_t_9704(editions) -> None:
    doc = document_xml(editions[("shimen", 2024)]["docx"])
    size, margins = doc.find(f".//{W}sectPr/{W}pgSz"), doc.find(f".//{W}sectPr/{W}pgMar")
    assert (int(size.get(f"{W}w")), int(size.get(f"{W}h"))) == (11906, 16838)  # 210 × 297 mm in twips
    mm = {k: round(int(margins.get(f"{W}{k}")) / 56.7) for k in ("top", "bottom", "left", "right")}
    assert mm == {"top": 37, "bottom": 35, "left": 28, "right": 26}
    first = doc.find(f".//{W}body/{W}p")
    assert texts(first) == "青川市临江区石门镇人民政府2024年政府信息公开工作年度报告"
    assert first.find(f"{W}pPr/{W}pStyle").get(f"{W}val") == "Title"  # its look is the Title style's
    with zipfile.ZipFile(editions[("shimen", 2024)]["docx"]) as z:
        styles = z.read("word/styles.xml").decode()
        footer = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("word/footer"))
    title = etree.fromstring(styles.encode()).find(f"{W}style[@{W}styleId='Title']/{W}rPr")
    assert title.find(f"{W}rFonts").get(f"{W}eastAsia") == word.TITLE_FONT and title.find(f"{W}sz").get(f"{W}val") == "44"
    assert f'w:eastAsia="{word.BODY_FONT}"' in styles and '<w:sz w:val="32"/>' in styles  # 仿宋 三号
    assert " PAGE " in footer and "— " in footer


def test_the_word_tables_merge_exactly_where_the_official_grid_does(bundled, editions) -> None:
    doc = document_xml(editions[("shimen", 2024)]["docx"])
    tables = doc.findall(f".//{W}tbl")
    assert len(tables) == 3  # 表二, 表三, 表四 (the fees are stated in words)
    data = validate(bundled, "shimen", 2024).data
    for tbl, key in zip(tables, "ABC"):
        grid = published_grid(key, data)
        rows = tbl.findall(f"{W}tr")
        assert len(rows) == grid.n_rows
        placed = {}
        for r, tr in enumerate(rows):
            c = 0
            for tc in tr.findall(f"{W}tc"):
                pr = tc.find(f"{W}tcPr")
                span = pr.find(f"{W}gridSpan")
                merge = pr.find(f"{W}vMerge")
                width = int(span.get(f"{W}val")) if span is not None else 1
                placed[(r, c)] = (texts(tc), width, None if merge is None else merge.get(f"{W}val") or "continue")
                c += width
        for cell in grid.cells:
            text, width, merge = placed[(cell.row, cell.col)]
            assert (text, width) == (cell.text, cell.colspan), (key, cell)
            assert merge == ("restart" if cell.rowspan > 1 else None), (key, cell)
            for below in range(cell.row + 1, cell.row + cell.rowspan):
                assert placed[(below, cell.col)][2] == "continue", (key, cell, below)
        header_rows = [tr for tr in rows if tr.find(f"{W}trPr/{W}tblHeader") is not None]
        assert len(header_rows) == grid.header_rows
    b = tables[1]
    assert any(texts(tc) == "申请人情况" and tc.find(f"{W}tcPr/{W}gridSpan").get(f"{W}val") == "7"
               for tc in b.iter(f"{W}tc"))


def test_the_word_text_is_plain_paragraphs_a_person_edits(bundled, editions) -> None:
    from docx import Document

    doc = Document(str(editions[("shimen", 2024)]["docx"]))
    paragraphs = [p for p in doc.paragraphs if p.text.strip()]
    assert paragraphs[0].text.endswith("年度报告")
    headings = [p.text for p in paragraphs if p.style.name == "Heading 1"]
    assert headings == [p.heading for p in PARTS]
    report = validate(bundled, "shimen", 2024)
    assert any(report.texts["preamble"].strip()[:20] in p.text for p in paragraphs)
    assert [p.text for p in paragraphs[-2:]] == [report.agency.office, "2025年1月27日"]
    assert all(p.alignment == 2 for p in paragraphs[-2:])  # right-aligned


def test_the_same_report_gives_the_same_word_bytes(bundled) -> None:
    report = validate(bundled, "jiangbin", 2023)
    made = [word.to_docx(blocks(report), title=report.title, author="x", date=report.data.published) for _ in (1, 2)]
    assert made[0] == made[1]
    with zipfile.ZipFile(io.BytesIO(made[0])) as z:
        day = tuple(int(x) for x in report.data.published.split("-"))
        assert {i.date_time[:3] for i in z.infolist()} == {day}  # the report's date, not the day it was made


def test_text_typed_into_a_narrative_reaches_word_as_text(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    path = project.data_dir / "2024" / "shimen.yaml"
    hostile = '<w:p>注入</w:p> \\\\input{/etc/passwd} <script>alert(1)</script> ]]> &amp;'
    path.write_text(path.read_text(encoding="utf-8").replace(
        "  preamble: |\n", f"  preamble: |\n    {hostile}\n", 1), encoding="utf-8")
    report = validate(project, "shimen", 2024)
    raw = word.to_docx(blocks(report), title=report.title, author="a", date="")
    out = tmp_path / "x.docx"
    out.write_bytes(raw)
    body = texts(document_xml(out))
    assert "注入" in body and "<w:p>" in body and "<script>alert(1)</script>" in body
    assert len(document_xml(out).findall(f".//{W}body/{W}p")) > 10
    fragment = web.fragment(blocks(report))
    assert "<script" not in fragment and "&lt;script&gt;alert(1)&lt;/script&gt;" in fragment
    assert "&lt;w:p&gt;注入&lt;/w:p&gt;" in fragment


# ---------------------------------------------------------------- read back and compared


@pytest.mark.parametrize(("agency", "year"), EXAMPLES)
def test_every_example_reads_back_identically_from_its_fragment_page_and_word_file(editions, agency, year) -> None:
    data = read(ROOT / "data" / str(year) / f"{agency}.yaml")
    for kind, path in editions[(agency, year)].items():
        result = compare(data, read(path))
        assert result.identical, (kind, result.cells[:3], [t.key for t in result.texts])
        assert result.b.name == validate(Project(ROOT), agency, year).agency.name  # the full name, from the title


@pytest.mark.office
def test_the_word_file_saved_as_doc_wps_rtf_and_odt_reads_back_identically(editions, tmp_path: Path) -> None:
    """Sites attach reports as .doc (and WPS users save .wps, the same format): each is read through LibreOffice."""
    from nianbao.inputs import sniff

    from .test_round import office

    docx = editions[("shimen", 2024)]["docx"]
    profile = (tmp_path / "profile").as_uri()
    for to in ("doc", "rtf", "odt"):  # as Word, WPS or LibreOffice "save as" writes them
        subprocess.run([office(), f"-env:UserInstallation={profile}", "--headless", "--convert-to", to, "--outdir",
                        str(tmp_path), str(docx)], check=True, capture_output=True, timeout=600)
    (tmp_path / "shimen-2024.wps").write_bytes((tmp_path / "shimen-2024.doc").read_bytes())
    data = read(ROOT / "data" / "2024" / "shimen.yaml")
    for suffix, content in ((".doc", "doc"), (".wps", "doc"), (".rtf", "rtf"), (".odt", "odt")):
        path = tmp_path / f"shimen-2024{suffix}"
        assert sniff(path.read_bytes()) == content  # really that format, not a .docx under its name
        result = compare(data, read(path))
        assert result.identical, (suffix, result.cells[:3], [t.key for t in result.texts])
    assert not list(tmp_path.parent.glob("nianbao-office-*"))


def test_a_doc_that_is_a_web_page_or_a_docx_is_read_as_what_it_is_and_noise_is_refused(editions, tmp_path: Path) -> None:
    data = read(ROOT / "data" / "2024" / "shimen.yaml")
    for kind in ("page", "docx"):  # a page saved as "xx.doc", a .docx renamed: read without LibreOffice
        renamed = tmp_path / f"{kind}.doc"
        renamed.write_bytes(editions[("shimen", 2024)][kind].read_bytes())
        assert compare(data, read(renamed)).identical, kind
    noise = tmp_path / "noise.doc"
    noise.write_bytes(random.Random(7).randbytes(10_000))
    result = CliRunner().invoke(main, ["import", str(noise), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1 and "noise.doc" in result.output and "无法识别的二进制内容" in result.output


def test_a_doc_without_libreoffice_says_what_to_install(tmp_path: Path, monkeypatch) -> None:
    import shutil

    monkeypatch.setattr(shutil, "which", lambda name: None)
    old = tmp_path / "report.doc"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le") + bytes(600))
    result = CliRunner().invoke(main, ["import", str(old), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1, result.output
    assert "report.doc" in result.output and "apt-get install libreoffice-writer-nogui" in result.output
    assert "另存为" in result.output and not (tmp_path / "out").exists()


def test_compare_lists_each_cell_that_differs_blank_zero_dash_and_unknown_apart(editions, tmp_path: Path) -> None:
    a = read(ROOT / "data" / "2024" / "shimen.yaml")
    changed = a.data.with_cells({"B.new.commercial": 0, "B.new.research": "/", "B.new.natural": "?",
                                 "A.rules.issued": 0})
    from nianbao.dump import write

    path = tmp_path / "2024" / "shimen.yaml"
    write(changed, path, force=True)
    result = compare(a, read(path))
    assert [(d.key, d.a, d.b) for d in result.cells] == [
        ("A.rules.issued", None, 0), ("B.new.natural", 9, "?"), ("B.new.commercial", None, 0),
        ("B.new.research", None, "/")]
    assert result.cells[0].where == "表二「规章」行「本年制发件数」列"
    assert not result.texts


def test_compare_names_the_part_whose_wording_changed(editions, tmp_path: Path) -> None:
    docx = editions[("shimen", 2024)]["docx"]
    changed = tmp_path / "changed.docx"
    with zipfile.ZipFile(docx) as src, zipfile.ZipFile(changed, "w") as dst:
        for info in src.infolist():
            raw = src.read(info.filename)
            if info.filename == "word/document.xml":
                raw = raw.decode().replace("补正沟通不够及时", "补正沟通十分及时").encode()
            dst.writestr(info, raw)
    result = compare(read(ROOT / "data" / "2024" / "shimen.yaml"), read(changed))
    assert [t.key for t in result.texts] == ["problems.problems"] and not result.cells


def test_same_value_keeps_blank_zero_dash_and_unknown_apart() -> None:
    values = [None, 0, "/", "—", "?"]
    assert [[same_value(x, y) for y in values] for x in values] == [[i == j for j in range(5)] for i in range(5)]
    assert same_value(46.6847, 46.6847) and same_value(3, 3.0) and not same_value(3, 3.5)


def test_cli_compare_exit_codes(editions, tmp_path: Path) -> None:
    runner = CliRunner()
    data = str(ROOT / "data" / "2024" / "shimen.yaml")
    same = runner.invoke(main, ["compare", data, str(editions[("shimen", 2024)]["docx"])])
    assert same.exit_code == 0 and "两者相同" in same.output
    other = runner.invoke(main, ["compare", data, str(ROOT / "data" / "2023" / "shimen.yaml")])
    assert other.exit_code == 1 and "年度不同：2024 与 2023" in other.output and "格不同" in other.output
    missing = runner.invoke(main, ["compare", data, str(tmp_path / "none.pdf")])
    assert missing.exit_code == 2 and "找不到文件" in missing.output
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"not a zip")
    unreadable = runner.invoke(main, ["compare", data, str(bad)])
    assert unreadable.exit_code == 2 and "无法读取 Word 文件" in unreadable.output
    as_json = runner.invoke(main, ["compare", data, str(editions[("shimen", 2024)]["fragment"]), "--format", "json"])
    assert as_json.exit_code == 0 and '"identical": true' in as_json.output


def relabelled(tmp_path: Path, agency: str, like: str = "shimen", year: int = 2024) -> Path:
    """The bundled ``like``'s figures and text, labelled as ``agency``'s, outside any project."""
    text = (ROOT / "data" / str(year) / f"{like}.yaml").read_text(encoding="utf-8")
    path = tmp_path / f"{agency}.yaml"
    path.write_text(text.replace(f"agency: {like}\n", f"agency: {agency}\n", 1), encoding="utf-8")
    return path


SHIMEN, JIANGBIN = "shimen（青川市临江区石门镇人民政府）", "jiangbin（青川市临江区江滨街道办事处）"


def test_cli_compare_the_same_figures_of_two_agencies_differ_in_text_and_json(tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["--project", str(ROOT), "compare", str(ROOT / "data" / "2024" / "shimen.yaml"), str(relabelled(tmp_path, "jiangbin"))]
    text = runner.invoke(main, args)
    assert text.exit_code == 1, text.output
    assert f"单位不同：{SHIMEN}与 {JIANGBIN}" in text.output.splitlines()
    assert "两者相同" not in text.output and "共 0 格不同，0 部分文字不同；另有 1 处单位或年度的问题" in text.output
    as_json = runner.invoke(main, [*args, "--format", "json"])
    assert as_json.exit_code == 1
    payload = json.loads(as_json.output)
    assert payload["identical"] is False and payload["other"] == [f"单位不同：{SHIMEN}与 {JIANGBIN}"]
    assert payload["agencies"] == {"a": {"id": "shimen", "name": "青川市临江区石门镇人民政府"},
                                   "b": {"id": "jiangbin", "name": "青川市临江区江滨街道办事处"}, "same": False}
    assert payload["cells"] == [] and payload["texts"] == []


def test_cli_compare_a_published_report_against_another_agencys_data_by_the_name_its_title_prints(
        editions, tmp_path: Path) -> None:
    """The report's printed name resolves to its id through the registry; the data's id to its name."""
    runner = CliRunner()
    published = str(editions[("shimen", 2024)]["docx"])
    other = runner.invoke(main, ["--project", str(ROOT), "compare", str(relabelled(tmp_path, "jiangbin")), published])
    assert other.exit_code == 1 and f"单位不同：{JIANGBIN}与 {SHIMEN}" in other.output.splitlines()
    same = runner.invoke(main, ["--project", str(ROOT), "compare", str(relabelled(tmp_path, "shimen")), published])
    assert same.exit_code == 0 and "两者相同" in same.output and f"（已发布的报告，2024 年，{SHIMEN}）" in same.output


def test_cli_compare_says_when_a_sides_agency_cannot_be_told(editions, tmp_path: Path) -> None:
    fragment = editions[("shimen", 2024)]["fragment"].read_text(encoding="utf-8")
    untitled = tmp_path / "untitled.html"  # the title gives the year and no agency
    untitled.write_text(fragment.replace("青川市临江区石门镇人民政府<br />2024年", "2024年", 1), encoding="utf-8")
    data = str(ROOT / "data" / "2024" / "shimen.yaml")
    runner = CliRunner()
    text = runner.invoke(main, ["--project", str(ROOT), "compare", data, str(untitled)])
    assert text.exit_code == 1, text.output
    assert "无法确定 B 的单位：标题中没有单位名称，不能核对两者是否同一单位" in text.output.splitlines()
    assert f"B：{untitled}（已发布的报告，2024 年，单位不明）" in text.output
    payload = json.loads(runner.invoke(main, ["--project", str(ROOT), "compare", data, str(untitled), "--format", "json"]).output)
    assert payload["identical"] is False and payload["agencies"]["b"] == {"id": None, "name": None}
    assert payload["agencies"]["same"] is None


def test_cli_compare_says_when_a_sides_year_cannot_be_told(editions, tmp_path: Path) -> None:
    fragment = editions[("shimen", 2024)]["fragment"].read_text(encoding="utf-8")
    untitled = tmp_path / "no-year.html"  # the title gives the agency and no year
    untitled.write_text(fragment.replace("石门镇人民政府<br />2024年", "石门镇人民政府<br />", 1), encoding="utf-8")
    assert "<br />2024年" not in untitled.read_text(encoding="utf-8")
    data = str(ROOT / "data" / "2024" / "shimen.yaml")
    result = CliRunner().invoke(main, ["--project", str(ROOT), "compare", data, str(untitled)])
    assert result.exit_code == 1, result.output  # not the usage error of an import without --year
    assert "无法确定 B 的年度：标题中没有写明报告年度，不当作同一年度的报告" in result.output.splitlines()
    assert f"B：{untitled}（已发布的报告，年度不明，" in result.output  # a title without its year is no title


def test_compare_an_id_the_registry_lacks_against_a_name_is_not_taken_for_the_same_agency(editions, tmp_path: Path) -> None:
    result = compare(read(relabelled(tmp_path, "nowhere"), {}), read(editions[("shimen", 2024)]["page"], {}))
    assert result.same_agency is None and not result.identical and not result.cells
    assert result.other == ("无法确定 A 的单位：单位代码 nowhere 不在单位名录（params/agencies.yaml）中，不能与“青川市临江区石门镇人民政府”"
                            "核对（请在项目目录中运行，或用 --project 指定项目）",)


def test_compare_data_imported_from_a_report_outside_any_project_is_that_reports_agency(editions, tmp_path: Path) -> None:
    from nianbao.dump import write

    page = read(editions[("shimen", 2024)]["page"], {})
    assert page.data.agency.startswith("agency-") and page.agency == ""  # the id nianbao import gives the name
    path = write(page.data, tmp_path / "2024" / f"{page.data.agency}.yaml", force=True)
    assert compare(read(path, {}), page).same_agency is True


@pytest.mark.parametrize(
    ("printed", "registered", "same"),
    [
        ("岳阳市岳阳楼区", "岳阳市岳阳楼区人民政府", True),  # a district's government by the district alone
        ("洪泽区人民政府", "淮安市洪泽区人民政府", True),  # without its city
        ("石门镇人民政府", "青川市临江区石门镇人民政府", True),
        ("青川市临江区 石门镇人民政府", "青川市临江区石门镇人民政府", True),
        ("青川市临江区石门乡人民政府", "青川市临江区石门镇人民政府", False),  # alike, another agency
        ("人民政府", "青川市临江区石门镇人民政府", False),
        ("临江区人民政府", "青川市临江区石门镇人民政府", False),
    ],
)
def test_compare_matches_a_printed_name_with_the_registered_one(tmp_path: Path, printed: str, registered: str, same: bool) -> None:
    from nianbao.compare import Side, match_agencies

    data = read(ROOT / "data" / "2024" / "shimen.yaml").data
    a, b = Side(tmp_path / "a.html", "已发布的报告", data, {}, printed), Side(tmp_path / "b.html", "已发布的报告", data, {}, registered)
    found, line = match_agencies(a, b)
    assert found is same and (line == "") is same
    if not same and printed == "青川市临江区石门乡人民政府":
        assert line == f"单位不同：{printed}与 {registered}（名称相近，请核对是否写错了字）"


def test_auditing_the_published_files_finds_what_check_finds_on_the_data(bundled, editions) -> None:
    from nianbao import checks
    from nianbao.audit import NOTICE, audit
    from nianbao.checks import packs

    for kind in ("fragment", "docx"):
        files = [f[kind] for f in editions.values()]
        found = audit(files, packs=packs.load(bundled))  # the project's rule packs, as check applies them
        assert not found.unreadable
        for (agency, year), f in editions.items():
            report = validate(bundled, agency, year)
            expected = {(r["rule"], r["status"], r["where"]) for r, x in zip(checks.records(report.results), report.results)
                        if x.is_open or (x.rule == NOTICE and x.status == "failed")}  # findings, and notices
            rows = found.violations[found.violations["report"] == str(f[kind])]
            assert {(r.rule, r.status, r.where) for r in rows.itertuples()} == expected, (agency, year, kind)
            line = found.reports[found.reports["report"] == str(f[kind])].iloc[0]
            assert (line["agency"], line["year"]) == (report.agency.name, year)


def test_the_executed_notebook_stores_each_chart_once_per_format_it_needs(bundled) -> None:
    from .inprocess import executed

    nb = executed(bundled, "shimen", 2024)
    charts = [o for c in nb.cells if "nb.charts" in c.source for o in c.outputs if "application/pdf" in o.data]
    assert len(charts) == 4
    for o in charts:
        assert set(o.data) == {"text/html", "application/pdf", "text/plain"}  # no SVG beside the PNG
        assert o.data["text/html"].count("data:image/png;base64,") == 1
        assert re.search(r'alt="(条形图|折线图)，', o.data["text/html"])
