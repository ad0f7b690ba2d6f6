"""The question-type registry: each type in one place, and adding one is one entry.

The first test registers a new type (a French postcode) and shows that the whole tool follows:
the format schema accepts it, the loader builds it, the engine parses, checks and stores it, the
transcript displays it, the answer line gets its hint, and its lint rule is reported by ``check``.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from intake_assistant.core import qtypes
from intake_assistant.core.dossier_schema import validate_dossier
from intake_assistant.core.engine import Interview
from intake_assistant.core.fields import load_fields
from intake_assistant.core.french import ParseError
from intake_assistant.core.linter import LintContext, lint_questionnaire
from intake_assistant.core.loader import parse_questionnaire
from intake_assistant.core.qtypes import (
    InputHint,
    LintIssue,
    QuestionType,
    coerce_value,
    display_value,
    input_hint,
    parse_raw,
)

TODAY = date(2026, 11, 26)
FIELDS = load_fields()


def _postcode(spec, text, today):
    digits = text.replace(" ", "")
    if not re.fullmatch(r"\d{5}", digits):
        raise ParseError(f"« {text} » n'est pas un code postal (5 chiffres, exemple : 51100).")
    return digits


def _postcode_lint(spec):
    if spec.default is not None and not re.fullmatch(r"\d{5}", str(spec.default)):
        yield LintIssue("postcode.default", "default", {"id": spec.id})


POSTCODE = QuestionType(
    "code_postal", "code postal",
    schema=lambda spec: {"type": "string", "pattern": "^[0-9]{5}$"},
    parse=_postcode,
    display=lambda spec, value: f"{value[:2]} {value[2:]}",
    hint=lambda spec: InputHint("Code postal (51100) puis Entrée", allowed="[0-9 ]*"),
    lint=_postcode_lint,
)

QUESTIONNAIRE = """id: cp
title: Code postal
audience: accueil
version: 1
sections:
  - id: adresse
    title: Adresse
    questions:
      - id: code_postal_residence
        type: code_postal
        text: Quel est votre code postal ?
      - id: commune_residence
        text: "Quelle commune ({code_postal_residence}) ?"
