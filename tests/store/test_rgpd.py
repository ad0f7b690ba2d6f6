from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest

from intake_assistant.app import privacy
from intake_assistant.cli import main
from intake_assistant.store import DossierLockedError, DossierNotFoundError
from intake_assistant.store.tinydb import TinyDBStore as Store

from .conftest import start_child

NAME = "Zébulon-Tartempion"


def _store_bytes(root: Path) -> bytes:
    chunks = []
    for folder, _, files in os.walk(root):
        for name in files:
            chunks.append((Path(folder) / name).read_bytes())
    return b"".join(chunks)


def _traces(root: Path, *needles: str) -> list[str]:
    data = _store_bytes(root)
    found = []
    for needle in needles:
        for form in (needle.encode("utf-8"), needle.encode("unicode_escape"),
                     needle.encode("ascii", "ignore")):
            if form and form in data:
                found.append(needle)
    return found


def _person(store: Store, now, days_ago: int, nom: str = NAME) -> str:
    moment = now - timedelta(days=days_ago)
    doc = store.create_dossier(agent="Sophie", answers={"nom": nom, "prenom": "Anaïs",
                                                          "telephone": "06 99 88 77 66"},
                               now=moment)
    store.save_answer(doc["id"], "loyer", 400, agent="Sophie", now=moment)
    store.save_answer(doc["id"], "loyer", 420, agent="Nadia", now=moment)  # audit row
    store.add_note(doc["id"], f"Note sur {nom}", agent="Nadia", now=moment)
    return doc["id"]


def test_purge_dry_run_lists_and_keeps(store: Store, now) -> None:
    old = _person(store, now, 800)
    _person(store, now, 100, nom="Récent")
    listed = store.purge(dry_run=True, now=now)
    assert [e.dossier_id for e in listed] == [old]
    assert store.load(old)["answers"]["nom"] == NAME


def test_purge_deletes_inactive_dossiers_without_trace(store: Store, now) -> None:
    old = _person(store, now, 800)
    recent = _person(store, now, 100, nom="Récent")
    revived = _person(store, now, 900, nom="Revenu")
    store.add_meeting(revived, date=(now - timedelta(days=10)).date().isoformat(),
                      avec="demandeur", partenaire=None, note="Retour", agent="Nadia")
    store.list()  # make sure the index files hold the names before purging
    assert _traces(store.root, NAME)
    purged = store.purge(now=now)
    assert [e.dossier_id for e in purged] == [old]
    assert _traces(store.root, NAME, "06 99 88 77 66".replace(" ", "")) == []
    with pytest.raises(DossierNotFoundError):
        store.load(old)
    assert {e.id for e in Store.open(store.root).list()} == {recent, revived}


def test_purge_threshold_is_configurable(store: Store, now) -> None:
    dossier_id = _person(store, now, 40)
    assert store.purge(inactive_days=60, now=now) == []
    assert [e.dossier_id for e in store.purge(inactive_days=30, now=now)] == [dossier_id]


def test_forget_erases_the_person_everywhere(store: Store, now) -> None:
    gone = _person(store, now, 5)
    kept = _person(store, now, 5, nom="Gardé")
    store.list()
    with store.session(gone, agent="Nadia"):
        pass
    store.forget(gone)
    assert _traces(store.root, NAME) == []
    assert not list(store.root.rglob(f"*{gone}*"))
    assert [e.id for e in store.list()] == [kept]
    assert [e.id for e in Store.open(store.root).list()] == [kept]
    with pytest.raises(DossierNotFoundError):
        store.forget(gone)


def test_forget_refuses_a_dossier_open_elsewhere(store: Store, now) -> None:
    dossier_id = _person(store, now, 5)
    child = start_child("session", str(store.root), dossier_id, "Nadia")
    try:
        assert child.stdout.readline().strip() == "OPEN"
        with pytest.raises(DossierLockedError, match="ouvert par Nadia"):
            store.forget(dossier_id)
    finally:
        child.stdin.close()
        child.wait(10)
    assert store.load(dossier_id)["answers"]["nom"] == NAME


def test_cli_forget_asks_for_oui(store: Store, now, monkeypatch, capsys) -> None:
    dossier_id = _person(store, now, 5)
    monkeypatch.setattr("builtins.input", lambda prompt: "non")
    assert main(["forget", dossier_id, "--db", str(store.root)]) == 1
    assert "annulé" in capsys.readouterr().out
    assert store.load(dossier_id)
    prompts = []
    monkeypatch.setattr("builtins.input", lambda prompt: prompts.append(prompt) or "oui")
    assert main(["forget", dossier_id, "--db", str(store.root)]) == 0
    assert NAME in prompts[0] and "« oui »" in prompts[0]
    assert _traces(store.root, NAME) == []


def test_cli_forget_yes_and_purge(store: Store, now, capsys) -> None:
    first = _person(store, now, 5)
    assert main(["forget", first, "--yes", "--db", str(store.root)]) == 0
    assert "effacé" in capsys.readouterr().out
    assert main(["forget", first, "--yes", "--db", str(store.root)]) == 1
    assert "n'existe pas" in capsys.readouterr().err
    _person(store, now.replace(year=2020), 0)
    assert main(["purge", "--dry-run", "--db", str(store.root)]) == 0
    assert "1 dossier(s) sans contact depuis plus de 730 jours seraient supprimés" in (
        capsys.readouterr().out)
    assert main(["purge", "--db", str(store.root)]) == 0
    assert "1 dossier(s)" in capsys.readouterr().out
    assert _traces(store.root, NAME) == []


def test_a_corrupt_dossier_can_still_be_forgotten(store: Store, now, capsys) -> None:
    dossier_id = _person(store, now, 5)
    path = store.dossiers_dir / "2026" / f"{dossier_id}.json"
    path.write_bytes(path.read_bytes()[:-20])
    assert main(["forget", dossier_id, "--yes", "--db", str(store.root)]) == 0
    assert not path.exists()
    assert _traces(store.root, NAME) == []


def test_forget_also_drops_derived_statistics_records(store: Store, now) -> None:
    from intake_assistant.orientation.build import default_policy
    from intake_assistant.reports.cache import store_records

    gone = _person(store, now, 5)
    kept = _person(store, now, 5, nom="Gardé")
    assert len(store_records(store, default_policy())) == 2  # the stats cache now holds both ids
    assert _traces(store.root, gone)
    privacy.forget(store, gone)  # the store erases its part, the app the derived records
    assert _traces(store.root, gone) == []  # not even the id in a derived file
    assert len(store_records(store, default_policy())) == 1
    assert _traces(store.root, kept)
