"""Our answers (data dictionary ids) -> an OpenFisca-France situation, and back.

What the mapping decides (each choice is tested in tests/orientation/test_openfisca_mapping.py):
- Household: the applicant, the partner when ``situation_familiale = couple`` (same age as the
  applicant: the partner's birth date is not asked), each child at charge as ``enfant`` (born in
  the middle of the year of its age), each « autre personne » as an adult of 40 with a famille and
  a foyer fiscal of its own (an adult is not at charge for the CAF) sharing the ménage.
- Money is monthly and net, as typed. It is repeated over the 36 months before the interview month
  and over that month: the RSA and the prime d'activité read the 3 previous months, the CSS and the
  aides au logement the 12 previous months (and some formulas a civil year), so a situation stable
  over time is what the social worker describes. Net -> taxable (the aides au logement read taxable
  income): salaries × 1.0365 (CSG non déductible and CRDS put back), unemployment and pensions
  × 1.03 — the same coefficients as the policy parameter ``aide_logement.coef_imposable``.
- Benefits the person says she receives are inputs, never recomputed: AAH, ASPA, ASS, aide au
  logement, ASF when received. Family benefits entered (``prestations_familiales``) replace
  OpenFisca's own allocations familiales (``af`` = the amount typed; ``cf`` and ``paje_base`` = 0),
  so that the estimate uses what the CAF really pays; left unanswered, OpenFisca computes them.
  What OpenFisca estimates: RSA, prime d'activité, aide au logement (when not received), CSS
  (free or with participation) and ASF (when not received).
- ``autres_ressources`` has no OpenFisca counterpart and is left out: the estimate says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

DEPCOM_REIMS = "51454"  # INSEE code: puts the household in zone 2 of the aides au logement
HISTORY_MONTHS = 36
COEF_SALAIRE_IMPOSABLE = 1.0365
COEF_REMPLACEMENT_IMPOSABLE = 1.03
_STATUT = {
    "locataire_prive": "locataire_vide",
    "locataire_social": "locataire_hlm",
    "proprietaire": "proprietaire",
    "heberge": "loge_gratuitement",
    "sans_logement": "sans_domicile",
}
_ACTIVITE = {
    "salarie_cdi": "actif", "salarie_precaire": "actif", "independant": "actif",
    "demandeur_emploi": "chomeur", "formation": "inactif", "retraite": "retraite",
    "etudiant": "etudiant", "apprenti": "actif", "sans_activite": "inactif",
}


def months_back(day: date, count: int) -> list[str]:
    """``count`` months before ``day``'s month, then that month, as ``YYYY-MM``."""
    out = []
    year, month = day.year, day.month
    for back in range(count, -1, -1):
        m = month - back
        y = year + (m - 1) // 12
        out.append(f"{y:04d}-{(m - 1) % 12 + 1:02d}")
    return out


def _number(answers: Mapping[str, Any], key: str) -> float:
    value = answers.get(key)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def _birth(day: date, age: int) -> str:
    """A birth date that gives ``age`` full years on ``day`` (middle of that year of age)."""
    month = day.month - 6
    year = day.year - age - (1 if month <= 0 else 0)
    month = month + 12 if month <= 0 else month
    return f"{year:04d}-{month:02d}-01"


def _applicant_birth(answers: Mapping[str, Any], day: date) -> str:
    birth = answers.get("date_naissance")
    if isinstance(birth, str) and len(birth) == 10:
        return birth
    return _birth(day, 40)


