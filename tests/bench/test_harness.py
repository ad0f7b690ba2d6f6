"""Smoke test of the benchmark harness: `python bench/run.py --quick` runs end to end on 50 demo
dossiers (TUI in a pty, store, CLI) and writes its table. No timing is asserted: figures only
exist, each with its baseline, so the harness keeps working as the app changes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.platforms import POSIX_PTY

pytestmark = POSIX_PTY

REPO = Path(__file__).resolve().parents[2]


def test_harness_runs_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    run = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run.py"), "--quick", "--sizes", "50", "--runs",
         "1", "--ops", "2", "--terminals", "80x24", "--stores", str(tmp_path / "stores"),
         "--json", str(out)],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=600, check=False)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-5000:]
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["failures"] == []
    groups = {row["group"] for row in result["rows"]}
    assert groups == {"TUI 80×24", "stockage", "CLI"}
    for row in result["rows"]:
        assert row["subject"] is not None and row["subject"]["runs"] == 1, row
        assert row["baseline"] is not None and row["ratio"] is not None, row
    whats = {row["what"] for row in result["rows"]}
    assert "réponse → question suivante p50" in whats
    assert "stats à froid (cache dérivé supprimé)" in whats
    assert "== TUI 80×24 ==" in run.stdout
