"""A small hand-made activity where every figure is known (see the comments of `activity`)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

TODAY = date(2026, 6, 30)
PERIOD = (date(2026, 1, 1), date(2026, 6, 30))
NAME = "Zébulon"  # must never appear in a statistics output


def dossier(num: int, created: str, steps: list[tuple[str, str]], answers: dict[str, Any],
            commission: dict[str, Any] | None = None) -> dict[str, Any]:
    at = f"{created}T10:00:00+01:00"
    history = [{"status": "premier_contact", "at": at, "agent": "Sophie Lambert"}]
    history += [{"status": s, "at": f"{d}T11:00:00+01:00", "agent": "Nadia Benali"}
                for s, d in steps]
    return {
        "id": f"D-{created[:4]}-{num:06d}", "rev": 1, "created_at": at,
        "updated_at": history[-1]["at"], "created_by": "Sophie Lambert", "agent": "Nadia Benali",
        "status": history[-1]["status"], "status_history": history,
        "questionnaires": ["accueil_telephonique"], "answers": answers, "unknown": [],
        "events": [{"seq": 1, "at": at, "agent": "Sophie Lambert", "type": "answer",
                    "id": "nom", "raw": NAME, "value": NAME}],
        "audit": [], "rencontres": [], "commission": commission, "notes": [],
        "evaluation_sociale": None,
    }


def person_a(amount: int) -> dict[str, Any]:
    """Alone, no child, 30 years old, Reims, driving licence."""
    return {"nom": NAME, "prenom": "Test", "date_naissance": "1996-01-15",
            "telephone": "06 12 34 56 78", "commune_residence": "Reims",
            "situation_familiale": "seul", "enfants": [], "type_projet": "permis_b",
            "montant_demande": amount, "cout_projet": amount, "duree_souhaitee_mois": 24}


def person_b(amount: int, commune: str) -> dict[str, Any]:
    """Couple with a child, about 50, Tinqueux, household appliances."""
    return {"nom": NAME, "prenom": "Autre", "date_naissance": "1976-03-01",
            "commune_residence": commune, "situation_familiale": "couple",
            "enfants": [{"age": 5}], "type_projet": "electromenager",
            "montant_demande": amount, "cout_projet": amount, "duree_souhaitee_mois": 12}


def decision(day: str, what: str, amount: int | None) -> dict[str, Any]:
    return {"date": day, "decision": what, "montant_accorde": amount, "conditions": "",
            "agent": "Nadia Benali", "at": f"{day}T15:00:00+01:00"}


def activity() -> list[dict[str, Any]]:
    """9 dossiers in Jan–Jun 2026 (6 "A", 3 "B"), 6 in Jan–Jun 2025, 1 in 2024.

    Delays contact → evaluation: 10, 5, 10, 7, 2, 2, 20 (median 7, 90th percentile 14).
    Evaluation → commission: 39, 33, 37; commission → decision: 10, 12, 20; contact → decision:
    59, 50, 59. Open on 30/06/2026: A1 176 days, B2 56 (premier contact); B1 171, B3 8 (en
    évaluation); A5 90 (en instruction).
    """
    e, i, c = "en_evaluation", "en_instruction", "en_commission"
    return [
        dossier(1, "2026-01-05", [], person_a(800)),                                    # A1
        dossier(2, "2026-01-20", [(e, "2026-01-30"), (i, "2026-02-20"), (c, "2026-03-10"),
                                  ("accorde", "2026-03-20")], person_a(900),
                decision("2026-03-20", "accorde", 1000)),                                # A2
        dossier(3, "2026-02-10", [(e, "2026-02-15"), (i, "2026-03-01"), (c, "2026-03-20"),
                                  ("refuse", "2026-04-01")], person_a(1000),
                decision("2026-04-01", "refuse", None)),                                 # A3
        dossier(4, "2026-02-11", [(e, "2026-02-21"), ("abandonne", "2026-03-15")],
                person_a(1100)),                                                         # A4
        dossier(5, "2026-03-03", [(e, "2026-03-10"), (i, "2026-04-01")], person_a(1200)),  # A5
        dossier(6, "2026-04-01", [(e, "2026-04-03"), (i, "2026-04-20"), (c, "2026-05-10"),
                                  ("accorde", "2026-05-30")], person_a(1300),
                decision("2026-05-30", "accorde", 1200)),                                # A6
        dossier(7, "2026-01-08", [(e, "2026-01-10")], person_b(400, "Tinqueux")),        # B1
        dossier(8, "2026-05-05", [], person_b(500, "tinqueux")),                          # B2
        dossier(9, "2026-06-02", [(e, "2026-06-22")], person_b(600, "Tinqueux")),         # B3
        *[dossier(20 + n, f"2025-01-{10 + n:02d}", [], person_a(700)) for n in range(5)],
        dossier(30, "2025-02-03", [], person_a(700)),
        dossier(40, "2024-03-01", [], person_a(700)),
    ]


@pytest.fixture
def dossiers() -> list[dict[str, Any]]:
    return activity()


@pytest.fixture(scope="session")
def policy():
    from intake_assistant.orientation.build import default_policy

    return default_policy()
