"""Each rule of issue 12 (the law, not the first simplified policy), with its figures."""

from __future__ import annotations

from datetime import date

import pytest

from intake_assistant.orientation.evaluate import evaluate

from .openfisca_bench import _BASE, kids

DAY = date(2026, 11, 20)


def case(age: int = 40, **answers):
    return {**_BASE, "date_naissance": f"{DAY.year - age}-03-15", **answers}  # age full years


def run(policy, **answers):
    return evaluate(case(**answers), policy, DAY)


def status(result, aid: str) -> str:
    return result.suggestion(aid).status


# ----------------------------------------------------------------------------- CSS
def test_css_with_participation_between_the_two_ceilings(policy):
    # 1 100 € of ARE: 13 200 €/year, above the free ceiling (10 422 €), below 14 069 €
    result = run(policy, situation_professionnelle="demandeur_emploi", allocations_chomage=1100,
                 logement="heberge", hebergement_gratuit=False)
    css = result.suggestion("css")
    assert css.status == "to_check"
    assert result.computed["ressources_annuelles_css"] == pytest.approx(13200)
    assert any("entre le plafond sans participation (10 422 €) et celui avec participation "
               "(14 069 €)" in r for r in css.reasons)
    assert any("participation d’environ 14 € par mois" in r for r in css.reasons)  # 30-49 ans


def test_css_participation_by_age(policy):
    young = run(policy, age=25, allocations_chomage=1100, logement="heberge")
    old = run(policy, age=65, allocations_chomage=1100, logement="heberge")
    assert young.computed["participation_css"] == 8
    assert old.computed["participation_css"] == 25


def test_css_aspa_and_aah_with_their_abatement(policy):
    # ASPA 1 043,60 €: (1 043,60 − 71) × 12 = 11 671 €, between the ceilings: not refused any more
    aspa = run(policy, age=70, situation_professionnelle="retraite", aspa_percue=1043.60,
               logement="heberge")
    assert aspa.computed["ressources_annuelles_css"] == pytest.approx((1043.60 - 71) * 12)
    assert status(aspa, "css") == "to_check"
    aah = run(policy, aah_percue=1041.59, logement="heberge")
    assert aah.computed["ressources_annuelles_css"] == pytest.approx((1041.59 - 68) * 12)
    assert status(aah, "css") == "to_check"


def test_css_excludes_study_grants_and_adds_the_forfait_logement(policy):
    student = run(policy, age=21, situation_professionnelle="etudiant", bourse_etudes=600,
                  logement="heberge", hebergement_gratuit=False)
    assert student.computed["ressources_annuelles_css"] == 0
    free = run(policy, revenus_activite=800, logement="heberge", hebergement_gratuit=True)
    # logé gratuitement, 1 person: 12 % of 651,69 € added every month
    assert free.computed["forfait_logement_css"] == pytest.approx(0.12 * 651.69)
    assert free.computed["ressources_annuelles_css"] == pytest.approx(12 * (800 + 0.12 * 651.69))


def test_css_refused_above_the_participation_ceiling(policy):
    result = run(policy, revenus_activite=1300, logement="heberge")  # 15 600 € > 14 069 €
    css = result.suggestion("css")
    assert css.status == "not_eligible"
    assert css.reasons[0].startswith("Ressources retenues sur 12 mois de 15 600 €, au-dessus")
    assert any("14 069 €" in src and "01/04/2026" in src for g in css.gates for src in g.sources)


# ----------------------------------------------------------------------------- RSA
def test_rsa_majoration_for_isolation(policy):
    baby = run(policy, enfants=kids(1), situation_professionnelle="sans_activite", loyer=0,
               logement="heberge", hebergement_gratuit=False)
    assert baby.computed["isolement"] is True
    assert baby.computed["montant_rsa_foyer"] == pytest.approx(651.69 * (1.28412 + 0.42804))
    older = run(policy, enfants=kids(8), logement="heberge")
    assert older.computed["isolement"] is False
    assert older.computed["montant_rsa_foyer"] == pytest.approx(651.69 * 1.5)
    separated = run(policy, enfants=kids(8), separation_recente=True, logement="heberge")
    assert separated.computed["isolement"] is True
    pregnant = run(policy, age=24, grossesse=True, logement="heberge")
    assert pregnant.computed["montant_rsa_foyer"] == pytest.approx(651.69 * 1.28412)
    assert status(pregnant, "rsa") == "to_check"


