"""The proposal to the commission and the commission's sessions."""

from __future__ import annotations

from datetime import date

import pytest

from intake_assistant.core.casework import proposal, sessions
from intake_assistant.core.casework.sessions import Session
from intake_assistant.core.casework.terms import CaseworkError

from .test_decisions import TERMS


def test_a_proposal_keeps_aid_amount_and_duration() -> None:
    doc = proposal.check_proposal(
        [{"aid": "avance_remboursable", "montant": 800, "duree_mois": 16},
         {"aid": "aide_au_projet", "montant": 200}], "  Emploi à la clé. ", TERMS)
    assert doc == {"aides": [{"aid": "avance_remboursable", "montant": 800.0, "duree_mois": 16},
                             {"aid": "aide_au_projet", "montant": 200.0, "duree_mois": None}],
                   "arguments": "Emploi à la clé."}


@pytest.mark.parametrize(("items", "message"), [
    ([], "au moins une aide"),
    ([{"aid": "aide_au_projet", "montant": 100}] * 2, "proposée deux fois"),
    ([{"aid": "aide_au_projet", "montant": 600}], "jusqu'à 500"),
    ([{"aid": "microcredit_personnel", "montant": 1000}], "durée"),
    ([{"aid": "rsa", "montant": 100}], "Aide inconnue"),
])
def test_a_proposal_outside_the_rules_is_refused(items, message) -> None:
    with pytest.raises(CaseworkError, match=message):
        proposal.check_proposal(items, "x", TERMS)


def test_warnings_when_proposing_more_than_asked_or_without_arguments() -> None:
    doc = {"aides": [{"aid": "aide_au_projet", "montant": 500}], "arguments": ""}
    warnings = proposal.proposal_warnings(doc, asked=400, cost=450)
    assert any("dépasse le montant demandé (400 €)" in w for w in warnings)
    assert any("dépasse le coût du projet" in w for w in warnings)
    assert any("argumentaire" in w for w in warnings)
    assert proposal.proposal_warnings({**doc, "arguments": "ok"}, asked=600, cost=700) == []


def test_session_ids_and_time() -> None:
    assert sessions.new_id(date(2026, 12, 3), []) == "2026-12-03"
    assert sessions.new_id(date(2026, 12, 3), ["2026-12-03", "2026-12-03-2"]) == "2026-12-03-3"
    assert sessions.check_time("9h30") == "09:30" and sessions.check_time("14h") == "14:00"
    with pytest.raises(CaseworkError, match="Heure invalide"):
        sessions.check_time("25:00")
    with pytest.raises(CaseworkError, match="lieu"):
        sessions.check_place("   ")


def test_agenda_add_remove_move() -> None:
    s = Session("2026-12-03", "2026-12-03", "14:00", "CCAS", ())
    s = sessions.with_dossier(sessions.with_dossier(s, "D-2026-000001"), "D-2026-000002")
    with pytest.raises(CaseworkError, match="déjà à l'ordre du jour"):
        sessions.with_dossier(s, "D-2026-000001")
    assert sessions.moved(s, "D-2026-000002", -1).agenda == ("D-2026-000002", "D-2026-000001")
    assert sessions.moved(s, "D-2026-000002", 5).agenda == s.agenda  # clipped at the end
    assert sessions.without_dossier(s, "D-2026-000001").agenda == ("D-2026-000002",)
    with pytest.raises(CaseworkError, match="n'est pas à l'ordre du jour"):
        sessions.without_dossier(s, "D-2026-000009")


def test_held_pending_and_latest() -> None:
    past = Session("2026-11-05", "2026-11-05", "14:00", "CCAS", ("D-2026-000001",))
    coming = Session("2026-12-03", "2026-12-03", "14:00", "CCAS", ("D-2026-000001",))
    today = date(2026, 11, 20)
    assert past.held(today) and not coming.held(today) and coming.held(date(2026, 12, 3))
    assert sessions.pending_session([past, coming], "D-2026-000001", today) == coming
    assert sessions.pending_session([past], "D-2026-000001", today) is None
    assert sessions.latest_session_of([coming, past], "D-2026-000001") == coming
    assert sessions.latest_session_of([past], "D-2026-000002") is None
    assert Session.from_record(coming.id, coming.to_doc()).agenda == coming.agenda
