"""Roles in the application layer on the one-PC store (TinyDB): identity is the OS user."""

from __future__ import annotations

from pathlib import Path

import pytest

from intake_assistant.app import access
from intake_assistant.app.access import AccessDenied, GuardedStore, authenticate
from intake_assistant.app.agents import add_agent, disable_agent, list_agents
from intake_assistant.cli import main
from intake_assistant.store import open_store


@pytest.fixture
def base(tmp_path: Path) -> Path:
    return tmp_path / "base"


def as_user(monkeypatch: pytest.MonkeyPatch, login: str) -> None:
    monkeypatch.setattr(access.getpass, "getuser", lambda: login)


def test_a_fresh_store_lets_its_only_user_do_everything(base: Path, monkeypatch) -> None:
    as_user(monkeypatch, "marie")
    identity = authenticate(open_store(base))
    assert identity.admin and identity.login == "marie" and identity.may("purge")


def test_once_agents_exist_an_unknown_os_user_is_refused(base: Path, monkeypatch,
                                                         capsys) -> None:
    store = open_store(base)
    add_agent(store, "chef", "Claire Chef", "responsable")
    as_user(monkeypatch, "inconnu")
    with pytest.raises(AccessDenied, match="« inconnu » .*n'est pas enregistré comme agent"):
        authenticate(store)
    assert main(["list", "--db", str(base)]) == 1
    assert "intake-assistant agents add inconnu" in capsys.readouterr().err


def test_reception_sees_identity_not_the_evaluation(base: Path, monkeypatch) -> None:
    raw = open_store(base)
    add_agent(raw, "sophie", "Sophie Laurent", "accueil")
    add_agent(raw, "nadia", "Nadia Benali", "travailleur_social")
    doc = raw.create_dossier(agent="nadia", answers={"nom": "Martin", "energie": 90})
    raw.add_note(doc["id"], "confidentiel", agent="nadia")
    raw.add_note(doc["id"], "rappeler", agent="sophie")
    raw.set_fields(doc["id"], agent="nadia", evaluation_sociale="difficile")
    as_user(monkeypatch, "sophie")
    store = GuardedStore(raw, authenticate(raw))
    seen = store.load(doc["id"])
    assert seen["answers"] == {"nom": "Martin"}
    assert [n["text"] for n in seen["notes"]] == ["rappeler"]
    assert seen["evaluation_sociale"] is None
    with pytest.raises(AccessDenied, match="relèvent de l'évaluation"):
        store.save_answer(doc["id"], "energie", 10)
    with pytest.raises(AccessDenied, match="purger les dossiers inactifs"):
        store.purge(dry_run=True)
    saved = store.save_answer(doc["id"], "telephone", "0612345678")
    assert saved["events"][-1]["agent"] == "sophie"  # the authenticated login, not a name typed
    log = raw.list_records("acces", dossier_id=doc["id"])
    assert [(r["doc"]["agent"], r["doc"]["referent"]) for r in log] == [("sophie", "nadia")]


def test_disabled_agent_is_refused_and_agents_cli_is_the_leads(base: Path, monkeypatch,
                                                               capsys) -> None:
    raw = open_store(base)
    add_agent(raw, "chef", "Claire Chef", "responsable")
    add_agent(raw, "sophie", "Sophie Laurent", "accueil")
    as_user(monkeypatch, "sophie")
    assert main(["agents", "list", "--db", str(base)]) == 1
    assert "gérer les agents est réservé au rôle responsable" in capsys.readouterr().err
    as_user(monkeypatch, "chef")
    assert main(["agents", "disable", "sophie", "--db", str(base)]) == 0
    assert [a.active for a in list_agents(raw) if a.login == "sophie"] == [False]
    as_user(monkeypatch, "sophie")
    with pytest.raises(AccessDenied, match="est désactivé"):
        authenticate(raw)
    with pytest.raises(Exception, match="Aucun agent"):
        disable_agent(raw, "personne")
