"""The CCAS's avance remboursable (0 %): schedule from the decision, payments, missed payments,
rescheduling, « remboursé ».

Amounts are integer cents, so that a schedule adds up to the amount lent exactly: equal monthly
instalments rounded down to the cent, the last one taking the remainder (1 000 € over 3 months:
333,33 € + 333,33 € + 333,34 €).

Payments are allocated to the instalments in due order, whatever day they came (a late payment
still settles the oldest instalment first). An instalment is *impayée* (missed) once its due date
plus the tolerance (parametres.yaml) has passed without the cumulated payments covering it.

A rescheduling replaces what is left: the balance owed on its day is spread over a new number of
months from a new first due date; instalments of the earlier plan are history (their misses no
longer count), the payments after it go to the new plan.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, kept inside the month (31 January + 1 = 28/29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def to_cents(euros: float | int) -> int:
    return round(euros * 100)


@dataclass(frozen=True)
class Plan:
    """A schedule's inputs: ``amount_cents`` over ``months`` from ``first_due``; ``start`` is
    the decision day (or the rescheduling day)."""

    amount_cents: int
    months: int
    first_due: date
    start: date

    def __post_init__(self) -> None:
        if self.amount_cents <= 0:
            raise ValueError("Le montant à rembourser doit être supérieur à 0 €.")
        if not 1 <= self.months <= 120:
            raise ValueError(f"Durée de remboursement invalide : {self.months} mois (1 à 120).")
        if self.first_due < self.start:
            raise ValueError(
                f"La première échéance ({self.first_due:%d/%m/%Y}) ne peut pas précéder la "
                f"décision ou le rééchelonnement ({self.start:%d/%m/%Y})."
            )


@dataclass(frozen=True)
class Instalment:
    number: int
    due: date
    amount_cents: int


def schedule(plan: Plan) -> list[Instalment]:
    base = plan.amount_cents // plan.months
    out = [Instalment(i + 1, add_months(plan.first_due, i), base) for i in range(plan.months)]
    last = out[-1]
    out[-1] = Instalment(last.number, last.due,
                         plan.amount_cents - base * (plan.months - 1))
    return out


class InstalmentState(StrEnum):
    PAYEE = "payee"
    PARTIELLE = "partielle"  # partly paid, still within the tolerance or not yet due
    EN_ATTENTE = "en_attente"  # due, within the tolerance
    IMPAYEE = "impayee"  # missed: past due + tolerance, not covered
    A_VENIR = "a_venir"

    @property
    def label(self) -> str:
        return {"payee": "payée", "partielle": "payée en partie", "en_attente": "à payer",
                "impayee": "impayée", "a_venir": "à venir"}[self.value]


class LoanState(StrEnum):
    EN_COURS = "en_cours"
    EN_RETARD = "en_retard"
    REMBOURSE = "rembourse"

    @property
    def label(self) -> str:
        return {"en_cours": "en cours", "en_retard": "impayé(s) à régulariser",
                "rembourse": "remboursé"}[self.value]


@dataclass(frozen=True)
class InstalmentLine:
    instalment: Instalment
    paid_cents: int
    state: InstalmentState


@dataclass(frozen=True)
class Payment:
    day: date
    amount_cents: int


@dataclass
class Statement:
    amount_cents: int  # lent (the first plan's amount)
    paid_cents: int  # every payment received
    remaining_cents: int
    plan: Plan  # the plan in force
    lines: list[InstalmentLine]
    state: LoanState
    reschedulings: int
    missed: list[InstalmentLine] = field(default_factory=list)

    @property
    def next_due(self) -> InstalmentLine | None:
        return next((line for line in self.lines if line.state != InstalmentState.PAYEE), None)

    @property
    def overdue_cents(self) -> int:
        return sum(line.instalment.amount_cents - line.paid_cents for line in self.missed)


def balance_on(plans: Sequence[Plan], payments: Iterable[Payment], day: date) -> int:
    """What is still owed at the end of ``day`` (the amount lent minus payments up to then)."""
    paid = sum(p.amount_cents for p in payments if p.day <= day)
    return max(0, plans[0].amount_cents - paid)


def reschedule(plans: Sequence[Plan], payments: Iterable[Payment], *, day: date, months: int,
               first_due: date) -> Plan:
    """The new plan: the balance owed on ``day`` over ``months`` from ``first_due``."""
    if day < plans[-1].start:
        raise ValueError("Un rééchelonnement ne peut pas précéder le plan en cours.")
    owed = balance_on(plans, list(payments), day)
    if owed <= 0:
        raise ValueError("Rien à rééchelonner : l'avance est entièrement remboursée.")
    return Plan(owed, months, first_due, day)


def statement(plans: Sequence[Plan], payments: Iterable[Payment], today: date,
              tolerance_days: int) -> Statement:
    """Where the repayment stands on ``today``: the plan in force with each instalment's state."""
    if not plans:
        raise ValueError("Aucun échéancier.")
    payments = sorted(payments, key=lambda p: p.day)
    for p in payments:
        if p.amount_cents <= 0:
            raise ValueError("Un versement doit être supérieur à 0 €.")
    current = plans[-1]
    total = plans[0].amount_cents
    paid_all = sum(p.amount_cents for p in payments)
    # Payments on the day of a rescheduling were counted in its balance.
    towards = sum(p.amount_cents for p in payments
                  if len(plans) == 1 or p.day > current.start)
    lines = []
    covered_before = 0
    for inst in schedule(current):
        paid = max(0, min(inst.amount_cents, towards - covered_before))
        covered_before += inst.amount_cents
        if paid >= inst.amount_cents:
            state = InstalmentState.PAYEE
        elif today > inst.due + timedelta(days=tolerance_days):
            state = InstalmentState.IMPAYEE
        elif paid > 0:
            state = InstalmentState.PARTIELLE
        elif today >= inst.due:
            state = InstalmentState.EN_ATTENTE
        else:
            state = InstalmentState.A_VENIR
        lines.append(InstalmentLine(inst, paid, state))
    remaining = max(0, total - paid_all)
    missed = [line for line in lines if line.state == InstalmentState.IMPAYEE]
    if remaining == 0:
        state_all = LoanState.REMBOURSE
        lines = [InstalmentLine(line.instalment, line.instalment.amount_cents,
                                InstalmentState.PAYEE) for line in lines]
        missed = []
    else:
        state_all = LoanState.EN_RETARD if missed else LoanState.EN_COURS
    return Statement(total, paid_all, remaining, current, lines, state_all, len(plans) - 1,
                     missed)
