"""Shared fixtures: the personas of the domain folder and the shipped policy."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from intake_assistant.orientation.build import load_policy
from intake_assistant.orientation.policy import Policy

TODAY = date(2026, 11, 26)
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def load_personas() -> list[dict[str, Any]]:
    return yaml.safe_load((FIXTURES / "personas.yaml").read_text(encoding="utf-8"))["personas"]


PERSONAS = load_personas()
PERSONA_IDS = [p["id"] for p in PERSONAS]


def persona(pid: str) -> dict[str, Any]:
    return next(p for p in PERSONAS if p["id"] == pid)


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy()


@pytest.fixture
def write_answers(tmp_path: Path):
    """Write a mapping as a JSON answers file and return its path."""

    def write(answers: dict[str, Any], name: str = "answers.json") -> str:
        path = tmp_path / name
        path.write_text(json.dumps(answers, ensure_ascii=False), encoding="utf-8")
        return str(path)

    return write
