"""The batch: what runs, what is skipped, how failures and Ctrl-C are contained, and the command line.

Unit tests need no kernel; the ones marked ``kernel`` render small tmp projects with ``--no-pdf``.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import deque
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

import nianbao.run as run_
from nianbao import batch
from nianbao.batch import planning
from nianbao.cli import main
from nianbao.errors import ParamsError
from nianbao.params import Project, load_registry
from nianbao.run import Run, fingerprint

from .conftest import ROOT


def add_agencies(project: Project, ids: list[str], year: int = 2024, like: str = "shimen") -> None:
    """Synthetic agencies: the bundled township's data for ``year`` under new ids, with registry entries."""
    source = (project.data_dir / str(year) / f"{like}.yaml").read_text(encoding="utf-8")
    registry = project.params_dir / "agencies.yaml"
    entries = "".join(f"{a}:\n  name: 青川市临江区测试单位{i}\n  kind: township\n" for i, a in enumerate(ids, 1))
    registry.write_text(registry.read_text(encoding="utf-8") + "\n" + entries, encoding="utf-8")
    for a in ids:
        text = source.replace(f"agency: {like}\n", f"agency: {a}\n", 1)
        (project.data_dir / str(year) / f"{a}.yaml").write_text(text, encoding="utf-8")


def invoke(project: Project, *args: str):
    return CliRunner().invoke(main, ["--project", str(project.root), "batch", *args])


def statuses(result: batch.Batch) -> dict[str, str]:
    return {f"{r['year']}/{r['agency'] or '_summary'}": r["batch_status"] for r in result.records}


def leftovers(project: Project) -> list[Path]:
    return [p for p in project.outputs_dir.rglob(".*") if p.name.endswith((".tmp", ".old"))]


# ---------------------------------------------------------------- no kernel


def test_plan_lists_every_agency_year_with_data_in_year_order(project: Project) -> None:
    runs = batch.plan(project)
    assert runs[:3] == [("jiangbin", 2022), ("linjiang-scjg", 2022), ("shimen", 2022)]
    assert len(runs) == 11 and ("yueyanglou", 2024) in runs
    assert batch.plan(project, agencies=["shimen"], years=[2023, 2024]) == [("shimen", 2023), ("shimen", 2024)]


@pytest.mark.parametrize(
    ("agencies", "years", "message"),
    [(["nowhere"], [], "未知单位 'nowhere'"), (["yueyanglou"], [2022], "没有 2022 年度的数据")],
)
def test_plan_refuses_what_it_cannot_run(project: Project, agencies, years, message) -> None:
    with pytest.raises(ParamsError, match=message):
        batch.plan(project, agencies, years)


def keys(project: Project, **options) -> dict[tuple[str, int], str]:
    hasher = batch.Hasher(project, {"pdf": True, "timeout": 600, **options})
    return {(a, y): hasher.report(a, y) for a, y in batch.plan(project)}


def changed(before: dict, after: dict) -> set:
    return {run for run in before if before[run] != after[run]}


def test_a_data_change_touches_that_year_and_the_later_ones_of_that_agency_only(project: Project) -> None:
    before = keys(project)
    path = project.data_dir / "2023" / "shimen.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("乡镇", "乡镇。", 1), encoding="utf-8")
    assert changed(before, keys(project)) == {("shimen", 2023), ("shimen", 2024)}  # history feeds the trends


def test_a_registry_entry_touches_only_its_agency(project: Project) -> None:
    before = keys(project)
    registry = project.params_dir / "agencies.yaml"
    text = registry.read_text(encoding="utf-8").replace("0000-6623456", "0000-6623457")
    registry.write_text(text + "\n# a comment changes no entry\n", encoding="utf-8")
    assert changed(before, keys(project)) == {("shimen", y) for y in (2022, 2023, 2024)}


