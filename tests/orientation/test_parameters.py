"""Changing a parameter in the YAML changes the outcome, and the reason names it."""

from __future__ import annotations

import json

from intake_assistant.cli import main
from intake_assistant.orientation.build import load_policy
from intake_assistant.orientation.evaluate import evaluate

from .conftest import TODAY, persona
from .policy_files import copy_policy, edit_catalogue, set_parameter


def orient(capsys, answers_path: str, parametres: str, aides: str | None = None) -> dict:
    args = ["orient", answers_path, "--format", "json", "--date", TODAY.isoformat(),
            "--parametres", parametres]
    if aides:
        args += ["--aides", aides]
    code = main(args)
    out = capsys.readouterr()
    assert code == 0, out.err
    return {s["aid"]: s for s in json.loads(out.out)["suggestions"]}


def test_floor_raised_bars_the_microcredit(tmp_path, capsys, write_answers):
    folder = copy_policy(tmp_path)
    answers = write_answers(persona("martin_permis")["answers"])
    before = orient(capsys, answers, str(folder / "parametres.yaml"))
    assert before["microcredit_personnel"]["status"] == "eligible"
    set_parameter(folder, "rav.plancher_jour_uc", 17.0)
    after = orient(capsys, answers, str(folder / "parametres.yaml"))
    micro = after["microcredit_personnel"]
    assert micro["status"] == "not_eligible"
    assert "rav.plancher_jour_uc" in micro["parameters"]
    assert any("sous le plancher de 17,00 €" in r for r in micro["reasons"])
    # the CCAS advance reads the same floor: 16,14 €/jour/UC after is below 17 too
    assert after["avance_remboursable"]["status"] == "not_eligible"


def test_other_commune_served(tmp_path, capsys, write_answers):
    folder = copy_policy(tmp_path)
    answers = write_answers(persona("leroy_hors_commune")["answers"])
    set_parameter(folder, "commune_ccas", "tinqueux")  # case and accents do not matter
    after = orient(capsys, answers, str(folder / "parametres.yaml"))
    assert after["microcredit_personnel"]["status"] == "eligible"
    assert "Réside dans la commune du CCAS (tinqueux)" in after["microcredit_personnel"]["reasons"]
    assert after["aide_au_projet"]["status"] == "eligible"  # 9,50 €/jour/UC <= 12


def test_grant_ceiling_on_reste_a_vivre(tmp_path, capsys, write_answers):
    folder = copy_policy(tmp_path)
    answers = write_answers(persona("dubois_lave_linge")["answers"])
    set_parameter(folder, "aide_au_projet.rav_max_jour_uc", 11.5)  # Dubois: 11,67
    after = orient(capsys, answers, str(folder / "parametres.yaml"))
    grant = after["aide_au_projet"]
    assert grant["status"] == "not_eligible"
    assert any("au-dessus du maximum de 11,50 €" in r for r in grant["reasons"])
    assert "aide_au_projet.rav_max_jour_uc" in grant["parameters"]


def test_rate_changes_the_instalment(tmp_path):
    folder = copy_policy(tmp_path)
    set_parameter(folder, "microcredit.taux_annuel", 0.0)
    policy = load_policy(folder / "parametres.yaml", folder / "aides.yaml")
    result = evaluate(persona("martin_permis")["answers"], policy, TODAY)
    assert result.computed["mensualite_estimee"] == 850 / 24


def test_css_ceilings(tmp_path):
    folder = copy_policy(tmp_path)
    # Martin: 12 × (1 100 € + ASF due 201,78 € + forfait logement 156,41 €) = 17 498,23 €
    set_parameter(folder, "css.plafonds_participation", [14069, 17000, 25324, 29545])
    policy = load_policy(folder / "parametres.yaml", folder / "aides.yaml")
    css = evaluate(persona("martin_permis")["answers"], policy, TODAY).suggestion("css")
    assert css.status == "not_eligible"
    assert any("plafond avec participation de 17 000 €" in r for r in css.reasons)
    assert "css.plafonds_participation" in css.parameters


def test_local_aid_is_only_yaml(tmp_path, policy):
    folder = copy_policy(tmp_path)

    def add_aid(doc):
        doc["aides"].append({
            "id": "epicerie_solidaire", "name": "Épicerie solidaire", "kind": "partenaire",
            "orient_to": {"name": "Épicerie solidaire du quartier"},
            "default": {"status": "eligible"},
            "gates": [{
                "id": "reste_a_vivre", "label": "Reste à vivre", "status": "not_eligible",
                "fails_when": "rav_jour_uc > 10",
                "failed": "Reste à vivre de {number(rav_jour_uc)} €/jour/UC, au-dessus de 10 €",
                "met": "Reste à vivre de {number(rav_jour_uc)} €/jour/UC, jusqu'à 10 €",
            }],
        })

    edit_catalogue(folder, add_aid)
    local = load_policy(folder / "parametres.yaml", folder / "aides.yaml")
    assert len(local.aids) == len(policy.aids) + 1
    garcia = evaluate(persona("garcia_ficp_permis")["answers"], local, TODAY)
    shop = garcia.suggestion("epicerie_solidaire")
    assert shop.status == "eligible"
    assert "Reste à vivre de 1,67 €/jour/UC, jusqu'à 10 €" in shop.reasons
    martin = evaluate(persona("martin_permis")["answers"], local, TODAY)
    assert martin.suggestion("epicerie_solidaire").status == "not_eligible"
