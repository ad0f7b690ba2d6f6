"""The regression bench: households of Reims in November 2026 and OpenFisca-France's results.

``python tests/orientation/openfisca_bench.py`` (with the ``openfisca`` extra installed) recomputes
OpenFisca's results and writes ``tests/fixtures/openfisca_bench.yaml``; the suite compares our
statuses with the stored results (test_openfisca_bench.py), and recomputes them when the extra is
installed. The households are made up for the bench (none is a persona): every field the
orientation reads is answered, so that a difference is a difference of rules, not of data.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Any

BENCH_DATE = date(2026, 11, 20)
FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "openfisca_bench.yaml"
COMPARED = ("rsa", "prime_activite", "aide_logement", "css", "asf")

_BASE: dict[str, Any] = {
    "nom": "Banc", "prenom": "Test", "commune_residence": "Reims", "telephone": "06 00 00 00 00",
    "situation_familiale": "seul", "enfants": [], "autres_personnes": 0, "grossesse": False,
    "logement": "locataire_prive", "situation_professionnelle": "salarie_cdi",
    "inscrit_france_travail_mois": 0, "separation_recente": False, "hebergement_gratuit": False,
    "regime_agricole": False,
    "revenus_activite": 0, "revenus_activite_conjoint": 0, "allocations_chomage": 0,
    "rsa_percu": 0, "prime_activite_percue": 0, "aides_logement_percues": 0,
    "prestations_familiales": 0, "pensions_retraite_invalidite": 0,
    "pension_alimentaire_recue": 0, "aah_percue": 0, "aspa_percue": 0, "ass_percue": 0,
    "indemnites_journalieres": 0, "bourse_etudes": 0, "asf_percue": 0, "autres_ressources": 0,
    "loyer": 0, "energie": 60, "eau": 20, "assurances": 20, "mutuelle": 0,
    "telephone_internet": 30, "transport": 30, "impots": 0, "pension_alimentaire_versee": 0,
    "frais_garde": 0, "autres_charges": 0, "credits_mensualites": 0,
    "compte_bancaire": True, "refus_credit_bancaire": True, "ficp": False,
    "surendettement": "aucun", "impayes_loyer": False, "impayes_energie": False,
    "impayes_eau": False, "montant_dettes": 0, "type_projet": "electromenager",
    "lien_emploi_insertion": True, "cout_projet": 400, "apport_personnel": 0,
    "montant_demande": 400, "duree_souhaitee_mois": 12, "urgence": False,
}


def _born(age: int) -> str:
    """Born on 15 March: ``age`` full years on the bench date."""
    return f"{BENCH_DATE.year - age:04d}-03-15"


def household(hid: str, summary: str, age: int, **answers: Any) -> dict[str, Any]:
    return {"id": hid, "summary": summary,
            "answers": {**_BASE, "date_naissance": _born(age), **answers}}


def kids(*ages: int) -> list[dict[str, int]]:
    return [{"age": a} for a in ages]


# Family benefits as the CAF pays them in 2026 (allocations familiales, base BMAF 478,16 €):
AF2, AF3 = 153.01, 349.04

HOUSEHOLDS = [
    household("h01", "Seul, SMIC temps plein, locataire privé", 34,
              revenus_activite=1443, loyer=520),
    household("h02", "Seule, mi-temps au SMIC, locataire privé", 41,
              revenus_activite=720, loyer=430),
    household("h03", "Seul, sans revenu, locataire social", 52,
              situation_professionnelle="sans_activite", loyer=330),
    household("h04", "Seul, cadre 2 600 €, locataire privé", 38, revenus_activite=2600, loyer=650),
    household("h05", "Seul, 1,2 SMIC, studio", 27, revenus_activite=1730, loyer=450),
    household("h06", "Couple sans enfant, un SMIC", 45, situation_familiale="couple",
              revenus_activite=1443, loyer=580),
    household("h07", "Couple, deux SMIC, deux enfants", 39, situation_familiale="couple",
              enfants=kids(6, 9), revenus_activite=2886, revenus_activite_conjoint=1443,
              prestations_familiales=AF2, loyer=720),
    household("h08", "Couple, un salaire de 1 800 €, trois enfants, HLM", 36,
              situation_familiale="couple", enfants=kids(2, 7, 11), revenus_activite=1800,
              prestations_familiales=AF3, loyer=560, logement="locataire_social"),
    household("h09", "Mère seule, enfant de 2 ans, sans emploi", 28,
              situation_professionnelle="sans_activite", enfants=kids(2), loyer=480,
              prestations_familiales=0),
    household("h10", "Mère seule séparée depuis 4 mois, enfant de 8 ans, temps partiel", 35,
              enfants=kids(8), separation_recente=True, revenus_activite=900, loyer=500),
    household("h11", "Père seul, deux enfants, pension alimentaire reçue, SMIC", 42,
              enfants=kids(10, 14), revenus_activite=1443, pension_alimentaire_recue=400,
              prestations_familiales=AF2, loyer=640),
    household("h12", "Mère seule, trois enfants, mi-temps, HLM", 33, enfants=kids(4, 8, 12),
              revenus_activite=800, prestations_familiales=AF3, loyer=450,
              logement="locataire_social"),
    household("h13", "Étudiante boursière sans emploi, chambre privée", 21,
              situation_professionnelle="etudiant", bourse_etudes=450, loyer=380),
    household("h14", "Étudiant avec un job de 600 €", 23, situation_professionnelle="etudiant",
              revenus_activite=600, loyer=400),
    household("h15", "Étudiant salarié à 1 300 €", 24, situation_professionnelle="etudiant",
              revenus_activite=1300, loyer=420),
    household("h16", "Apprenti de 19 ans, 900 €", 19, situation_professionnelle="apprenti",
              revenus_activite=900, loyer=350),
    household("h17", "Retraitée seule, petite pension, locataire", 72,
              situation_professionnelle="retraite", pensions_retraite_invalidite=950, loyer=420),
    household("h18", "Retraité seul, ASPA et pension, propriétaire", 76,
              situation_professionnelle="retraite", logement="proprietaire",
              pensions_retraite_invalidite=700, aspa_percue=340),
    household("h19", "Couple retraité, 2 400 € de pensions, propriétaire", 70,
              situation_familiale="couple", situation_professionnelle="retraite",
              logement="proprietaire", pensions_retraite_invalidite=2400),
    household("h20", "Allocataire AAH seul, locataire social", 47,
              situation_professionnelle="sans_activite", aah_percue=1041.59, loyer=360,
              logement="locataire_social"),
    household("h21", "AAH et travail en milieu ordinaire à 500 €", 39, aah_percue=800,
              revenus_activite=500, loyer=420),
    household("h22", "Demandeur d'emploi, ARE de 1 100 €", 44,
              situation_professionnelle="demandeur_emploi", inscrit_france_travail_mois=5,
              allocations_chomage=1100, loyer=510),
    household("h23", "Demandeuse d'emploi en fin de droits, ASS", 55,
              situation_professionnelle="demandeur_emploi", inscrit_france_travail_mois=30,
              ass_percue=570, loyer=440),
    household("h24", "Hébergé gratuitement chez un ami, sans revenu", 31,
              situation_professionnelle="sans_activite", logement="heberge",
              hebergement_gratuit=True),
    household("h25", "Hébergée gratuitement, intérim à 1 000 €", 29, logement="heberge",
              hebergement_gratuit=True, situation_professionnelle="salarie_precaire",
              revenus_activite=1000),
    household("h26", "Sans domicile, sans revenu", 46, logement="sans_logement",
              situation_professionnelle="sans_activite"),
    household("h27", "Couple, deux enfants, 3 500 € de salaires", 40,
              situation_familiale="couple", enfants=kids(5, 12), revenus_activite=3500,
              revenus_activite_conjoint=1500, prestations_familiales=AF2, loyer=850),
    household("h28", "Couple avec un bébé, un SMIC et congé parental", 30,
              situation_familiale="couple", enfants=kids(0), revenus_activite=1443, loyer=620),
    household("h29", "Jeune de 22 ans sans enfant, SMIC", 22, revenus_activite=1443, loyer=400),
    household("h30", "Jeune de 20 ans sans emploi, sans enfant", 20,
              situation_professionnelle="sans_activite", loyer=350),
    household("h31", "Femme enceinte seule, sans emploi", 26, grossesse=True,
              situation_professionnelle="sans_activite", loyer=450),
    household("h32", "Salariée en arrêt maladie, indemnités de 900 €", 48,
              indemnites_journalieres=900, loyer=470),
    household("h33", "Couple, quatre enfants, un salaire de 2 200 €, HLM", 41,
              situation_familiale="couple", enfants=kids(3, 6, 10, 15), revenus_activite=2200,
              prestations_familiales=567.50, loyer=690, logement="locataire_social"),
    household("h34", "Seul, propriétaire, SMIC", 50, logement="proprietaire",
              revenus_activite=1443),
    household("h35", "Mère seule, deux adolescents, salaire 2 100 €, pension reçue", 46,
              enfants=kids(15, 17), revenus_activite=2100, pension_alimentaire_recue=300,
              prestations_familiales=AF2, loyer=700),
    household("h36", "Seul, temps partiel 1 000 €, HLM", 57, revenus_activite=1000, loyer=380,
              logement="locataire_social"),
    household("h37", "Couple sans enfant, sans revenu", 35, situation_familiale="couple",
              situation_professionnelle="sans_activite", loyer=540),
    household("h38", "Mère seule, deux enfants, sans pension, SMIC", 37, enfants=kids(6, 9),
              revenus_activite=1443, prestations_familiales=AF2, loyer=600),
]


def openfisca_results() -> dict[str, Any]:
    """OpenFisca-France's estimates for every household (needs the ``openfisca`` extra)."""
    from intake_assistant.openfisca_worker.engine import Engine

    engine = Engine()
    results = engine.estimate_many([case["answers"] for case in HOUSEHOLDS], BENCH_DATE)
    out = {case["id"]: result for case, result in zip(HOUSEHOLDS, results, strict=True)}
    return {"openfisca_france": engine.version, "date": BENCH_DATE.isoformat(), "results": out}


def write_fixture() -> None:
    import yaml

    computed = openfisca_results()
    doc = {
        "comment": "Généré par tests/orientation/openfisca_bench.py : ne pas modifier à la main.",
        "openfisca_france": computed["openfisca_france"], "date": computed["date"],
        "households": [{**case, "openfisca": computed["results"][case["id"]]}
                       for case in HOUSEHOLDS],
    }
    FIXTURE.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100),
                       encoding="utf-8")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    write_fixture()
    print(f"{FIXTURE} écrit ({len(HOUSEHOLDS)} foyers).")