def test_rsa_forfait_logement_by_household_size(policy):
    one = run(policy, situation_professionnelle="sans_activite", logement="heberge",
              hebergement_gratuit=True)
    assert one.computed["forfait_logement_rsa"] == pytest.approx(0.12 * 651.69)
    two = run(policy, situation_familiale="couple", logement="heberge", hebergement_gratuit=True)
    assert two.computed["forfait_logement_rsa"] == pytest.approx(0.16 * 1.5 * 651.69)
    three = run(policy, situation_familiale="couple", enfants=kids(5), logement="proprietaire")
    assert three.computed["forfait_logement_rsa"] == pytest.approx(0.165 * 1.8 * 651.69)
    # with a housing aid, the aid itself within the limit of the forfait
    small_al = run(policy, aides_logement_percues=40, loyer=300)
    assert small_al.computed["forfait_logement_rsa"] == 40
    paying = run(policy, logement="heberge", hebergement_gratuit=False)
    assert paying.computed["forfait_logement_rsa"] == 0
    assert one.computed["rsa_estime"] == pytest.approx(651.69 * 0.88)


def test_rsa_40_percent_from_the_third_child(policy):
    single_two = run(policy, enfants=kids(8, 10), logement="heberge")
    assert single_two.computed["taux_foyer_rsa"] == pytest.approx(1.8)
    single_three = run(policy, enfants=kids(8, 10, 12), logement="heberge")
    assert single_three.computed["taux_foyer_rsa"] == pytest.approx(2.2)  # 3rd child +40 %
    couple_two = run(policy, situation_familiale="couple", enfants=kids(8, 10),
                     logement="heberge")
    assert couple_two.computed["taux_foyer_rsa"] == pytest.approx(2.1)  # 4 persons, +30 %
    couple_three = run(policy, situation_familiale="couple", enfants=kids(8, 10, 12),
                       logement="heberge")
    assert couple_three.computed["taux_foyer_rsa"] == pytest.approx(2.5)


def test_rsa_students_excluded_unless_isolated_parent(policy):
    student = run(policy, age=27, situation_professionnelle="etudiant", logement="heberge")
    rsa = student.suggestion("rsa")
    assert rsa.status == "not_eligible"
    assert rsa.reasons[0].startswith("Étudiant(e) : exclu(e) du RSA")
    parent = run(policy, age=27, situation_professionnelle="etudiant", enfants=kids(1),
                 logement="heberge")
    assert status(parent, "rsa") == "to_check"


def test_rsa_study_grant_not_a_resource(policy):
    result = run(policy, age=30, situation_professionnelle="sans_activite", enfants=kids(1),
                 bourse_etudes=500, logement="heberge")
    assert result.computed["ressources_rsa"] == pytest.approx(
        min(201.78, 0.225 * 478.16))  # only the ASF forfait


# ----------------------------------------------------------------------------- prime d'activité
def test_prime_activite_real_formula(policy):
    # single, SMIC net 1 443 €, tenant: 638,28 + 59,85 % × 1 443 + bonification − 1 443
    result = run(policy, revenus_activite=1443, loyer=520)
    top = round(0.377 * 638.28, 2)
    bonus = min(max(top * (1443 - 59 * 12.31) / ((138 - 59) * 12.31), 0), top)
    assert result.computed["bonification_ppa"] == pytest.approx(bonus)
    assert result.computed["prime_activite_estimee"] == pytest.approx(
        638.28 + 0.5985 * 1443 + bonus - 1443)
    assert status(result, "prime_activite") == "to_check"


def test_prime_activite_high_earnings_refused_whatever_the_ceiling(policy):
    # the old « 2 000 € × UC » ceiling let this couple through; the formula does not
    result = run(policy, situation_familiale="couple", revenus_activite=4200,
                 revenus_activite_conjoint=2100, loyer=700)
    ppa = result.suggestion("prime_activite")
    assert ppa.status == "not_eligible"
    assert ppa.reasons[0].startswith("Prime d'activité estimée à 0 €")


