"""A one-PC store with a receptionist, two social workers and the unit lead, and helpers to act
as one of them (the identity is the OS user, as in the application)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from intake_assistant.app import access
from intake_assistant.app.access import GuardedStore, authenticate
from intake_assistant.app.agents import add_agent
from intake_assistant.store import open_store

ANSWERS: dict[str, Any] = {
    "nom": "Lefèvre", "prenom": "Hélène", "date_naissance": "1990-05-10",
    "telephone": "06 11 22 33 44", "commune_residence": "Reims",
    "situation_familiale": "seul", "enfants": [{"age": 5}], "autres_personnes": 0,
    "logement": "locataire_social", "situation_professionnelle": "salarie_precaire",
    "revenus_activite": 1200, "aides_logement_percues": 200,
    "loyer": 500, "energie": 100, "credits_mensualites": 0,
    "compte_bancaire": True, "refus_credit_bancaire": True, "ficp": False,
    "surendettement": "aucun", "impayes_loyer": False, "impayes_energie": False,
    "montant_dettes": 0, "type_projet": "permis_b",
    "description_projet": "Permis B pour un emploi d'aide à domicile",
    "lien_emploi_insertion": True, "cout_projet": 1200, "apport_personnel": 200,
    "montant_demande": 1000, "duree_souhaitee_mois": 24, "urgence": False,
}
TODAY = date(2026, 11, 20)
SESSION_DAY = date(2026, 12, 3)


@pytest.fixture
def base(tmp_path: Path) -> Path:
    raw = open_store(tmp_path / "base")
    add_agent(raw, "sophie", "Sophie Laurent", "accueil")
    add_agent(raw, "nadia", "Nadia Benali", "travailleur_social")
    add_agent(raw, "marc", "Marc Petit", "travailleur_social")
    add_agent(raw, "claire", "Claire Dumont", "responsable")
    return tmp_path / "base"


@pytest.fixture
def as_agent(base: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], GuardedStore]:
    def open_as(login: str) -> GuardedStore:
        monkeypatch.setattr(access.getpass, "getuser", lambda: login)
        raw = open_store(base)
        return GuardedStore(raw, authenticate(raw))
    return open_as


def new_dossier(store: GuardedStore, answers: dict[str, Any] | None = None,
                status: str = "en_evaluation") -> str:
    """A dossier taken by the phone intake (sophie), evaluated by whoever ``store`` is."""
    raw = store.inner
    doc = raw.create_dossier(agent="sophie", questionnaire="evaluation",
                             answers=answers or ANSWERS,
                             now=datetime(2026, 11, 2, 10, 0).astimezone())
    for step in ("en_evaluation", "en_instruction")[: ("en_evaluation",
                                                        "en_instruction").index(status) + 1]:
        raw.set_status(doc["id"], step, agent="nadia")
    return doc["id"]
