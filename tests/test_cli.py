"""The command line: export, template and check, with exact exit codes and output."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from nianbao import __version__
from nianbao.cli import main
from nianbao.format import all_cell_keys
from nianbao.load import read_xlsx
from nianbao.params import Project


def invoke(project: Project, *args: str):
    return CliRunner().invoke(main, ["--project", str(project.root), *args])


def test_version_and_help() -> None:
    assert CliRunner().invoke(main, ["--version"]).output.strip() == f"nianbao, version {__version__}"
    result = CliRunner().invoke(main, ["-h"])
    assert result.exit_code == 0
    for command in ("render", "export", "template", "check"):
        assert command in result.output


def test_every_help_page_reads_in_chinese_and_lines_up() -> None:
    import unicodedata

    from nianbao.cli import main as group

    shown = {name: CliRunner().invoke(main, [name, "-h"]).output for name in group.commands}
    shown[""] = CliRunner().invoke(main, ["-h"]).output
    for name, page in shown.items():
        assert page.startswith("用法：") and "选项：" in page and "显示本帮助并退出。" in page, name
        assert not re.search(r"Usage:|Options:|Show this|\[required\]|\[default|\bTEXT\b|\bINTEGER\b|DIRECTORY", page), name
        options = page[page.index("选项："):].split("\n\n")[0].splitlines()[1:]
        columns = {sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line[:found.start(2)])
                   for line in options if (found := re.match(r"(  -\S.*?)\s{2,}(\S.*)$", line))}
        assert len(columns) == 1, (name, columns)  # every description starts in one column, as a terminal shows it
    commands = shown[""][shown[""].index("命令："):]
    assert "..." not in commands and "把已发布的年报读回为数据文件" in commands


def test_export_csv_is_one_record_per_cell_with_format_labels(project: Project) -> None:
    result = invoke(project, "export", "--agency", "yueyanglou", "--year", "2024", "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [r["key"] for r in rows] == list(all_cell_keys())
    by_key = {r["key"]: r for r in rows}
    assert by_key["A.licensing.decisions"] == {
        "agency": "yueyanglou", "year": "2024", "table": "主动公开政府信息情况", "row": "行政许可",
        "column": "本年处理决定数量", "value": "58787", "key": "A.licensing.decisions",
    }
    assert by_key["A.rules.issued"]["value"] == ""
    assert by_key["C.cases.review_total"]["value"] == "?"


def test_export_json_keeps_blank_apart_from_zero(project: Project, tmp_path: Path) -> None:
    out = tmp_path / "x.json"
    result = invoke(project, "export", "-a", "yueyanglou", "-y", "2024", "--format", "json", "-o", str(out))
    assert result.exit_code == 0
    records = {r["key"]: r["value"] for r in json.loads(out.read_text(encoding="utf-8"))}
    assert records["A.rules.issued"] is None
    assert records["A.coercion.decisions"] == 0
    assert records["A.fees.amount"] == 46.6847


def test_export_is_the_same_twice(project: Project) -> None:
    first = invoke(project, "export", "-a", "shimen", "-y", "2023").output
    assert invoke(project, "export", "-a", "shimen", "-y", "2023").output == first


def test_template_writes_a_workbook_that_loads(project: Project, tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    result = invoke(project, "template", "--agency", "shimen", "--year", "2024", "--fill", "-o", str(out))
    assert result.exit_code == 0 and f"已生成 {out}" in result.output
    assert (read_xlsx(out).agency, read_xlsx(out).year) == ("shimen", 2024)
    again = invoke(project, "template", "--agency", "shimen", "--year", "2024", "-o", str(out))
    assert again.exit_code == 1 and "已存在" in again.output


def test_template_filled_round_trips_every_cell(project: Project, tmp_path: Path) -> None:
    from nianbao.load import load_report

    out = tmp_path / "t.xlsx"
    invoke(project, "template", "-a", "linjiang-scjg", "-y", "2023", "--fill", "-o", str(out))
    assert read_xlsx(out).cells == load_report(project, "linjiang-scjg", 2023).cells


@pytest.mark.parametrize(
    ("args", "code", "text"),
    [
        (["--agency", "shimen"], 0, "共 3 份报告：错误 0，"),
        (["--agency", "broken-example"], 1, "共 1 份报告：错误 6，"),
        ([], 1, "错误 6"),
        (["--agency", "nowhere"], 1, "未知单位 'nowhere'"),
        (["--format", "xml"], 2, "--format 的值不对：“xml”不是可选的值之一"),
    ],
)
def test_check_exit_codes(project: Project, args: list[str], code: int, text: str) -> None:
    result = invoke(project, "check", *args)
    assert result.exit_code == code
    assert text in result.output


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["status"], "缺少选项 --year / -y"),
        (["check", "--year", "abc"], "--year / -y 的值不对：“abc”不是整数"),
        (["status", "--year", "-5"], "--year / -y 的值不对：-5 不在允许的范围"),
        (["check", "--bogus"], "没有选项 --bogus"),
        (["render", "--agency"], "选项 --agency 后面要写一个值"),
        (["rendr"], "没有命令 rendr"),
        (["check", "-y", "2024", "extra"], "多出了参数 extra"),
        (["template", "-a", "shimen", "-y", "2025", "--all"], "--agency 和 --all 只能用一个"),
        (["audit", "x", "--manifest", "/no/such.csv"], "--manifest 的值不对：“/no/such.csv”不存在"),
    ],
)
def test_a_command_line_typed_wrong_is_said_in_chinese_with_exit_code_2(project: Project, args: list[str], says: str) -> None:
    result = invoke(project, *args)
    assert result.exit_code == 2, result.output
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("Error: ") and says in last, result.output
    assert not re.search(r"Missing|Invalid|No such|is not|Try '", result.output), result.output
    assert "查看用法" in result.output


def test_check_json_lists_every_result(project: Project) -> None:
    result = invoke(project, "check", "--agency", "broken-example", "--format", "json")
    payload = json.loads(result.output)
    assert [(p["agency"], p["year"], p["summary"]["errors"]) for p in payload] == [("broken-example", 2024, 6)]
    assert {r["rule"] for r in payload[0]["results"] if r["status"] == "failed" and not r["pack"]} == {
        "B-ROWSUM", "B-COLSUM", "B-BALANCE", "C-TOTAL", "N-FIGURES"}
    packed = {r["rule"] for r in payload[0]["results"] if r["pack"]}  # the bundled pack, params/rules/wuwei-2025.yaml
    assert "WW-LENGTH" in packed and all(r["hint"] for r in payload[0]["results"] if r["pack"])


def test_check_strict_fails_on_warnings_only_when_asked(project: Project) -> None:
    plain = invoke(project, "check", "--agency", "jiangbin")
    assert plain.exit_code == 0 and "[警告] X-CHANGE 行政处罚" in plain.output
    assert invoke(project, "check", "--agency", "jiangbin", "--strict").exit_code == 1


def test_check_parallel_output_equals_serial(project: Project) -> None:
    serial = invoke(project, "check", "--jobs", "1").output
    assert invoke(project, "check", "--jobs", "2").output == serial
    assert serial.index("broken-example") < serial.index("jiangbin") < serial.index("yueyanglou")


def test_verbose_check_lists_skipped_rules_with_reasons(project: Project) -> None:
    result = invoke(project, "check", "-a", "shimen", "-y", "2022", "--verbose")
    assert "[跳过] X-CARRY 没有上一年度（2021 年）的数据，本项跳过（不视为通过）" in result.output


def test_accept_records_a_reviewers_reason_until_the_figures_change(project: Project) -> None:
    args = ["accept", "-a", "broken-example", "-y", "2024", "--rule", "C-TOTAL", "--cell", "C.cases.review_total",
            "--reason", "原件如此，已去函核实", "--by", "审核员"]
    result = invoke(project, *args)
    assert result.exit_code == 0, result.output
    saved = project.reviews_file("broken-example", 2024)
    assert "原件如此，已去函核实" in saved.read_text(encoding="utf-8")
    after = invoke(project, "check", "-a", "broken-example")
    assert "[已说明] C-TOTAL" in after.output and "共 1 份报告：错误 5" in after.output
    data = project.data_dir / "2024" / "broken-example.yaml"
    data.write_text(data.read_text(encoding="utf-8").replace("cases: [10, 1,", "cases: [9, 1,", 1), encoding="utf-8")
    reopened = invoke(project, "check", "-a", "broken-example")
    assert "审核说明已失效" in reopened.output and "错误 6" in reopened.output


def test_accept_refuses_a_finding_that_is_not_there(project: Project) -> None:
    result = invoke(project, "accept", "-a", "shimen", "-y", "2024", "--rule", "C-TOTAL", "--cell", "C.cases.review_total",
                    "--reason", "x")
    assert result.exit_code == 1 and "没有 C-TOTAL@C.cases.review_total 这条待处理的校验结果" in result.output
