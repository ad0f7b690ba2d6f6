"""The partners list: shipped file valid, loaded, refused with file:line when broken, and
``intake-assistant check`` reports the same problems."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from intake_assistant.app.checks import lint_paths
from intake_assistant.core.datadir import data_dir
from intake_assistant.core.findings import FindingsError
from intake_assistant.core.followup.partners import load_partners

SHIPPED = data_dir() / "partenaires.yaml"


def test_shipped_partners_load_with_banks_and_bodies():
    partners = load_partners(SHIPPED, {"microcredit_personnel", "rsa", "fsl", "prime_activite",
                                       "aide_logement", "asf", "aide_permis_france_travail",
                                       "cpf_permis", "envie", "autos_du_coeur",
                                       "point_conseil_budget", "surendettement"})
    banks = [p.id for p in partners.active(banks=True)]
    assert {"parcours_confiance", "credit_municipal", "banque_postale", "credit_mutuel"} <= set(
        banks)
    assert [p.id for p in partners.active(aid="fsl")] == ["departement_marne", "fsl_marne"]
    pc = partners.get("parcours_confiance")
    assert pc.contact.telephone == "03 26 00 00 01" and "Devis ou facture du projet" in pc.pieces
    with pytest.raises(ValueError, match="Partenaire inconnu : « banque_x »"):
        partners.get("banque_x")
    assert partners.name("retire") == "retire"


def test_check_accepts_the_shipped_folder():
    assert lint_paths([SHIPPED]) == []


def _copy(tmp_path: Path, text: str) -> Path:
    for name in ("aides.yaml", "champs.yaml", "calculs.yaml", "parametres.yaml"):
        shutil.copy(data_dir() / name, tmp_path / name)
    path = tmp_path / "partenaires.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_unknown_aid_and_bad_format_at_their_line(tmp_path):
    path = _copy(tmp_path, "version: 1\npartenaires:\n  banque_a:\n    nom: Banque A\n"
                           "    type: banque\n    aides: [microcredit_personel]\n"
                           "  asso:\n    nom: Asso\n    type: club\n")
    found = [str(f) for f in lint_paths([path])]
    assert any("partenaires.yaml:9:" in f and "E-SCHEMA" in f and "club" in f for f in found), \
        found
    path.write_text("version: 1\npartenaires:\n  banque_a:\n    nom: Banque A\n"
                    "    type: banque\n    aides: [microcredit_personel]\n", encoding="utf-8")
    found = [str(f) for f in lint_paths([path])]
    assert len(found) == 1 and ":6:" in found[0] and "E-REF" in found[0]
    assert "microcredit_personel" in found[0] and "microcredit_personnel" in found[0]
    with pytest.raises(FindingsError):
        load_partners(path, {"microcredit_personnel"})


def test_check_command_exit_code(tmp_path):
    path = _copy(tmp_path, "version: 1\npartenaires:\n  x:\n    nom: X\n    type: banque\n"
                           "    contact: {courriel: pas-une-adresse}\n")
    run = subprocess.run([sys.executable, "-m", "intake_assistant", "check", str(path)],
                         capture_output=True, text=True)
    assert run.returncode == 1
    assert "partenaires.yaml:6:" in run.stdout and "courriel" in run.stdout
