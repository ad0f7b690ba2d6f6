"""Core rules of the follow-up, with known figures: delays and thresholds, statistics per body
and period, the avance remboursable's schedule, payments, misses and rescheduling, appointments,
funders' figures."""

from __future__ import annotations

from datetime import date, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intake_assistant.core.followup import agenda, delays, funders, repayment
from intake_assistant.core.followup.delays import RequestFacts, Thresholds, WaitLevel
from intake_assistant.core.followup.repayment import (
    InstalmentState,
    LoanState,
    Payment,
    Plan,
)

D = date


# -- waiting times and thresholds -----------------------------------------------------------
def test_waiting_days_and_levels_at_the_thresholds():
    t = Thresholds(30, 60)
    sent = D(2026, 9, 1)
    assert delays.waiting_days(sent, D(2026, 9, 30)) == 29
    assert delays.wait_level(29, t) is WaitLevel.OK
    assert delays.wait_level(delays.waiting_days(sent, D(2026, 10, 1)), t) is WaitLevel.RELANCE
    assert delays.wait_level(59, t) is WaitLevel.RELANCE
    assert delays.wait_level(60, t) is WaitLevel.ALERTE
    # answered: the delay stops on the answer's day
    assert delays.waiting_days(sent, D(2026, 12, 31), D(2026, 11, 15)) == 75
    assert delays.waiting_days(D(2026, 9, 10), D(2026, 9, 1)) == 0  # never negative


def test_thresholds_must_be_ordered():
    with pytest.raises(ValueError, match="relance doit venir avant"):
        Thresholds(60, 30)
    with pytest.raises(ValueError):
        Thresholds(0, 30)


def test_answer_date_checked():
    with pytest.raises(ValueError, match="précéder l'envoi"):
        delays.check_answer_date(D(2026, 9, 10), D(2026, 9, 9), D(2026, 10, 1))
    with pytest.raises(ValueError, match="futur"):
        delays.check_answer_date(D(2026, 9, 10), D(2026, 10, 2), D(2026, 10, 1))
    delays.check_answer_date(D(2026, 9, 10), D(2026, 9, 10), D(2026, 10, 1))


# -- statistics -------------------------------------------------------------------------------
def test_median_and_nearest_rank_percentile():
    assert delays.median([]) is None and delays.percentile([], 90) is None
    assert delays.median([5, 1, 3]) == 3
    assert delays.median([10, 20, 30, 40]) == 25
    ten = list(range(10, 101, 10))  # 10..100
    assert delays.percentile(ten, 90) == 90  # 9 of 10 at or below 90
    assert delays.percentile(ten, 50) == 50
    assert delays.percentile([7], 90) == 7
    assert delays.percentile(list(range(1, 21)), 90) == 18  # ceil(0.9*20) = 18th


@given(st.lists(st.integers(0, 400), min_size=1, max_size=60))
def test_percentile_is_a_value_with_at_least_ninety_percent_at_or_below(values):
    p90 = delays.percentile(values, 90)
    assert p90 in values
    assert sum(v <= p90 for v in values) >= 0.9 * len(values)
    assert sum(v < p90 for v in values) < 0.9 * len(values)  # the smallest such value


def test_delay_stats_per_body_and_quarter():
    today = D(2026, 11, 30)
    rows = [
        # Département: 3 answered in T3 after 60, 75, 90 days; one still waiting since 1 Oct.
        RequestFacts("Département", D(2026, 7, 1), D(2026, 8, 30)),
        RequestFacts("Département", D(2026, 7, 15), D(2026, 9, 28)),
        RequestFacts("Département", D(2026, 8, 1), D(2026, 10, 30)),
        RequestFacts("Département", D(2026, 10, 1)),
        # CAF: answered in 10 and 20 days
        RequestFacts("CAF", D(2026, 9, 1), D(2026, 9, 11)),
        RequestFacts("CAF", D(2026, 9, 2), D(2026, 9, 22)),
    ]
    whole = delays.delay_stats(rows, today)
    assert [(b.body, b.sent, b.answered, b.waiting) for b in whole] == [
        ("CAF", 2, 2, 0), ("Département", 4, 3, 1)]
    dep = whole[1]
    assert (dep.median_days, dep.p90_days, dep.longest_wait_days) == (75, 90, 60)
    caf = whole[0]
    assert (caf.median_days, caf.p90_days, caf.longest_wait_days) == (15, 20, None)
    by_quarter = delays.delay_stats(rows, today, period="trimestre")
    assert [(b.body, b.period, b.sent, b.median_days) for b in by_quarter] == [
        ("CAF", "2026-T3", 2, 15), ("Département", "2026-T3", 3, 75),
        ("Département", "2026-T4", 1, None)]
    only_october = delays.delay_stats(rows, today, date_from=D(2026, 10, 1))
    assert [(b.body, b.sent, b.waiting) for b in only_october] == [("Département", 1, 1)]


