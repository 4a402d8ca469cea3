"""The reviewer reads what will be published: every paragraph the publication edition prints appears,
as the same visible text, in the review edition — for every bundled example and a hostile narrative."""

from __future__ import annotations

import re

import pytest

from nianbao.edition import EMPTY_SECTION, Text, blocks, web
from nianbao.params import Project
from nianbao.render import to_html
from nianbao.report import validate

from .conftest import ROOT, copy_project
from .inprocess import executed
from .test_edition import EXAMPLES

HOSTILE = ("**加粗**与*强调* <script>alert(1)</script> [链接](https://example.org) 100% $x$ \\input{x}\n\n"
           "- 第一项\n- 第二项\n\n1. 甲\n2. 乙")


def visible(markup: str) -> str:
    return re.sub(r"\s+", "", web.plain(markup))


def published_paragraphs(project: Project, agency: str, year: int) -> list[str]:
    return [visible(web.block_html(b)) for b in blocks(validate(project, agency, year)) if isinstance(b, Text)]


@pytest.mark.parametrize(("agency", "year"), EXAMPLES)
def test_every_published_paragraph_reads_the_same_in_the_review_edition(agency: str, year: int) -> None:
    project = Project(ROOT)
    review = visible(to_html(executed(project, agency, year)))
    missing = [p for p in published_paragraphs(project, agency, year) if p and p not in review]
    assert not missing, missing


def test_a_hostile_narrative_and_an_empty_section_read_the_same_in_both(tmp_path) -> None:
    project = copy_project(tmp_path / "p")
    path = project.data_dir / "2024" / "shimen.yaml"
    lines = path.read_text(encoding="utf-8").split("\n")
    at = lines.index("    management: |")
    hostile = ["      " + line if line else "" for line in HOSTILE.split("\n")]
    lines[at + 1:at + 4] = [*hostile, "    platforms: ''"]  # management hostile, platforms left empty
    path.write_text("\n".join(lines), encoding="utf-8")
    paragraphs = published_paragraphs(project, "shimen", 2024)
    review = visible(to_html(executed(project, "shimen", 2024)))
    assert any("加粗与强调" in p for p in paragraphs) and EMPTY_SECTION in paragraphs
    missing = [p for p in paragraphs if p and p not in review]
    assert not missing, missing
