"""The season board: each agency's stage from what the round left behind, the deadline, ``nianbao status``."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from nianbao import approval, season
from nianbao.cli import main
from nianbao.errors import ParamsError
from nianbao.params import Project, load_registry
from nianbao.run import Fingerprints, Run, rests_on

from .conftest import copy_project

YEAR = 2025
#: Agencies added to the copied registry, so that every stage has one of its own.
EXTRA = ("alpha", "beta", "gamma", "delta", "epsilon", "zeta")


def ledger_record(agency: str, status: str = "rendered", errors: int = 0, warnings: int = 0, **extra) -> dict:
    return {"kind": "report", "agency": agency, "year": YEAR, "status": status, "reason": extra.pop("reason", ""),
            "checks": {"errors": errors, "warnings": warnings}, "key": "k", "outputs": {}, **extra}


@pytest.mark.parametrize(("sent", "returned", "record", "approved", "released", "stage"), [
    (False, False, None, "", False, "unsent"),
    (True, False, None, "", False, "sent"),
    (True, True, None, "", False, "returned"),
    (False, True, None, "", False, "returned"),  # data put straight into data/: returned all the same
    (True, True, ledger_record("x", "failed", reason="笔记本出错"), "", False, "failed"),
    (True, True, ledger_record("x", errors=3), "", False, "errors"),
    (True, True, ledger_record("x", pending=["2 格无法确定"]), "", False, "rendered"),
    (True, True, ledger_record("x", warnings=2), "", False, "review"),
    (True, True, ledger_record("x"), "stale", False, "stale"),
    (True, True, ledger_record("x"), "approved", False, "approved"),
    (True, True, ledger_record("x"), "approved", True, "released"),
])
def test_each_stage_is_decided_from_its_facts(sent, returned, record, approved, released, stage) -> None:
    assert season.stage_of(sent, returned, record, approved, released).key == stage
    changed = season.stage_of(sent, returned, record, approved, released, changed=True).key
    # what a rendering rested on changed since: a render is due, unless the reviewers' word or a release decides
    assert changed == ("changed" if record is not None and not approved and not released else stage)


def test_the_stages_are_listed_once_in_order_with_distinct_keys_and_labels() -> None:
    assert [s.key for s in season.STAGES][0] == "unsent" and season.STAGES[-1].label == "已发布"
    assert len({s.key for s in season.STAGES}) == len({s.label for s in season.STAGES}) == len(season.STAGES)
    assert season.BY_KEY["stale"].label == approval.STALE and season.BY_KEY["approved"].label == approval.CURRENT


@pytest.fixture
def round_project(tmp_path: Path, monkeypatch) -> tuple[Project, dict]:
    """A copy with ten agencies, one at each stage of 2025's round: files, a ledger, approvals (a stand-in)."""
    project = copy_project(tmp_path / "project")
    with (project.params_dir / "agencies.yaml").open("a", encoding="utf-8") as f:
        for i, agency in enumerate(EXTRA):
            f.write(f"{agency}:\n  name: 青川市临江区第{i + 1}测试局\n  kind: department\n")
    registry = load_registry(project)
    sent = [a for a in registry if a != "yueyanglou"]  # yueyanglou: no template sent, no data
    season.record_sent(project, YEAR, {a: project.root / f"{a}.xlsx" for a in sent},
                       at=dt.datetime(2025, 12, 20, 9, 0, tzinfo=dt.timezone.utc))
    folder = project.data_dir / str(YEAR)
    folder.mkdir()
    for agency in sent[1:]:  # the first one sent (linjiang-scjg) has not returned anything
        (folder / f"{agency}.yaml").write_text("# returned\n", encoding="utf-8")
    ledger = {f"{YEAR}/{a}": r for a, r in {
        "broken-example": ledger_record("broken-example", errors=6, warnings=1),
        "shimen": ledger_record("shimen", "failed", reason="笔记本第 4 格出错"),
        "alpha": ledger_record("alpha", pending=["1 格无法确定（？）"]),
        "beta": ledger_record("beta", warnings=2),
        "gamma": ledger_record("gamma"), "delta": ledger_record("delta"), "epsilon": ledger_record("epsilon"),
        # rendered from data since changed, and from a registry entry since edited
        "zeta": ledger_record("zeta", inputs={**rests_on(Run(project, YEAR, "zeta"), registry, Fingerprints()),
                                               f"data/{YEAR}/zeta.yaml": "0" * 64, "params/agencies.yaml#zeta": "1" * 64}),
    }.items()}  # jiangbin: returned, not rendered
    signed = approval.Approval("王审核", "2026-01-10T09:30:00Z", "", "0" * 64, {"f": "0" * 64})
    states = {"gamma": "stale", "delta": "approved", "epsilon": "approved"}
    monkeypatch.setattr(season, "approval_of", lambda p, a, y: (states[a], signed) if a in states else ("", None))
    approval.append(project, {"event": "release", "agency": "epsilon", "year": YEAR, "at": "2026-01-20T08:00:00Z"})
    approval.append(project, {"event": "release", "agency": "delta", "year": YEAR - 1})  # another year's
    approval.append(project, {"event": "release", "agency": "gamma", "year": YEAR, "at": "2026-01-19T08:00:00Z"})
    approval.append(project, {"event": "unrelease", "agency": "gamma", "year": YEAR})  # taken out of the package again
    return project, ledger


