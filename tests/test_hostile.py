"""Hostile and foreign inputs, each class with its bad input written here: text never becomes code,
no number is silently wrong, and every bad file ends in one clear message — never a traceback.

The few that need xelatex or a kernel are marked; the rest run without either.
"""

from __future__ import annotations

import errno
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from nianbao import latex, yamlfile
from nianbao.cli import main
from nianbao.errors import DataError, ParamsError, address
from nianbao.load import MAX_FIGURE, load_report, read_xlsx, read_yaml
from nianbao.narrative import to_html
from nianbao.params import Project, load_registry, read_run_params
from nianbao.reviews import read as read_reviews
from nianbao.template import layout, write_template

ROOT = Path(__file__).resolve().parents[1]
SHIMEN = ROOT / "data" / "2024" / "shimen.yaml"


def invoke(project: Project, *args: str):
    return CliRunner().invoke(main, ["--project", str(project.root), *args])


def with_line(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


# ---------------------------------------------------------------- 1. text never becomes LaTeX

HOSTILE = [
    r"前\input{/etc/passwd}后",
    r"\write18{touch /tmp/nianbao-pwned}",
    r"\immediate\openout5=/tmp/nianbao-pwned",
    r"\MakeUppercase{abc}",
    r"$\input{/etc/passwd}$ and $$x^2$$ and \(a\) \[b\]",
    r"\catcode`\@=11 \def\x{y}",
    "<script>alert(1)</script><img src=x onerror=alert(1)>",
    "& % # _ ~ ^ { } [ ] \\\\ \\ 50%",
    "*starred [optional]",
    "line one\n\nline two\x07\x00end",
]

#: Every LaTeX command the converters may write; anything else in their output came from the input.
ALLOWED = {
    "textbackslash", "textasciitilde", "textasciicircum", "emph", "textbf", "texttt", "bfseries", "nopagebreak",
    "setcounter", "begin", "end", "item", "newline", "par", "noindent", "ttfamily",
}
COMMAND = re.compile(r"\\([A-Za-z]+|.)")


def commands(tex: str) -> set[str]:
    return {m.group(1) for m in COMMAND.finditer(tex)} - set("&%$#_{} ")


def unescape(tex: str) -> str:
    """The text a line of escaped LaTeX typesets (the inverse of :func:`latex.escape`)."""
    out = tex.replace(r"\textbackslash{}", "\\").replace(r"\textasciitilde{}", "~").replace(r"\textasciicircum{}", "^")
    out = out.replace("{[}", "[").replace("{]}", "]")
    out = re.sub(r"\\([&%$#_{}])", r"\1", out)
    return out[2:] if out.startswith("{}*") else out


def pieces(*words: str) -> st.SearchStrategy[str]:
    """Text made of TeX's special characters, TeX commands, Markdown marks and anything else."""
    parts = st.sampled_from(list("\\{}$&#^_%~[]*`'\"<>|!()-. \n\tab汉") + list(words)) | st.characters()
    return st.lists(parts, max_size=40).map("".join)


@given(pieces("\\input", "\\write18", "\r\n"))
def test_escape_typesets_exactly_the_text_and_runs_no_command(text: str) -> None:
    tex = latex.escape(text)
    assert commands(tex) <= {"textbackslash", "textasciitilde", "textasciicircum"}
    assert unescape(tex) == re.sub(r"[\x00-\x1f\x7f\u2028\u2029]", " ", text.replace("\r\n", " "))
    assert "\n" not in tex  # no blank line can end a paragraph inside a command's argument


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_to_latex_passes_no_command_of_the_input(text: str) -> None:
    tex = latex.markdown(text)
    assert commands(tex) <= ALLOWED
    for word in ("input", "write", "openout", "MakeUppercase", "catcode", "def"):
        assert f"\\{word}" not in tex


@given(pieces("\\input{x}", "![a](b)", "[r]: /x", "\n\n", "1. ", "# ", "    ", "```"))
def test_any_markdown_becomes_latex_with_only_the_converters_own_commands(text: str) -> None:
    assert commands(latex.markdown(text)) <= ALLOWED


@pytest.mark.parametrize(
    "text",
    [
        "见图：![示意图](/etc/passwd)",
        "见图：![示意图][r]\n\n[r]: /etc/passwd",
        "见图：![示意图][r]\n\n[r]: https://example.invalid/a.png",
        '<img src="/etc/passwd">',
    ],
)
def test_no_narrative_image_is_embedded_or_fetched(text: str) -> None:
    tex, page = latex.markdown(text), to_html(text)
    assert "includegraphics" not in tex and "<img" not in page  # typed HTML shows as the characters typed
    if "![" in text:
        assert "示意图" in tex and "示意图" in page  # shown as the text it describes
        for address_ in ("/etc/passwd", "example.invalid"):
            assert address_ not in tex and address_ not in page


# ---------------------------------------------------------------- 2. params files are data

INJECTION = "\"x = 1; import os; os.system('touch /tmp/nianbao-pwned'); y\": 1\n"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("agency: shimen\nyear: 2024\n" + INJECTION, "不是合法的名字"),
        ("agency: shimen\nyear: 2024\n\"1x\": 2\n", "不是合法的名字"),
        ("agency: shimen\nyear: 2024\ncolour: red\n", "未知参数"),
        ("agency: shimen\nyear: \"2024\"\n", "year 应为整数"),
        ("agency: shimen\nyear: true\n", "year 应为整数"),
        ("agency: [shimen]\nyear: 2024\n", "agency 应为文字"),
        ("agency: shimen\nyear: 2024\nproject_dir: 5\n", "project_dir 应为文字"),
        ("agency: \"shimen'); import os; ('\"\nyear: 2024\n", "单位代码"),
    ],
)
def test_params_files_are_refused_unless_they_are_plain_data(project: Project, text: str, says: str) -> None:
    path = project.params_file("shimen", 2024)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ParamsError, match=says):
        read_run_params(path)
    result = invoke(project, "check", "-y", "2024")
    assert result.exit_code == 1, result.output
    assert "[无法读取]" in result.output and str(path) in result.output and says in result.output
    assert "Traceback" not in result.output


