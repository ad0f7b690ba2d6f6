"""Loan table: durations, instalments, cost and reste à vivre after."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intake_assistant.orientation.compute import compute
from intake_assistant.orientation.simulate import SimulationError, durations, simulate

from .conftest import TODAY, persona


def test_rows_match_the_computed_instalment(policy):
    answers = persona("martin_permis")["answers"]
    rows = simulate(answers, policy, today=TODAY)
    micro = [r for r in rows if r.product == "microcredit_personnel"]
    advance = [r for r in rows if r.product == "avance_remboursable"]
    assert [r.duree_mois for r in micro] == [6, 12, 18, 24, 30, 36]
    assert [r.duree_mois for r in advance] == [6, 12, 18, 24]
    computed = compute(answers, policy, TODAY)
    at_24 = next(r for r in micro if r.duree_mois == 24)
    assert at_24.mensualite == computed["mensualite_estimee"]
    assert at_24.rav_jour_uc_apres == pytest.approx(computed["rav_jour_uc_apres"])
    assert round(at_24.cout_total, 2) == 35.87
    assert all(r.cout_total == pytest.approx(0) and r.taux_annuel == 0 for r in advance)
    assert all(r.above_floor for r in rows)
    assert all(r.amount_allowed for r in rows)


def test_floor_and_limits_flags(policy):
    rows = simulate(persona("garcia_ficp_permis")["answers"], policy, montant=2000, today=TODAY)
    assert not any(r.above_floor for r in rows)  # 1,67 €/jour/UC before any instalment
    assert all(r.amount_allowed for r in rows if r.product == "microcredit_personnel")
    assert not any(r.amount_allowed for r in rows if r.product == "avance_remboursable")


def test_incomplete_budget_still_gives_instalments(policy):
    rows = simulate({"montant_demande": 600}, policy, today=TODAY)
    assert rows and all(r.rav_jour_uc_apres is None and r.above_floor is None for r in rows)
    assert rows[0].mensualite > 100


def test_no_amount(policy):
    with pytest.raises(SimulationError, match="montant_demande"):
        simulate({}, policy, today=TODAY)
    with pytest.raises(SimulationError):
        simulate({}, policy, montant=0, today=TODAY)


def test_durations_include_the_maximum():
    assert durations(36) == [6, 12, 18, 24, 30, 36]
    assert durations(20) == [6, 12, 18, 20]
    assert durations(4) == [4]


@given(st.floats(min_value=1, max_value=8000), st.floats(min_value=0, max_value=5000))
def test_bigger_amount_never_smaller_instalment(policy, amount, extra):
    small = simulate({}, policy, montant=amount, today=TODAY)
    big = simulate({}, policy, montant=amount + extra, today=TODAY)
    for a, b in zip(small, big, strict=True):
        assert (a.product, a.duree_mois) == (b.product, b.duree_mois)
        assert b.mensualite >= a.mensualite


@given(st.integers(min_value=300, max_value=3000), st.integers(min_value=0, max_value=2000),
       st.integers(min_value=1, max_value=84))
def test_bigger_request_never_smaller_estimated_instalment(policy, amount, extra, months):
    base = {**persona("martin_permis")["answers"], "duree_souhaitee_mois": months}
    small = compute({**base, "montant_demande": amount}, policy, TODAY)
    big = compute({**base, "montant_demande": amount + extra}, policy, TODAY)
    assert big["mensualite_estimee"] >= small["mensualite_estimee"]
    assert big["rav_jour_uc_apres"] <= small["rav_jour_uc_apres"]


def test_one_simulation_for_the_table_the_commission_and_the_dossier_view(policy):
    """The commission summary's loans are the simulation's rows at the kept duration."""
    from intake_assistant.orientation.compute import build_env
    from intake_assistant.orientation.simulate import loan_at, products
    from intake_assistant.reports.commission import build_summary

    answers = persona("martin_permis")["answers"]
    table = simulate(answers, policy, today=TODAY)
    _, computed, _ = build_env(answers, policy, TODAY, ())
    at_24 = loan_at(computed, policy, 24)
    assert at_24 == [r for r in table if r.duree_mois == 24]
    doc = {"id": "D-1", "created_at": "2026-11-20T10:00:00+01:00", "status": "en_evaluation",
           "answers": answers, "duree_retenue": 24}
    summary_rows = build_summary(doc, policy, TODAY)["loan"]["rows"]
    assert [(r["product"], r["mensualite"], r["cout_total"], r["rav_jour_uc_apres"])
            for r in summary_rows] == [
        (r.product, r.mensualite, r.cout_total, r.rav_jour_uc_apres) for r in at_24]
    # The limits are the policy's, once: the advance stops at 24 months, the microcredit at 36.
    assert {p.id: p.max_months for p in products(policy)} == {
        "microcredit_personnel": 36, "avance_remboursable": 24}
    beyond = loan_at(computed, policy, 30)
    assert [r.within_limits for r in beyond] == [True, False]


def test_product_limits_come_from_the_parameters(policy):
    from intake_assistant.orientation.simulate import products

    micro, advance = products(policy)
    assert (micro.min_amount, micro.max_amount, micro.rate) == (300, 3000, 0.04)
    assert micro.amount_allowed(300) and not micro.amount_allowed(299)
    assert advance.amount_allowed(1500) and not advance.amount_allowed(1500.01)
    assert advance.rate == 0 and advance.short_label == "Avance CCAS"