def build_situation(answers: Mapping[str, Any], day: date) -> dict[str, Any]:
    """The OpenFisca situation for the interview month of ``day``."""
    months = months_back(day, HISTORY_MONTHS)
    month = months[-1]

    def series(value: float) -> dict[str, float]:
        return {m: round(value, 2) for m in months}

    couple = answers.get("situation_familiale") == "couple"
    birth = _applicant_birth(answers, day)
    status = answers.get("situation_professionnelle")
    earned = _number(answers, "revenus_activite")
    partner_earned = min(_number(answers, "revenus_activite_conjoint"), earned) if couple else 0.0
    own_earned = earned - partner_earned
    age = day.year - int(birth[:4]) - ((day.month, day.day) < (int(birth[5:7]), int(birth[8:10])))
    pensions = _number(answers, "pensions_retraite_invalidite")
    pension_var = "retraite_nette" if status == "retraite" or age >= 60 else "pensions_invalidite"

    applicant: dict[str, Any] = {
        "date_naissance": {"ETERNITY": birth},
        "activite": {m: _ACTIVITE.get(status, "inactif") for m in months},
        "salaire_net": series(own_earned),
        "salaire_imposable": series(own_earned * COEF_SALAIRE_IMPOSABLE),
        "chomage_net": series(_number(answers, "allocations_chomage")),
        "chomage_imposable": series(_number(answers, "allocations_chomage")
                                    * COEF_REMPLACEMENT_IMPOSABLE),
        pension_var: series(pensions),
        "pensions_alimentaires_percues": series(_number(answers, "pension_alimentaire_recue")),
        "pensions_alimentaires_versees_individu": series(
            _number(answers, "pension_alimentaire_versee")),
        "aah": series(_number(answers, "aah_percue")),
        "ass": series(_number(answers, "ass_percue")),
        "indemnites_journalieres_maladie": series(_number(answers, "indemnites_journalieres")),
        "bourse_enseignement_sup": series(_number(answers, "bourse_etudes")),
        "boursier": {m: _number(answers, "bourse_etudes") > 0 for m in months},
        "apprenti": {m: status == "apprenti" for m in months},
    }
    if pension_var == "retraite_nette":
        applicant["retraite_imposable"] = series(pensions * COEF_REMPLACEMENT_IMPOSABLE)
    individus: dict[str, Any] = {"demandeur": applicant}
    parents = ["demandeur"]
    if couple:
        individus["conjoint"] = {
            "date_naissance": {"ETERNITY": birth},
            "salaire_net": series(partner_earned),
            "salaire_imposable": series(partner_earned * COEF_SALAIRE_IMPOSABLE),
            "aah": series(0), "ass": series(0),
        }
        parents.append("conjoint")
    children = []
    for index, child in enumerate(answers.get("enfants") or []):
        child_age = child.get("age") if isinstance(child, Mapping) else None
        if not isinstance(child_age, int) or isinstance(child_age, bool):
            continue
        cid = f"enfant_{index + 1}"
        individus[cid] = {"date_naissance": {"ETERNITY": _birth(day, child_age)},
                          "aah": series(0), "ass": series(0)}
        children.append(cid)

    famille: dict[str, Any] = {
        "parents": parents, "enfants": children,
        "aspa": series(_number(answers, "aspa_percue")),
        "rsa_isolement_recent": {m: bool(answers.get("separation_recente")) for m in months},
    }
    if isinstance(answers.get("prestations_familiales"), int | float):
        famille["af"] = series(_number(answers, "prestations_familiales"))
        famille["cf"] = series(0)
        famille["paje_base"] = series(0)
    if _number(answers, "asf_percue") > 0:
        famille["asf"] = series(_number(answers, "asf_percue"))
    if _number(answers, "aides_logement_percues") > 0:
        famille["aide_logement"] = series(_number(answers, "aides_logement_percues"))

    logement = answers.get("logement")
    statut = _STATUT.get(logement, "non_renseigne")
    rent = _number(answers, "loyer") + _number(answers, "aides_logement_percues")
    menage: dict[str, Any] = {
        "personne_de_reference": ["demandeur"],
        "depcom": {m: DEPCOM_REIMS for m in months},
        "statut_occupation_logement": {m: statut for m in months},
        "loyer": series(rent if logement in ("locataire_prive", "locataire_social") else 0),
    }
    if couple:
        menage["conjoint"] = ["conjoint"]
    menage["enfants"] = list(children)
    if logement == "heberge":
        menage["participation_frais"] = {m: not answers.get("hebergement_gratuit") for m in months}

    familles = {"famille": famille}
    foyers = {"foyer": {"declarants": list(parents), "personnes_a_charge": list(children)}}
    others = answers.get("autres_personnes")
    extra_people = []
    for index in range(others if isinstance(others, int) and not isinstance(others, bool) else 0):
        pid = f"autre_{index + 1}"
        individus[pid] = {"date_naissance": {"ETERNITY": _birth(day, 40)},
                          "aah": series(0), "ass": series(0)}
        familles[f"famille_{pid}"] = {"parents": [pid], "aspa": series(0)}
        foyers[f"foyer_{pid}"] = {"declarants": [pid]}
        extra_people.append(pid)
    if extra_people:
        menage["autres"] = extra_people

    outputs = {"rsa": None, "ppa": None, "cmu_c": None, "css_participation_forfaitaire": None}
    if _number(answers, "aides_logement_percues") <= 0:
        outputs["aide_logement"] = None
    if _number(answers, "asf_percue") <= 0:
        outputs["asf"] = None
    for variable in outputs:
        famille[variable] = {month: None}
    return {"individus": individus, "familles": familles, "foyers_fiscaux": foyers,
            "menages": {"menage": menage}}


def read_estimates(values: Mapping[str, float], answers: Mapping[str, Any]) -> dict[str, Any]:
    """OpenFisca's values for the main famille -> our five estimates (€/month, eligibility)."""
    out: dict[str, Any] = {}
    out["rsa"] = {"montant": round(values.get("rsa", 0.0), 2)}
    out["prime_activite"] = {"montant": round(values.get("ppa", 0.0), 2)}
    if "aide_logement" in values:
        out["aide_logement"] = {"montant": round(values["aide_logement"], 2)}
    else:
        out["aide_logement"] = {"montant": _number(answers, "aides_logement_percues"),
                                "percue": True}
    participation = values.get("css_participation_forfaitaire", 0.0)
    free = bool(values.get("cmu_c", 0.0))
    out["css"] = {"gratuite": free, "participation": round(participation, 2),
                  "montant": 0.0 if free else round(participation, 2),
                  "eligible": free or participation > 0}
    if "asf" in values:
        out["asf"] = {"montant": round(values["asf"], 2)}
    else:
        out["asf"] = {"montant": _number(answers, "asf_percue"), "percue": True}
    for key, item in out.items():
        if key != "css":
            item["eligible"] = item["montant"] > 0
    return out
