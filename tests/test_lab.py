"""The review edition's executed notebook as a reviewer opens it: JupyterLab, in headless Chromium,
without trusting the notebook (JupyterLab then shows no SVG, no stylesheet, no ``role``/``aria-*``)."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from nianbao.params import Project

from .cdp import CHROMIUM, dom_when, stop
from .conftest import ROOT
from .inprocess import executed

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (scripts/setup.sh installs it)")]


#: What the tests read, drawn: the notebook with its three charts and its last appendix.
READY = ("document.querySelectorAll('.jp-Notebook img[src^=\"data:image/png\"]').length >= 3"
         " && document.body.textContent.includes('附三、主要数据与上年比较')")

#: Once READY: what the reader sees of the official tables, as the browser lays them out, put where the
#: DOM shows it (``data-probe`` on ``<body>``): each cell's rule and alignment, and where table 四's
#: merged header 行政诉讼 sits across its table (as fractions of the table's width).
PROBE = f"""(() => {{
  if (!({READY})) return false;
  const cells = [...document.querySelectorAll('.jp-Notebook table.official th, .jp-Notebook table.official td')];
  const look = cells.map(c => {{ const s = getComputedStyle(c);
    return [c.tagName, s.borderTopWidth, s.borderTopStyle, s.textAlign, c.closest('thead') !== null]; }});
  const th = [...document.querySelectorAll('.jp-Notebook table.table-C th')].find(t => t.textContent.trim() === '行政诉讼');
  const t = th.closest('table').getBoundingClientRect(), r = th.getBoundingClientRect();
  document.body.setAttribute('data-probe', JSON.stringify({{cells: look,
    litigation: [(r.left - t.left) / t.width, (r.right - t.left) / t.width]}}));
  return true;
}})()"""


@pytest.fixture(scope="module")
def lab_dom(tmp_path_factory) -> str:
    """The DOM of JupyterLab showing the broken example's executed notebook, untrusted."""
    home = tmp_path_factory.mktemp("lab")
    nb = executed(Project(ROOT), "broken-example", 2024)
    nbformat.write(nb, home / "report.ipynb")  # written here, never signed: JupyterLab does not trust it
    env = {**os.environ, "HOME": str(home), "JUPYTER_CONFIG_DIR": str(home / "config"),
           "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces")}
    jupyter = Path(sys.executable).with_name("jupyter")
    server = subprocess.Popen(  # port 0: the server takes a free port and writes it in its runtime file
        [str(jupyter), "lab", "--no-browser", "--allow-root", "--port=0", "--ip=127.0.0.1",
         "--IdentityProvider.token=", "--ServerApp.password=", f"--ServerApp.root_dir={home}"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        info = home / "runtime" / f"jpserver-{server.pid}.json"
        deadline = time.monotonic() + 300  # generous: a busy machine starts JupyterLab slowly
        while True:  # the runtime file is written once the server listens
            try:
                port = json.loads(info.read_text(encoding="utf-8"))["port"]
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status", timeout=60)
                break
            except (OSError, ValueError, KeyError):
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("JupyterLab did not start")
                time.sleep(0.2)
        dom = dom_when(f"http://127.0.0.1:{port}/lab/tree/report.ipynb", PROBE, home / "profile")
    finally:
        stop(server)
        shutil.rmtree(home / "profile", ignore_errors=True)
    assert "jp-Notebook" in dom, "JupyterLab did not open the notebook"
    return dom


def test_the_charts_show_as_images_with_chinese_alt_text(lab_dom: str) -> None:
    images = re.findall(r'<img[^>]*src="data:image/png;base64,[^"]{1000,}"[^>]*>', lab_dom)
    alts = [re.search(r'alt="([^"]*)"', i).group(1) for i in images]
    assert len(alts) == 3  # the fourth, the trends, needs two years: it says so instead
    assert "只有一个年度的数据，暂无历年趋势图。" in lab_dom
    assert all(a.startswith(("条形图，", "折线图，")) for a in alts)
    assert "予以公开 51" in alts[0]
    for name in ("outcomes", "applicants", "headline"):  # what used to show instead of the charts
        assert f">{name}<" not in lab_dom


def test_failing_cells_are_marked_in_colour_and_in_words(lab_dom: str) -> None:
    flagged = re.findall(r'<td[^>]*style="([^"]*)"[^>]*>(\d+)<small[^>]*>([^<]*)</small>', lab_dom)
    assert flagged, "no marked cell survived the sanitizer"
    assert all("background:#fde2e1" in style.replace(" ", "") for style, _, _ in flagged)
    assert {words for _, _, words in flagged} == {"✗未通过"}
    status = re.search(r'<div class="status status-error"[^>]*style="([^"]*)"', lab_dom)
    assert status and "background" in status.group(1)


def test_the_checks_table_keeps_its_short_columns_on_one_line(lab_dom: str) -> None:
    table = re.search(r'<table class="checks"[^>]*>.*?</table>', lab_dom, re.S).group(0)
    cells = re.findall(r'<td style="([^"]*)">', table)
    assert cells and sum("white-space: nowrap" in c or "white-space:nowrap" in c for c in cells) >= len(cells) * 0.7
    assert "B-ROWSUM" in table


def test_the_year_over_year_appendix_shows(lab_dom: str) -> None:
    assert "附三、主要数据与上年比较（2024年与2023年）" in lab_dom


def test_the_official_tables_keep_their_rules_and_centred_headers(lab_dom: str) -> None:
    probe = json.loads(html.unescape(re.search(r'data-probe="([^"]*)"', lab_dom).group(1)))
    cells = probe["cells"]
    assert len(cells) > 100  # tables 二, 三, 四 and 六
    assert all(width != "0px" and style == "solid" for _, width, style, _, _ in cells)
    assert all(align == "center" for tag, _, _, align, head in cells if head or tag == "TD")
    left, right = probe["litigation"]  # 行政诉讼 heads the ten columns after 行政复议's five
    assert 0.25 < left < 0.45 and right > 0.95, (left, right)
