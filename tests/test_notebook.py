"""The master notebook: its hygiene (no kernel), and a run under stock papermill (kernel)."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from nianbao.params import NOTEBOOK_PARAMETERS, Project

from .conftest import ROOT

NOTEBOOK = ROOT / "notebooks" / "report.ipynb"


@pytest.fixture(scope="module")
def nb() -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOK, as_version=4)


def test_exactly_one_parameters_cell_with_typed_commented_defaults(nb) -> None:
    cells = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1
    tree = ast.parse(cells[0].source)
    defaults = {n.target.id: ast.literal_eval(n.value) for n in tree.body if isinstance(n, ast.AnnAssign)}
    assert defaults == NOTEBOOK_PARAMETERS
    assert all("#" in line for line in cells[0].source.splitlines())


def test_no_stored_outputs_and_every_code_cell_calls_the_package(nb) -> None:
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    for cell in code:
        tree = ast.parse(cell.source)
        assert not [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.Lambda))]


def test_notebook_is_what_its_generator_writes(tmp_path: Path) -> None:
    fresh = tmp_path / "report.ipynb"
    subprocess.run([sys.executable, str(ROOT / "tools" / "make_notebook.py"), str(fresh)], check=True, capture_output=True)
    assert fresh.read_bytes() == NOTEBOOK.read_bytes()


def test_defaults_name_an_agency_year_with_data() -> None:
    project = Project(ROOT)
    assert project.data_files(NOTEBOOK_PARAMETERS["agency"], NOTEBOOK_PARAMETERS["year"])


@pytest.mark.kernel
def test_stock_papermill_runs_the_notebook_with_a_params_file(tmp_path: Path) -> None:
    out = tmp_path / "out.ipynb"
    subprocess.run(
        [sys.executable, "-m", "papermill", "notebooks/report.ipynb", str(out), "-f", "params/2024/jiangbin.yaml",
         "--no-progress-bar"],
        cwd=ROOT, check=True, capture_output=True,
    )
    executed = nbformat.read(out, as_version=4)
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and 'agency = "jiangbin"' in injected[0].source
    html = "".join(o.get("data", {}).get("text/html", "") for c in executed.cells for o in c.get("outputs", []))
    assert "青川市临江区江滨街道办事处2024年政府信息公开工作年度报告" in html
    assert re.search(r"校验：0 项错误，\d+ 项警告", html)  # warnings: the bundled pack's (params/rules/wuwei-2025.yaml)
    assert not [o for c in executed.cells for o in c.get("outputs", []) if o.output_type == "error"]


@pytest.mark.kernel
def test_a_cell_past_its_time_limit_is_one_clear_message_without_kernel_noise(tmp_path: Path, capfd) -> None:
    from nianbao.errors import RenderError
    from nianbao.notebook import run

    source = tmp_path / "slow.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import time\ntime.sleep(30)")]), source)
    failed = tmp_path / "slow.failed.ipynb"
    with pytest.raises(RenderError, match="运行超过时限 2 秒") as caught:
        run(source, tmp_path / "out.ipynb", failed, {}, tmp_path, timeout=2)
    assert "--timeout" in str(caught.value) and failed.is_file()
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err and "Timeout waiting" not in out + err and "ERROR" not in out + err


def test_a_kernel_client_tries_again_soon_to_reach_a_kernel_not_yet_listening(tmp_path: Path) -> None:
    """It connects before the kernel has bound its sockets: ZeroMQ's next try must not wait its default 0.1 s."""
    import zmq

    from nianbao.kernel import RECONNECT_MS, ipc_kernel_manager

    client = ipc_kernel_manager(tmp_path)().client()
    shell = client.connect_shell()
    try:
        assert shell.getsockopt(zmq.RECONNECT_IVL) == RECONNECT_MS < 100
    finally:
        shell.close(linger=0)
