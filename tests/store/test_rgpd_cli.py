"""RGPD through the CLI and the application layer (app/privacy.py)."""

from __future__ import annotations

import getpass
import os
import sqlite3
from contextlib import closing
from datetime import timedelta
from pathlib import Path

from intake_assistant.app import privacy
from intake_assistant.cli import main
from intake_assistant.store.tinydb import TinyDBStore as Store

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


def test_forget_keeps_the_other_statistics_records_warm(store: Store, now) -> None:
    from intake_assistant.orientation.build import default_policy
    from intake_assistant.reports.cache import cache_path, store_records

    gone = _person(store, now, 5)
    kept = _person(store, now, 5, nom="Gardé")
    store_records(store, default_policy())
    privacy.forget(store, gone)
    with closing(sqlite3.connect(cache_path(store))) as db:
        cached = [row[0] for row in db.execute("SELECT id FROM records")]
    assert cached == [kept]  # only the erased id left the cache; no cold rebuild


def test_exports_are_registered_and_forget_lists_or_deletes_them(store: Store, now, tmp_path,
                                                                 capsys) -> None:
    dossier_id = _person(store, now, 5)
    other = _person(store, now, 5, nom="Autre")
    pdf = tmp_path / "synthese.pdf"
    db = ["--db", str(store.root)]
    assert main(["export", dossier_id, "-o", str(pdf), "--agent", "Nadia", *db]) == 0
    assert main(["export", dossier_id, "--format", "md", *db]) == 0
    assert main(["export", other, "-o", str(tmp_path / "autre.pdf"), *db]) == 0
    capsys.readouterr()
    exports = store.load(dossier_id)["exports"]
    # The agent recorded is the one the system authenticated, never the one typed (--agent).
    who = getpass.getuser()
    assert [(e["path"], e["format"], e["agent"]) for e in exports] == [
        (str(pdf.resolve()), "pdf", who), (None, "md", who)]
    assert main(["show", dossier_id, *db]) == 0
    assert str(pdf.resolve()) in capsys.readouterr().out  # right of access lists them too
    assert main(["forget", dossier_id, "--yes", *db]) == 0
    out = capsys.readouterr().out
    assert "effacé de la base" in out and "restent à détruire" in out
    assert str(pdf.resolve()) in out and "sortie standard" in out
    assert "plus aucune donnée n'est conservée sur cette personne." not in out
    assert pdf.exists()  # not deleted unless asked
    assert main(["forget", other, "--yes", "--delete-exports", *db]) == 0
    out = capsys.readouterr().out
    assert "1 fichier(s) exporté(s) supprimé(s)" in out and "à détruire" not in out
    assert not (tmp_path / "autre.pdf").exists()


def test_purge_lists_the_exports_of_what_it_erases(store: Store, now, tmp_path, capsys) -> None:
    old = _person(store, now.replace(year=2020), 0)
    pdf = tmp_path / "vieux.pdf"
    assert main(["export", old, "-o", str(pdf), "--db", str(store.root)]) == 0
    capsys.readouterr()
    assert main(["purge", "--dry-run", "--db", str(store.root)]) == 0
    assert "seraient à détruire" in capsys.readouterr().out
    assert main(["purge", "--delete-exports", "--db", str(store.root)]) == 0
    assert "1 fichier(s) exporté(s) supprimé(s)" in capsys.readouterr().out
    assert not pdf.exists()
