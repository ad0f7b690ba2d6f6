"""Issue 11 §2 through the commands: one dossier of valid JSON but the wrong shape is named as
damaged; list, stats, purge --dry-run work for the rest; show, export and interview on it give a
French message, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from intake_assistant.cli import main
from intake_assistant.store.tinydb import TinyDBStore as Store


@pytest.mark.parametrize("damage", [
    {"answers": "une chaîne"},
    {"status": None},
    {"created_at": None},
])
def test_every_command_survives_a_malformed_dossier(tmp_path: Path, capsys, damage) -> None:
    store = Store.open(tmp_path / "base")
    good = store.create_dossier(agent="a", answers={"nom": "Sain"})["id"]
    bad = store.create_dossier(agent="a", answers={"nom": "Abîmé"})["id"]
    path = store.dossiers_dir / bad[2:6] / f"{bad}.json"
    tables = json.loads(path.read_bytes())
    tables["dossier"]["1"].update(damage)
    path.write_text(json.dumps(tables))
    db = ["--db", str(store.root)]
    answers = tmp_path / "reponses.yaml"
    answers.write_text("nom: Dupont\n", encoding="utf-8")

    assert main(["list", *db]) == 0
    out = capsys.readouterr()
    assert good in out.out and bad not in out.out and "1 dossier(s)." in out.out
    assert f"le dossier {bad} est illisible ou endommagé" in out.err
    assert main(["stats", *db, "--format", "json"]) == 0
    assert "requests" in json.loads(capsys.readouterr().out)["summary"]
    assert main(["purge", "--dry-run", *db]) == 0
    assert bad in capsys.readouterr().err
    for command in (["show", bad, *db], ["export", bad, "--format", "md", *db],
                    ["interview", "accueil_telephonique", "--answers", str(answers),
                     "--dossier", bad, "--quiet", *db]):
        assert main(command) == 1, command
        err = capsys.readouterr().err
        assert f"Le dossier {bad} est illisible (structure inattendue" in err, (command, err)
        assert "Traceback" not in err
    assert main(["forget", bad, "--yes", *db]) == 0
    assert not path.exists()
