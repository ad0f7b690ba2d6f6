"""The commission summary: figures of a known dossier in JSON, Markdown and the PDF's text."""

from __future__ import annotations

import io
import json
from datetime import date, datetime

import pytest
from pypdf import PdfReader

from intake_assistant.cli import main
from intake_assistant.core.french import format_money
from intake_assistant.reports.commission import build_summary, export_dossier
from intake_assistant.reports.fonts import CORE, find_font, to_cp1252
from intake_assistant.reports.pdf import summary_pdf
from intake_assistant.store.tinydb import TinyDBStore as Store
from tests.platforms import WINDOWS

TODAY = date(2026, 6, 30)
ANSWERS = {
    "nom": "Lefèvre", "prenom": "Hélène", "date_naissance": "1990-05-10",
    "telephone": "06 11 22 33 44", "commune_residence": "Reims",
    "situation_familiale": "seul", "enfants": [{"age": 5}], "autres_personnes": 0,
    "logement": "locataire_social", "situation_professionnelle": "salarie_precaire",
    "revenus_activite": 1200, "aides_logement_percues": 200,
    "loyer": 500, "energie": 100, "credits_mensualites": 0,
    "compte_bancaire": True, "refus_credit_bancaire": True, "ficp": False,
    "surendettement": "aucun", "impayes_loyer": False, "impayes_energie": False,
    "montant_dettes": 0,
    "type_projet": "permis_b", "description_projet": "Permis B pour un emploi d'aide à domicile",
    "lien_emploi_insertion": True, "cout_projet": 1200, "apport_personnel": 200,
    "montant_demande": 1000, "duree_souhaitee_mois": 24, "urgence": False,
}
# Independent of the code under test: the annuity formula written out.
RATE = 0.04
MONTHS = 18  # duree_retenue wins over the 24 months wished
INSTALMENT = 1000 * (RATE / 12) / (1 - (1 + RATE / 12) ** -MONTHS)


@pytest.fixture
def store(tmp_path):
    return Store.open(tmp_path / "base", lock_timeout=2.0)


@pytest.fixture
def dossier_id(store):
    at = datetime(2026, 6, 1, 10, 0).astimezone()
    doc = store.create_dossier(agent="Nadia Benali", questionnaire="evaluation",
                               answers=ANSWERS, now=at)
    store.set_status(doc["id"], "en_evaluation", agent="Nadia Benali",
                     now=datetime(2026, 6, 3, 9, 0).astimezone())
    store.add_meeting(doc["id"], date="2026-06-03", avec="demandeur", partenaire=None,
                      note="Entretien budgétaire complet", agent="Nadia Benali", now=at)
    store.add_meeting(doc["id"], date="2026-06-10", avec="partenaire",
                      partenaire="Parcours Confiance", note="Présentation du dossier",
                      agent="Nadia Benali", now=at)
    store.set_fields(doc["id"], agent="Nadia Benali", duree_retenue=MONTHS,
                     evaluation_sociale="Projet « cohérent » avec l’emploi visé ; budget suivi.")
    return doc["id"]


def test_policy_rate_is_the_one_of_the_test(policy):
    assert policy.parameters["microcredit.taux_annuel"].value == RATE


def test_summary_figures(store, dossier_id, policy):
    s = build_summary(store.load(dossier_id), policy, TODAY)
    assert s["identity"] == {"nom": "Lefèvre", "prenom": "Hélène", "age": 36, "commune": "Reims"}
    assert "telephone" not in json.dumps(s)
    assert s["household"]["nb_uc"] == pytest.approx(1.3)
    b = s["budget"]
    assert (b["total_resources"], b["total_charges"], b["reste_a_vivre"]) == (1400, 600, 800)
    assert b["rav_jour_uc"] == pytest.approx(800 / 1.3 / 30)
    assert [line["id"] for line in b["charges"]] == ["loyer", "energie"]
    p = s["project"]
    assert (p["cout_projet"], p["apport_personnel"], p["montant_demande"]) == (1200, 200, 1000)
    assert p["reste_a_financer"] == 0
    loan = s["loan"]
    assert (loan["duree_mois"], loan["duree_source"]) == (MONTHS, "retenue")
    micro = loan["rows"][0]
    assert micro["mensualite"] == pytest.approx(INSTALMENT)
    assert micro["cout_total"] == pytest.approx(INSTALMENT * MONTHS - 1000)
    assert micro["rav_jour_uc_apres"] == pytest.approx((800 - INSTALMENT) / 1.3 / 30)
    assert loan["rows"][1]["mensualite"] == pytest.approx(1000 / MONTHS)
    statuses = {x["aid"]: x["status"] for x in s["orientation"]["suggestions"]}
    assert len(statuses) == len(policy.aids)
    assert statuses["microcredit_personnel"] == "eligible"
    assert [m["avec"] for m in s["meetings"]] == ["demandeur", "partenaire"]
    assert s["dossier"]["dates"]["evaluation"] == "2026-06-03"