EXPECTED = {"yueyanglou": "unsent", "linjiang-scjg": "sent", "jiangbin": "returned", "zeta": "changed", "shimen": "failed",
            "broken-example": "errors", "alpha": "rendered", "beta": "review", "gamma": "stale", "delta": "approved",
            "epsilon": "released"}


def test_the_board_gives_every_agency_of_the_registry_its_stage(round_project) -> None:
    project, ledger = round_project
    board = season.board(project, YEAR, ledger, load_registry(project), today=dt.date(2026, 1, 21))
    assert {r.agency: r.stage.key for r in board.rows} == EXPECTED
    rows = {r.agency: r for r in board.rows}
    assert (rows["broken-example"].errors, rows["broken-example"].warnings) == (6, 1)
    assert rows["jiangbin"].errors is None
    assert (rows["delta"].approved_by, rows["delta"].approved_at) == ("王审核", "2026-01-10T09:30:00Z")
    assert rows["linjiang-scjg"].note == "模板发于 2025-12-20" and rows["epsilon"].note == "发布于 2026-01-20"
    assert rows["shimen"].note == "笔记本第 4 格出错" and rows["alpha"].note == "待处理：1 格无法确定（？）"
    assert rows["zeta"].note == (f"渲染后改动了 data/{YEAR}/zeta.yaml、params/agencies.yaml 中 zeta 的条目；"
                                 "运行 nianbao batch 重新渲染")
    assert board.deadline == dt.date(2026, 1, 31) and board.days_left == 10 and board.late == []
    assert set(board.totals().values()) == {1}


def test_a_release_taken_back_no_longer_counts_and_a_changed_release_says_so(round_project, monkeypatch) -> None:
    project, ledger = round_project
    assert sorted(season.released(project, YEAR)) == ["epsilon"]
    monkeypatch.setattr(season, "approval_of", lambda p, a, y: ("stale", None) if a == "epsilon" else ("", None))
    board = season.board(project, YEAR, ledger, load_registry(project), today=dt.date(2026, 1, 21))
    epsilon = next(r for r in board.rows if r.agency == "epsilon")
    assert epsilon.stage.key == "released" and epsilon.note == "发布于 2026-01-20；发布后内容已变，须重新审核"


def test_after_the_deadline_every_agency_not_released_is_late(round_project) -> None:
    project, ledger = round_project
    board = season.board(project, YEAR, ledger, load_registry(project), today=dt.date(2026, 2, 3))
    assert board.days_left == -3
    assert sorted(r.agency for r in board.late) == sorted(a for a, s in EXPECTED.items() if s != "released")
    on_the_day = season.board(project, YEAR, ledger, load_registry(project), today=dt.date(2026, 1, 31))
    assert on_the_day.late == [] and season.days_text(on_the_day) == "今天截止"


def test_the_deadline_comes_from_params_season_yaml_and_is_checked(project: Project) -> None:
    assert season.deadline(project, YEAR) == dt.date(2026, 1, 31)
    path = project.params_dir / "season.yaml"
    path.write_text("deadline:\n  2025: 2026-02-06\n  2024: '2025-02-10'\n", encoding="utf-8")
    assert season.deadline(project, YEAR) == dt.date(2026, 2, 6)
    assert season.deadline(project, 2024) == dt.date(2025, 2, 10)
    assert season.deadline(project, 2023) == dt.date(2024, 1, 31)
    path.write_text("deadline:\n  2025: 2025-12-01\n", encoding="utf-8")
    with pytest.raises(ParamsError, match="不在 2025 年之后") as caught:
        season.deadline(project, YEAR)
    assert caught.value.key == "deadline.2025" and caught.value.file == path
    path.write_text("deadline:\n  2025: 下个月\n", encoding="utf-8")
    with pytest.raises(ParamsError, match="不是日期"):
        season.deadline(project, YEAR)
    path.write_text("deadlines: {2025: 2026-02-06}\n", encoding="utf-8")
    with pytest.raises(ParamsError, match="只有 deadline"):
        season.deadline(project, YEAR)