def test_period_keys():
    day = D(2026, 9, 30)
    assert [delays.period_key(day, p) for p in delays.PERIODS] == ["2026", "2026-T3", "2026-09"]
    with pytest.raises(ValueError, match="Période inconnue"):
        delays.period_key(day, "semaine")


# -- the avance remboursable ------------------------------------------------------------------
def test_schedule_adds_up_to_the_cent():
    plan = Plan(100_000, 3, D(2026, 1, 31), D(2026, 1, 15))
    lines = repayment.schedule(plan)
    assert [i.amount_cents for i in lines] == [33_333, 33_333, 33_334]
    assert [i.due for i in lines] == [D(2026, 1, 31), D(2026, 2, 28), D(2026, 3, 31)]
    assert repayment.add_months(D(2027, 12, 31), 2) == D(2028, 2, 29)


@given(st.integers(1, 300_000), st.integers(1, 36))
def test_schedule_total_and_equal_instalments(amount, months):
    lines = repayment.schedule(Plan(amount, months, D(2026, 1, 5), D(2026, 1, 1)))
    assert sum(i.amount_cents for i in lines) == amount
    assert len({i.amount_cents for i in lines[:-1]}) <= 1
    assert 0 <= lines[-1].amount_cents - lines[0].amount_cents < months


def test_plan_inputs_checked():
    with pytest.raises(ValueError, match="supérieur à 0"):
        Plan(0, 10, D(2026, 1, 5), D(2026, 1, 1))
    with pytest.raises(ValueError, match="Durée"):
        Plan(100, 0, D(2026, 1, 5), D(2026, 1, 1))
    with pytest.raises(ValueError, match="première échéance"):
        Plan(100, 1, D(2025, 12, 5), D(2026, 1, 1))


def _avance() -> list[Plan]:
    # 1 200 € over 12 months, first instalment 5 February 2026: 100 € a month.
    return [Plan(120_000, 12, D(2026, 2, 5), D(2026, 1, 20))]


def test_statement_with_a_missed_then_a_partial_payment():
    payments = [Payment(D(2026, 2, 3), 10_000), Payment(D(2026, 3, 5), 10_000),
                Payment(D(2026, 5, 10), 5_000)]
    s = repayment.statement(_avance(), payments, D(2026, 5, 12), tolerance_days=10)
    states = [line.state for line in s.lines[:5]]
    # April (due 5/4, tolerance to 15/4) is missed; May (due 5/5) is still within it.
    assert states == [InstalmentState.PAYEE, InstalmentState.PAYEE, InstalmentState.IMPAYEE,
                      InstalmentState.EN_ATTENTE, InstalmentState.A_VENIR]
    # The 50 € of May settle April's instalment first (oldest first): April half paid.
    assert s.lines[2].paid_cents == 5_000 and s.lines[3].paid_cents == 0
    assert s.state is LoanState.EN_RETARD and len(s.missed) == 1
    assert s.overdue_cents == 5_000
    assert (s.paid_cents, s.remaining_cents) == (25_000, 95_000)
    assert s.next_due is s.lines[2]