def test_duration_falls_back_to_the_wished_one(store, dossier_id, policy):
    doc = store.load(dossier_id)
    doc.pop("duree_retenue")
    loan = build_summary(doc, policy, TODAY)["loan"]
    assert (loan["duree_mois"], loan["duree_source"]) == (24, "souhaitee")


def pdf_text(data: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


def expected_figures() -> list[str]:
    return ["Lefèvre", "Hélène", "36 ans", "1,3", "1 200 €", "200 €", "1 400 €", "600 €",
            "800 € par mois", "20,51 €", format_money(INSTALMENT, 2),
            format_money(INSTALMENT * MONTHS - 1000, 2), "18 mois", "Permis B",
            "Parcours Confiance", "Entretien budgétaire complet", "« cohérent »", "l’emploi",
            "Nadia Benali", "30/06/2026", "03/06/2026", "Microcrédit personnel", "Éligible"]


@pytest.mark.parametrize("font", ["found", "core"])
def test_pdf_text_has_the_figures(store, dossier_id, policy, font):
    summary = build_summary(store.load(dossier_id), policy, TODAY)
    data = summary_pdf(summary, font=CORE if font == "core" else find_font())
    assert data.startswith(b"%PDF")
    text, pages = pdf_text(data)
    text = text.replace("\xa0", " ")
    for figure in expected_figures():
        assert figure in text, figure
    assert pages <= 2
    assert "06 11 22 33 44" not in text


def test_core_font_fallback_transliterates_rare_letters(store, dossier_id, policy):
    doc = store.load(dossier_id)
    doc["answers"]["nom"] = "Şahin"
    doc["evaluation_sociale"] = "Délai → 3\u202fsemaines ; œuvre « ok » – fin…"
    text, _ = pdf_text(summary_pdf(build_summary(doc, policy, TODAY), font=CORE))
    assert "Sahin" in text
    assert "Délai -> 3 semaines ; œuvre « ok » – fin…" in text.replace("\xa0", " ")
    assert to_cp1252("€ œ ’ “ ” ł 中") == "€ œ ’ “ ” l ?"


def test_markdown_and_json(store, dossier_id, policy):
    md = export_dossier(store, dossier_id, "md", today=TODAY, policy=policy)
    assert md.startswith(f"# Fiche de synthèse pour la commission — {dossier_id}")
    assert "| Total des ressources | 1 400 € | Total des charges | 600 € |" in md
    assert f"| Microcrédit personnel | 4,00 % | {format_money(INSTALMENT, 2)} |" in md
    data = json.loads(export_dossier(store, dossier_id, "json", today=TODAY, policy=policy))
    assert data["budget"]["reste_a_vivre"] == 800


def test_cli_export_writes_a_private_pdf(store, dossier_id, tmp_path, capsys):
    out = tmp_path / "fiche.pdf"
    code = main(["export", dossier_id, "--format", "pdf", "-o", str(out), "--db",
                 str(store.root), "--today", "2026-06-30"])
    assert code == 0
    assert WINDOWS or out.stat().st_mode & 0o077 == 0  # POSIX modes
    text, _ = pdf_text(out.read_bytes())
    assert "800 € par mois" in text.replace("\xa0", " ")
    assert main(["export", "D-2026-999999", "--db", str(store.root)]) == 1
    assert "n'existe pas" in capsys.readouterr().err
