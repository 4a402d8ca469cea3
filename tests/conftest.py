"""Shared fixtures: the repository's bundled project, and throwaway copies of it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nianbao.load import read_yaml
from nianbao.model import ReportData
from nianbao.params import Project

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "2024" / "yueyanglou.yaml"
BROKEN = ROOT / "data" / "2024" / "broken-example.yaml"


@pytest.fixture(scope="session")
def seed() -> ReportData:
    return read_yaml(SEED)


@pytest.fixture(scope="session")
def broken() -> ReportData:
    return read_yaml(BROKEN)


def copy_project(dest: Path) -> Project:
    """A copy of the bundled project (params, data, notebooks) that a test may change freely."""
    for name in ("params", "data", "notebooks"):
        shutil.copytree(ROOT / name, dest / name)
    return Project(dest)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return copy_project(tmp_path / "project")
