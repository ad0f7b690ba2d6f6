"""Questionnaires by name and by role: the one mapping from a role to its interview."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from intake_assistant.core.datadir import data_dir
from intake_assistant.core.findings import FindingsError
from intake_assistant.core.linter import load_questionnaire
from intake_assistant.core.model import Questionnaire

# The questionnaire each role starts with (Ctrl+N); also what an audience's interview is called.
QUESTIONNAIRE_BY_ROLE: Mapping[str, str] = {
    "accueil": "accueil_telephonique",
    "travailleur_social": "evaluation",
}
# Policy and dictionary files that live beside the questionnaires but are not questionnaires.
DATA_FILES = frozenset({"champs.yaml", "calculs.yaml", "parametres.yaml", "aides.yaml",
                        "partenaires.yaml", "commission.yaml", "documents.yaml", "ccas.yaml"})


def questionnaire_for_role(role: str | None) -> str:
    return QUESTIONNAIRE_BY_ROLE.get(role or "", QUESTIONNAIRE_BY_ROLE["accueil"])


def questionnaire_path(name: str) -> Path:
    """A questionnaire id (``evaluation``) or a path to a YAML file."""
    candidate = Path(name)
    if candidate.suffix in (".yaml", ".yml") or candidate.exists():
        return candidate
    return data_dir() / f"{name}.yaml"


@lru_cache(maxsize=16)
def _load_cached(path: str, mtime: float) -> Questionnaire:
    return load_questionnaire(path)


def load_questionnaire_by_name(name: str) -> Questionnaire:
    path = questionnaire_path(name)
    if not path.exists():
        raise FileNotFoundError(f"questionnaire introuvable : {name} ({path})")
    return _load_cached(str(path), path.stat().st_mtime)


def questionnaire_title(questionnaire_id: str) -> str:
    """The French title of a questionnaire id, or the id when the file is gone."""
    try:
        return load_questionnaire_by_name(questionnaire_id).title
    except (OSError, FindingsError):
        return questionnaire_id


def available_questionnaires() -> list[Questionnaire]:
    return [
        load_questionnaire_by_name(str(path))
        for path in sorted(data_dir().glob("*.yaml"))
        if path.name not in DATA_FILES
    ]
