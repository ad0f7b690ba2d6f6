from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from pathlib import Path

from intake_assistant.cli import main
from intake_assistant.core.lifecycle import STATUSES, allowed_next
from intake_assistant.store.demo_data import COMMUNES, generate_dossiers
from intake_assistant.store.tinydb import TinyDBStore as Store

NOW = datetime(2026, 6, 1, 12, 0).astimezone()
PROJECTS = {"permis_b", "achat_vehicule", "reparation_vehicule", "electromenager", "mobilier",
            "formation", "sante", "installation_logement", "evenement_familial", "rachat_dettes",
            "autre"}


def test_demo_data_is_reproducible_and_follows_the_dictionary() -> None:
    first = list(generate_dossiers(300, seed=5, now=NOW))
    assert first == list(generate_dossiers(300, seed=5, now=NOW))
    assert first != list(generate_dossiers(300, seed=6, now=NOW))
    statuses = Counter(d["status"] for d in first)
    assert set(statuses) == set(STATUSES)
    created = [d["created_at"] for d in first]
    assert created == sorted(created)
    assert created[0][:4] <= "2023" and created[-1] <= NOW.isoformat()
    communes = {name for name, _ in COMMUNES}
    for doc in first:
        answers = doc["answers"]
        assert answers["commune_residence"] in communes
        assert answers["type_projet"] in PROJECTS
        assert answers["telephone"][:2] in ("06", "07", "03")
        history = [h["status"] for h in doc["status_history"]]
        for before, after in zip(history, history[1:], strict=False):
            assert after in allowed_next(before), history
        assert doc["status"] == history[-1]
        if doc["status"] in ("accorde", "refuse", "ajourne"):
            assert doc["commission"]["decision"] == doc["status"]
            assert (doc["commission"]["montant_accorde"] or 0) > 0 or doc["status"] != "accorde"
        if doc["status"] not in ("premier_contact", "abandonne"):
            assert doc["rencontres"]
        for key in doc["unknown"]:
            assert key not in answers
        assert [e["seq"] for e in doc["events"]] == list(range(1, len(doc["events"]) + 1))


def test_cli_demo_data_list_and_show(tmp_path: Path, capsys) -> None:
    db = str(tmp_path / "demo")
    assert main(["demo-data", "--count", "60", "--seed", "3", "--db", db]) == 0
    assert "60 dossier(s) fictif(s)" in capsys.readouterr().out
    assert main(["list", "--db", db, "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert len(listed) == 60
    accorded = [e for e in listed if e["status"] == "accorde"]
    assert main(["list", "--db", db, "--status", "accorde"]) == 0
    out = capsys.readouterr().out
    assert f"{len(accorded)} dossier(s)." in out and "Accordé" in out
    person = listed[0]
    assert main(["list", "--db", db, "--search", person["nom"].upper()]) == 0
    assert person["id"] in capsys.readouterr().out
    target = accorded[0]["id"]
    assert main(["show", target, "--db", db, "--format", "json"]) == 0
    export = json.loads(capsys.readouterr().out)
    assert export["dossier"] == Store.open(db).load(target)
    assert export["delais"]["contact_decision"] is not None
    assert main(["show", target, "--db", db]) == 0
    text = capsys.readouterr().out
    assert f"Dossier {target} — statut : Accordé" in text and "Délais (jours)" in text
    assert main(["show", "D-1999-000001", "--db", db]) == 1
    assert "n'existe pas" in capsys.readouterr().err


def test_cli_list_reports_unreadable_dossiers(tmp_path: Path, capsys) -> None:
    store = Store.open(tmp_path / "b")
    ids = [store.create_dossier(agent="a", answers={"nom": n})["id"] for n in ("A", "B")]
    path = store.dossiers_dir / ids[0][2:6] / f"{ids[0]}.json"
    path.write_bytes(b"\x00\x00")
    assert main(["list", "--db", str(store.root)]) == 0
    captured = capsys.readouterr()
    assert "1 dossier(s)." in captured.out
    assert f"le dossier {ids[0]} est illisible ou endommagé ({path})" in captured.err


def test_env_variable_locates_the_store(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("INTAKE_ASSISTANT_DB", str(tmp_path / "env"))
    Store.open().create_dossier(agent="a", answers={"nom": "Env"})
    assert main(["list", "--search", "env"]) == 0
    assert "1 dossier(s)." in capsys.readouterr().out