def test_prime_activite_students_need_78_percent_of_the_net_smic(policy):
    floor = 0.78 * 12.31 * 151.67 * 0.7729
    low = run(policy, age=22, situation_professionnelle="etudiant", revenus_activite=700,
              loyer=400)
    assert low.computed["seuil_apprenant_ppa"] == pytest.approx(floor)
    assert status(low, "prime_activite") == "not_eligible"
    high = run(policy, age=22, situation_professionnelle="apprenti", revenus_activite=1200,
               loyer=400)
    assert status(high, "prime_activite") == "to_check"


# ----------------------------------------------------------------------------- aide au logement
def test_aide_logement_resource_test(policy):
    poor = run(policy, revenus_activite=720, loyer=430)
    assert status(poor, "aide_logement") == "to_check"
    assert poor.computed["aide_logement_estimee"] > 200
    rich = run(policy, revenus_activite=2600, loyer=650)
    al = rich.suggestion("aide_logement")
    assert al.status == "not_eligible"
    assert al.reasons[0].startswith("Aide estimée nulle")
    assert "zone 2" in al.reasons[0]
    # near the edge of the scale: never ruled out (the CAF decides)
    edge = run(policy, revenus_activite=1443, loyer=520)
    assert -60 < edge.computed["aide_logement_estimee"] < 10
    assert status(edge, "aide_logement") == "to_check"


def test_aide_logement_to_claim_at_the_lease_signature(policy):
    result = run(policy, logement="heberge", type_projet="installation_logement")
    al = result.suggestion("aide_logement")
    assert al.status == "to_check"
    assert any(r.startswith("À demander dès la signature du bail") for r in al.reasons)
    assert status(result, "action_logement") == "to_check"
    assert status(result, "fsl") == "to_check"


# ----------------------------------------------------------------------------- surendettement
def test_surendettement_banque_de_france_capacity(policy):
    # positive reste à vivre but 20 000 € of debts: the capacity cannot repay them in 84 months
    result = run(policy, revenus_activite=1500, loyer=500, montant_dettes=20000,
                 credits_mensualites=100)
    assert result.computed["reste_a_vivre"] > 0
    s = result.suggestion("surendettement")
    assert s.status == "to_check"
    assert result.computed["reste_a_vivre_bdf"] == pytest.approx(650 + 500 + 60 + 20 + 20)
    small = run(policy, revenus_activite=2500, loyer=500, montant_dettes=1500)
    assert status(small, "surendettement") == "not_eligible"
    assert small.suggestion("surendettement").reasons[0].startswith("Capacité de remboursement")


def test_surendettement_never_below_the_rsa(policy):
    result = run(policy, situation_familiale="couple", enfants=kids(3, 5, 8),
                 revenus_activite=2000, montant_dettes=5000)
    assert result.computed["reste_a_vivre_bdf"] >= result.computed["montant_rsa_foyer"]


def test_loans_during_a_plan(policy):
    result = run(policy, surendettement="plan_en_cours", ficp=True, revenus_activite=900,
                 loyer=400)
    micro, advance = result.suggestion("microcredit_personnel"), result.suggestion(
        "avance_remboursable")
    assert micro.status == "to_check" and advance.status == "to_check"
    for s in (micro, advance):
        assert any("accord préalable de la commission de surendettement requis" in r
                   for r in s.reasons)
    grant = result.suggestion("aide_au_projet")
    assert any("à proposer avant tout prêt" in r for r in grant.reasons)


