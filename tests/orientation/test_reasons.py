"""Reason texts: complete figures, French typography, a distinct text for met and failed."""

from __future__ import annotations

import re

import pytest

from intake_assistant.orientation.evaluate import evaluate

from .conftest import PERSONA_IDS, TODAY, persona

_BAD = [
    (re.compile(r"[{}]"), "placeholder left"),
    (re.compile(r"…"), "missing figure"),
    (re.compile(r"\b(None|True|False|nan|inf)\b"), "Python value"),
    (re.compile(r"  "), "double space"),
    (re.compile(r"\S[:;!?%]"), "no space before : ; ! ? %"),
    (re.compile(r" [,.]"), "space before , or ."),
    (re.compile(r"\d\.\d"), "English decimal point"),
    (re.compile(r"\d{4,} €"), "thousands not grouped"),
    (re.compile(r"\d,\d €"), "one-decimal amount"),
]


@pytest.mark.parametrize("pid", PERSONA_IDS)
def test_rendered_reasons_read_well(pid, policy):
    result = evaluate(persona(pid)["answers"], policy, TODAY)
    for s in result.suggestions:
        assert s.reasons, s.aid
        for reason in s.reasons:
            assert reason[0].isupper(), reason
            for pattern, what in _BAD:
                # "caf.fr" is a web address, not a decimal
                text = re.sub(r"\b[\w.]+\.(fr|gouv\.fr)\b", "site", reason)
                assert not pattern.search(text), f"{what}: {reason}"


def test_met_and_failed_texts_differ(policy):
    for aid in policy.aids:
        assert aid.name and aid.orient_to
        for gate in aid.gates:
            assert gate.failed.source != gate.met.source, (aid.id, gate.id)
            assert gate.label[0].isupper()


def test_failed_reasons_print_the_figures(policy):
    garcia = evaluate(persona("garcia_ficp_permis")["answers"], policy, TODAY)
    micro = garcia.suggestion("microcredit_personnel")
    assert ("Mensualité estimée 38,38 € sur 36 mois ; reste à vivre après : 0,68 €/jour/UC, "
            "sous le plancher de 7,00 €") in micro.reasons
    petit = evaluate(persona("petit_rachat_dettes")["answers"], policy, TODAY)
    # CSS with participation (issue 12): 12 × (1 950 € + forfait logement of the housing aid due)
    assert ("Ressources retenues sur 12 mois de 25 722,62 €, entre le plafond sans participation "
            "(21 885 €) et celui avec participation (29 545 €) pour 4 pers.") in \
        petit.suggestion("css").reasons
    roux = evaluate(persona("roux_refrigerateur")["answers"], policy, TODAY)
    assert ("Ressources retenues sur 12 mois de 21 442,26 €, au-dessus du plafond avec "
            "participation de 21 103 € pour 2 pers.") in roux.suggestion("css").reasons
    assert "Taux d'endettement de 35,9 %, au-dessus du seuil d'alerte de 33 %" in \
        petit.suggestion("microcredit_personnel").reasons
