"""French validation messages, and the questionnaire's own wording replacing the default."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from intake_assistant.core.fields import load_fields
from intake_assistant.core.validation import validate_value

FIELDS = load_fields()


def test_default_messages_are_french_and_name_the_bound() -> None:
    assert validate_value({"type": "number", "minimum": 0}, -3) == [
        "La valeur doit être supérieure ou égale à 0."
    ]
    assert validate_value({"type": "integer", "maximum": 84}, 120) == [
        "La valeur doit être inférieure ou égale à 84."
    ]
    assert validate_value({"type": "string", "maxLength": 3}, "abcd") == [
        "Le texte est trop long : 3 caractères au plus."
    ]
    assert validate_value({"type": "integer"}, "x") == ["La réponse doit être un nombre entier."]
    assert validate_value({"type": "number", "minimum": 1000.5}, 3) == [
        "La valeur doit être supérieure ou égale à 1 000,50."
    ]


def test_author_message_overrides_the_default() -> None:
    fdef = FIELDS["cout_projet"]
    assert validate_value(fdef.schema, 0, fdef.messages) == [
        "Le coût du projet doit être supérieur à 0 €."
    ]


def test_email_pattern_message() -> None:
    fdef = FIELDS["email"]
    assert validate_value(fdef.schema, "julie.martin", fdef.messages) == [
        "Adresse courriel invalide (exemple : prenom.nom@exemple.fr)."
    ]
    assert validate_value(fdef.schema, "julie.martin@exemple.fr", fdef.messages) == []


def test_date_format_is_checked() -> None:
    assert validate_value(FIELDS["date_naissance"].schema, "1994-02-31") == [
        "Date invalide (format attendu : JJ/MM/AAAA)."
    ]


@given(st.floats(min_value=0, max_value=1e6, allow_nan=False))
def test_any_non_negative_amount_within_the_dictionary_bound_is_valid(amount) -> None:
    assert validate_value(FIELDS["loyer"].schema, amount) == []


@given(st.floats(min_value=1e6 + 0.01, allow_nan=False))
def test_an_amount_beyond_the_dictionary_bound_is_refused(amount) -> None:
    # `limites: money: {maximum: 1000000}` in champs.yaml; inf is beyond it too.
    assert validate_value(FIELDS["loyer"].schema, amount) != []


@given(st.floats(max_value=-0.01, min_value=-1e9, allow_nan=False))
def test_any_negative_amount_is_refused(amount) -> None:
    assert validate_value(FIELDS["loyer"].schema, amount) != []
