"""Loading YAML data and params: every bad input gets one error naming where and what to do."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from nianbao.cli import main
from nianbao.errors import DataError, ParamsError
from nianbao.load import load_report, read_yaml
from nianbao.params import NOTEBOOK_PARAMETERS, Project, agency, load_registry, read_run_params

from .conftest import ROOT, SEED


def write_variant(tmp_path: Path, change) -> Path:
    raw = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    change(raw)
    path = tmp_path / "data.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_seed_loads_with_blank_apart_from_zero(seed) -> None:
    assert seed.cells["A.rules.issued"] is None
    assert seed.cells["A.coercion.decisions"] == 0
    assert seed.cells["A.fees.amount"] == 46.6847
    assert seed.cells["B.carried_over.total"] is None
    assert seed.cells["C.cases.review_total"] == "?"
    assert seed.published == "2025-01-31"


@pytest.mark.parametrize(
    ("change", "error", "where"),
    [
        (lambda r: r["B"].__setitem__("new", ["80件", None, None, None, None, None, 80]), "文本“80件”", "B.new[0]"),
        (lambda r: r["B"].__setitem__("new", [-1, None, None, None, None, None, 80]), "不能为负数", "B.new[0]"),
        (lambda r: r["A"].__setitem__("licensing", [2.5]), "应为整数", "A.licensing[0]"),
        (lambda r: r["B"].pop("partial"), "缺少“（二）部分公开", "B.partial"),
        (lambda r: r["B"].__setitem__("partal", r["B"].pop("partial")), "未知的行 ['partal']", "键 B"),
        (lambda r: r["C"].__setitem__("cases", [0] * 14), "应有 15 个值", "C.cases"),
        (lambda r: r.pop("A"), "缺少表 A", "键 A"),
        (lambda r: r.__setitem__("year", "2024年"), "年度“2024年”无效", "键 year"),
        (lambda r: r["narrative"]["overview"].__setitem__("requests", "收到{{ 收到了 }}件"), "占位符", "narrative.overview.requests"),
        (lambda r: r["narrative"].__setitem__("summary", "x"), "未知的段落", "narrative"),
        (lambda r: r.__setitem__("published", "2025-13-01"), "发布日期", "published"),
    ],
    ids=["text", "negative", "fraction", "missing-row", "moved-label", "short-row", "missing-table", "bad-year",
         "bad-placeholder", "unknown-section", "bad-date"],
)
def test_bad_yaml_names_file_key_and_fix(tmp_path: Path, change, error: str, where: str) -> None:
    path = write_variant(tmp_path, change)
    with pytest.raises(DataError) as info:
        read_yaml(path)
    message = str(info.value)
    assert error in message
    assert where in message
    assert str(path) in message


def test_fee_keeps_its_decimals_and_dashes_stay_as_written(tmp_path: Path) -> None:
    def change(raw):
        raw["A"]["fees"] = ["46.6847"]
        raw["B"]["partial"] = ["/", "—", None, None, None, None, 0]

    data = read_yaml(write_variant(tmp_path, change))
    assert data.cells["A.fees.amount"] == 46.6847
    assert data.cells["B.partial.natural"] == "/"
    assert data.cells["B.partial.commercial"] == "—"
    assert data.cells["B.partial.total"] == 0


def test_missing_data_file_says_how_to_make_one(project: Project) -> None:
    with pytest.raises(ParamsError, match=r"没有 yueyanglou 的 2031 年数据.*nianbao template --agency yueyanglou --year 2031"):
        load_report(project, "yueyanglou", 2031)


def test_two_data_files_for_one_year_are_refused(project: Project) -> None:
    (project.data_dir / "2024" / "yueyanglou.xlsx").write_bytes(b"")
    with pytest.raises(DataError, match="两份数据文件"):
        load_report(project, "yueyanglou", 2024)


def test_data_filed_under_the_wrong_agency_is_refused(project: Project) -> None:
    target = project.data_dir / "2024" / "shimen.yaml"
    target.write_text((project.data_dir / "2024" / "yueyanglou.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(DataError, match="文件中写的是 yueyanglou 2024 年"):
        load_report(project, "shimen", 2024)


def test_unknown_agency_lists_the_known_ones(project: Project) -> None:
    with pytest.raises(ParamsError, match=r"未知单位 'nowhere'.*yueyanglou"):
        agency(project, "nowhere")


def test_registry_refuses_a_non_ascii_id(project: Project) -> None:
    path = project.params_dir / "agencies.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n岳阳:\n  name: x\n  kind: government\n", encoding="utf-8")
    with pytest.raises(ParamsError, match="单位代码“岳阳”不合规"):
        load_registry(project)


def test_registry_refuses_an_unknown_kind(project: Project) -> None:
    path = project.params_dir / "agencies.yaml"
    path.write_text("x1:\n  name: 某局\n  kind: bureau\n", encoding="utf-8")
    with pytest.raises(ParamsError, match=r"x1\.kind.*单位类型“bureau”无效"):
        load_registry(project)


def test_every_params_file_parses_and_names_its_own_agency_year() -> None:
    project = Project(ROOT)
    registry = load_registry(project)
    files = project.params_files()
    assert files
    for path in files:
        params = read_run_params(path)
        assert set(params) <= set(NOTEBOOK_PARAMETERS)
        assert (params["agency"], params["year"]) == (path.stem, int(path.parent.name))
        assert params["agency"] in registry
        assert project.data_files(params["agency"], params["year"]), f"no data for {path}"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["render", "--agency", "nowhere", "--year", "2024"], "未知单位 'nowhere'"),
        (["render", "--agency", "yueyanglou", "--year", "2031"], "没有 yueyanglou 的 2031 年数据"),
        (["export", "--agency", "yueyanglou", "--year", "2024"], "文本“八十”"),
    ],
)
def test_cli_reports_bad_input_without_traceback(project: Project, args: list[str], message: str) -> None:
    path = project.data_dir / "2024" / "yueyanglou.yaml"
    path.write_text(re.sub(r"new: +\[80,", "new: [八十,", path.read_text(encoding="utf-8")), encoding="utf-8")
    result = CliRunner().invoke(main, ["--project", str(project.root), *args])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ")
    assert message in result.output
    assert "Traceback" not in result.output
