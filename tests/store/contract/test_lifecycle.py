from __future__ import annotations

from datetime import date, timedelta

import pytest

from intake_assistant.core import lifecycle
from intake_assistant.core.lifecycle import (
    TransitionError,
    allowed_next,
    check_transition,
    last_contact,
)
from intake_assistant.store import DossierStore as Store
from intake_assistant.store import InvalidValueError


@pytest.mark.parametrize(("current", "new"), [
    ("premier_contact", "en_evaluation"), ("en_evaluation", "en_instruction"),
    ("en_instruction", "en_commission"), ("en_commission", "accorde"),
    ("en_commission", "refuse"), ("en_commission", "ajourne"), ("ajourne", "en_commission"),
    ("premier_contact", "abandonne"), ("accorde", "clos"), ("abandonne", "clos"),
])
def test_allowed_transitions(current: str, new: str) -> None:
    check_transition(current, new)


@pytest.mark.parametrize(("current", "new"), [
    ("premier_contact", "en_commission"), ("premier_contact", "accorde"),
    ("en_evaluation", "premier_contact"), ("accorde", "refuse"), ("clos", "en_evaluation"),
    ("clos", "abandonne"), ("abandonne", "en_evaluation"), ("en_commission", "en_commission"),
])
def test_refused_transitions(current: str, new: str) -> None:
    with pytest.raises(TransitionError):
        check_transition(current, new)


def test_refusal_message_is_french_and_lists_the_possible_statuses() -> None:
    with pytest.raises(TransitionError) as info:
        check_transition("premier_contact", "accorde")
    assert str(info.value) == (
        "Passage impossible du statut « À évaluer » au statut « Accordé ». Statuts possibles "
        "depuis « À évaluer » : « En évaluation », « Abandonné », « Clos »."
    )
    with pytest.raises(TransitionError, match="Statut inconnu"):
        check_transition("premier_contact", "termine")
    assert allowed_next("clos") == ()


def _walk(store: Store, start) -> str:
    doc = store.create_dossier(agent="Sophie", answers={"nom": "Martin"}, now=start)
    store.set_status(doc["id"], "en_evaluation", agent="Nadia", now=start + timedelta(days=4))
    store.add_meeting(doc["id"], date=(start + timedelta(days=4)).date().isoformat(),
                      avec="demandeur", partenaire=None, note="Entretien budgétaire", agent="Nadia")
    store.add_meeting(doc["id"], date=(start + timedelta(days=9)).date().isoformat(),
                      avec="partenaire", partenaire="Parcours Confiance", note="Montage",
                      agent="Nadia")
    store.set_status(doc["id"], "en_instruction", agent="Nadia", now=start + timedelta(days=10))
    store.set_status(doc["id"], "en_commission", agent="Nadia", note="Commission de mars",
                     now=start + timedelta(days=30))
    return doc["id"]


def test_full_life_cycle_and_derived_delays(store: Store, now) -> None:
    dossier_id = _walk(store, now)
    decided = store.record_decision(
        dossier_id, date=(now + timedelta(days=45)).date().isoformat(), decision="accorde",
        montant_accorde=850, conditions="Versement à l'auto-école", agent="Nadia",
        now=now + timedelta(days=46))
    assert decided["status"] == "accorde"
    assert [h["status"] for h in decided["status_history"]] == [
        "premier_contact", "en_evaluation", "en_instruction", "en_commission", "accorde"]
    assert decided["status_history"][3]["note"] == "Commission de mars"
    assert decided["commission"]["montant_accorde"] == 850
    assert decided["commission"]["decision"] == "accorde"
    assert [m["avec"] for m in decided["rencontres"]] == ["demandeur", "partenaire"]
    delays = lifecycle.delays(decided, today=(now + timedelta(days=50)).date())
    assert delays["contact_evaluation"] == 4
    assert delays["evaluation_commission"] == 26
    assert delays["commission_decision"] == 15
    assert delays["contact_decision"] == 45
    assert delays["days_in_status"] == 4
    assert delays["dates"]["decision"] == (now + timedelta(days=45)).date().isoformat()


def test_delays_of_a_young_dossier_are_none_until_reached(store: Store, now) -> None:
    doc = store.create_dossier(agent="a", now=now)
    delays = lifecycle.delays(doc, today=now.date() + timedelta(days=3))
    assert delays["contact_evaluation"] is None and delays["contact_decision"] is None
    assert delays["days_in_status"] == 3


def test_decision_requires_commission_status_and_valid_values(store: Store, now) -> None:
    doc = store.create_dossier(agent="a", now=now)
    with pytest.raises(TransitionError):
        store.record_decision(doc["id"], date="2026-03-10", decision="refuse",
                              montant_accorde=None, conditions="", agent="a")
    dossier_id = _walk(store, now)
    with pytest.raises(InvalidValueError, match="montant accordé"):
        store.record_decision(dossier_id, date="2026-03-10", decision="accorde",
                              montant_accorde=None, conditions="", agent="a")
    with pytest.raises(InvalidValueError, match="Décision inconnue"):
        store.record_decision(dossier_id, date="2026-03-10", decision="oui",
                              montant_accorde=None, conditions="", agent="a")
    with pytest.raises(InvalidValueError, match="Date invalide"):
        store.record_decision(dossier_id, date="10/03/2026", decision="refuse",
                              montant_accorde=None, conditions="", agent="a")
    assert store.load(dossier_id)["status"] == "en_commission"


def test_meeting_validation(store: Store, now) -> None:
    doc = store.create_dossier(agent="a", now=now)
    with pytest.raises(InvalidValueError, match="nom du partenaire"):
        store.add_meeting(doc["id"], date="2026-03-03", avec="partenaire", partenaire=None,
                          note="", agent="a")
    with pytest.raises(InvalidValueError, match="demandeur"):
        store.add_meeting(doc["id"], date="2026-03-03", avec="voisin", partenaire=None,
                          note="", agent="a")


def test_last_contact_counts_answers_meetings_and_status_changes_not_notes(store: Store,
                                                                           now) -> None:
    doc = store.create_dossier(agent="a", now=now)
    store.add_note(doc["id"], "note interne", agent="a", now=now + timedelta(days=40))
    assert last_contact(store.load(doc["id"])) == now.date()
    store.save_answer(doc["id"], "nom", "X", agent="a", now=now + timedelta(days=10))
    assert last_contact(store.load(doc["id"])) == now.date() + timedelta(days=10)
    store.add_meeting(doc["id"], date="2026-05-01", avec="demandeur", partenaire=None, note="",
                      agent="a")
    assert last_contact(store.load(doc["id"])) == date(2026, 5, 1)
