"""Helpers writing edited copies of the shipped policy files into a temporary folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from intake_assistant.orientation.paths import default_data_dir

POLICY_FILES = ("parametres.yaml", "aides.yaml", "calculs.yaml")


def copy_policy(folder: Path) -> Path:
    """The shipped policy files copied unchanged into ``folder``."""
    for name in POLICY_FILES:
        (folder / name).write_text((default_data_dir() / name).read_text(encoding="utf-8"),
                                   encoding="utf-8")
    return folder


def set_parameter(folder: Path, pid: str, value: Any) -> Path:
    path = folder / "parametres.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert pid in doc["parametres"], pid
    spec = doc["parametres"][pid]
    if "values" in spec:  # a dated legal value: change the one in force now
        spec["values"][-1]["value"] = value
    else:
        spec["value"] = value
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def edit_catalogue(folder: Path, change) -> Path:
    """Apply ``change(doc)`` to the catalogue (anchors are expanded by the round trip)."""
    path = folder / "aides.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path
