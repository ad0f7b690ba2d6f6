"""Typed answers: choices by number, key, value or label; values from import files."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intake_assistant.core.fields import coerce_and_validate, load_fields
from intake_assistant.core.french import ParseError
from intake_assistant.core.parsing import match_choice
from intake_assistant.core.qtypes import parse_raw

FIELDS = load_fields()


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("2", "locataire_social"),
        ("loc soc", "locataire_social"),
        ("Propriétaire", "proprietaire"),
        ("proprio", None),
        ("heb", "heberge"),
        ("locataire_prive", "locataire_prive"),
        ("LOCATAIRE (PARC PRIVÉ)", "locataire_prive"),
    ],
)
def test_choice_matching(typed, value) -> None:
    choices = FIELDS["logement"].choices
    if value is None:
        with pytest.raises(ParseError):
            match_choice(choices, typed)
    else:
        assert match_choice(choices, typed) == value


def test_ambiguous_prefix_is_refused_with_the_candidates() -> None:
    with pytest.raises(ParseError) as exc:
        match_choice(FIELDS["logement"].choices, "loc")
    assert "plusieurs choix" in exc.value.message


def test_choice_key() -> None:
    assert match_choice(FIELDS["situation_familiale"].choices, "c") == "couple"


@given(st.integers(min_value=1, max_value=11))
def test_any_choice_number_selects_that_choice(n) -> None:
    choices = FIELDS["type_projet"].choices
    assert match_choice(choices, str(n)) == choices[n - 1].value


def test_coerce_and_validate_names_each_bad_field() -> None:
    answers, errors = coerce_and_validate(
        {
            "loyer": "-12",
            "logement": "chateau",
            "revenus_activite": "1 200,50",
            "zz_local": 3,
            "date_naissance": "01/01/2030",
            "enfants": [{"age": "6"}],
        }
    )
    fields_in_error = {fid for fid, _ in errors}
    assert fields_in_error == {"loyer", "logement", "date_naissance"}
    assert answers["revenus_activite"] == 1200.5
    assert answers["zz_local"] == 3
    assert answers["enfants"] == [{"age": 6}]


def test_multi_choice_parses_each_part() -> None:
    class Spec:
        type = "multi_choice"
        choices = FIELDS["logement"].choices

    assert parse_raw(Spec, "1, 3 3") == ["locataire_prive", "proprietaire"]