def test_what_a_report_rested_on_is_compared_with_its_files_as_they_are_now(project: Project) -> None:
    from nianbao.run import Fingerprints

    registry = load_registry(project)
    then = run_.rests_on(Run(project, 2024, "shimen"), registry, Fingerprints())
    pack = project.root / "extra-rules.yaml"  # given to that batch only (--rules)
    pack.write_text("rules: []\n", encoding="utf-8")
    record = {"kind": "report", "agency": "shimen", "year": 2024, "inputs": {**then, "extra-rules.yaml": fingerprint(pack)}}
    assert run_.changed_since(project, record, registry) == []
    pack.write_text("rules: [x]\n", encoding="utf-8")
    (project.params_dir / "2024" / "shimen.yaml").write_text("agency: shimen\nyear: 2024\n# 改\n", encoding="utf-8")
    assert run_.changed_since(project, record, registry) == ["extra-rules.yaml", "params/2024/shimen.yaml"]
    # a ledger edited by hand: whatever it names is said, never read unless it is a rule pack, never a crash
    record["inputs"] = {**then, "/proc/self/mem": "x", "../../etc/passwd": "y", "/proc/self/mem.yaml": "z"}
    assert set(run_.changed_since(project, record, registry)) >= {"/proc/self/mem", "../../etc/passwd"}
    assert run_.changed_since(project, {**record, "inputs": ["a"]}, registry) == []  # says nothing: not judged


