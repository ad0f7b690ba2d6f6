"""The JSON Schema of a dossier's answers, built from the questionnaires that fill it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from intake_assistant.core.model import Questionnaire
from intake_assistant.core.validation import validator


def dossier_schema(questionnaires: Iterable[Questionnaire]) -> dict[str, Any]:
    """Every question id with its schema; optional questions may hold null (skipped).

    Ids a questionnaire does not ask are allowed (kept and shown), so a dossier started by the
    phone intake stays valid for the evaluation and the other way round.
    """
    properties: dict[str, Any] = {}
    for questionnaire in questionnaires:
        for q in questionnaire.questions():
            if q.type == "note":
                continue
            schema = q.schema
            properties[q.id] = schema if q.required else {"anyOf": [schema, {"type": "null"}]}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Réponses d'un dossier",
        "type": "object",
        "properties": properties,
    }


def validate_dossier(
    answers: Mapping[str, Any], questionnaires: Iterable[Questionnaire]
) -> list[tuple[str, str]]:
    """(id, French message) for each answer that breaks its question's schema."""
    from intake_assistant.core.validation import _message

    out = []
    for error in validator(dossier_schema(questionnaires)).iter_errors(dict(answers)):
        where = ".".join(str(p) for p in error.absolute_path) or "(dossier)"
        out.append((where, _message(error)))
    return out
