"""`intake-assistant interview`: shipped questionnaires on the personas, typed the French way."""

from __future__ import annotations

import getpass
import json

import pytest
import yaml

from intake_assistant.cli import main

from .conftest import TODAY, personas, typed_the_french_way

PERSONAS = personas()


@pytest.mark.parametrize("persona", PERSONAS, ids=[p["id"] for p in PERSONAS])
@pytest.mark.parametrize("questionnaire", ["accueil_telephonique", "evaluation"])
def test_personas_typed_in_french_run_through(persona, questionnaire, tmp_path, capsys) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump(typed_the_french_way(persona["answers"]), allow_unicode=True))
    output = tmp_path / "dossier.json"
    status = main(
        [
            "interview",
            questionnaire,
            "--answers",
            str(answers),
            "--output",
            str(output),
            "--date",
            "2026-11-26",
        ]
    )
    transcript = capsys.readouterr().out
    assert status == 0, transcript
    dossier = json.loads(output.read_text())
    # Every typed answer the questionnaire asks is stored as the persona's value.
    for fid, expected in persona["answers"].items():
        if fid in dossier["answers"]:
            assert dossier["answers"][fid] == expected, fid
    assert set(dossier["unknown"]) <= {"telephone"}  # not every persona gave a phone number
    if questionnaire == "evaluation":
        for cid, expected in persona["computed"].items():
            assert round(dossier["computed"][cid], 2) == expected, cid
        # The dossier the new flow leaves (counted children, questions that do not apply left
        # out) gives the persona's orientation, aid by aid.
        from intake_assistant.orientation.build import load_policy
        from intake_assistant.orientation.evaluate import evaluate

        result = evaluate(dossier["answers"], load_policy(), TODAY)
        assert {s.aid: s.status for s in result.suggestions} == persona["expect"]
    assert "? Quel est votre nom de famille ?" in transcript


def test_first_rejected_answer_stops_with_the_question_and_message(tmp_path, capsys) -> None:
    answers = tmp_path / "a.yaml"
    answers.write_text("nom: Martin\nprenom: Julie\ndate_naissance: 31/02/1994\n")
    status = main(["interview", "accueil_telephonique", "--answers", str(answers)])
    err = capsys.readouterr().err
    assert status == 1
    assert "date_naissance" in err and "31 février 1994 n'existe pas" in err


def test_missing_answers_are_left_to_complete(tmp_path, capsys) -> None:
    answers = tmp_path / "a.json"
    answers.write_text(json.dumps({"nom": "Martin", "prenom": "Julie"}))
    output = tmp_path / "d.json"
    assert (
        main(
            [
                "interview",
                "accueil_telephonique",
                "--answers",
                str(answers),
                "--output",
                str(output),
                "--quiet",
            ]
        )
        == 0
    )
    dossier = json.loads(output.read_text())
    assert "date_naissance" in dossier["unknown"]
    assert "date_naissance" in dossier["left_to_complete"]


def test_interview_saves_into_the_store_answer_by_answer(tmp_path, capsys) -> None:
    from intake_assistant.store.tinydb import TinyDBStore as Store

    persona = PERSONAS[0]
    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump(typed_the_french_way(persona["answers"]), allow_unicode=True))
    db = tmp_path / "db"
    assert (
        main(
            [
                "interview",
                "accueil_telephonique",
                "--answers",
                str(answers),
                "--db",
                str(db),
                "--agent",
                "Agnès",
                "--quiet",
            ]
        )
        == 0
    )
    (entry,) = Store.open(db).list()
    dossier = Store.open(db).load(entry.id if hasattr(entry, "id") else entry["id"])
    assert dossier["answers"]["nom"] == "Martin"
    answer_events = [e for e in dossier["events"] if e["type"] == "answer"]
    assert len(answer_events) >= 25
    # Saved under the authenticated identity (the OS user on a one-PC store), not --agent.
    assert all(e["agent"] == getpass.getuser() for e in dossier["events"])


def test_readme_example_runs(tmp_path, capsys) -> None:
    from .conftest import FIXTURES

    output = tmp_path / "d.json"
    assert main(["interview", "accueil_telephonique", "--answers",
                 str(FIXTURES / "martin_accueil.yaml"), "--output", str(output)]) == 0
    out = capsys.readouterr().out
    assert "> Permis B" in out and "> Locataire (logement social)" in out
    assert json.loads(output.read_text())["left_to_complete"] == []