# ---------------------------------------------------------------- 3. no silently wrong number


def yaml_with_value(tmp_path: Path, value: str) -> Path:
    path = tmp_path / "shimen.yaml"
    text = SHIMEN.read_text(encoding="utf-8")
    path.write_text(with_line(text, "  licensing: [52] ", f"  licensing: [{value}] "), encoding="utf-8")
    return path


@pytest.mark.parametrize("typed", ['"12,34"', '"1,5"', '"1,2345"', '"1,234,56"', '",123"', '"1.2.3"', '"1,234.5.6"'])
def test_malformed_thousands_separators_are_refused_naming_the_key(tmp_path: Path, typed: str) -> None:
    with pytest.raises(DataError, match=r"A\.licensing\[0\].*不是规范的数字写法|A\.licensing\[0\].*不是数字"):
        read_yaml(yaml_with_value(tmp_path, typed))


@pytest.mark.parametrize(("typed", "value"), [('"1,234"', 1234), ('"12,345"', 12345), ('"１，２３４"', 1234), ("52", 52)])
def test_well_formed_thousands_separators_are_read(tmp_path: Path, typed: str, value: int) -> None:
    assert read_yaml(yaml_with_value(tmp_path, typed)).cells["A.licensing.decisions"] == value


def test_a_fee_with_a_decimal_comma_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "shimen.yaml"
    path.write_text(with_line(SHIMEN.read_text(encoding="utf-8"), "  fees: [0] ", '  fees: ["1,5"] '), encoding="utf-8")
    with pytest.raises(DataError, match="A.fees"):
        read_yaml(path)


@pytest.mark.parametrize("typed", [str(10**38), str(MAX_FIGURE + 1), "1.0e+300", '"99999999999999999999"'])
def test_figures_too_large_to_be_a_count_are_refused_before_the_kernel(tmp_path: Path, typed: str) -> None:
    with pytest.raises(DataError, match="大得不合常理"):
        read_yaml(yaml_with_value(tmp_path, typed))


def test_the_largest_figure_allowed_still_draws(tmp_path: Path) -> None:
    from nianbao import charts, drawing

    data = read_yaml(yaml_with_value(tmp_path, str(MAX_FIGURE)))
    png, pdf = drawing.render_png_pdf(charts.headline(data))
    assert png.startswith(b"\x89PNG") and pdf.startswith(b"%PDF")


@pytest.mark.parametrize(
    ("text", "key", "lines"),
    [
        ("agency: shimen\nyear: 2024\nagency: jiangbin\n", "agency", (1, 3)),
        ("B:\n  new: [1]\n  carried_over: [2]\n  new: [3]\n", "new", (2, 4)),
        ("narrative:\n  preamble: 甲\n  preamble: 乙\n", "preamble", (2, 3)),
        ("C: {cases: [1], cases: [2]}\n", "cases", (1, 1)),
    ],
)
def test_a_key_written_twice_is_refused_with_both_lines(tmp_path: Path, text: str, key: str, lines: tuple[int, int]) -> None:
    path = tmp_path / "dup.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match=f"键“{key}”写了两次（第 {lines[0]} 行和第 {lines[1]} 行）") as caught:
        read_yaml(path)
    assert caught.value.file == path


@pytest.mark.parametrize("typed", ["012", "1:30", "0x1F", "1_000", "0b11", "1:30.5", "1_0.5"])
def test_numbers_yaml_would_read_as_other_numbers_are_refused_with_their_line(tmp_path: Path, typed: str) -> None:
    path = yaml_with_value(tmp_path, typed)
    line = 1 + path.read_text(encoding="utf-8").split("\n").index(f"  licensing: [{typed}]           # 行政许可：本年处理决定数量")
    with pytest.raises(DataError, match=f"第 {line} 行的数字“{re.escape(typed)}”"):
        read_yaml(path)


def formula_workbook(tmp_path: Path, cached: str | None) -> tuple[Path, str, str]:
    """A filled template whose 行政许可 cell holds a formula, saved with or without its value."""
    path = write_template(tmp_path / "f.xlsx", "shimen", "石门镇", 2024, read_yaml(SHIMEN))
    place = layout().cells["A.licensing.decisions"]
    book = openpyxl.load_workbook(path)
    book[place.sheet][place.cell] = "=50+2"
    book.save(path)
    if cached is not None:  # as Excel, WPS and LibreOffice save it: the formula and its last value
        with zipfile.ZipFile(path) as z:
            parts = {n: z.read(n) for n in z.namelist()}
        for name, body in parts.items():
            if name.startswith("xl/worksheets/") and b"<f>50+2</f>" in body:
                parts[name] = re.sub(rb"<f>50\+2</f>(<v\s*/>|<v></v>)?", f"<f>50+2</f><v>{cached}</v>".encode(), body)
        with zipfile.ZipFile(path, "w") as z:
            for name, body in parts.items():
                z.writestr(name, body)
    return path, place.sheet, place.cell