def test_within_the_tolerance_an_instalment_is_due_not_missed():
    s = repayment.statement(_avance(), [], D(2026, 2, 15), tolerance_days=10)
    assert s.lines[0].state is InstalmentState.EN_ATTENTE and s.state is LoanState.EN_COURS
    s = repayment.statement(_avance(), [], D(2026, 2, 16), tolerance_days=10)
    assert s.lines[0].state is InstalmentState.IMPAYEE


def test_early_repayment_is_rembourse():
    s = repayment.statement(_avance(), [Payment(D(2026, 2, 5), 10_000),
                                        Payment(D(2026, 3, 1), 110_000)],
                            D(2026, 3, 2), tolerance_days=10)
    assert s.state is LoanState.REMBOURSE and s.remaining_cents == 0
    assert all(line.state is InstalmentState.PAYEE for line in s.lines)


def test_rescheduling_spreads_the_balance_and_clears_the_old_misses():
    plans = _avance()
    payments = [Payment(D(2026, 2, 5), 10_000)]  # then nothing paid in March and April
    before = repayment.statement(plans, payments, D(2026, 4, 20), tolerance_days=10)
    assert len(before.missed) == 2
    new = repayment.reschedule(plans, payments, day=D(2026, 4, 20), months=22,
                               first_due=D(2026, 5, 5))
    assert new.amount_cents == 110_000 and new.start == D(2026, 4, 20)
    plans.append(new)
    payments.append(Payment(D(2026, 5, 4), 5_000))
    after = repayment.statement(plans, payments, D(2026, 5, 6), tolerance_days=10)
    assert after.reschedulings == 1 and not after.missed
    assert [i.amount_cents for i in repayment.schedule(new)][:2] == [5_000, 5_000]
    assert after.lines[0].state is InstalmentState.PAYEE
    assert after.remaining_cents == 105_000 and after.state is LoanState.EN_COURS
    with pytest.raises(ValueError, match="précéder"):
        repayment.reschedule(plans, payments, day=D(2026, 4, 1), months=3,
                             first_due=D(2026, 5, 1))


def test_nothing_to_reschedule_once_repaid():
    with pytest.raises(ValueError, match="Rien à rééchelonner"):
        repayment.reschedule(_avance(), [Payment(D(2026, 3, 1), 120_000)], day=D(2026, 3, 2),
                             months=3, first_due=D(2026, 4, 1))


# -- appointments -----------------------------------------------------------------------------
def _appt(row: str, day: date, at: str, state="prevu", agent="A", minutes=45):
    return agenda.Appointment("D-2026-000001", row, day, agenda.parse_time(at), minutes,
                              "CCAS, bureau 2", "demandeur", None, "Entretien",
                              agenda.AppointmentState(state), "Julie Martin", agent)


def test_parse_time_french_ways():
    assert agenda.parse_time("9h30") == time(9, 30)
    assert agenda.parse_time("14h") == time(14, 0)
    assert agenda.parse_time("09:05") == time(9, 5)
    assert agenda.parse_time("8") == time(8, 0)
    for bad in ("25h", "9h75", "midi", ""):
        with pytest.raises(ValueError):
            agenda.parse_time(bad)


def test_day_agenda_upcoming_and_to_record():
    today = D(2026, 11, 26)
    appts = [_appt("1", today, "14h"), _appt("2", today, "9h30"),
             _appt("3", today, "11h", state="annule"), _appt("4", D(2026, 11, 20), "10h"),
             _appt("5", D(2026, 11, 19), "10h", state="manque"), _appt("6", D(2026, 12, 3), "9h"),
             _appt("7", D(2027, 1, 3), "9h")]
    assert [a.row_id for a in agenda.day_agenda(appts, today)] == ["2", "1"]
    assert [a.row_id for a in agenda.upcoming(appts, today)] == ["2", "1", "6"]
    assert [a.row_id for a in agenda.to_record(appts, today)] == ["4"]


def test_overlapping_appointments_of_the_same_agent():
    day = D(2026, 11, 26)
    booked = [_appt("1", day, "9h30"), _appt("2", day, "11h", agent="B")]
    assert [a.row_id for a in agenda.overlapping(booked, _appt("9", day, "10h"))] == ["1"]
    assert agenda.overlapping(booked, _appt("9", day, "10h15")) == []  # 9h30 + 45 min
    assert agenda.overlapping(booked, _appt("9", day, "11h")) == []  # other agent


