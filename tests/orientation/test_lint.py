"""``lint_catalogue``: the shipped policy is clean; each kind of mistake is found at its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from intake_assistant.core.fields import load_fields
from intake_assistant.core.findings import FindingsError
from intake_assistant.orientation.build import load_policy
from intake_assistant.orientation.lint import lint_catalogue
from intake_assistant.orientation.paths import default_data_dir

from .policy_files import copy_policy, edit_catalogue

KNOWN = set(load_fields())


def lint(folder: Path):
    return lint_catalogue(folder / "aides.yaml", folder / "parametres.yaml", KNOWN)


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def codes(findings) -> set[str]:
    return {f.code for f in findings}


def test_shipped_policy_is_clean():
    data = default_data_dir()
    assert lint_catalogue(data / "aides.yaml", data / "parametres.yaml", KNOWN) == []


def test_unknown_parameter_in_a_gate(tmp_path):
    folder = copy_policy(tmp_path)
    aides = folder / "aides.yaml"
    replace(aides, "rav_jour_uc_apres < rav.plancher_jour_uc", "rav_jour_uc_apres < rav.plancher")
    [finding] = lint(folder)
    assert (finding.code, finding.severity) == ("E-REF", "error")
    assert finding.path == str(aides)
    assert finding.line == line_of(aides, "fails_when: rav_jour_uc_apres < rav.plancher")
    assert "rav.plancher" in finding.message and "parametres.yaml" in finding.message
    with pytest.raises(FindingsError):
        load_policy(folder / "parametres.yaml", aides)


def test_unknown_answer_in_a_template_points_at_the_column(tmp_path):
    folder = copy_policy(tmp_path)
    aides = folder / "aides.yaml"
    replace(aides, 'met: "Loyer de {money(loyer_brut)} par mois"',
            'met: "Loyer de {money(loyers)} par mois"')
    [finding] = lint(folder)
    assert finding.code == "E-REF" and "loyers" in finding.message
    line = aides.read_text(encoding="utf-8").splitlines()[finding.line - 1]
    assert line[finding.col - 1:].startswith("money(loyers)")


def test_expression_syntax_error(tmp_path):
    folder = copy_policy(tmp_path)
    replace(folder / "aides.yaml", "fails_when: rsa_percu > 0", "fails_when: rsa_percu = 0")
    [finding] = lint(folder)
    assert finding.code == "E-EXPR" and "==" in finding.message


def test_duplicate_aid_and_gate(tmp_path):
    folder = copy_policy(tmp_path)
    aides = folder / "aides.yaml"
    replace(aides, "- id: envie\n", "- id: autos_du_coeur\n")
    replace(aides, "id: deja_percue\n        label: Prime",
            "id: revenus_activite\n        label: Prime")
    found = lint(folder)
    assert codes(found) == {"E-DUP"}
    assert any("autos_du_coeur" in f.message for f in found)
    assert any("revenus_activite" in f.message for f in found)


def test_aid_of_the_dictionary_missing(tmp_path):
    folder = copy_policy(tmp_path)
    def drop(doc):
        doc["aides"] = [a for a in doc["aides"] if a["id"] != "autos_du_coeur"]

    edit_catalogue(folder, drop)
    [finding] = lint(folder)
    assert (finding.code, finding.severity) == ("W-AIDE", "warning")
    assert "autos_du_coeur" in finding.message


def test_schema_errors_and_yaml_syntax(tmp_path):
    folder = copy_policy(tmp_path)
    aides = folder / "aides.yaml"
    replace(aides, "status: to_check\n        failed: \"Inscription au FICP",
            "status: peut_etre\n        failed: \"Inscription au FICP")
    [finding] = lint(folder)
    assert finding.code == "E-SCHEMA" and "peut_etre" in finding.message
    assert finding.line == line_of(aides, "status: peut_etre")
    aides.write_text("version: 1\naides: [\n", encoding="utf-8")
    assert codes(lint(folder)) == {"E-YAML"}


def test_parameter_value_checked_by_schema(tmp_path):
    folder = copy_policy(tmp_path)
    params = folder / "parametres.yaml"
    replace(params, "value: 0.33", "value: 33")
    [finding] = lint(folder)  # no cascade of unknown names from the other files
    assert finding.code == "E-SCHEMA" and finding.line == line_of(params, "value: 33")
    assert "0.33 pour 33 %" in finding.message


def test_anchored_gate_reported_once(tmp_path):
    folder = copy_policy(tmp_path)
    replace(folder / "aides.yaml", "fails_when: not commune_ok", "fails_when: not commune_okk")
    [finding] = lint(folder)
    assert finding.code == "E-REF" and "commune_okk" in finding.message


def test_unreachable_gate_and_unused_parameter(tmp_path):
    folder = copy_policy(tmp_path)
    replace(folder / "aides.yaml", "fails_when: type_projet != 'electromenager'",
            "fails_when: microcredit.montant_min > 1000")
    with (folder / "parametres.yaml").open("a", encoding="utf-8") as f:
        f.write("  fonds.inutile:\n    value: 10\n    label: Inutile\n    unit: €\n"
                "    source: valeur locale\n")
    found = lint(folder)
    assert {(f.code, f.severity) for f in found} == {("W-UNREACHABLE", "warning"),
                                                     ("W-UNUSED", "warning")}
    unreachable = next(f for f in found if f.code == "W-UNREACHABLE")
    assert "envie" in unreachable.message and "jamais" in unreachable.message
    load_policy(folder / "parametres.yaml", folder / "aides.yaml")  # warnings do not block


def test_always_failing_gate_hides_the_others(tmp_path):
    folder = copy_policy(tmp_path)
    replace(folder / "aides.yaml", "fails_when: type_projet != 'achat_vehicule'",
            "fails_when: commune_ccas == 'Reims'")
    found = [f for f in lint(folder) if "autos_du_coeur" in f.message]
    assert len(found) == 2
    assert any("jamais proposée" in f.message for f in found)
    assert any("inaccessible" in f.message for f in found)


def test_cycle_in_computed_values(tmp_path):
    folder = copy_policy(tmp_path)
    replace(folder / "calculs.yaml", "expression: total_ressources - total_charges",
            "expression: total_ressources - total_charges + rav_jour_uc")
    found = lint(folder)
    assert "E-CYCLE" in codes(found)
    cycle = next(f for f in found if f.code == "E-CYCLE")
    assert "reste_a_vivre" in cycle.message and "rav_jour_uc" in cycle.message
    assert cycle.path.endswith("calculs.yaml")
