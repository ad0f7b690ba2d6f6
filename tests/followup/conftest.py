"""A store with one dossier ready for follow-up: a person whose project goes to a bank, with the
commission's decision; the dates are fixed (TODAY)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from intake_assistant.store.tinydb import TinyDBStore as Store

TODAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 10, 0).astimezone()
AGENT = "Nadia Benali"

JULIE = {
    "nom": "Martin", "prenom": "Julie", "date_naissance": "1990-04-12",
    "telephone": "06 12 34 56 78", "commune_residence": "Reims",
    "situation_familiale": "seul", "enfants": [{"age": 6}], "autres_personnes": 0,
    "logement": "locataire_social", "situation_professionnelle": "salarie_precaire",
    "revenus_activite": 1250, "aides_logement_percues": 180, "prime_activite_percue": 120,
    "loyer": 420, "energie": 80, "eau": 25, "assurances": 30, "mutuelle": 35,
    "telephone_internet": 40, "transport": 50, "impots": 0, "frais_garde": 60,
    "credits_mensualites": 0, "compte_bancaire": True, "refus_credit_bancaire": True,
    "ficp": False, "surendettement": "aucun", "impayes_loyer": False,
    "impayes_energie": False, "montant_dettes": 0,
    "type_projet": "permis_b", "description_projet": "Permis B pour un emploi d'aide à domicile",
    "lien_emploi_insertion": True, "cout_projet": 1400, "apport_personnel": 200,
    "montant_demande": 1200, "duree_souhaitee_mois": 24, "urgence": False,
}


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store.open(tmp_path / "db", lock_timeout=2.0)


def make_dossier(store: Store, answers: dict[str, Any] | None = None, *,
                 decision: str | None = None, amount: float | None = None) -> str:
    doc = store.create_dossier(agent=AGENT, questionnaire="evaluation",
                               answers=dict(answers or JULIE),
                               now=datetime(2026, 9, 1, 10, 0).astimezone())
    store.set_fields(doc["id"], agent=AGENT, evaluation_sociale=(
        "Projet cohérent avec l'emploi proposé ; budget tendu mais remboursement possible."))
    if decision:
        for status in ("en_evaluation", "en_instruction", "en_commission"):
            store.set_status(doc["id"], status, agent=AGENT)
        store.record_decision(doc["id"], date="2026-10-15", decision=decision,
                              montant_accorde=amount, conditions="", agent=AGENT)
    return doc["id"]


# -- the TUI -----------------------------------------------------------------------------------
@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run ``async def`` tests (Pilot) in a fresh event loop, as tests/tui does."""
    import asyncio
    import inspect

    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    asyncio.run(pyfuncitem.obj(**{name: pyfuncitem.funcargs[name] for name in names}))
    return True


@pytest.fixture
def make_app(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """An app signed in as ``agent`` with ``role`` (registered in the store, the tests run as
    its OS login: identity comes from authentication), as tests/tui does."""
    from intake_assistant.app.agents import add_agent
    from intake_assistant.tui.app import IntakeApp
    from tests.tui.conftest import login_of, sign_in_as

    def make(role: str = "travailleur_social", agent: str = AGENT) -> IntakeApp:
        add_agent(store, login_of(agent), agent, role)
        sign_in_as(monkeypatch, login_of(agent))
        return IntakeApp(store, today=TODAY, config_path=tmp_path / "config" / "tui.json")
    return make
