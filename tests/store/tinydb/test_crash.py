from __future__ import annotations

from pathlib import Path

import pytest

from tests.platforms import POSIX_SIGNALS

from ..crash_check import kill_loop

pytestmark = POSIX_SIGNALS


@pytest.mark.slow
def test_writer_killed_at_random_moments_loses_nothing_acknowledged(tmp_path: Path) -> None:
    report = kill_loop(tmp_path / "base", 50)
    assert report.problems == []
    assert report.kills == 50
    assert report.acked >= report.kills  # every round was killed during its stream of saves
