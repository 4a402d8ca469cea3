"""CPU time per stage: what each stage counts, and that nothing is counted outside a recorded run."""

from __future__ import annotations

import subprocess
import sys

from nianbao import timing


def _spin(seconds: float) -> None:
    end = timing.cpu() + seconds
    while timing.cpu() < end:
        pass


def test_a_stage_inside_another_counts_in_its_own_only_and_the_rest_is_other() -> None:
    with timing.recording() as stages:
        with timing.stage("outer"):
            _spin(0.05)
            with timing.stage("inner"):
                _spin(0.1)
        _spin(0.05)
    assert 0.09 <= stages["inner"] < 0.2
    # CPU time, not wall time: a busy machine does not stretch it; the margins still tell 0.05 s from 0.15 s
    assert 0.04 <= stages["outer"] < 0.14  # without the inner stage's 0.1 s
    assert 0.04 <= stages["other"] < 0.14


def test_programs_waited_for_count_in_the_stage_that_ran_them() -> None:
    with timing.recording() as stages, timing.stage("child"):
        subprocess.run([sys.executable, "-c", "import time\nend = time.process_time() + 0.2\nwhile time.process_time() < end: pass"],
                       check=True)
    assert stages["child"] >= 0.2


def test_kernel_time_added_from_outside_is_not_taken_from_other() -> None:
    with timing.recording() as stages:
        timing.add("kernel_charts", 5.0)
        _spin(0.02)
    assert stages["kernel_charts"] == 5.0 and stages["other"] < 1


def test_outside_a_recorded_run_nothing_is_kept() -> None:
    with timing.stage("alone"):
        timing.add("kernel_cells", 1.0)
    with timing.recording() as stages:
        pass
    assert set(stages) == {"other"}
