"""The answers -> OpenFisca situation mapping (pure Python: runs without the extra)."""

from __future__ import annotations

from datetime import date

import pytest

from intake_assistant.openfisca_worker.situation import (
    build_situation,
    months_back,
    read_estimates,
)

DAY = date(2026, 11, 20)


def situation(**answers):
    base = {"date_naissance": "1990-05-01", "situation_familiale": "seul", "enfants": [],
            "logement": "locataire_prive", "loyer": 400}
    return build_situation({**base, **answers}, DAY)


def test_history_covers_the_reference_periods():
    months = months_back(DAY, 36)
    assert months[0] == "2023-11" and months[-1] == "2026-11" and len(months) == 37
    salary = situation(revenus_activite=1200)["individus"]["demandeur"]["salaire_net"]
    # RSA and PPA read the 3 previous months, CSS and aides au logement the 12 previous ones
    assert all(salary[m] == 1200 for m in ("2026-08", "2026-09", "2026-10", "2025-11"))


def test_net_to_taxable():
    person = situation(revenus_activite=1000, allocations_chomage=500)["individus"]["demandeur"]
    assert person["salaire_imposable"]["2026-10"] == pytest.approx(1036.5)
    assert person["chomage_imposable"]["2026-10"] == pytest.approx(515)


def test_dependants_under_25_and_partner():
    s = situation(situation_familiale="couple", enfants=[{"age": 3}, {"age": 19}],
                  revenus_activite=2000, revenus_activite_conjoint=800, autres_personnes=1)
    famille = s["familles"]["famille"]
    assert famille["parents"] == ["demandeur", "conjoint"]
    assert famille["enfants"] == ["enfant_1", "enfant_2"]
    assert s["individus"]["enfant_1"]["date_naissance"]["ETERNITY"] == "2023-05-01"  # 3 years
    assert s["individus"]["conjoint"]["salaire_net"]["2026-10"] == 800
    assert s["individus"]["demandeur"]["salaire_net"]["2026-10"] == 1200
    # another adult of the home is not at charge: a famille and a foyer fiscal of its own
    assert s["familles"]["famille_autre_1"]["parents"] == ["autre_1"]
    assert "autre_1" in s["menages"]["menage"]["autres"]


def test_family_benefits_entered_replace_the_computed_ones():
    entered = situation(enfants=[{"age": 5}, {"age": 8}], prestations_familiales=153.01)
    famille = entered["familles"]["famille"]
    assert famille["af"]["2026-10"] == 153.01 and famille["cf"]["2026-10"] == 0
    computed = situation(enfants=[{"age": 5}, {"age": 8}])
    assert "af" not in computed["familles"]["famille"]  # unanswered: OpenFisca computes them


def test_received_benefits_are_inputs_not_estimates():
    s = situation(aides_logement_percues=250, asf_percue=201.78, aah_percue=900)
    famille = s["familles"]["famille"]
    assert famille["aide_logement"]["2026-10"] == 250
    assert "aide_logement" not in [k for k, v in famille.items() if v == {"2026-11": None}]
    assert s["individus"]["demandeur"]["aah"]["2026-10"] == 900
    assert s["menages"]["menage"]["loyer"]["2026-10"] == 650  # rent before the aid


def test_housing_status_and_reims():
    menage = situation(logement="heberge", hebergement_gratuit=True)["menages"]["menage"]
    assert menage["statut_occupation_logement"]["2026-11"] == "loge_gratuitement"
    assert menage["participation_frais"]["2026-11"] is False
    assert menage["loyer"]["2026-11"] == 0
    assert menage["depcom"]["2026-11"] == "51454"


def test_read_estimates():
    values = {"rsa": 0.0, "ppa": 236.26, "aide_logement": 0.0, "asf": 0.0, "cmu_c": 0.0,
              "css_participation_forfaitaire": 14.0}
    out = read_estimates(values, {})
    assert out["prime_activite"] == {"montant": 236.26, "eligible": True}
    assert out["css"]["eligible"] and not out["css"]["gratuite"]
    assert out["rsa"]["eligible"] is False
