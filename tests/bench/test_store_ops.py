"""The store benchmark's fsync floor is measured where the saved dossier's file lives."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# In a process of its own: `bench` here is this test folder's package, not the harness.
_CHECK = """
import sys
from pathlib import Path
from bench.store_ops import dossier_folder
from intake_assistant.store import open_store
root = Path(sys.argv[1])
doc = open_store(root).create_dossier(agent="Banc", answers={"nom": "Essai"})
folder = dossier_folder(root, doc["id"])
print(folder is not None and (folder / (doc["id"] + ".json")).is_file())
"""


def test_floor_folder_is_the_dossier_files_folder(tmp_path: Path) -> None:
    # The floor of a save is read against the target in the dossier's own folder (a year of
    # files); an id sliced wrongly gave no folder, and the floor fell back to an empty one.
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    run = subprocess.run([sys.executable, "-c", _CHECK, str(tmp_path / "store")],
                         capture_output=True, text=True, env=env, cwd=REPO, timeout=120,
                         check=False)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.strip() == "True"
