"""Loan simulation: instalment, cost and reste à vivre for each duration, to choose with the person.

The microcredit rows use the policy's rate and the same ``annuity`` function as the computed
``mensualite_estimee``; the CCAS advance rows are at 0 % over its allowed durations.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from intake_assistant.core.expressions import compile_expression, is_missing
from intake_assistant.orientation.compute import build_env, round_half_up
from intake_assistant.orientation.policy import Policy

STEP_MONTHS = 6
_ANNUITY = compile_expression("annuity(montant, taux, duree)")


class SimulationError(ValueError):
    """No amount to simulate; ``message`` is French."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class SimulationRow:
    product: str  # "microcredit_personnel" | "avance_remboursable"
    label: str
    montant: float
    duree_mois: int
    taux_annuel: float
    mensualite: float
    cout_total: float  # interest paid over the loan (0 for the advance)
    rav_jour_uc_apres: float | None  # None when the budget is incomplete
    above_floor: bool | None  # reste à vivre after >= rav.plancher_jour_uc
    amount_allowed: bool  # the amount fits the product's limits

    def to_json(self) -> dict[str, Any]:
        return {k: round_half_up(v) for k, v in self.__dict__.items()}


def durations(max_months: int) -> list[int]:
    """6, 12, 18… up to the product's maximum (the maximum itself always included)."""
    out = list(range(STEP_MONTHS, max_months + 1, STEP_MONTHS))
    if max_months not in out:
        out.append(max_months)
    return out


def simulate(answers: dict, policy: Policy, montant: float | None = None,
             today: date | None = None, unknown: Iterable[str] = ()) -> list[SimulationRow]:
    """Rows for the microcredit (each duration) then the CCAS advance (each duration)."""
    _, computed, _ = build_env(answers, policy, today, unknown)
    amount = computed.get("montant_calcul") if montant is None else montant
    if amount is None or is_missing(amount):
        raise SimulationError("Montant à simuler inconnu : renseignez le montant demandé "
                              "(montant_demande) ou indiquez --montant.")
    if not isinstance(amount, int | float) or isinstance(amount, bool) or amount <= 0:
        raise SimulationError("Le montant à simuler doit être un nombre supérieur à 0 €.")
    p = policy.parameter_env()
    rav, nb_uc = computed.get("reste_a_vivre"), computed.get("nb_uc")
    floor = p["rav.plancher_jour_uc"]
    products = (
        ("microcredit_personnel", "Microcrédit personnel", p["microcredit.taux_annuel"],
         p["microcredit.duree_max_mois"],
         p["microcredit.montant_min"] <= amount <= p["microcredit.montant_max"]),
        ("avance_remboursable", "Avance remboursable du CCAS", 0,
         p["avance_remboursable.duree_max_mois"], amount <= p["avance_remboursable.montant_max"]),
    )
    rows = []
    for product, label, rate, max_months, allowed in products:
        for months in durations(max_months):
            instalment = _ANNUITY.evaluate({"montant": amount, "taux": rate, "duree": months})
            after = None
            if not (is_missing(rav) or is_missing(nb_uc) or rav is None or nb_uc is None):
                after = (rav - instalment) / nb_uc / 30
            rows.append(SimulationRow(
                product, label, amount, months, rate, instalment, instalment * months - amount,
                after, None if after is None else after >= floor, allowed))
    return rows
