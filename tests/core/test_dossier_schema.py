"""The dossier JSON Schema built from the shipped questionnaires."""

from __future__ import annotations

from intake_assistant.app.questionnaires import available_questionnaires
from intake_assistant.core.dossier_schema import dossier_schema, validate_dossier
from intake_assistant.core.validation import check_schema

from .conftest import personas


def test_schema_is_valid_json_schema_and_covers_both_questionnaires() -> None:
    schema = dossier_schema(available_questionnaires())
    assert check_schema(schema) is None
    assert {"nom", "enfants", "loyer", "montant_demande", "impayes_energie"} <= set(
        schema["properties"]
    )


def test_every_persona_is_a_valid_dossier() -> None:
    questionnaires = available_questionnaires()
    for persona in personas():
        assert validate_dossier(persona["answers"], questionnaires) == [], persona["id"]


def test_errors_name_the_field_including_inside_repeats() -> None:
    errors = validate_dossier(
        {"loyer": -3, "enfants": [{"age": 40}], "logement": "chateau", "email": None},
        available_questionnaires(),
    )
    assert {where for where, _ in errors} == {"loyer", "enfants.0.age", "logement"}