def test_appointment_checks_and_callbacks():
    with pytest.raises(ValueError, match="partenaire"):
        agenda.check_appointment(D(2026, 1, 1), 30, "partenaire", None)
    with pytest.raises(ValueError, match="Durée"):
        agenda.check_appointment(D(2026, 1, 1), 1, "demandeur", None)
    today = D(2026, 11, 26)
    calls = [agenda.CallBack("D1", "1", D(2026, 11, 27), "devis"),
             agenda.CallBack("D1", "2", D(2026, 11, 20), "relevés"),
             agenda.CallBack("D2", "1", D(2026, 11, 25), "rdv", done=D(2026, 11, 25)),
             agenda.CallBack("D3", "1", today, "RIB")]
    assert [(c.dossier_id, c.row_id) for c in agenda.callbacks_due(calls, today)] == [
        ("D1", "2"), ("D3", "1")]


# -- funders ------------------------------------------------------------------------------------
def test_funder_report_with_known_figures():
    F, Inc = funders.LoanFile, funders.Incident
    files = [
        F("D1", "p1", "Parcours Confiance", "permis_b", D(2026, 2, 1), "accorde", D(2026, 2, 20),
          1200, 24, 0.04, signed=D(2026, 3, 1),
          incidents=(Inc(D(2026, 6, 5), "impaye", 52.1), Inc(D(2026, 7, 5), "impaye", 52.1))),
        F("D2", "p2", "Parcours Confiance", "permis_b", D(2026, 3, 1), "accorde", D(2026, 3, 25),
          1800, 36, 0.03, incidents=(Inc(D(2026, 9, 1), "remboursement_anticipe"),),
          ended=D(2026, 9, 1)),
        F("D3", "p3", "Crédit Municipal", "achat_vehicule", D(2026, 4, 1), "accorde",
          D(2026, 4, 30), 3000, 36, 0.035),
        F("D4", "p3", "Parcours Confiance", "achat_vehicule", D(2026, 3, 10), "refuse",
          D(2026, 3, 30), refusal_reason="Capacité de remboursement insuffisante"),
        F("D5", "p4", "Crédit Municipal", "electromenager", D(2026, 5, 1), "refuse",
          refusal_reason="Capacité de remboursement insuffisante"),
        F("D6", "p5", "Crédit Municipal", "electromenager", D(2026, 6, 1), "refuse"),
        F("D7", "p6", "Crédit Municipal", "mobilier", D(2026, 10, 1)),
        F("D8", "p7", "Parcours Confiance", "permis_b", D(2025, 12, 1), "accorde",
          D(2025, 12, 20), 900, 12, 0.04),  # before the period
    ]
    r = funders.funder_report(files, date_from=D(2026, 1, 1), date_to=D(2026, 12, 31))
    assert (r.files, r.granted, r.refused, r.pending) == (7, 3, 3, 1)
    assert r.granted_amount == 6000
    permis = r.by_purpose[0]
    assert (permis.purpose, permis.loans, permis.total_amount, permis.mean_amount,
            permis.mean_months) == ("permis_b", 2, 3000, 1500, 30)
    assert permis.mean_rate == pytest.approx(0.035)
    assert [(b.bank, b.sent, b.granted, b.refused, b.pending, b.granted_amount)
            for b in r.by_bank] == [("Crédit Municipal", 4, 1, 2, 1, 3000),
                                    ("Parcours Confiance", 3, 2, 1, 0, 3000)]
    assert r.by_bank[0].grant_rate == pytest.approx(1 / 3)
    assert r.refusals == [("Capacité de remboursement insuffisante", 2),
                          ("motif non communiqué", 1)]
    assert (r.loans_with_missed, r.missed_payments, r.early_repayments,
            r.accompaniments_ended) == (1, 2, 1, 1)
    assert (r.persons, r.persons_granted) == (6, 3)  # p3 twice, counted once
