"""The commission's decision per aid, and the dossier's decision from them."""

from __future__ import annotations

import pytest

from intake_assistant.core.casework import decisions
from intake_assistant.core.casework.settings import CommissionSettings, Reason
from intake_assistant.core.casework.terms import AidTerms, CaseworkError

TERMS = {
    "aide_au_projet": AidTerms("aide_au_projet", "Aide au projet", False, 0.0, 0.0, 500.0, None),
    "avance_remboursable": AidTerms("avance_remboursable", "Avance", True, 0.0, 0.0, 1500.0, 24),
    "microcredit_personnel": AidTerms("microcredit_personnel", "Microcrédit", True, 0.04, 300.0,
                                      3000.0, 36),
}
SETTINGS = CommissionSettings(tuple(TERMS), "CCAS", "14:00",
                              (Reason("reste_a_vivre", "Reste à vivre insuffisant"),),
                              (Reason("pieces_manquantes", "Pièces manquantes"),))


def check(**raw):
    return decisions.check_aid_decision(raw, TERMS, SETTINGS)


def test_a_granted_loan_has_amount_duration_and_the_policy_rate_by_default() -> None:
    row = check(aid="microcredit_personnel", decision="accorde", montant=2000, duree_mois=24)
    assert (row["montant"], row["duree_mois"], row["taux_annuel"]) == (2000.0, 24, 0.04)
    assert check(aid="microcredit_personnel", decision="accorde", montant=2000, duree_mois=24,
                 taux_annuel=0.03)["taux_annuel"] == 0.03


def test_a_granted_grant_has_no_duration_nor_rate() -> None:
    row = check(aid="aide_au_projet", decision="accorde", montant=300)
    assert row["duree_mois"] is None and row["taux_annuel"] is None
    with pytest.raises(CaseworkError, match="pas de durée"):
        check(aid="aide_au_projet", decision="accorde", montant=300, duree_mois=12)


@pytest.mark.parametrize(("raw", "message"), [
    ({"aid": "avance_remboursable", "decision": "accorde", "duree_mois": 12}, "supérieur à 0"),
    ({"aid": "avance_remboursable", "decision": "accorde", "montant": 2000, "duree_mois": 12},
     "sort des limites du règlement : jusqu'à 1 500"),
    ({"aid": "microcredit_personnel", "decision": "accorde", "montant": 200, "duree_mois": 12},
     "de 300 € à 3 000 €"),
    ({"aid": "avance_remboursable", "decision": "accorde", "montant": 800}, "durée"),
    ({"aid": "avance_remboursable", "decision": "accorde", "montant": 800, "duree_mois": 30},
     "24 au plus"),
    ({"aid": "microcredit_personnel", "decision": "accorde", "montant": 800, "duree_mois": 12,
      "taux_annuel": 0.5}, "entre 0 et 25 %"),
    ({"aid": "avance_remboursable", "decision": "accorde", "montant": 800, "duree_mois": 12,
      "motif": "reste_a_vivre"}, "n'a pas de motif"),
    ({"aid": "avance_remboursable", "decision": "refuse"}, "Motif de refus manquant"),
    ({"aid": "avance_remboursable", "decision": "refuse", "motif": "pieces_manquantes"},
     "Motif de refus inconnu"),  # an adjournment reason is not a refusal reason
    ({"aid": "avance_remboursable", "decision": "ajourne", "motif": "pieces_manquantes",
      "montant": 100}, "pas de montant"),
    ({"aid": "fsl", "decision": "accorde", "montant": 100}, "Aide inconnue de la commission"),
    ({"aid": "aide_au_projet", "decision": "peut-être"}, "Décision inconnue"),
])
def test_refused_decisions_say_why_in_french(raw, message) -> None:
    with pytest.raises(CaseworkError, match=message):
        check(**raw)


def test_a_refusal_keeps_the_reason_label_as_it_was() -> None:
    row = check(aid="avance_remboursable", decision="refuse", motif="reste_a_vivre",
                commentaire="  revoir dans 6 mois ")
    assert row["motif_label"] == "Reste à vivre insuffisant"
    assert row["commentaire"] == "revoir dans 6 mois" and row["montant"] is None


def test_one_decision_per_aid_per_session() -> None:
    item = {"aid": "aide_au_projet", "decision": "accorde", "montant": 100}
    with pytest.raises(CaseworkError, match="Deux décisions"):
        decisions.check_decisions([item, item], TERMS, SETTINGS)
    with pytest.raises(CaseworkError, match="au moins une aide"):
        decisions.check_decisions([], TERMS, SETTINGS)


def rows(*data):
    return [{"id": str(i), "data": d} for i, d in enumerate(data, 1)]


def test_the_dossier_decision_follows_its_aids() -> None:
    grant = {"aid": "aide_au_projet", "decision": "accorde", "montant": 200, "date": "2026-12-03"}
    loan_refused = {"aid": "avance_remboursable", "decision": "refuse", "montant": None,
                    "date": "2026-12-03"}
    loan_adjourned = {**loan_refused, "decision": "ajourne"}
    assert decisions.dossier_decision(decisions.latest_by_aid(rows(grant, loan_refused))) == \
        "accorde"
    assert decisions.dossier_decision(decisions.latest_by_aid(rows(loan_refused))) == "refuse"
    # an adjourned aid sends the dossier back to a commission, even with a grant
    assert decisions.dossier_decision(decisions.latest_by_aid(rows(grant, loan_adjourned))) == \
        "ajourne"
    with pytest.raises(CaseworkError):
        decisions.dossier_decision({})


def test_the_latest_session_wins_and_the_grant_stays_counted() -> None:
    first = {"aid": "avance_remboursable", "decision": "ajourne", "montant": None,
             "date": "2026-12-03"}
    grant = {"aid": "aide_au_projet", "decision": "accorde", "montant": 200, "date": "2026-12-03"}
    later = {"aid": "avance_remboursable", "decision": "accorde", "montant": 700,
             "date": "2027-01-14", "conditions": "versement au garage"}
    latest = decisions.latest_by_aid(rows(later, first, grant))  # order of rows irrelevant
    assert latest["avance_remboursable"]["montant"] == 700
    assert decisions.dossier_decision(latest) == "accorde"
    assert decisions.granted_total(latest) == 900
    assert decisions.conditions_text(latest, {"avance_remboursable": "Avance"}) == \
        "Avance : versement au garage"