def test_whole_dossier_is_checked_against_its_schema(tmp_path, capsys) -> None:
    """An answer carried over from elsewhere (here written straight into the store) that breaks
    the question's schema is reported even though no question re-asks it."""
    from intake_assistant.store.tinydb import TinyDBStore as Store

    store = Store.open(tmp_path / "db")
    doc = store.create_dossier(agent="Agnès", answers={"nom": "Martin", "energie": -5})
    answers = tmp_path / "a.yaml"
    answers.write_text("{}\n")
    status = main(["interview", "evaluation", "--answers", str(answers), "--quiet",
                   "--db", str(tmp_path / "db"), "--dossier", doc["id"], "--agent", "Agnès"])
    assert status == 1
    assert "« energie » : La valeur doit être supérieure ou égale à 0." in capsys.readouterr().err


def test_stored_interview_releases_the_dossier_and_reports_locks(tmp_path, capsys) -> None:
    from intake_assistant.store.tinydb import TinyDBStore as Store

    store = Store.open(tmp_path / "db")
    doc = store.create_dossier(agent="Agnès", answers={"nom": "Martin"})
    answers = tmp_path / "a.yaml"
    answers.write_text("prenom: Julie\n")
    args = ["interview", "accueil_telephonique", "--answers", str(answers), "--quiet",
            "--db", str(tmp_path / "db"), "--dossier", doc["id"], "--agent", "Agnès"]
    assert main(args) == 0
    assert store.leases.read(doc["id"]) is None  # lease released at the end
    assert store.load(doc["id"])["answers"]["prenom"] == "Julie"
    assert main([*args[:-4], "--dossier", "D-2026-999999", "--agent", "Agnès"]) == 1
    assert "n'existe pas" in capsys.readouterr().err


def test_broken_policy_files_are_reported_and_no_dossier_is_created(tmp_path, capsys, monkeypatch):
    import shutil

    from intake_assistant.core.datadir import data_dir
    from intake_assistant.orientation import build
    from intake_assistant.store.tinydb import TinyDBStore as Store

    broken = tmp_path / "questionnaires"
    shutil.copytree(data_dir(), broken)
    text = (broken / "parametres.yaml").read_text(encoding="utf-8")
    (broken / "parametres.yaml").write_text(
        text.replace("  rav.plancher_jour_uc:", "  rav.plancher_jour_ucx:"), encoding="utf-8")
    monkeypatch.setenv("INTAKE_ASSISTANT_DATA", str(broken))
    build.default_policy.cache_clear()
    answers = tmp_path / "a.yaml"
    answers.write_text("nom: Martin\n")
    try:
        status = main(["interview", "accueil_telephonique", "--answers", str(answers),
                       "--db", str(tmp_path / "db"), "--quiet"])
    finally:
        build.default_policy.cache_clear()
    err = capsys.readouterr().err
    assert status == 1
    assert "aides.yaml:" in err and "rav.plancher_jour_uc" in err
    assert Store.open(tmp_path / "db").list() == []


def test_evaluation_of_a_phone_intake_moves_it_to_en_evaluation(tmp_path, capsys) -> None:
    from intake_assistant.store.tinydb import TinyDBStore as Store

    from .conftest import FIXTURES

    db = str(tmp_path / "db")
    assert main(["interview", "accueil_telephonique", "--answers",
                 str(FIXTURES / "martin_accueil.yaml"), "--db", db, "--quiet"]) == 0
    (entry,) = Store.open(db).list()
    assert entry.status == "premier_contact"
    empty = tmp_path / "none.yaml"
    empty.write_text("{}\n")
    assert main(["interview", "evaluation", "--answers", str(empty), "--db", db,
                 "--dossier", entry.id, "--agent", "Sam", "--quiet"]) == 0
    doc = Store.open(db).load(entry.id)
    assert doc["status"] == "en_evaluation"
    assert doc["status_history"][-1]["agent"] == getpass.getuser()  # authenticated, not --agent
    assert doc["answers"]["nom"] == "Martin"  # the phone intake's answers carried over
