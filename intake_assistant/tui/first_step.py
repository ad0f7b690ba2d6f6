"""The first question of each questionnaire, remembered so that a new interview shows it at once.

Loading the engine, the questionnaire and the orientation policy takes a few hundred milliseconds;
meanwhile the agent already sees the first question and can type the answer. Enter pressed before
the engine is ready is held and sent as soon as it is (nothing typed is lost), and the screen is
then redrawn from the engine. The remembered question is only used while every data file
(questionnaires, dictionary, policy) is unchanged since it was written.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class FirstStep:
    questionnaire: str
    title: str
    section: str
    progress: str
    notes: list[str]
    question: str
    kind: str
    choices: list[str]
    default_shown: str | None
    signature: list[Any] = field(default_factory=list)
    placeholder: str = ""  # the answer line's help (the question type's input hint)


def data_signature() -> list[Any]:
    """Names, sizes and modification times of the data files (a few stat calls)."""
    from intake_assistant.core.datadir import data_dir

    folder = data_dir()
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return []
    return [[e.name, e.stat().st_size, e.stat().st_mtime_ns] for e in entries
            if e.name.endswith(".yaml")]


def _read(path: Path) -> dict[str, Any]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return raw if isinstance(raw, dict) else {}


def load_first_step(path: Path, questionnaire: str) -> FirstStep | None:
    entry = _read(path).get(questionnaire)
    if not isinstance(entry, dict):
        return None
    try:
        step = FirstStep(**entry)
    except TypeError:
        return None
    return step if step.signature == data_signature() else None


def save_first_step(path: Path, step: FirstStep) -> None:
    """Best effort (a cache): written atomically, readable by its owner only."""
    entries = _read(path)
    entries[step.questionnaire] = asdict(step)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_name(f".{path.name}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0),
                     0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(entries, handle, ensure_ascii=False)
        os.replace(tmp, path)
    except OSError:
        pass