"""


@pytest.fixture
def postcode(monkeypatch):
    from intake_assistant.core import findings

    monkeypatch.setitem(qtypes.QUESTION_TYPES, "code_postal", POSTCODE)
    monkeypatch.setitem(findings.MESSAGES, "postcode.default",
                        ("E-TYPE", "défaut de « {id} » : 5 chiffres attendus"))
    return POSTCODE


def test_a_registered_type_works_everywhere(postcode, tmp_path) -> None:
    questionnaire, findings = parse_questionnaire("cp.yaml", text=QUESTIONNAIRE)
    assert findings == [] and questionnaire is not None
    interview = Interview(questionnaire, today=TODAY)
    step = interview.current_step()
    assert step.input_hint == InputHint("Code postal (51100) puis Entrée", allowed="[0-9 ]*")
    refused = interview.answer("5110")
    assert not refused.accepted and "5 chiffres" in refused.messages[0]
    assert interview.answer("51 100").accepted
    assert interview.answers["code_postal_residence"] == "51100"
    assert interview.question_text(interview.current_step()) == "Quelle commune (51100) ?"
    entry = interview.transcript()[0]
    assert entry[2] == "51 100"
    assert validate_dossier(interview.answers, [questionnaire]) == []
    assert validate_dossier({"code_postal_residence": "5110"}, [questionnaire]) != []
    # Its lint rule is one of check's findings, at the line of the key.
    path = tmp_path / "cp.yaml"
    path.write_text(QUESTIONNAIRE.replace(
        "        type: code_postal\n", "        type: code_postal\n        default: abc\n"))
    findings = lint_questionnaire(path, LintContext(fields=FIELDS))
    assert [(f.line, f.code, f.message) for f in findings] == [
        (11, "E-TYPE", "défaut de « code_postal_residence » : 5 chiffres attendus")]


def test_an_unknown_type_is_refused_with_the_registry_names() -> None:
    _, findings = parse_questionnaire("cp.yaml", text=QUESTIONNAIRE)  # not registered here
    (finding,) = findings
    assert (finding.line, finding.code) == (10, "E-SCHEMA")
    assert "code_postal" in finding.message and "multi_choice" in finding.message


def test_every_type_declares_every_part() -> None:
    for name, qtype in qtypes.QUESTION_TYPES.items():
        assert qtype.name == name and qtype.label
        spec = FIELDS.get({"text": "nom", "phone": "telephone", "integer": "autres_personnes",
                           "money": "loyer", "date": "date_naissance", "boolean": "ficp",
                           "choice": "logement", "repeat": "enfants"}.get(name, ""))
        if spec is not None:
            assert isinstance(qtype.schema(spec), dict)
            assert input_hint(spec).placeholder


@pytest.mark.parametrize(
    ("typed", "months"),
    [("24", 24), ("18 mois", 18), ("2 ans", 24), ("1 an", 12), ("1 an et demi", 18),
     ("2 ans 6 mois", 30), ("2 ans et 6 mois", 30), ("un an", 12), ("36 MOIS", 36)],
)
def test_months_may_be_typed_with_their_unit(typed, months) -> None:
    assert parse_raw(FIELDS["duree_souhaitee_mois"], typed) == months


def test_a_unit_that_does_not_fit_is_refused_with_an_example_that_fits() -> None:
    with pytest.raises(ParseError) as exc:
        parse_raw(FIELDS["duree_souhaitee_mois"], "3 semaines")
    assert "semaines" in exc.value.message and "Exemple : 12 ou 2 ans" in exc.value.message
    with pytest.raises(ParseError) as exc:
        parse_raw(FIELDS["duree_souhaitee_mois"], "douze")
    assert "1 200,50" not in exc.value.message


def test_money_keeps_its_currency_words() -> None:
    assert parse_raw(FIELDS["loyer"], "600 euros") == 600
    assert parse_raw(FIELDS["loyer"], "1 200,50 €") == 1200.5


def test_display_says_the_unit() -> None:
    assert display_value(FIELDS["duree_souhaitee_mois"], 24) == "24 mois"
    assert display_value(FIELDS["duree_souhaitee_mois"], 1) == "1 mois"
    assert display_value(FIELDS["loyer"], 420) == "420 €"
    assert display_value(FIELDS["logement"], "heberge") == "Chez quelqu'un (hébergement)"
    assert display_value(FIELDS["ficp"], False) == "non"
    assert display_value(FIELDS["date_naissance"], "1994-02-11") == "11/02/1994"


def test_examples_fit_the_question() -> None:
    assert "12 ou 2 ans" in input_hint(FIELDS["duree_souhaitee_mois"]).placeholder
    assert "1 200,50" not in input_hint(FIELDS["duree_souhaitee_mois"]).placeholder
    assert "1 200,50" not in input_hint(FIELDS["autres_personnes"]).placeholder
    assert "€" in input_hint(FIELDS["loyer"]).placeholder or "euros" in input_hint(
        FIELDS["loyer"]).placeholder
    assert input_hint(FIELDS["ficp"]).single_key == "yes_no"
    assert input_hint(FIELDS["logement"]).single_key == "choice_number"


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf"), 10**100,
                                   pytest.param(10**4999, id="5000-digits")])
def test_numbers_that_are_not_numbers_are_refused_by_name(value) -> None:
    with pytest.raises(ParseError):
        coerce_value(FIELDS["cout_projet"], value)


def test_amounts_are_bounded_by_the_dictionary() -> None:
    from intake_assistant.core.fields import coerce_and_validate

    _, errors = coerce_and_validate({"cout_projet": 2_000_000, "loyer": 999_999})
    assert [fid for fid, _ in errors] == ["cout_projet"]
    assert "1 000 000" in errors[0][1]


@pytest.mark.parametrize("char", ["\x1b", "\x07", "\x00", "\u202e", "\u2066", "\x9b"])
def test_control_and_bidi_characters_are_refused_in_text(char) -> None:
    with pytest.raises(ParseError) as exc:
        parse_raw(FIELDS["nom"], f"Mar{char}tin")
    assert f"U+{ord(char):04X}" in exc.value.message and "position 4" in exc.value.message


def test_ordinary_accents_and_apostrophes_pass() -> None:
    assert parse_raw(FIELDS["nom"], "  N'Diaye-Lefèvre  ") == "N'Diaye-Lefèvre"


def test_the_finding_catalogue_is_complete_and_used() -> None:
    """Every message names a code of the catalogue; every core message is written somewhere."""
    import pathlib

    from intake_assistant.core.findings import CODES, MESSAGES

    assert all(code in CODES for code, _ in MESSAGES.values())
    source = "".join(p.read_text() for p in pathlib.Path(qtypes.__file__).parent.rglob("*.py")
                     if p.name != "findings.py")
    assert [key for key in MESSAGES if f'"{key}"' not in source] == []


def test_the_format_documentation_lists_every_type() -> None:
    import pathlib

    doc = (pathlib.Path(__file__).parents[2] / "docs" / "QUESTIONNAIRES.md").read_text()
    assert [name for name in qtypes.QUESTION_TYPES if f"`{name}`" not in doc] == []
