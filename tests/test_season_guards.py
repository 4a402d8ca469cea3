"""What the season's commands must never do: publish what was not approved, lose what a person wrote,
or leave half a change behind when a step fails. No kernel, no TeX.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from nianbao import approval, reviews
from nianbao.batch.ledger import note_render, read_ledger
from nianbao.cli import main
from nianbao.folders import staged
from nianbao.params import Project, load_registry
from nianbao.report import validate
from nianbao.run import Fingerprints, Run, rests_on
from nianbao.season import board
from nianbao.template import layout

from .test_approval import rendered


def invoke(project: Project, *args: str):
    return CliRunner().invoke(main, ["--project", str(project.root), *args])


def approved(project: Project, agency: str = "jiangbin") -> dict[str, Path]:
    files = rendered(project, agency)
    result = invoke(project, "approve", "-a", agency, "-y", "2024", "--by", "张三")
    assert result.exit_code == 0, result.output
    return files


def test_release_never_touches_another_years_package(project: Project, tmp_path: Path) -> None:
    approved(project)
    out = tmp_path / "发布包"
    assert invoke(project, "release", "-y", "2024", "--out", str(out)).exit_code == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    wrong = invoke(project, "release", "-y", "2023", "--out", str(out))
    assert wrong.exit_code == 1 and "是 2024 年的发布包，不是 2023 年的" in wrong.output
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert [e["event"] for e in approval.read_history(project)] == ["approve", "release"]


def test_a_publication_file_edited_after_the_render_is_not_approved(project: Project) -> None:
    files = rendered(project)
    files["publish_docx"].write_bytes(files["publish_docx"].read_bytes() + b"\0")  # a leader's edit, saved over it
    edited = invoke(project, "approve", "-a", "jiangbin", "-y", "2024", "--by", "张三")
    assert edited.exit_code == 1 and "jiangbin-2024.docx" in edited.output and approval.read(project, "jiangbin", 2024) is None
    files = rendered(project)
    pdf = files["publish_html"].with_name("jiangbin-2024.pdf")
    pdf.write_bytes(b"%PDF-1.4 not what nianbao set")  # a PDF put there by hand, after the render
    os.utime(pdf, ns=(files["publish_fragment"].stat().st_mtime_ns + 10**9,) * 2)
    by_hand = invoke(project, "approve", "-a", "jiangbin", "-y", "2024", "--by", "张三")
    assert by_hand.exit_code == 1 and "渲染后被改动过" in by_hand.output and "jiangbin-2024.pdf" in by_hand.output


def test_an_error_found_after_the_approval_holds_back_its_release(project: Project, tmp_path: Path) -> None:
    approved(project)
    last = project.data_dir / "2023" / "jiangbin.yaml"  # last year's carried-forward no longer this year's carried-over
    text = last.read_text(encoding="utf-8")
    last.write_text(re.sub(r"(?m)^(  carried_forward: +)\[.*\]", r"\1[5, 0, 0, 0, 0, 0, 5]", text), encoding="utf-8")
    assert any("X-CARRY" in b for b in approval.blockers(validate(project, "jiangbin", 2024)))
    assert approval.state(project, "jiangbin", 2024)[0] == approval.STALE
    held = invoke(project, "release", "-y", "2024", "--out", str(tmp_path / "out"))
    assert held.exit_code == 1 and "jiangbin" in held.output and "X-CARRY" in held.output
    assert not (tmp_path / "out").exists()


def test_accepts_run_at_once_each_keep_their_review(project: Project) -> None:
    keys = ["B-BALANCE@B.total.total", "B-COLSUM@B.total.natural", "B-ROWSUM@B.carried_forward.total",
            "C-TOTAL@C.cases.review_total", "N-FIGURES@B.new.total", "B-ROWSUM@B.unavailable_not_held.total"]
    runs = [subprocess.Popen([sys.executable, "-m", "nianbao", "--project", str(project.root), "accept", "-a", "broken-example",
                              "-y", "2024", "--rule", k.split("@")[0], "--cell", k.split("@")[1], "--reason", f"理由{i}"],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for i, k in enumerate(keys)]
    said = [p.communicate()[0].decode() for p in runs]
    assert all(p.returncode == 0 for p in runs), said
    kept = {r.key for r in reviews.read(project.reviews_file("broken-example", 2024))}
    assert kept == set(keys)


def test_what_a_person_put_in_an_output_folder_stays_when_it_is_rendered_again(tmp_path: Path) -> None:
    out = tmp_path / "review"
    (out / "publish").mkdir(parents=True)
    (out / "checks.json").write_text("{}", encoding="utf-8")  # a folder the kit wrote
    (out / "审核意见.docx").write_bytes(b"notes")
    (out / "我的笔记").mkdir()
    (out / "我的笔记" / "a.txt").write_text("笔记", encoding="utf-8")
    (out / "publish" / "x-2024.html").write_text("old", encoding="utf-8")
    (out / "publish" / "领导签批.pdf").write_bytes(b"signed")
    with staged(out, frozenset({"checks.json", "publish/x-2024.html"})) as staging:
        (staging / "checks.json").write_text('{"new": 1}', encoding="utf-8")
        (staging / "publish").mkdir()
        (staging / "publish" / "x-2024.html").write_text("new", encoding="utf-8")
    assert (out / "checks.json").read_text(encoding="utf-8") == '{"new": 1}'
    assert (out / "publish" / "x-2024.html").read_text(encoding="utf-8") == "new"
    assert (out / "审核意见.docx").read_bytes() == b"notes" and (out / "我的笔记" / "a.txt").is_file()
    assert (out / "publish" / "领导签批.pdf").read_bytes() == b"signed"


def test_a_collect_that_fails_leaves_the_data_as_it_was(project: Project, tmp_path: Path) -> None:
    returned = tmp_path / "交回"
    returned.mkdir()
    template = invoke(project, "template", "-a", "shimen", "-y", "2024", "--fill", "-o", str(returned / "shimen.xlsx"))
    assert template.exit_code == 0, template.output
    book = openpyxl.load_workbook(returned / "shimen.xlsx")  # a note changed, so that it replaces the YAML
    place = layout().meta["published"]
    book[place.sheet][place.cell] = "2025-01-30"
    book.save(returned / "shimen.xlsx")
    (project.data_dir / "2024" / "shimen.xlsx").mkdir()  # in the way of the workbook's place
    yaml = project.data_dir / "2024" / "shimen.yaml"
    before = yaml.read_bytes()
    result = invoke(project, "collect", str(returned), "--year", "2024")
    assert result.exit_code == 1 and str(project.data_dir / "2024" / "shimen.xlsx") in result.output
    assert ".tmp" not in result.output and yaml.read_bytes() == before


def test_an_approval_the_history_cannot_take_is_undone(project: Project) -> None:
    rendered(project)
    approval.history_path(project).mkdir(parents=True)  # the history cannot be appended to
    result = invoke(project, "approve", "-a", "jiangbin", "-y", "2024", "--by", "张三")
    assert result.exit_code == 1 and approval.read(project, "jiangbin", 2024) is None


def test_a_damaged_history_line_is_said_when_approving(project: Project) -> None:
    rendered(project)
    history = approval.history_path(project)
    history.parent.mkdir(parents=True, exist_ok=True)
    history.write_text('{"event": "x"', encoding="utf-8")
    result = CliRunner().invoke(main, ["--project", str(project.root), "approve", "-a", "jiangbin", "-y", "2024", "--by", "张"])
    assert result.exit_code == 0 and "警告：" in result.output and "damaged" in result.output


def test_a_report_render_made_counts_on_the_board(project: Project) -> None:
    run = Run(project, 2024, "jiangbin")
    rendered(project)
    run.results.write_text(json.dumps({"summary": {"errors": 0, "warnings": 2}}), encoding="utf-8")
    registry = load_registry(project)
    note_render(run, {"errors": 0, "warnings": 2}, "江滨街道", (), rests_on(run, registry, Fingerprints()))
    ledger = read_ledger(project)
    row = next(r for r in board(project, 2024, ledger, registry).rows if r.agency == "jiangbin")
    assert row.stage.key == "review" and ledger["2024/jiangbin"]["key"] == ""  # the next batch renders it again
    data = project.data_dir / "2024" / "jiangbin.yaml"
    data.write_text(data.read_text(encoding="utf-8").replace("重点围绕", "主要围绕", 1), encoding="utf-8")
    assert next(r for r in board(project, 2024, ledger, registry).rows if r.agency == "jiangbin").stage.key == "changed"


def test_a_template_never_lands_beside_a_data_file_and_is_always_a_workbook(project: Project, tmp_path: Path) -> None:
    beside = invoke(project, "template", "-a", "shimen", "-y", "2024")
    assert beside.exit_code == 1 and "两份数据" in beside.output and "-o" in beside.output
    assert not (project.data_dir / "2024" / "shimen.xlsx").exists()
    text = invoke(project, "template", "-a", "shimen", "-y", "2025", "-o", str(tmp_path / "notes.txt"))
    assert text.exit_code == 2 and ".xlsx" in text.output and not (tmp_path / "notes.txt").exists()


def test_export_gives_counts_as_typed_from_a_workbook(project: Project, tmp_path: Path) -> None:
    book = tmp_path / "shimen.xlsx"
    assert invoke(project, "template", "-a", "shimen", "-y", "2024", "--fill", "-o", str(book)).exit_code == 0
    (project.data_dir / "2024" / "shimen.yaml").unlink()
    book.rename(project.data_dir / "2024" / "shimen.xlsx")
    rows = invoke(project, "export", "-a", "shimen", "-y", "2024").output.splitlines()
    natural = next(r for r in rows if r.endswith(",B.new.natural"))
    assert natural.split(",")[-2] == "9"
    exported = json.loads(invoke(project, "export", "-a", "shimen", "-y", "2024", "--format", "json").output)
    assert next(r for r in exported if r["key"] == "B.new.natural")["value"] == 9


def test_the_index_and_status_follow_approve_revoke_and_release(project: Project, tmp_path: Path) -> None:
    from nianbao import index

    rendered(project)
    registry = load_registry(project)
    index.write(project, read_ledger(project), registry)  # as a batch leaves it
    page = project.outputs_dir / "index.html"
    assert invoke(project, "approve", "-a", "jiangbin", "-y", "2024", "--by", "审核员甲").exit_code == 0
    assert "审核员甲" in page.read_text(encoding="utf-8")
    assert invoke(project, "release", "-y", "2024", "--out", str(tmp_path / "out")).exit_code == 0
    assert invoke(project, "approve", "-a", "jiangbin", "-y", "2024", "--by", "审核员甲", "--revoke").exit_code == 0
    row = next(r for r in board(project, 2024, read_ledger(project), registry).rows if r.agency == "jiangbin")
    assert row.stage.key == "released" and "审核已撤回，下次 nianbao release 时移出" in row.note
    again = invoke(project, "release", "-y", "2024", "--out", str(tmp_path / "out"))
    assert again.exit_code == 0 and "移出发布包" in again.output and "jiangbin" in again.output


def test_a_publication_rendered_without_a_record_asks_for_a_render_not_an_edit(project: Project) -> None:
    rendered(project)
    Run(project, 2024, "jiangbin").made.unlink()  # as a render before renders kept the record leaves it
    result = invoke(project, "approve", "-a", "jiangbin", "-y", "2024", "--by", "张三")
    assert result.exit_code == 1 and "没有渲染时留下的记录" in result.output and "nianbao render" in result.output