# ----------------------------------------------------------------------------- permis
def test_permis_france_travail_conditions(policy):
    base = dict(type_projet="permis_b", situation_professionnelle="demandeur_emploi",
                inscrit_france_travail_mois=8, inscription_auto_ecole=False)
    assert status(run(policy, **base), "aide_permis_france_travail") == "to_check"
    ars = run(policy, **base, allocations_chomage=1200)
    reason = ars.suggestion("aide_permis_france_travail").reasons[0]
    assert status(ars, "aide_permis_france_travail") == "not_eligible"
    assert "au-dessus de l'ARE minimale (963,90 €)" in reason
    assert status(run(policy, **base, allocations_chomage=900),
                  "aide_permis_france_travail") == "to_check"
    assert status(run(policy, **{**base, "inscription_auto_ecole": True}),
                  "aide_permis_france_travail") == "not_eligible"
    minor = run(policy, age=17, **base)
    assert status(minor, "aide_permis_france_travail") == "not_eligible"
    assert status(minor, "permis_un_euro") == "to_check"
    assert status(run(policy, age=30, **base), "permis_un_euro") == "not_eligible"
    asked = run(policy, **{k: v for k, v in base.items() if k != "inscription_auto_ecole"})
    assert "inscription_auto_ecole" in asked.suggestion("aide_permis_france_travail").needs
    assert status(run(policy, **base), "cpf_permis") == "to_check"
    apprentice = run(policy, age=19, type_projet="permis_b", situation_professionnelle="apprenti",
                     revenus_activite=900)
    assert status(apprentice, "aide_permis_apprenti") == "to_check"


# ----------------------------------------------------------------------------- missing aids
def test_domiciliation(policy):
    homeless = run(policy, logement="sans_logement", situation_professionnelle="sans_activite")
    assert status(homeless, "domiciliation") == "to_check"  # has a domiciliation? to ask
    assert "domiciliation" in homeless.suggestion("domiciliation").needs
    assert status(run(policy, logement="sans_logement", domiciliation=False),
                  "domiciliation") == "eligible"
    assert status(run(policy, logement="sans_logement", domiciliation=True),
                  "domiciliation") == "not_eligible"
    assert status(run(policy), "domiciliation") == "not_eligible"


def test_asf(policy):
    assert status(run(policy, enfants=kids(6)), "asf") == "to_check"
    assert status(run(policy, enfants=kids(6), pension_alimentaire_recue=250), "asf") == \
        "not_eligible"
    # a pension below the ASF: the differential ASF
    partial = run(policy, enfants=kids(6, 9), pension_alimentaire_recue=300)
    assert status(partial, "asf") == "to_check"
    assert partial.computed["asf_due"] == pytest.approx(2 * 201.78 - 300)
    assert status(run(policy, enfants=kids(6), situation_familiale="couple"), "asf") == \
        "not_eligible"
    assert status(run(policy, enfants=kids(21)), "asf") == "not_eligible"


def test_fsl_energy_and_water_for_owner_occupiers(policy):
    owner = run(policy, logement="proprietaire", impayes_eau=True)
    fsl = owner.suggestion("fsl")
    assert fsl.status == "to_check"
    assert any("tout occupant" in r for r in fsl.reasons)
    assert status(run(policy, logement="proprietaire", impayes_loyer=True), "fsl") == \
        "not_eligible"  # a rent arrear is for tenants


def test_mission_locale_under_26(policy):
    assert status(run(policy, age=19), "mission_locale") == "eligible"
    assert status(run(policy, age=26), "mission_locale") == "not_eligible"


def test_msa_instead_of_caf(policy):
    result = run(policy, regime_agricole=True, revenus_activite=900, loyer=400)
    assert result.suggestion("prime_activite").orient_to == "MSA"
    assert result.suggestion("rsa").orient_to == "MSA ou Département (RSA)"
    assert result.suggestion("css").orient_to == "MSA"
    assert run(policy).suggestion("prime_activite").orient_to == "CAF"
    missing = evaluate({k: v for k, v in case().items() if k != "regime_agricole"}, policy, DAY,
                       unknown=["regime_agricole"])
    assert missing.suggestion("aide_logement").orient_to == "CAF"  # never « … »


# ----------------------------------------------------------------------------- resources
def test_new_resources_count_in_the_budget(policy):
    result = run(policy, aah_percue=500, aspa_percue=100, ass_percue=50,
                 indemnites_journalieres=30, bourse_etudes=20, asf_percue=10)
    assert result.computed["total_ressources"] == 710


def test_reasons_of_a_refused_aid_come_first(policy):
    """The first reason of a not_eligible aid says why it fails, not a met gate."""
    result = run(policy, age=22, revenus_activite=2600, loyer=650)
    for s in result.suggestions:
        if s.status == "not_eligible":
            failed = [g.reason for g in s.gates if g.state == "failed"
                      and g.effect == "not_eligible"]
            assert s.reasons[0] == failed[0], s.aid