def test_without_an_approval_file_or_with_a_damaged_one_the_real_module_says_not_approved(project: Project) -> None:
    assert season.approval_of(project, "shimen", 2024) == ("", None)
    approval.path(project, "shimen", 2024).write_text("by: [\n", encoding="utf-8")
    assert season.approval_of(project, "shimen", 2024) == ("", None)  # the board and the index still draw


def run(project: Project, *args: str):
    return CliRunner().invoke(main, ["--project", str(project.root), *args])


def test_status_prints_the_board_as_a_chinese_table_with_totals_and_who_is_late(round_project) -> None:
    project, ledger = round_project
    from nianbao.batch.ledger import write_ledger

    write_ledger(project, ledger)
    result = run(project, "status", "--year", "2025", "--today", "2026-02-03")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "2025 年度报告进度（截止 2026-01-31，已过 3 天；按 2026-02-03 计）"
    assert lines[1].startswith("未发模板 1，模板已发，未交回 1，已交回，未渲染 1，") and lines[1].endswith("已发布 1")
    assert lines[2].startswith("逾期 10 个单位：") and "青川市临江区第5测试局" not in lines[2]
    header = lines[4].split()
    assert header == ["单位", "代码", "阶段", "错误", "警告", "审核人", "审核时间", "剩余天数", "说明"]
    broken = next(line for line in lines if "broken-example" in line).split()
    assert broken[2:5] == ["校验有错误", "6", "1"] and "逾期" in broken and "3" in broken
    delta = next(line for line in lines if " delta " in line).split()
    assert delta[2:5] == ["已审核", "0", "0"] and delta[5] == "王审核" and delta[6] == "2026-01-10T09:30"
    released = next(line for line in lines if "epsilon" in line)
    assert "已发布" in released and "逾期" not in released
    assert [line.split()[1] for line in lines[5:]] == sorted(EXPECTED, key=lambda a: (
        [s.key for s in season.STAGES].index(EXPECTED[a]), a))


def test_status_json_carries_keys_labels_counts_and_the_deadline_option(round_project) -> None:
    project, ledger = round_project
    from nianbao.batch.ledger import write_ledger

    write_ledger(project, ledger)
    result = run(project, "status", "-y", "2025", "--format", "json", "--deadline", "2026-02-06", "--today", "2026-02-01")
    assert result.exit_code == 0, result.output
    got = json.loads(result.output)
    assert (got["deadline"], got["days_left"], got["late"]) == ("2026-02-06", 5, [])
    assert got["totals"] == {s.key: 1 for s in season.STAGES}
    broken = next(a for a in got["agencies"] if a["agency"] == "broken-example")
    assert broken == {"agency": "broken-example", "name": "青川市临江区示例错误局", "stage": "errors",
                      "stage_label": "校验有错误", "errors": 6, "warnings": 1, "approved_by": "", "approved_at": "",
                      "days_left": 5, "late": False, "note": ""}
    assert next(a for a in got["agencies"] if a["agency"] == "epsilon")["days_left"] is None


@pytest.mark.parametrize(("option", "code", "message"), [
    ("2026-13-01", 2, "不是日期"), ("2025-06-30", 1, "不在 2025 年之后"),
])
def test_status_refuses_a_deadline_that_is_not_one(project: Project, option: str, code: int, message: str) -> None:
    result = run(project, "status", "--year", "2025", "--deadline", option)
    assert result.exit_code == code and message in result.output


def test_template_all_records_what_it_sent_and_status_shows_it(project: Project, tmp_path: Path) -> None:
    result = run(project, "template", "--year", "2026", "--all", "--out", str(tmp_path / "发各单位"))
    assert result.exit_code == 0, result.output
    sent = season.read_sent(project, 2026)
    assert sorted(sent) == sorted(load_registry(project))
    assert Path(sent["shimen"]["file"]).name == "2026-shimen-青川市临江区石门镇人民政府.xlsx"
    assert Path(sent["shimen"]["file"]).is_file()
    status = run(project, "status", "--year", "2026", "--today", "2026-12-20")
    assert status.exit_code == 0, status.output
    assert status.output.splitlines()[1] == "模板已发，未交回 5"
    assert season.season_year(project, {}) == 2026
