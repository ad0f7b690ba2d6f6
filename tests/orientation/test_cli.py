"""``intake-assistant orient`` and ``simulate``: input forms, validation, what-if, text report."""

from __future__ import annotations

import io
import json
import re

import pytest
import yaml

from intake_assistant.cli import main

from .conftest import TODAY, persona
from .policy_files import copy_policy

DATE = ["--date", TODAY.isoformat()]


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def statuses(text: str) -> dict[str, str]:
    return {s["aid"]: s["status"] for s in json.loads(text)["suggestions"]}


@pytest.mark.parametrize(("field", "value", "words"), [
    ("montant_demande", -50, "montant_demande"),
    ("situation_familiale", "marie", "Choix"),
    ("duree_souhaitee_mois", "abc", "duree_souhaitee_mois"),
    ("loyer", "12 3", "loyer"),
    ("enfants", [{"age": 40}], "enfants"),
])
def test_invalid_input_exits_1_naming_the_field(capsys, write_answers, field, value, words):
    answers = {**persona("martin_permis")["answers"], field: value}
    code, out, err = run(capsys, "orient", write_answers(answers), *DATE)
    assert code == 1
    assert out == ""
    assert field in err and words in err


def test_french_typed_values_are_accepted(capsys, write_answers):
    answers = {**persona("martin_permis")["answers"], "revenus_activite": "1 100,00 €",
               "compte_bancaire": "oui"}
    code, out, _ = run(capsys, "orient", write_answers(answers), "--format", "json", *DATE)
    assert code == 0
    assert json.loads(out)["computed"]["total_ressources"] == 1350


def test_set_overrides_answers(capsys, write_answers):
    path = write_answers(persona("martin_permis")["answers"])
    code, out, _ = run(capsys, "orient", path, "--format", "json", *DATE,
                       "--set", "montant_demande=3 500", "--set", "ficp=oui")
    assert code == 0
    doc = json.loads(out)
    micro = next(s for s in doc["suggestions"] if s["aid"] == "microcredit_personnel")
    assert micro["status"] == "not_eligible"
    assert any("3 500 €" in r and "hors des limites" in r for r in micro["reasons"])


def test_set_can_remove_an_answer_and_take_lists(capsys, write_answers):
    path = write_answers(persona("martin_permis")["answers"])
    code, out, _ = run(capsys, "orient", path, "--format", "json", *DATE,
                       "--set", "compte_bancaire=", "--set", 'enfants=[{"age": 6}, {"age": 15}]')
    assert code == 0
    doc = json.loads(out)
    assert "compte_bancaire" in doc["missing"]
    assert doc["computed"]["nb_uc"] == 1.8


def test_bad_set_syntax(capsys, write_answers):
    code, _, err = run(capsys, "orient", write_answers({}), "--set", "sans_egal")
    assert code == 1 and "identifiant=valeur" in err


def test_yaml_dossier_from_stdin_with_unknown(capsys, monkeypatch):
    dossier = {"id": "D-2026-000123", "answers": persona("martin_permis")["answers"],
               "unknown": ["ficp"]}
    monkeypatch.setattr("sys.stdin", io.StringIO(yaml.safe_dump(dossier, allow_unicode=True)))
    code, out, _ = run(capsys, "orient", "-", "--format", "json", *DATE)
    assert code == 0
    doc = json.loads(out)
    assert doc["missing"] == ["ficp"]
    assert statuses(out)["microcredit_personnel"] == "to_check"


def test_unreadable_file(capsys, tmp_path):
    code, _, err = run(capsys, "orient", str(tmp_path / "absent.json"))
    assert code == 1 and "absent.json" in err
    bad = tmp_path / "bad.json"
    bad.write_text("{pas du json", encoding="utf-8")
    code, _, err = run(capsys, "orient", str(bad))
    assert code == 1 and "JSON" in err


def test_broken_policy_exits_1_with_location(capsys, tmp_path, write_answers):
    folder = copy_policy(tmp_path)
    path = folder / "parametres.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("value: 0.04", "value: quatre"),
                    encoding="utf-8")
    code, _, err = run(capsys, "orient", write_answers({}), "--parametres", str(path))
    assert code == 1
    assert "parametres.yaml:" in err and "E-SCHEMA" in err


def test_text_report_order_and_content(capsys, write_answers):
    code, out, _ = run(capsys, "orient", write_answers(persona("roux_refrigerateur")["answers"]),
                       *DATE)
    assert code == 0
    assert out.startswith("Orientation au 26/11/2026")
    eligible = out.index("ÉLIGIBLE — orienter vers")
    to_check = out.index("À VÉRIFIER")
    barred = out.index("NON ÉLIGIBLE")
    assert eligible < to_check < barred
    assert "Reste à vivre : 1 220 € par mois" in out
    assert "Unités de consommation : 1,5 UC" in out
    assert "! Pas de refus de crédit bancaire : un crédit classique est peut-être possible" in out
    assert out.index("ENVIE") < to_check
    assert "Pièces à apporter :" in out
    assert "microcredit.taux_annuel = 4 %" in out


def test_simulate_text_and_json(capsys, write_answers):
    path = write_answers(persona("martin_permis")["answers"])
    code, out, _ = run(capsys, "simulate", path, *DATE)
    assert code == 0
    assert "Simulation pour 850 €" in out
    assert re.search(r"24 mois +36,91 € +35,87 € +16,10 €/jour/UC", out)
    assert re.search(r"24 mois +35,42 € +0,00 € +16,14 €/jour/UC", out)  # the 0 % advance
    code, out, _ = run(capsys, "simulate", path, *DATE, "--montant", "1 300", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["rav_jour_uc"] == 17.05
    assert [r["duree_mois"] for r in doc["rows"]] == [6, 12, 18, 24, 30, 36, 6, 12, 18, 24]
    assert all(r["montant"] == 1300 for r in doc["rows"])


def test_simulate_without_amount(capsys, write_answers):
    code, _, err = run(capsys, "simulate", write_answers({"nom": "Martin"}), *DATE)
    assert code == 1 and "montant_demande" in err
    code, _, err = run(capsys, "simulate", write_answers({}), "--montant", "douze", *DATE)
    assert code == 1 and "--montant" in err
