"""The reviewers' index: built from a ledger (no kernel), and opened in headless Chromium from the file system."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote

import pytest

from nianbao import index
from nianbao.params import Project, load_registry

from .conftest import copy_project


def record(agency: str, year: int, status: str = "rendered", errors: int = 0, warnings: int = 0, **extra) -> dict:
    stem = f"{year}/{agency}/{agency}-{year}"
    published = f"{year}/{agency}/publish/{agency}-{year}"
    outputs = {"html": f"{stem}.html", "pdf": f"{stem}.pdf", "notebook": f"{stem}.ipynb", "checks": f"{year}/{agency}/checks.json",
               "publish_html": f"{published}.html", "publish_fragment": f"{published}.fragment.html",
               "publish_pdf": f"{published}.pdf", "publish_docx": f"{published}.docx"}
    return {
        "kind": "report", "agency": agency, "year": year, "status": status, "reason": extra.pop("reason", ""),
        "duration": 3.5, "checks": {"errors": errors, "warnings": warnings, "uncertain": 0} if status == "rendered" else {},
        "key": "k", "outputs": outputs if status == "rendered" else extra.pop("outputs", {}), **extra,
    }


@pytest.fixture
def outputs(tmp_path: Path) -> tuple[Project, dict]:
    """A project whose outputs folder holds the files a ledger names (empty files, no kernel)."""
    project = copy_project(tmp_path / "project")
    ledger = {
        "2024/shimen": record("shimen", 2024),
        "2024/broken-example": record("broken-example", 2024, errors=6, pending=["6 项校验错误未处理"]),
        "2024/jiangbin": record("jiangbin", 2024, "failed", reason="笔记本第 4 格出错：RuntimeError: 故意出错",
                                outputs={"failed_notebook": "2024/jiangbin.failed.ipynb"}),
        "2023/shimen": record("shimen", 2023, warnings=1),
        "2024/_summary": {"kind": "summary", "agency": "", "year": 2024, "status": "rendered", "reason": "",
                          "outputs": {"html": "2024/_summary/summary-2024.html", "pdf": "2024/_summary/summary-2024.pdf"}},
    }
    for r in ledger.values():
        for rel in r["outputs"].values():
            path = project.outputs_dir / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("<p>报告</p>" if rel.endswith(".html") else "x", encoding="utf-8")
    (project.outputs_dir / "2024/shimen/shimen-2024.pdf").unlink()  # a file that is gone is not linked
    return project, ledger


def test_page_lists_every_run_per_year_with_status_and_links(outputs) -> None:
    project, ledger = outputs
    path = index.write(project, ledger, load_registry(project))
    page = path.read_text(encoding="utf-8")
    assert '<html lang="zh">' in page and "<title>政府信息公开工作年度报告 · 审核索引</title>" in page
    assert page.index("2024年（3 个单位）") < page.index("2023年（1 个单位）")
    assert "共 4 份报告：3 份已渲染，1 份失败，1 份有校验错误" in page
    row = re.search(r"<tr data-flags[^>]*>.*?青川市临江区石门镇人民政府.*?</tr>", page).group(0)  # not the season board's
    assert 'href="2024/shimen/shimen-2024.html"' in row and 'href="2024/shimen/shimen-2024.pdf"' not in row
    failed = re.search(r'<tr data-flags="failed".*?</tr>', page).group(0)
    assert "故意出错" in failed and 'href="2024/jiangbin.failed.ipynb">出错的笔记本<' in failed
    assert 'data-flags="rendered errors pending"' in page and 'data-flags="rendered warnings"' in page
    assert '年度汇总：<a href="2024/_summary/summary-2024.html">HTML</a>' in page


def test_page_loads_nothing_from_the_network_and_escapes_what_it_shows(outputs) -> None:
    project, ledger = outputs
    ledger["2024/jiangbin"]["reason"] = "<script>alert(1)</script>"
    page = index.page(ledger, load_registry(project), project.outputs_dir)
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "@import" not in page and "url(" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and page.count("<script>") == 1


def test_an_empty_ledger_says_what_to_do(tmp_path: Path) -> None:
    assert "运行 <code>nianbao batch</code>" in index.page({}, {}, tmp_path)


CHROMIUM = shutil.which("chromium")


def chromium(profile: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", *args],
        capture_output=True, timeout=120, check=True,
    )


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (scripts/setup.sh installs it)")
def test_chromium_opens_the_index_from_the_file_system_runs_its_script_and_every_link_resolves(outputs, tmp_path) -> None:
    project, ledger = outputs
    path = index.write(project, ledger, load_registry(project))
    dom = chromium(tmp_path / "profile", "--dump-dom", path.as_uri()).stdout.decode()
    assert "青川市临江区石门镇人民政府" in dom
    assert '<span id="shown">显示 4 份</span>' in dom  # the inline script ran
    hrefs = re.findall(r'href="([^"]+)"', dom)
    assert len(hrefs) == 26  # 3 reports × (4 review + 4 publication) + the failed notebook + the overview
    for href in hrefs:
        assert (path.parent / unquote(href)).is_file(), href
    filtered = chromium(tmp_path / "profile", "--dump-dom", path.as_uri() + "#status=failed").stdout.decode()
    assert '<span id="shown">显示 1 份</span>' in filtered
    assert len(re.findall(r"<tr [^>]*hidden", filtered)) == 3


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (scripts/setup.sh installs it)")
def test_chromium_draws_the_chinese_text_with_a_cjk_font(outputs, tmp_path) -> None:
    fonts = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=True).stdout
    assert "Noto Sans CJK SC" in fonts
    project, ledger = outputs
    path = index.write(project, ledger, load_registry(project))
    shot = tmp_path / "index.png"
    chromium(tmp_path / "profile", "--window-size=1200,900", f"--screenshot={shot}", path.as_uri())
    from matplotlib import image

    pixels = image.imread(shot)
    dark = (pixels[..., :3].mean(axis=2) < 0.5).mean()
    assert 0.01 < dark < 0.5  # text drawn, not a blank page
    # Each character drawn alone: with a CJK font two characters differ, and neither is the box that a
    # character no font has (U+E000, private use) is drawn as.
    def draw(text: str, name: str):
        probe = tmp_path / f"{name}.html"
        probe.write_text(
            f'<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8"></head><body style="font-size:48px">{text}</body></html>',
            encoding="utf-8",
        )
        out = tmp_path / f"{name}.png"
        chromium(tmp_path / "profile", "--window-size=400,200", f"--screenshot={out}", probe.as_uri())
        return image.imread(out)

    zheng, fu, box = draw("政", "zheng"), draw("府", "fu"), draw("\ue000", "box")
    assert all((px[..., :3].mean(axis=2) < 0.5).any() for px in (zheng, fu, box))  # each drew something
    assert (zheng != fu).any() and (zheng != box).any() and (fu != box).any()


def test_each_report_links_both_editions_and_those_not_fit_to_publish_are_marked(outputs) -> None:
    project, ledger = outputs
    page = index.page(ledger, load_registry(project), project.outputs_dir)
    assert "<th>审核版</th><th>发布版</th>" in page
    row = re.search(r"<tr[^>]*>.*?青川市临江区示例错误局.*?</tr>", page).group(0)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
    review, published = cells[7], cells[8]
    assert 'href="2024/broken-example/broken-example-2024.html">HTML<' in review and "publish/" not in review
    assert [label for label in re.findall(r">([^<>]+)</a>", published)] == ["网页", "CMS 片段", "PDF", "Word"]
    assert "待处理：6 项校验错误未处理" in published
    assert 'data-flags="rendered errors pending"' in row
    assert '<option value="pending">发布前待处理</option>' in page
    shimen = re.search(r"<tr[^>]*>.*?青川市临江区石门镇人民政府.*?</tr>", page).group(0)
    assert "待处理" not in shimen


def season_board(project: Project, ledger: dict):
    """The 2024 round of the ``outputs`` fixture: shimen released, the rest as the ledger and data say."""
    import datetime as dt

    from nianbao import approval, season

    approval.append(project, {"event": "release", "agency": "shimen", "year": 2024, "at": "2025-01-20T08:00:00Z"})
    return season.board(project, 2024, ledger, load_registry(project), today=dt.date(2025, 2, 3))


def test_the_season_section_lists_every_agency_of_the_registry_with_its_stage(outputs) -> None:
    project, ledger = outputs
    page = index.page(ledger, load_registry(project), project.outputs_dir, season_board(project, ledger))
    assert page.index("本年度进度：2024年度报告（截止 2025-01-31，已过 3 天）") < page.index("2024年（3 个单位）")
    section = page[page.index('<section class="season"'):page.index("</section>")]
    stages = dict(re.findall(r'<tr data-stage="([a-z ]+)" data-search="[^"]* ([a-z-]+)"', section)[i][::-1]
                  for i in range(5))
    assert stages == {"shimen": "released", "broken-example": "errors late", "jiangbin": "failed late",
                      "linjiang-scjg": "returned late", "yueyanglou": "returned late"}
    assert '<option value="late">逾期</option>' in section and "逾期 3 天" in section
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)


def test_index_write_shows_the_newest_years_round(outputs) -> None:
    project, ledger = outputs
    page = index.write(project, ledger, load_registry(project)).read_text(encoding="utf-8")
    assert "本年度进度：2024年度报告" in page and page.count('<tr data-stage="') == 5


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (scripts/setup.sh installs it)")
def test_chromium_sorts_and_filters_the_season_board_as_a_person_sees_it(outputs, tmp_path) -> None:
    from .cdp import Browser

    project, ledger = outputs
    path = project.outputs_dir / "index.html"
    path.write_text(index.page(ledger, load_registry(project), project.outputs_dir, season_board(project, ledger)),
                    encoding="utf-8")
    seen = """Array.from(document.querySelectorAll('section.season tbody tr')).filter(tr => tr.offsetParent !== null)
              .map(tr => [tr.cells[1].innerText, tr.cells[2].innerText, tr.cells[7].innerText])"""
    with Browser(tmp_path / "profile") as browser:
        browser.open(path.as_uri(), "document.getElementById('season-shown').textContent === '显示 5 个单位'")
        first = browser.evaluate(seen)
        assert [r[1] for r in first] == ["已交回，未渲染", "已交回，未渲染", "渲染失败", "校验有错误", "已发布"]
        assert first[-1] == ["shimen", "已发布", "—"] and first[0][2] == "逾期 3 天"
        browser.evaluate("document.querySelector('section.season th:nth-child(3)').click()")  # 阶段: ascending
        browser.evaluate("document.querySelector('section.season th:nth-child(3)').click()")  # … and descending
        browser.wait("document.querySelector('section.season th:nth-child(3)').classList.contains('desc')")
        assert [r[0] for r in browser.evaluate(seen)][:3] == ["shimen", "broken-example", "jiangbin"]
        browser.evaluate("var s=document.getElementById('stage');s.value='late';s.dispatchEvent(new Event('change'))")
        browser.wait("document.getElementById('season-shown').textContent === '显示 4 个单位'")
        assert "shimen" not in [r[0] for r in browser.evaluate(seen)]
        assert browser.evaluate("document.getElementById('shown').textContent") == "显示 4 份"  # the runs untouched
        browser.open("about:blank", "location.href === 'about:blank'")  # a new load: the hash is read when the page loads
        browser.open(path.as_uri() + "#stage=errors", "document.getElementById('season-shown').textContent === '显示 1 个单位'")
        assert browser.evaluate(seen) == [["broken-example", "校验有错误", "逾期 3 天"]]
