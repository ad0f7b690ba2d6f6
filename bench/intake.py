"""The phone intake the TUI benchmark types: each question's text and the keys a trained agent
types for it, obtained from the headless runner (``intake-assistant interview``) on the answers of
``intake_answers.yaml`` — the same engine as the TUI, so the script follows the questionnaire as
it changes, through a public command only.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ANSWERS = Path(__file__).with_name("intake_answers.yaml")


@dataclass(frozen=True)
class Step:
    question: str  # as the engine words it
    keys: str  # what is typed ("" = Enter alone: the default is accepted)
    unknown: bool = False  # not in the answers file: « ne sait pas » (F3), as the runner does


def intake_steps(env: dict[str, str], cwd: Path, questionnaire: str = "accueil_telephonique"
                 ) -> list[Step]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "dossier.json"
        run = subprocess.run(
            [sys.executable, "-m", "intake_assistant", "interview", questionnaire,
             "--answers", str(ANSWERS), "--output", str(out)],
            capture_output=True, text=True, env=env, cwd=cwd, timeout=120, check=False)
        if run.returncode != 0:
            raise RuntimeError(f"le déroulé sans interface a échoué :\n{run.stdout}{run.stderr}")
        events = json.loads(out.read_text(encoding="utf-8"))["events"]
    questions = [line[2:] for line in run.stdout.splitlines() if line.startswith("? ")]
    typed: list[tuple[str, bool]] = []
    for event in events:
        if event.get("type") == "answer":
            raw = event.get("raw")  # as typed; a number for a counted repeat (« 2 » enfants)
            typed.append(("" if raw is None else str(raw), False))
        elif event.get("type") == "repeat":
            typed.append(("o" if event.get("value") else "n", False))
        elif event.get("type") == "unknown":
            typed.append(("", True))
    if len(typed) != len(questions):
        raise RuntimeError(f"{len(questions)} questions mais {len(typed)} réponses dans le "
                           "journal du déroulé sans interface")
    return [Step(q, k, u) for q, (k, u) in zip(questions, typed, strict=True)]