def test_notebook_params_and_options_touch_what_they_feed(project: Project) -> None:
    before = keys(project)
    assert keys(project) == before  # the same inputs, the same keys
    assert changed(before, keys(project, pdf=False)) == set(before)
    params = project.params_file("jiangbin", 2022)
    params.write_text(params.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert changed(before, keys(project)) == {("jiangbin", 2022)}
    project.notebook.write_text(project.notebook.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert changed(before, keys(project)) == set(before)


def test_rule_packs_are_inputs_of_every_run_and_travel_with_the_tasks(project: Project) -> None:
    from dataclasses import asdict, replace

    from nianbao.batch.tasks import Task

    before = keys(project)
    pack = project.params_dir / "rules" / "wuwei-2025.yaml"
    pack.write_text(pack.read_text(encoding="utf-8").replace("at_most: 1000", "at_most: 900"), encoding="utf-8")
    assert changed(before, keys(project)) == set(before)  # a project pack is an input of every report
    evaluator = (ROOT / "params" / "rules" / "evaluators" / "pingjia-2025.yaml").resolve()
    added = replace(project, rules=(evaluator,))
    now = keys(project)
    assert changed(now, keys(added)) == set(now)  # so is a pack added with --rules, and taking it away again
    task = Task(str(project.root), "", 2024, "shimen", rules=(str(evaluator),))
    again = Task(**json.loads(json.dumps(asdict(task))))  # as a Dask worker's subprocess receives it
    assert again.project.rules == (evaluator,) and again.project.rule_files()[-1] == evaluator


def test_the_code_hash_covers_the_package_sources_and_templates(monkeypatch: pytest.MonkeyPatch) -> None:
    import nianbao

    package = Path(nianbao.__file__).parent
    tracked = subprocess.run(["git", "ls-files", "src/nianbao"], cwd=ROOT, capture_output=True, text=True, check=True)
    tracked_files = {ROOT / line for line in tracked.stdout.split()}
    sources = {p for p in tracked_files if p.is_file()} | set(package.rglob("*.py")) | set(package.rglob("*.j2"))
    hashed = set(batch.code_files())
    assert sources and sources <= hashed, sorted(str(p) for p in sources - hashed)  # every source file counts
    assert batch.code_hash() == batch.code_hash() and len(batch.code_hash()) == 64
    full = batch.code_hash()
    for left_out in (package / "checks" / "sums.py", package / "templates" / "nianbao_latex" / "index.tex.j2"):
        assert left_out in hashed
        monkeypatch.setattr(planning, "code_files", lambda left_out=left_out: sorted(hashed - {left_out}))
        assert planning.code_hash() != full  # a file left out of the hash would go unnoticed


RECORD = {"kind": "report", "agency": "shimen", "year": 2024, "status": "rendered", "checks": {"errors": 0},
          "key": "k" * 64, "outputs": {"html": "2024/shimen/shimen-2024.html"}}


def test_ledger_round_trips(project: Project) -> None:
    runs = {"2024/shimen": RECORD}
    batch.write_ledger(project, runs)
    assert batch.read_ledger(project) == runs
    assert not list(project.outputs_dir.glob(".*.tmp"))


@pytest.mark.parametrize(
    "text",
    [
        '{"version": 1, "runs": {"2024/shimen": {"kind": "rep',  # truncated
        "[1, 2, 3]",  # valid JSON, not a ledger
        '{"version": 1, "runs": []}',
        '{"version": 1, "runs": {"2024/shimen": "rendered"}}',
        '{"version": 1, "runs": {"2024/shimen": {"kind": "report", "year": "2024"}}}',
        '{"version": 1, "runs": {"2024/shimen": {"kind": "report", "agency": "shimen", "year": 2024, '
        '"status": "rendered", "checks": {}, "key": "", "outputs": {"html": 5}}}}',
    ],
)
def test_a_damaged_ledger_is_refused_set_aside_and_rebuilt_from_the_outputs(project: Project, text: str) -> None:
    folder = project.outputs_dir / "2024" / "shimen"
    folder.mkdir(parents=True)
    (folder / "shimen-2024.html").write_text("<html></html>", encoding="utf-8")
    (folder / "checks.json").write_text('{"summary": {"errors": 2, "warnings": 1}}', encoding="utf-8")
    batch.ledger_path(project).write_text(text, encoding="utf-8")
    with pytest.raises(batch.LedgerDamaged, match="ledger.json"):
        batch.read_ledger(project)
    runs, warning = batch.recover_ledger(project, load_registry(project))
    aside = list(project.outputs_dir.glob("ledger.damaged-*.json"))
    assert len(aside) == 1 and aside[0].read_text(encoding="utf-8") == text  # kept, byte for byte
    assert aside[0].name in warning and "重建" in warning
    record = runs["2024/shimen"]
    assert (record["status"], record["checks"], record["key"]) == ("rendered", {"errors": 2, "warnings": 1}, "")
    assert record["outputs"] == {"html": "2024/shimen/shimen-2024.html", "checks": "2024/shimen/checks.json"}
    assert batch.read_ledger(project) == runs  # the rebuilt ledger is a good one


@pytest.mark.parametrize(
    ("failed", "errors", "strict", "code"),
    [(0, 0, False, 0), (0, 2, False, 0), (0, 2, True, 3), (1, 2, True, 1), (1, 0, False, 1)],
)
def test_exit_codes(failed: int, errors: int, strict: bool, code: int) -> None:
    records = [{"kind": "report", "batch_status": "failed", "checks": {}}] * failed
    records += [{"kind": "report", "batch_status": "rendered", "checks": {"errors": errors}}]
    assert batch.Batch(records).exit_code(strict) == code


def test_bad_data_fails_its_run_before_any_kernel_starts(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    from nianbao import publish

    def no_kernel(*args, **kwargs):
        raise AssertionError("the notebook was run")

    monkeypatch.setattr(publish, "report", no_kernel)  # a run reaches its kernel only through publish.report
    path = project.data_dir / "2024" / "shimen.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("licensing: [52]", "licensing: [五十二]"), encoding="utf-8")
    task = batch.Task(str(project.root), "", 2024, "shimen", pdf=False, timeout=30, key="k")
    record = batch.work(task)
    assert record["status"] == "failed" and "五十二" in record["reason"] and "licensing" in record["reason"]
    assert "AssertionError" not in record["reason"]
    assert not task.run.folder.exists() and not leftovers(project)


def test_salvage_keeps_the_partial_notebook_and_undoes_a_half_swap(project: Project) -> None:
    task = batch.Task(str(project.root), "", 2024, "shimen", key="k")
    year = project.outputs_dir / "2024"
    (year / ".shimen.0a1b2c3d.tmp").mkdir(parents=True)
    (year / ".shimen.0a1b2c3d.tmp" / "shimen-2024.ipynb").write_text("{}", encoding="utf-8")
    (year / ".shimen.99999999.old").mkdir()
    (year / ".shimen.99999999.old" / "shimen-2024.html").write_text("old", encoding="utf-8")
    batch.salvage(task, keep=True)
    assert (year / "shimen.failed.ipynb").read_text(encoding="utf-8") == "{}"
    assert (year / "shimen" / "shimen-2024.html").read_text(encoding="utf-8") == "old"
    assert not leftovers(project)


def test_batch_help_and_an_unknown_agency(project: Project) -> None:
    result = CliRunner().invoke(main, ["batch", "-h"])
    assert result.exit_code == 0
    for option in ("--year", "--agency", "--jobs", "--timeout", "--force", "--strict", "--scheduler", "--quiet"):
        assert option in result.output
    result = invoke(project, "--agency", "nowhere")
    assert result.exit_code == 1 and "未知单位 'nowhere'" in result.output


# ---------------------------------------------------------------- kernels


@pytest.mark.kernel
def test_second_run_skips_everything_and_a_change_reruns_exactly_what_it_touches(project: Project) -> None:
    args = ("--year", "2024", "-a", "shimen", "-a", "jiangbin", "--no-pdf", "--jobs", "2")
    first = invoke(project, *args)
    assert first.exit_code == 0, first.output
    ledger = batch.read_ledger(project)
    assert {k: r["status"] for k, r in ledger.items()} == {
        "2024/jiangbin": "rendered", "2024/shimen": "rendered", "2024/_summary": "rendered"}
    shimen = ledger["2024/shimen"]
    assert shimen["checks"]["errors"] == 0 and shimen["duration"] > 0 and len(shimen["key"]) == 64
    assert shimen["outputs"] == {"html": "2024/shimen/shimen-2024.html", "notebook": "2024/shimen/shimen-2024.ipynb",
                                 "checks": "2024/shimen/checks.json",
                                 "publish_html": "2024/shimen/publish/shimen-2024.html",
                                 "publish_fragment": "2024/shimen/publish/shimen-2024.fragment.html",
                                 "publish_docx": "2024/shimen/publish/shimen-2024.docx"}  # --no-pdf: no PDF made
    spent = shimen["stages"]  # CPU seconds per stage: the kernel's read from its process, the rest in the worker
    assert all(spent[s] > 0 for s in ("kernel_start", "kernel_charts", "kernel_cells", "papermill", "html", "docx"))
    assert not any("xelatex" in s for s in spent)  # --no-pdf
    assert spent["hashing"] >= 0  # the parent's part: hashing the run's inputs
    assert (project.outputs_dir / "index.html").is_file() and "合计" in first.output

    from nianbao.batch import loop

    def no_workers(jobs: int):
        raise AssertionError("workers were started")

    with pytest.MonkeyPatch.context() as patch:  # nothing changed: no worker starts, so nothing can be slow
        patch.setattr(loop, "LocalPool", no_workers)
        again = invoke(project, *args)
    assert again.exit_code == 0, again.output
    assert batch.read_ledger(project) == ledger
    history = batch.read_history(project)  # one line per run made; the skipped second batch added none
    assert sorted(f"{r['year']}/{r['agency'] or '_summary'}" for r in history) == sorted(ledger)
    assert all(r["host"] and isinstance(r["worker"], int) and "batch_status" not in r for r in history)

    from nianbao import season

    def stages() -> dict[str, tuple[str, str]]:
        board = season.board(project, 2024, batch.read_ledger(project), load_registry(project))
        return {r.agency: (r.stage.key, r.note) for r in board.rows if r.agency in ("shimen", "jiangbin")}

    assert shimen["inputs"]["data/2024/shimen.yaml"] == fingerprint(project.data_dir / "2024" / "shimen.yaml")
    assert "params/agencies.yaml#shimen" in shimen["inputs"] and "notebooks/report.ipynb" in shimen["inputs"]
    assert {a: s for a, (s, _) in stages().items()} == {"shimen": "review", "jiangbin": "review"}
    path = project.data_dir / "2024" / "shimen.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("licensing: [52]", "licensing: [53]"), encoding="utf-8")
    # the season board says so: its documents are not its data's now (what a batch will render again)
    assert stages() == {"shimen": ("changed", "渲染后改动了 data/2024/shimen.yaml；运行 nianbao batch 重新渲染"),
                        "jiangbin": ("review", "")}
    result = batch.run(project, years=[2024], agencies=["shimen", "jiangbin"], pdf=False, jobs=2)
    assert statuses(result) == {"2024/jiangbin": "skipped", "2024/shimen": "rendered", "2024/_summary": "rendered"}
    assert stages()["shimen"][0] == "review"
    assert not leftovers(project)


LIMIT = 30  # seconds: some ten times what a report takes here on a quiet machine

SABOTAGE = """\
import os, signal, time
if agency == "jiangbin":
    raise RuntimeError("故意出错")
if agency == "linjiang-scjg":
    os._exit(1)  # the kernel dies
if agency == "broken-example":
    os.kill(int(os.environ["JPY_PARENT_PID"]), signal.SIGSTOP)  # the worker hangs: only the parent's clock ends it
if agency == "yueyanglou":
    time.sleep(600)  # a cell past the per-cell limit
"""


@pytest.mark.kernel
def test_failures_are_recorded_with_their_reason_and_partial_notebook_and_the_rest_goes_on(project: Project) -> None:
    nb = nbformat.read(project.notebook, as_version=4)
    nb.cells.insert(3, nbformat.v4.new_code_cell(SABOTAGE))
    nbformat.write(nb, project.notebook)
    # The limit is generous, so that shimen renders within it on a busy machine; the two that hang reach it.
    result = batch.run(project, years=[2024], pdf=False, jobs=2, timeout=LIMIT, summary=False)
    records = {r["agency"]: r for r in result.records}
    assert {a: r["status"] for a, r in records.items()} == {
        "shimen": "rendered", "jiangbin": "failed", "linjiang-scjg": "failed", "broken-example": "failed",
        "yueyanglou": "failed"}
    assert "RuntimeError: 故意出错" in records["jiangbin"]["reason"]
    assert "内核意外退出" in records["linjiang-scjg"]["reason"]
    assert f"超过时限 {LIMIT} 秒" in records["broken-example"]["reason"]
    assert f"代码格运行超过时限 {LIMIT} 秒" in records["yueyanglou"]["reason"]
    for agency in ("jiangbin", "linjiang-scjg", "broken-example", "yueyanglou"):
        kept = project.outputs_dir / records[agency]["outputs"]["failed_notebook"]
        assert nbformat.read(kept, as_version=4).cells, agency
    assert result.exit_code() == 1 and not leftovers(project)
    index = (project.outputs_dir / "index.html").read_text(encoding="utf-8")
    assert index.count('<td class="bad">失败</td>') == 4 and "故意出错" in index


HANG = """\
import os, signal
if agency == "shimen":
    os.kill(int(os.environ["JPY_PARENT_PID"]), signal.SIGSTOP)  # the worker hangs: only the parent's clock ends it
"""


@pytest.mark.kernel
@pytest.mark.tex
def test_reports_rendered_together_fail_alone_and_the_others_are_made_alone_after(project: Project) -> None:
    """One worker takes three reports to set their PDFs together; the second hangs it. That one fails
    over its limit; the one made before it and the one after are given back and made, alone."""
    nb = nbformat.read(project.notebook, as_version=4)
    nb.cells.insert(3, nbformat.v4.new_code_cell(HANG))
    nbformat.write(nb, project.notebook)
    result = batch.run(project, years=[2024], agencies=["jiangbin", "shimen", "yueyanglou"], jobs=1, timeout=LIMIT,
                       summary=False)
    records = {r["agency"]: r for r in result.records}
    assert {a: r["status"] for a, r in records.items()} == {"jiangbin": "rendered", "shimen": "failed",
                                                             "yueyanglou": "rendered"}
    assert f"超过时限 {LIMIT} 秒" in records["shimen"]["reason"]
    for agency in ("jiangbin", "yueyanglou"):
        run = Run(project, 2024, agency)
        assert run.pdf.read_bytes().startswith(b"%PDF") and run.published()["publish_pdf"].read_bytes().startswith(b"%PDF")
    assert not leftovers(project) and not list(project.outputs_dir.rglob("*.tmp"))


def test_a_worker_takes_reports_together_while_every_worker_keeps_a_share() -> None:
    """Reports with PDFs go to a worker a few at a time (fewer as the queue runs out, so that no worker
    idles at the end); without PDFs, or made alone after a stopped worker, one at a time."""
    from nianbao.batch.loop import _Loop

    class Pool:
        jobs, together = 2, 4

    def sizes(pdf: bool, alone: set[str] = frozenset()) -> list[int]:
        loop = _Loop.__new__(_Loop)
        loop.alone = set(alone)
        loop.current = lambda task, force: None
        loop.queue = deque(batch.Task("/p", "", 2024, f"a{i}", pdf, 60, str(i)) for i in range(9))
        taken = []
        while loop.queue:
            taken.append(len(loop.take(Pool(), False)))
        return taken

    assert sizes(True) == [4, 3, 1, 1]
    assert sizes(False) == [1] * 9
    assert sizes(True, {"2024/a1"}) == [1, 1, 4, 2, 1]


@pytest.mark.kernel
def test_strict_returns_3_when_a_check_finds_an_error(project: Project) -> None:
    result = invoke(project, "-a", "broken-example", "--no-pdf", "--no-summary", "--strict", "-q")
    assert result.exit_code == 3, result.output
    assert invoke(project, "-a", "broken-example", "--no-pdf", "--no-summary", "-q").exit_code == 0  # skipped, still 0


@pytest.mark.kernel
@pytest.mark.stress
def test_24_reports_at_once_repeatedly_without_a_spurious_failure(project: Project) -> None:
    ids = [f"t{i:02d}" for i in range(24)]
    add_agencies(project, ids)
    for attempt in range(2):
        result = batch.run(project, agencies=ids, pdf=False, jobs=24, summary=False, force=True, timeout=3600)
        failures = {r["agency"]: r["reason"] for r in result.records if r["status"] != "rendered"}
        assert failures == {}, f"attempt {attempt}: {failures}"
        assert len(result.records) == 24
    assert not leftovers(project)


@pytest.mark.kernel
def test_ctrl_c_stops_workers_and_kernels_and_leaves_no_half_written_output(project: Project) -> None:
    nb = nbformat.read(project.notebook, as_version=4)
    asleep = project.root / "asleep"  # each report's kernel leaves a mark here as it falls asleep
    asleep.mkdir()
    nb.cells.insert(3, nbformat.v4.new_code_cell(
        f"import pathlib, time\npathlib.Path({str(asleep)!r}, agency).touch()\ntime.sleep(600)"))
    nbformat.write(nb, project.notebook)
    proc = subprocess.Popen(
        [sys.executable, "-m", "nianbao", "--project", str(project.root), "batch", "--year", "2024", "--no-pdf", "-j", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        # as from a terminal: a suite started in the background (``cmd &``) passes SIGINT on ignored
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    import psutil

    try:
        # The state needed, however busy the machine: two reports' kernels in their sleeping cell (the
        # overview, started first on one worker, has no such cell and may come and go before them).
        deadline = time.monotonic() + 300
        while len(list(asleep.iterdir())) < 2:
            assert time.monotonic() < deadline and proc.poll() is None, "two kernels never reached their sleep"
            time.sleep(0.1)
        family = psutil.Process(proc.pid).children(recursive=True)
        kernels = [p for p in family if os.getsid(p.pid) == p.pid]  # a kernel leads a session of its own
        assert len(kernels) >= 2
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
        proc.communicate()
    assert proc.returncode == 130, err.decode()
    assert "已中断" in err.decode()
    # nothing a library says on import in the fork server or a worker (a debugger's warning, say) amid the progress
    assert not re.search(r"(?i)warning|traceback", err.decode()), err.decode()
    gone, alive = psutil.wait_procs(family, timeout=120)  # returns as soon as all are gone
    assert not alive
    assert not leftovers(project)
    runs = json.loads((project.outputs_dir / "ledger.json").read_text(encoding="utf-8"))["runs"]
    assert set(runs) <= {"2024/_summary"}  # no report finished; the overview, started first, may have
    made = [p.name for p in project.outputs_dir.glob("2024/*") if p.is_dir()]
    assert made == (["_summary"] if runs else [])  # nothing half-made, and what is there is in the ledger


@pytest.mark.kernel
@pytest.mark.dask
def test_runs_on_a_dask_cluster_of_worker_processes(project: Project) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        result = batch.run(
            project, years=[2024], agencies=["shimen", "jiangbin"], pdf=False, scheduler=cluster.scheduler_address
        )
    assert statuses(result) == {"2024/jiangbin": "rendered", "2024/shimen": "rendered", "2024/_summary": "rendered"}
    for record in result.records:
        assert (project.outputs_dir / record["outputs"]["html"]).is_file()
    assert os.getcwd() != str(project.root)


@pytest.mark.kernel
def test_a_batch_over_a_damaged_ledger_warns_sets_it_aside_and_rebuilds_it(project: Project) -> None:
    batch.ledger_path(project).parent.mkdir(parents=True, exist_ok=True)
    batch.ledger_path(project).write_text('{"version": 1, "runs": {"2024/shimen": [', encoding="utf-8")
    result = CliRunner().invoke(main, ["--project", str(project.root), "batch", "-a", "shimen", "-y", "2024",
                                       "--no-pdf", "--no-summary", "-q"])
    assert result.exit_code == 0, result.output
    assert "警告：台账" in result.output and "已损坏" in result.output and "Traceback" not in result.output
    assert len(list(project.outputs_dir.glob("ledger.damaged-*.json"))) == 1
    assert batch.read_ledger(project)["2024/shimen"]["status"] == "rendered"


class _OrderedPool:
    """A pool without processes: runs finish oldest first; the agencies in ``failing`` fail."""

    def __init__(self, jobs: int, failing: set[str]) -> None:
        self.jobs, self.failing = jobs, failing
        self.together = 1
        self.returned: list[batch.Task] = []
        self.busy: list[batch.Task] = []
        self.submitted: list[batch.Task] = []
        self.beside: dict[int, list[str]] = {}  # per submitted run, the agencies running when it started

    @property
    def free(self) -> int:
        return self.jobs - len(self.busy)

    def submit(self, tasks: list[batch.Task]) -> None:
        (task,) = tasks
        self.beside[len(self.submitted)] = [t.agency for t in self.busy]
        self.busy.append(task)
        self.submitted.append(task)

    def wait(self, timeout: float) -> list:
        from nianbao.batch.work import new_record

        task = self.busy.pop(0)
        record = new_record(task)
        failed = task.agency in self.failing
        record.update({"status": batch.FAILED if failed else batch.RENDERED, "reason": "坏了" if failed else ""})
        return [(task, record)]

    def stop(self) -> None:
        self.busy = []

    def close(self) -> None:
        pass


def _drained(project: Project, jobs: int, failing: set[str], ledger: dict | None = None):
    from nianbao.batch.loop import _Loop

    hasher = planning.Hasher(project, {"pdf": False, "timeout": 60})
    loop = _Loop(project, hasher, ledger or {}, pdf=False, timeout=60, summary=True, on_record=None)
    loop.queue.extend(loop.task(a, 2024) for a in ["jiangbin", "shimen", "yueyanglou"])
    pool = _OrderedPool(jobs, failing)
    loop.drain(lambda: pool, force=False)
    return loop, pool, [t for t in pool.submitted if not t.agency]


@pytest.mark.parametrize("failing", [set(), {"yueyanglou"}])
def test_the_overview_starts_first_beside_the_reports_and_is_made_again_if_one_fails(
    project: Project, failing: set[str]
) -> None:
    loop, pool, overviews = _drained(project, 2, failing)
    assert pool.submitted[0] is overviews[0] and pool.beside[1] == [""]  # first, the first report beside it …
    assert overviews[0].failed == {}  # … made as if the reports succeed
    assert len(overviews) == (2 if failing else 1)
    if failing:
        assert overviews[1].failed == {"yueyanglou": "坏了"}  # made again, naming the failure
        assert pool.submitted.index(overviews[1]) == len(pool.submitted) - 1  # once every report was done
    kept = [r for r in loop.batch.records if r["kind"] == batch.SUMMARY]
    assert len(kept) == 1 and kept[0]["key"] == overviews[-1].key
    assert loop.ledger["2024/_summary"]["key"] == overviews[-1].key


def test_an_early_overview_takes_a_report_failed_before_and_run_again_to_succeed(project: Project) -> None:
    """A report the ledger has as failed, in this batch again: the overview does not name its old failure."""
    from nianbao.batch.work import new_record

    old = new_record(batch.Task(str(project.root), "", 2024, "shimen", False, 60, "stale"))
    old.update({"status": batch.FAILED, "reason": "旧的失败"})
    loop, _, overviews = _drained(project, 2, set(), {"2024/shimen": old})
    assert [o.failed for o in overviews] == [{}]  # made once, as it stands
    assert loop.ledger["2024/shimen"]["status"] == batch.RENDERED


def test_with_one_worker_the_overview_comes_after_its_reports(project: Project) -> None:
    _, pool, overviews = _drained(project, 1, {"yueyanglou"})
    assert [t.agency for t in pool.submitted] == ["jiangbin", "shimen", "yueyanglou", ""]  # nothing to run beside
    assert [o.failed for o in overviews] == [{"yueyanglou": "坏了"}]


@pytest.mark.kernel
@pytest.mark.tex
def test_a_batch_makes_the_same_bytes_whatever_its_workers_made_before(project: Project) -> None:
    """Each worker starts its PDFs from what it settled last, and a year's overview from where its last one
    settled (kept in the ledger): the documents must not depend on it.
    """
    def made() -> dict[str, bytes]:
        files = [p for p in project.outputs_dir.glob("2024/*/**/*") if p.suffix in (".html", ".pdf", ".docx")]
        return {p.relative_to(project.outputs_dir).as_posix(): p.read_bytes() for p in files}

    def overview_passes() -> list[str]:
        return [s for s in batch.read_ledger(project)["2024/_summary"]["stages"] if "xelatex" in s]

    first = batch.run(project, agencies=["shimen", "jiangbin"], years=[2024], jobs=2)
    assert first.count(batch.RENDERED) == 3
    before = made()
    assert len(before) == 2 * 6 + 2  # review HTML and PDF; publication page, fragment, PDF and Word file; the overview's
    assert overview_passes() == ["review_xelatex_1", "review_xelatex_2"]  # from nothing, 共 M 页 takes a second pass …
    again = batch.run(project, agencies=["jiangbin", "shimen"], years=[2024], jobs=1, force=True)
    assert again.count(batch.RENDERED) == 3
    assert made() == before
    assert overview_passes() == ["review_xelatex_1"]  # … from where it settled last time, one is enough