def test_a_formula_saved_without_its_value_is_an_error_naming_the_cell(tmp_path: Path) -> None:
    path, sheet, cell = formula_workbook(tmp_path, None)
    with pytest.raises(DataError, match="没有保存它的计算结果") as caught:
        read_xlsx(path)
    assert (caught.value.sheet, caught.value.cell) == (sheet, cell)
    assert address(sheet, cell) in str(caught.value)


def test_a_narrative_formula_saved_without_its_value_is_an_error_not_an_empty_text(tmp_path: Path) -> None:
    path = write_template(tmp_path / "f.xlsx", "shimen", "石门镇", 2024, read_yaml(SHIMEN))
    place = layout().narrative["preamble"]
    book = openpyxl.load_workbook(path)
    book[place.sheet][place.cell] = '="根据"&"条例"'
    book.save(path)
    with pytest.raises(DataError, match="没有保存它的计算结果") as caught:
        read_xlsx(path)
    assert (caught.value.sheet, caught.value.cell) == (place.sheet, place.cell)


def test_a_formula_with_its_cached_value_reads_as_that_value(tmp_path: Path) -> None:
    path, _, _ = formula_workbook(tmp_path, "52")
    assert read_xlsx(path).cells["A.licensing.decisions"] == 52


@pytest.mark.parametrize("suffix", [".xls", ".et", ".ods", ".xlsm", ".csv"])
def test_data_saved_in_another_format_is_named_with_what_to_do(project: Project, suffix: str) -> None:
    (project.data_dir / "2024" / "shimen.yaml").unlink()
    (project.data_dir / "2024" / f"shimen{suffix}").write_bytes(b"\xd0\xcf\x11\xe0 not really")
    with pytest.raises(DataError, match=rf"数据文件是 \{suffix} 格式") as caught:
        load_report(project, "shimen", 2024)
    assert "另存为" in str(caught.value) and caught.value.file.name == f"shimen{suffix}"
    result = invoke(project, "check", "-a", "shimen", "-y", "2024")
    assert result.exit_code == 1 and f"shimen{suffix}" in result.output and "另存为" in result.output


# ---------------------------------------------------------------- 4. hostile or foreign files

BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{b}: &{b} [{', '.join(['*' + a] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi")
)


@pytest.mark.parametrize("where", ["data", "reviews", "params", "registry"])
def test_an_alias_bomb_is_refused_at_once(project: Project, where: str) -> None:
    path = {
        "data": project.data_dir / "2024" / "shimen.yaml",
        "reviews": project.reviews_file("shimen", 2024),
        "params": project.params_file("shimen", 2024),
        "registry": project.params_dir / "agencies.yaml",
    }[where]
    path.write_text(BOMB, encoding="utf-8")  # 9⁹ items, were the aliases expanded
    with pytest.raises((DataError, ParamsError), match="锚点和别名") as caught:
        if where == "reviews":
            read_reviews(path)
        elif where == "params":
            read_run_params(path)
        elif where == "registry":
            load_registry(project)
        else:
            read_yaml(path)
    assert caught.value.file == path and "第 1 行" in str(caught.value)  # refused at the first alias, naming its anchor


def test_even_a_harmless_alias_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("a: &x 1\nb: *x\n", encoding="utf-8")
    with pytest.raises(DataError, match="锚点和别名"):
        yamlfile.read(path)


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-16"])
def test_a_file_not_in_utf8_is_refused_naming_the_encoding_to_use(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "shimen.yaml"
    path.write_bytes(SHIMEN.read_text(encoding="utf-8").encode(encoding))
    with pytest.raises(DataError, match="UTF-8") as caught:
        read_yaml(path)
    assert caught.value.file == path and "另存为" in str(caught.value)
    if encoding.startswith("gb"):
        assert "GBK / GB18030" in str(caught.value)


def test_a_utf8_file_with_a_bom_is_read(tmp_path: Path) -> None:
    path = tmp_path / "shimen.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + SHIMEN.read_bytes())
    assert read_yaml(path).agency == "shimen"


@pytest.mark.parametrize(
    "text",
    [
        "- {rule: C-TOTAL, cell: x, reason: ok, figures: 5}\n",
        "- {rule: C-TOTAL, cell: x, reason: ok, figures: [1, 2]}\n",
        "- {rule: [C-TOTAL], cell: x, reason: ok, figures: {}}\n",
        "- {rule: C-TOTAL, cell: {a: 1}, reason: ok, figures: {}}\n",
        "- {rule: C-TOTAL, cell: x, reason: {why: 1}, figures: {}}\n",
        "- {rule: C-TOTAL, cell: x, reason: ok, figures: {}, by: [me]}\n",
        "- [C-TOTAL, x, ok]\n",
        "figures: 5\n",
        "just text\n",
        "- {rule: C-TOTAL, cell: x, reason: '  ', figures: {}}\n",
    ],
)
def test_a_reviews_file_of_the_wrong_shape_gets_a_clear_message(project: Project, text: str) -> None:
    path = project.reviews_file("broken-example", 2024)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as caught:
        read_reviews(path)
    assert caught.value.file == path
    result = invoke(project, "check", "-a", "broken-example", "-y", "2024")
    assert result.exit_code == 1 and "[无法读取]" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(
    ("field", "value"),
    [("name", "'甲\n\n乙'"), ("office", "[a, b]"), ("contact", "{a: 1}"), ("office", '"A\\x07B"'), ("name", "'A\u2028B'")],
)
def test_registry_text_fields_must_be_one_line_of_text(project: Project, field: str, value: str) -> None:
    entry = {"name": "石门镇人民政府", "kind": "township", field: None}
    lines = [f"  {k}: {v}" for k, v in entry.items() if v] + [f"  {field}: {value}"]
    path = project.params_dir / "agencies.yaml"
    path.write_text("shimen:\n" + "\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ParamsError, match=field) as caught:
        load_registry(project)
    assert caught.value.file == path


# ---------------------------------------------------------------- 5. environment faults


@pytest.mark.parametrize(("code", "says"), [(errno.EACCES, "没有权限"), (errno.EROFS, "只读"), (errno.ENOSPC, "磁盘空间已满")])
def test_an_unwritable_outputs_folder_is_one_line_and_the_old_outputs_stay(
    project: Project, monkeypatch: pytest.MonkeyPatch, code: int, says: str
) -> None:
    from nianbao import publish

    old = project.outputs_dir / "2024" / "shimen"
    old.mkdir(parents=True)
    (old / "shimen-2024.html").write_text("上次的报告", encoding="utf-8")

    def refuse(self: Path, *args: object, **kwargs: object) -> None:
        raise OSError(code, "refused by the test", str(self))

    monkeypatch.setattr(publish.Path, "mkdir", refuse)
    result = invoke(project, "batch", "-a", "shimen", "-y", "2024", "--no-pdf")
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and says in result.output and str(project.outputs_dir) in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    assert (old / "shimen-2024.html").read_text(encoding="utf-8") == "上次的报告"


def test_a_full_disk_while_writing_a_file_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nianbao import atomic, errors

    def full(self: Path, *args: object, **kwargs: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device", str(self))

    monkeypatch.setattr(Path, "write_text", full)
    target = tmp_path / "ledger.json"
    with pytest.raises(errors.OutputError, match="磁盘空间已满") as caught:
        atomic.write_text(target, "{}")
    assert not target.exists() and not list(tmp_path.iterdir())  # nothing half-written left behind
    assert str(tmp_path) in str(caught.value)


def test_an_unreachable_scheduler_is_one_line_within_seconds(project: Project) -> None:
    pytest.importorskip("distributed")
    # nothing listens on port 1: refused at once, before Dask's connect (which retries until its timeout)
    for address_, says in (("tcp://127.0.0.1:1", "拒绝连接"), ("not-an-address", "无效")):
        result = invoke(project, "batch", "-a", "shimen", "-y", "2024", "--no-pdf", "--scheduler", address_)
        assert says in result.output, result.output
        assert result.exit_code == 1 and result.output.startswith("Error: ") and "Dask 调度器" in result.output
        assert len(result.output.strip().splitlines()) == 1, result.output


# ---------------------------------------------------------------- 6. check checks everything it can


def test_check_reports_each_unreadable_agency_year_and_checks_the_rest(project: Project) -> None:
    import json

    (project.data_dir / "2024" / "shimen.yaml").write_text("agency: shimen\nyear: 2024\nA: [oops\n", encoding="utf-8")
    text = invoke(project, "check", "-y", "2024")
    assert text.exit_code == 1
    assert "青川市临江区石门镇人民政府（shimen）2024 年：无法读取" in text.output
    assert "岳阳市岳阳楼区人民政府（yueyanglou）2024 年" in text.output  # the others are still checked
    assert "1 个文件无法读取" in text.output
    parsed = json.loads(invoke(project, "check", "-y", "2024", "--format", "json").output)
    by_agency = {e["agency"]: e for e in parsed}
    assert by_agency["shimen"]["readable"] is False and "YAML 格式错误" in by_agency["shimen"]["error"]
    assert by_agency["yueyanglou"]["readable"] is True and by_agency["yueyanglou"]["results"]


def test_check_of_a_later_year_says_the_previous_year_could_not_be_read(project: Project) -> None:
    import json

    (project.data_dir / "2023" / "shimen.yaml").write_text("agency: shimen\nyear: 2023\nA: [oops\n", encoding="utf-8")
    parsed = json.loads(invoke(project, "check", "-a", "shimen", "--format", "json").output)
    later = next(e for e in parsed if e["year"] == 2024)
    carry = next(r for r in later["results"] if r["rule"] == "X-CARRY")
    assert carry["status"] == "skipped" and "2023 年）的数据无法读取" in carry["message"]


@pytest.mark.parametrize("args", [("-y", "2019"), ("-a", "shimen", "-y", "2030")])
def test_check_with_nothing_to_check_is_a_usage_error(project: Project, args: tuple[str, ...]) -> None:
    result = invoke(project, "check", *args)
    assert result.exit_code == 2
    assert args[-1] in result.output and "没有可校验的报告" in result.output


def test_a_workbook_with_several_bad_cells_reports_every_one(tmp_path: Path) -> None:
    path = write_template(tmp_path / "w.xlsx", "shimen", "石门镇", 2024, read_yaml(SHIMEN))
    plan = layout().cells
    bad = {"B.new.natural": "八十", "B.new.total": -3, "A.licensing.decisions": "12,34", "C.cases.review_total": 2.5}
    book = openpyxl.load_workbook(path)
    for key, value in bad.items():
        book[plan[key].sheet][plan[key].cell] = value
    book.save(path)
    with pytest.raises(DataError) as caught:
        read_xlsx(path)
    message = str(caught.value)
    assert f"共 {len(bad)} 处需要修改" in message
    for key, value in bad.items():
        assert f"  {address(plan[key].sheet, plan[key].cell)}：" in message
        assert str(value) in message
    assert len(caught.value.problems) == len(bad)


def test_sum_findings_on_excel_data_name_each_cells_address(tmp_path: Path) -> None:
    from nianbao import checks

    path = write_template(tmp_path / "w.xlsx", "shimen", "石门镇", 2024, read_yaml(SHIMEN))
    plan = layout().cells
    book = openpyxl.load_workbook(path)
    book[plan["B.new.natural"].sheet][plan["B.new.natural"].cell] = 90  # the row no longer sums to its total
    book.save(path)
    data = read_xlsx(path)
    failed = [r for r in checks.run(data) if r.rule == "B-ROWSUM" and r.status == "failed"]
    assert len(failed) == 1
    for key in ("B.new.total", "B.new.natural"):
        assert address(plan[key].sheet, plan[key].cell) in failed[0].message


@pytest.mark.parametrize("kind", ["folder", "file"])
def test_out_never_replaces_what_the_kit_did_not_write(tmp_path: Path, kind: str) -> None:
    from nianbao import errors, publish

    out = tmp_path / "Documents"
    if kind == "folder":
        out.mkdir()
        (out / "合同.docx").write_bytes(b"precious")
    else:
        out.write_bytes(b"precious")
    with pytest.raises(errors.OutputError, match="不会替换"):
        with publish.staged(out) as staging:
            (staging / "checks.json").write_text("{}", encoding="utf-8")
    assert (out / "合同.docx" if kind == "folder" else out).read_bytes() == b"precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Documents"]


def test_a_name_with_dollar_signs_draws_as_text() -> None:
    from nianbao import drawing
    from nianbao.summary import _chart

    out = _chart("各单位新收申请（件）", ["甲$乙$丙局", "$\\undefinedcommand{x}$ 局"], [3, 4])
    assert 'src="data:image/png;base64,iVBOR' in out.bundle["text/html"]  # drawn, no mathtext error
    assert "甲$乙$丙局 3" in out.bundle["text/plain"] and drawing.render_pdf


def test_writing_where_no_folder_exists_is_one_line(project: Project) -> None:
    result = invoke(project, "export", "-a", "shimen", "-y", "2024", "-o", "/proc/no-such-folder/shimen.csv")
    assert result.exit_code == 1 and result.output.startswith("Error: ") and "目录不存在" in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1



# ---------------------------------------------------------------- 7. input files: bounded work, what the bytes say


def clean(result) -> bool:
    """The command ended by itself, with no traceback and no stray exception."""
    return "Traceback" not in result.output and (result.exception is None or isinstance(result.exception, SystemExit))


def sparse(path: Path, size: int) -> Path:
    """A file of ``size`` bytes that costs no disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        f.truncate(size)
    return path


@pytest.mark.parametrize("name", ["big.txt", "big.html", "big.pdf", "big.docx"])
def test_a_report_far_larger_than_any_is_refused_by_its_size(tmp_path: Path, name: str) -> None:
    from nianbao.inputs import KINDS

    path = sparse(tmp_path / name, KINDS[name.split(".")[1]].limit + 1)  # zeros: were they read, refused for another reason
    result = CliRunner().invoke(main, ["import", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1 and clean(result), result.output
    assert f"文件 {path}：文件有" in result.output and "的上限" in result.output and "请确认选对了文件" in result.output
    compared = CliRunner().invoke(main, ["compare", str(path), str(SHIMEN)])
    assert compared.exit_code == 2 and clean(compared) and f"文件 {path}：文件有" in compared.output, compared.output


def test_data_files_far_larger_than_any_are_refused_by_their_size(project: Project, tmp_path: Path) -> None:
    import json

    from nianbao.inputs import KINDS

    sparse(project.data_dir / "2024" / "shimen.yaml", KINDS["yaml"].limit + 1)
    checked = invoke(project, "check", "-a", "shimen", "-y", "2024")
    assert checked.exit_code == 1 and clean(checked) and "YAML 文件的上限" in checked.output, checked.output
    workbook = sparse(tmp_path / "back" / "big.xlsx", KINDS["xlsx"].limit + 1)
    compared = CliRunner().invoke(main, ["compare", str(workbook), str(SHIMEN)])
    assert compared.exit_code == 2 and clean(compared) and "Excel 工作簿的上限" in compared.output, compared.output
    collected = invoke(project, "collect", str(tmp_path / "back"), "--year", "2024", "--format", "json")
    [entry] = [e for e in json.loads(collected.output)["entries"] if e["file"]]
    assert collected.exit_code == 1 and entry["status"] == "unrecognised" and "Excel 工作簿的上限" in entry["problems"][0]
    manifest = sparse(tmp_path / "清单.csv", KINDS["csv"].limit + 1)
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "a.txt").write_text("2024年政府信息公开工作年度报告\n", encoding="utf-8")
    audited = CliRunner().invoke(main, ["audit", str(tmp_path / "reports"), "--manifest", str(manifest)])
    assert audited.exit_code == 1 and clean(audited) and "清单的上限" in audited.output, audited.output


def test_a_page_of_far_more_elements_than_any_report_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    from nianbao.inputs import MAX_HTML_TAGS

    path = tmp_path / "page.html"
    path.write_bytes(b"<html><body><table>" + b"<tr><td>1</td></tr>" * (MAX_HTML_TAGS // 2) + b"</table></body></html>")
    result = CliRunner().invoke(main, ["import", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1 and clean(result), result.output
    assert f"文件 {path}：无法读取网页：网页中有 {MAX_HTML_TAGS + 3} 个标签" in result.output and "另存为" in result.output


def test_a_pipe_where_a_report_should_be_is_refused_not_waited_on(tmp_path: Path) -> None:
    import os

    from nianbao.importer import read_report

    os.mkfifo(tmp_path / "report.txt")  # opened to be read, it would wait for a writer forever
    with pytest.raises(DataError, match="不是普通文件"):
        read_report(tmp_path / "report.txt")


def pdf(pages: list[bytes], size: int = 595, form: bytes = b"") -> bytes:
    """A PDF of these pages' content streams (deflated), Helvetica as F1, each page ``size`` points square;
    ``form``, when given, is a form the pages can draw as X1.
    """
    import zlib

    def stream(content: bytes, kind: str = "") -> bytes:
        data = zlib.compress(content)
        return f"<< {kind}/Length {len(data)} /Filter /FlateDecode >>\nstream\n".encode() + data + b"\nendstream"

    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               f"<< /Type /Pages /Kids [{' '.join(f'{4 + 2 * i} 0 R' for i in range(len(pages)))}] /Count {len(pages)} >>".encode(),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    forms = f"/XObject << /X1 {4 + 2 * len(pages)} 0 R >> " if form else ""
    for i, content in enumerate(pages):
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {size} {size}] /Resources << /Font << /F1 3 0 R >> "
                       f"{forms}>> /Contents {5 + 2 * i} 0 R >>".encode())
        objects.append(stream(content))
    if form:
        objects.append(stream(form, f"/Type /XObject /Subtype /Form /BBox [0 0 {size} {size}] "))
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode() + b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


TITLE = b"BT /F1 10 Tf 20 5 Td (2024 annual report) Tj ET\n"


def ruled(lines: int, step: float = 5) -> bytes:
    """A page ruled with ``lines`` horizontal and ``lines`` vertical lines, ``step`` points apart."""
    end = 20 + step * lines
    return TITLE + b"\n".join(f"20 {p} m {end} {p} l S {p} 20 m {p} {end} l S".encode()
                               for p in (20 + step * i for i in range(lines)))


def dashed(positions: int, dashes: int) -> bytes:
    """Rules broken into dashes too far apart to join: many rules on a small lattice."""
    return TITLE + b"\n".join(f"{20 + 10 * d} {20 + 9 * p} m {25 + 10 * d} {20 + 9 * p} l S "
                               f"{20 + 9 * p} {20 + 10 * d} m {20 + 9 * p} {25 + 10 * d} l S".encode()
                               for p in range(positions) for d in range(dashes))


def strokes(count: int) -> bytes:
    """``count`` short horizontal rules that cross nothing."""
    return TITLE + b"\n".join(f"{20 + 10 * (i % 50)} {20 + 9 * (i // 50)} m {25 + 10 * (i % 50)} {20 + 9 * (i // 50)} l S".encode()
                               for i in range(count))


HOSTILE_PDFS = {
    "ruled 600 × 600": ([ruled(600)], 3100, "第 1 页的线条交成 600 × 600 的网格"),
    "101 pages": ([TITLE] * 101, 595, "PDF 有 101 页（上限 100 页）"),
    "3,060 dashes": ([dashed(30, 51)], 595, "第 1 页有 3060 段线条"),
    "a huge content stream": ([TITLE + b"0 0 m 1 1 l S\n" * 40_000], 595, "第 1 页的内容解压后超过每页上限 512 KB"),
    "a form drawn 5,000 times": ([TITLE + b"/X1 Do\n" * 5_000], 595, "第 1 页的内容解压后超过每页上限 512 KB",
                                  b"0 0 m 1 1 l S\n" * 1_000),
    "21,000 characters": ([TITLE + b"BT /F1 1 Tf 20 300 Td (" + b"x" * 21_000 + b") Tj ET"], 595, "个字符（每页上限 20000）"),
    "pages within the bounds, too many in all": ([TITLE + b"0 0 m 1 1 l S\n" * 35_000] * 5, 595, "前 5 页的内容解压后合计超过上限 2 MB"),
    "characters within the bounds, too many in all": ([TITLE + b"BT /F1 1 Tf 20 300 Td (" + b"x" * 19_000 + b") Tj ET"] * 6, 595,
                                                      "个字符（上限 100000）"),
    "rules within the bounds, too many in all": ([strokes(2_520)] * 6, 595, "前 6 页共有 15120 段线条（上限 15000）"),
    "grids within the bounds, too many in all": ([ruled(60, 8)] * 6, 520, "前 6 页的线条共交成 21600 个交点（上限 20000）"),
}


@pytest.mark.parametrize("case", HOSTILE_PDFS)
def test_a_pdf_asking_for_unbounded_work_is_refused_naming_the_page(tmp_path: Path, case: str) -> None:
    pages, size, says, *form = HOSTILE_PDFS[case]
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf(pages, size, *form))
    result = CliRunner().invoke(main, ["import", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1 and clean(result), result.output
    assert f"文件 {path}：" in result.output and says in result.output, result.output
    assert "请确认选对了文件" in result.output or "请改用网页版" in result.output


def repacked(source: Path, path: Path, parts: dict[str, bytes], types: str = "") -> Path:
    """A copy of the package ``source`` with ``parts`` put in (deflated) and ``types`` added to its content types."""
    parts = dict(parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = parts.pop(item.filename, None) or old.read(item)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", types.encode() + b"</Types>")
            new.writestr(item, data)
        for name, data in parts.items():
            new.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
    return path


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    """A template filled with 石门镇's 2024 figures, as an agency returns it."""
    return write_template(tmp_path / "template.xlsx", "shimen", "石门镇", 2024, read_yaml(SHIMEN))


@pytest.mark.parametrize(
    ("parts", "says"),
    [
        ({"xl/worksheets/sheet9.xml": b" " * (21 * 2**20)}, "其中的 XML 解压后有 21 MB"),  # 21 MB in ~20 KB
        ({f"xl/media/image{i}.png": b"" for i in range(1000)}, "包中有 1014 个部件"),
    ],
)
def test_a_decompression_bomb_is_refused_by_the_package_directory(project: Project, workbook: Path, parts, says: str) -> None:
    import json

    back = repacked(workbook, project.root / "back" / "石门镇.xlsx", parts)
    collected = invoke(project, "collect", str(back.parent), "--year", "2024", "--format", "json")
    [entry] = [e for e in json.loads(collected.output)["entries"] if e["file"]]
    assert entry["status"] == "unrecognised" and says in entry["problems"][0], entry
    assert not (project.data_dir / "2024" / "shimen.xlsx").exists()
    (project.data_dir / "2024" / "shimen.yaml").unlink()
    back.rename(project.data_dir / "2024" / "shimen.xlsx")
    checked = invoke(project, "check", "-a", "shimen", "-y", "2024")
    assert checked.exit_code == 1 and clean(checked) and says in checked.output and "shimen.xlsx" in checked.output


def test_a_word_file_that_inflates_to_gigabytes_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    path = tmp_path / "report.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", b"<w:document>" + b" " * (21 * 2**20) + b"</w:document>")
    result = CliRunner().invoke(main, ["import", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1 and clean(result) and "无法读取 Word 文件：其中的 XML 解压后有 21 MB" in result.output


def test_a_part_that_inflates_past_the_size_its_directory_says_is_not_read_past_it(tmp_path: Path) -> None:
    import struct

    path = tmp_path / "report.docx"
    inflated = b"<w:document>" + b" " * 3_000_000 + b"</w:document>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", inflated)
    raw = path.read_bytes()
    stated = struct.pack("<I", len(inflated))
    path.write_bytes(raw.replace(stated, struct.pack("<I", 100)))  # both headers claim 100 bytes
    result = CliRunner().invoke(main, ["import", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1 and clean(result) and "无法读取 Word 文件" in result.output and "CRC" in result.output


def ole2(stream: str) -> bytes:
    """The start of a compound file (an old .xls / .doc) whose directory names ``stream``."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + stream.encode("utf-16-le") + bytes(64)


def zipped(*names: str) -> bytes:
    """A zip of these (empty) parts."""
    import io

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for name in names:
            package.writestr(name, "application/vnd.oasis.opendocument.spreadsheet" if name == "mimetype" else "<x/>")
    return out.getvalue()


COPIED = ROOT / "tests" / "fixtures" / "import" / "run-together-linjiang-nyj-2024.txt"
MASQUERADES = [
    ("data.xlsx", ole2("Workbook"), "内容却是旧版 Excel 工作簿（.xls）", "“另存为”Excel 工作簿（*.xlsx）"),
    ("data.xlsx", ole2("EncryptedPackage"), "设置了打开密码", "取消打开密码"),
    ("data.xlsx", "单位,年度,本年新收\nshimen,2024,80\n".encode(), "内容却是文字（如 CSV", "“另存为”Excel 工作簿（*.xlsx）"),
    ("data.xlsx", b"<html><body><table><tr><td>80</td></tr></table></body></html>", "内容却是网页", "“另存为”Excel 工作簿"),
    ("data.xlsx", zipped("a/b.txt"), "内容却是 zip 压缩包", "请先解压"),
    ("data.xlsx", zipped("[Content_Types].xml", "word/document.xml"), "内容却是 Word 文档", "扩展名应为 .docx"),
    ("data.xlsx", zipped("mimetype", "content.xml"), "OpenDocument 表格", "另存为"),
    ("data.xlsx", b"PK\x03\x04" + bytes(60), "文件已损坏", "重新下载"),
    ("data.yaml", zipped("[Content_Types].xml", "xl/workbook.xml"), "内容却是 Excel 工作簿", "扩展名应为 .xlsx"),
    ("report.docx", ole2("WordDocument"), "内容却是旧版 Word 文档（.doc）", "“另存为”Word 文档（*.docx）"),
    ("report.docx", b"{\\rtf1\\ansi 2024}", "内容却是 RTF 文档", "“另存为”Word 文档（*.docx）"),
    ("report.pdf", b"<!DOCTYPE html><html><title>2024</title></html>", "内容却是网页（HTML）", "扩展名应为 .html"),
    ("report.pdf", b"", "文件是空的（0 字节）", "重新下载"),
    ("report.pdf", b"\x89PNG\r\n\x1a\n" + bytes(40), "内容却是图片", "可复制文字的 PDF"),
    ("report.html", b"%PDF-1.7\n", "内容却是 PDF 文件", "扩展名应为 .pdf"),
    ("report.txt", COPIED.read_text(encoding="utf-8").encode("utf-16-le"), "UTF-16", "另存为”UTF-8"),
]


@pytest.mark.parametrize(("name", "content", "says", "todo"), MASQUERADES, ids=[f"{m[0]}-{m[2]}" for m in MASQUERADES])
def test_a_file_that_is_another_format_says_what_it_seems_to_be_and_what_to_do(tmp_path: Path, name, content, says, todo) -> None:
    from nianbao.importer import read_report

    path = tmp_path / name
    path.write_bytes(content)
    reader = {".xlsx": read_xlsx, ".yaml": read_yaml}.get(path.suffix, read_report)
    with pytest.raises(DataError) as caught:
        reader(path)
    assert says in caught.value.message and todo in caught.value.hint, str(caught.value)
    assert str(caught.value.file) == str(path)


def test_a_returned_xls_under_an_xlsx_name_is_listed_as_unrecognised(project: Project, tmp_path: Path) -> None:
    (tmp_path / "back").mkdir()
    (tmp_path / "back" / "石门镇.xlsx").write_bytes(ole2("Workbook"))
    result = invoke(project, "collect", str(tmp_path / "back"), "--year", "2024")
    assert result.exit_code == 1 and clean(result) and "无法识别 1" in result.output
    assert "旧版 Excel 工作簿（.xls）" in result.output and "另存为" in result.output


VBA = '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
ACTIVE = [
    ({"xl/vbaProject.bin": ole2("VBA")}, VBA, "宏（VBA）"),
    ({"xl/vbaProject.bin": ole2("VBA")}, "", "宏（VBA）"),
    ({}, '<Override PartName="/xl/m.xml" ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"/>', "宏（VBA）"),
    ({"xl/macrosheets/sheet1.xml": b"<xm:macrosheet/>"}, "", "Excel 4.0 宏表"),
    ({"xl/activeX/activeX1.xml": b"<ax:ocx/>"}, "", "ActiveX 控件"),
    ({"xl/embeddings/oleObject1.bin": ole2("Ole10Native")}, "", "嵌入的 OLE 对象"),
]


@pytest.mark.parametrize(("parts", "types", "says"), ACTIVE, ids=["vba", "vba-part", "macro-type", "xlm", "activex", "ole"])
def test_a_workbook_with_macros_is_neither_collected_nor_read(project: Project, workbook: Path, parts, types, says) -> None:
    import json

    back = repacked(workbook, project.root / "back" / "石门镇.xlsx", parts, types)
    collected = invoke(project, "collect", str(back.parent), "--year", "2024", "--format", "json")
    [entry] = [e for e in json.loads(collected.output)["entries"] if e["file"]]
    assert collected.exit_code == 1 and entry["status"] == "unrecognised", entry
    assert f"工作簿中带有{says}" in entry["problems"][0] and "另存为不带宏的 Excel 工作簿（*.xlsx）后再交回" in entry["problems"][0]
    assert not (project.data_dir / "2024" / "shimen.xlsx").exists()  # what collect stores holds no code
    (project.data_dir / "2024" / "shimen.yaml").unlink()
    back.rename(project.data_dir / "2024" / "shimen.xlsx")
    checked = invoke(project, "check", "-a", "shimen", "-y", "2024")
    assert checked.exit_code == 1 and clean(checked) and f"工作簿中带有{says}" in checked.output


def test_the_template_as_filled_is_still_collected(project: Project, workbook: Path) -> None:
    back = repacked(workbook, project.root / "back" / "石门镇.xlsx", {"xl/media/image1.png": b"\x89PNG"})
    result = invoke(project, "collect", str(back.parent), "--year", "2024", "--dry-run")
    assert "已交回、无误 1" in result.output and "无法识别 0" in result.output, result.output


def test_a_picture_claiming_a_billion_pixels_is_an_unreadable_workbook(tmp_path: Path, workbook: Path) -> None:
    import io
    import struct
    import zlib

    from openpyxl.drawing.image import Image
    from PIL import Image as Pillow

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    small = io.BytesIO()
    Pillow.new("L", (1, 1)).save(small, "PNG")
    book = openpyxl.load_workbook(workbook)
    book.worksheets[0].add_image(Image(small), "H1")
    book.save(tmp_path / "pictured.xlsx")
    huge = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 40_000, 40_000, 8, 0, 0, 0, 0)) + chunk(b"IEND", b"")
    path = repacked(tmp_path / "pictured.xlsx", tmp_path / "bomb.xlsx", {"xl/media/image1.png": huge})
    with pytest.raises(DataError, match="无法作为 Excel 工作簿打开") as caught:
        read_xlsx(path)
    assert caught.value.file == path and "另存为" in caught.value.hint
