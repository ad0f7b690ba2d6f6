"""Legal parameters dated like OpenFisca's: the value in force at the interview date, recorded in
the orientation, and a warning when a revaluation is overdue."""

from __future__ import annotations

import json
from datetime import date

import yaml

from intake_assistant.cli import main
from intake_assistant.core.fields import load_fields
from intake_assistant.orientation.build import build_policy, load_policy
from intake_assistant.orientation.evaluate import evaluate
from intake_assistant.orientation.lint import lint_catalogue

from .conftest import persona
from .policy_files import copy_policy


def test_value_in_force_at_the_interview_date(policy):
    rsa = policy.parameters["rsa.montant_forfaitaire"]
    assert rsa.at(date(2026, 3, 31)).value == 646.52
    assert rsa.at(date(2026, 4, 1)).value == 651.69
    assert rsa.at(date(2020, 1, 1)).value == 646.52  # before every value: the oldest one
    assert policy.parameter_env(date(2026, 3, 15))["css.plafonds_annuels"][0] == 10339
    assert policy.parameter_env(date(2026, 11, 26))["css.plafonds_annuels"][0] == 10422


def test_orientation_records_the_values_it_used(policy):
    answers = persona("dubois_lave_linge")["answers"]
    march = evaluate(answers, policy, date(2026, 3, 15))
    november = evaluate(answers, policy, date(2026, 11, 26))
    assert march.parameter_values["rsa.montant_forfaitaire"].value == 646.52
    assert november.parameter_values["rsa.montant_forfaitaire"].value == 651.69
    doc = march.to_json()
    assert doc["date"] == "2026-03-15"
    assert doc["parameters"]["css.plafonds_annuels"]["from"] == "2025-04-01"
    rsa = november.suggestion("rsa")
    assert any("651,69 € par mois depuis le 01/04/2026 (Décret n° 2026-220" in src
               for g in rsa.gates for src in g.sources)


def test_text_output_names_value_date_and_source(capsys, write_answers):
    path = write_answers(persona("martin_permis")["answers"])
    assert main(["orient", path, "--date", "2026-11-26"]) == 0
    out = capsys.readouterr().out
    assert ("Source : Montant forfaitaire du RSA pour une personne seule : 651,69 € par mois "
            "depuis le 01/04/2026 (Décret n° 2026-220 du 30 mars 2026, art. 1)") in out
    assert "rsa.montant_forfaitaire = 651,69 € par mois (depuis le 01/04/2026)" in out


def test_check_warns_when_a_revaluation_is_overdue(tmp_path):
    folder = copy_policy(tmp_path)
    fields = set(load_fields())
    assert [f for f in lint_catalogue(folder / "aides.yaml", folder / "parametres.yaml",
                                      fields, today=date(2026, 12, 1))
            if f.code == "W-REVALORISATION"] == []
    late = lint_catalogue(folder / "aides.yaml", folder / "parametres.yaml", fields,
                          today=date(2027, 4, 2))
    overdue = {f.message.split("« ")[1].split(" »")[0] for f in late
               if f.code == "W-REVALORISATION"}
    assert {"rsa.montant_forfaitaire", "prime_activite.montant_forfaitaire",
            "css.plafonds_annuels"} <= overdue
    assert "commune_ccas" not in overdue  # a local value is never « overdue »
    finding = next(f for f in late if "rsa.montant_forfaitaire" in f.message)
    assert finding.line > 1 and "01/04/2026" in finding.message


def _edit(folder, change):
    path = folder / "parametres.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(doc["parametres"])
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_bad_dated_values_are_refused_with_their_place(tmp_path):
    folder = copy_policy(tmp_path)
    _edit(folder, lambda p: p["rsa.montant_forfaitaire"]["values"].reverse())
    policy, findings = build_policy(folder / "parametres.yaml", folder / "aides.yaml",
                                    folder / "calculs.yaml")
    assert policy is None
    assert any("rangées de la plus ancienne à la plus récente" in f.message for f in findings)

    (tmp_path / "b").mkdir()
    folder = copy_policy(tmp_path / "b")
    _edit(folder, lambda p: p["rsa.montant_forfaitaire"].update(value=651.69))
    _, findings = build_policy(folder / "parametres.yaml", folder / "aides.yaml",
                               folder / "calculs.yaml")
    assert any("soit « value » et « source »" in f.message for f in findings)

    (tmp_path / "c").mkdir()
    folder = copy_policy(tmp_path / "c")
    _edit(folder, lambda p: p["rsa.montant_forfaitaire"]["values"][0].update({"from": "1/4/26"}))
    _, findings = build_policy(folder / "parametres.yaml", folder / "aides.yaml",
                               folder / "calculs.yaml")
    assert findings and all(f.severity == "error" for f in findings)


def test_a_new_revaluation_is_one_line(tmp_path):
    folder = copy_policy(tmp_path)

    def add(p):
        p["rsa.montant_forfaitaire"]["values"].append(
            {"from": "2027-04-01", "value": 660.0, "source": "décret de test"})

    _edit(folder, add)
    policy = load_policy(folder / "parametres.yaml", folder / "aides.yaml")
    answers = persona("dubois_lave_linge")["answers"]
    before = evaluate(answers, policy, date(2027, 3, 31)).computed["montant_rsa_foyer"]
    after = evaluate(answers, policy, date(2027, 4, 1)).computed["montant_rsa_foyer"]
    assert (before, after) == (651.69, 660.0)


def test_orient_estimer_without_the_extra(monkeypatch, capsys, write_answers):
    from intake_assistant.app import estimates

    monkeypatch.setattr(estimates, "extra_installed", lambda: False)
    monkeypatch.setattr(estimates, "_SHARED", None)
    path = write_answers(persona("martin_permis")["answers"])
    assert main(["orient", path, "--date", "2026-11-26", "--estimer"]) == 0
    assert estimates.NOT_INSTALLED in capsys.readouterr().out
    assert main(["orient", path, "--date", "2026-11-26", "--estimer", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["estimates"] == {"ok": False, "openfisca_france": None, "estimates": {},
                                "message": estimates.NOT_INSTALLED}
