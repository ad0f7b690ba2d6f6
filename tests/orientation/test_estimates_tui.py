"""F8 in the interview: OpenFisca's amounts beside the statuses, fetched off the UI thread."""

from __future__ import annotations

import asyncio

from intake_assistant.app import estimates as estimates_module
from intake_assistant.app.agents import add_agent
from intake_assistant.app.estimates import Estimates
from intake_assistant.store.tinydb import TinyDBStore as Store
from intake_assistant.tui.app import IntakeApp
from intake_assistant.tui.widgets.side_panel import SidePanel
from tests.tui.conftest import (
    AGENT,
    TODAY,
    login_of,
    new_intake,
    persona,
    play_answers,
    settle,
    sign_in_as,
)


class FakeService:
    def __init__(self, result: Estimates) -> None:
        self.result, self.calls = result, []

    def estimate(self, answers, day, unknown=None):
        self.calls.append((dict(answers), day))
        return self.result


def run_intake(tmp_path, monkeypatch, result: Estimates):
    service = FakeService(result)
    monkeypatch.setattr(estimates_module, "_SHARED", service)
    store = Store.open(tmp_path / "db", lock_timeout=2.0)
    # Signed in as a registered reception agent (identity comes from the OS login).
    add_agent(store, login_of(AGENT), AGENT, "accueil")
    sign_in_as(monkeypatch, login_of(AGENT))
    app = IntakeApp(store, today=TODAY, config_path=tmp_path / "config" / "tui.json")
    seen: dict = {}

    async def scenario() -> None:
        async with new_intake(app, size=(120, 40)) as (pilot, screen):
            await play_answers(pilot, persona("martin_permis")["answers"],
                               stop_at="compte_bancaire")
            await pilot.press("f8")
            await settle(pilot)
            panel = screen.query_one(SidePanel)
            seen["estimates"] = dict(panel.estimates)
            seen["rows"] = panel.aid_texts()
            seen["notes"] = [n.message for n in app._notifications]
            await pilot.press("o")  # compte_bancaire answered: the amounts are no longer sure
            await settle(pilot)
            seen["after_change"] = dict(panel.estimates)

    asyncio.run(scenario())
    return service, seen


def test_f8_shows_the_amounts_beside_the_status(tmp_path, monkeypatch):
    result = Estimates(True, {"prime_activite": {"montant": 347.47, "eligible": True}},
                       version="176.1.8")
    service, seen = run_intake(tmp_path, monkeypatch, result)
    assert service.calls and service.calls[0][1] == TODAY
    text = "montant estimé : 347 €/mois, selon OpenFisca-France 176.1.8"
    assert seen["estimates"] == {"prime_activite": text}
    assert any("Prime d'activité" in row and f"≈ {text}" in row for row in seen["rows"])
    assert seen["after_change"] == {}  # an answer changed: press F8 again


def test_f8_without_the_extra_says_so(tmp_path, monkeypatch):
    result = Estimates(False, message=estimates_module.NOT_INSTALLED)
    _, seen = run_intake(tmp_path, monkeypatch, result)
    assert seen["estimates"] == {}
    assert estimates_module.NOT_INSTALLED in seen["notes"]
