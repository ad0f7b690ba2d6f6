"""The one loan simulation: the loan products, their limits, and a loan's instalment, interest
cost and reste à vivre after it. The orientation (``simulate``), the dossier screen (through the
application layer) and the commission summary (``loan_at``) all compute loans here.

The microcredit uses the policy's rate and the same ``annuity`` function as the computed
``mensualite_estimee``; the CCAS advance is at 0 %. Limits (amount, duration) and the reste-à-vivre
floor come from the policy's parameters, so one change of ``parametres.yaml`` changes every view.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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
class LoanProduct:
    """A loan the service can propose, with its limits from the policy."""

    id: str  # the aid id of the catalogue
    label: str  # as documents name it
    short_label: str  # in narrow tables
    rate: float  # annual
    min_amount: float  # inclusive; 0 for none
    max_amount: float  # inclusive
    max_months: int

    def amount_allowed(self, amount: float) -> bool:
        return self.min_amount <= amount <= self.max_amount

    def duration_allowed(self, months: int) -> bool:
        return 1 <= months <= self.max_months


# (id, label, short label, parameter prefix, fixed rate or None for the policy's)
_PRODUCTS = (
    ("microcredit_personnel", "Microcrédit personnel", "Microcrédit", "microcredit", None),
    ("avance_remboursable", "Avance remboursable du CCAS", "Avance CCAS", "avance_remboursable",
     0.0),
)
PRODUCT_LABELS = {pid: label for pid, label, *_ in _PRODUCTS}
PRODUCT_SHORT_LABELS = {pid: short for pid, _, short, *_ in _PRODUCTS}


def products(policy: Policy) -> tuple[LoanProduct, ...]:
    p = policy.parameter_env()
    out = []
    for pid, label, short, prefix, fixed_rate in _PRODUCTS:
        rate = p[f"{prefix}.taux_annuel"] if fixed_rate is None else fixed_rate
        out.append(LoanProduct(pid, label, short, rate, p.get(f"{prefix}.montant_min", 0),
                               p[f"{prefix}.montant_max"], p[f"{prefix}.duree_max_mois"]))
    return tuple(out)


@dataclass(frozen=True)
class SimulationRow:
    product: str  # a LoanProduct id
    label: str
    montant: float
    duree_mois: int
    taux_annuel: float
    mensualite: float
    cout_total: float  # interest paid over the loan (0 for the advance)
    rav_jour_uc_apres: float | None  # None when the budget is incomplete
    above_floor: bool | None  # reste à vivre after >= rav.plancher_jour_uc
    amount_allowed: bool  # the amount fits the product's limits
    duration_allowed: bool = True  # the duration fits them

    @property
    def total_rembourse(self) -> float:
        return self.mensualite * self.duree_mois

    @property
    def within_limits(self) -> bool:
        return self.amount_allowed and self.duration_allowed

    def to_json(self) -> dict[str, Any]:
        return {k: round_half_up(v) for k, v in self.__dict__.items()}


def _number(value: Any) -> float | None:
    if value is None or is_missing(value) or isinstance(value, bool):
        return None
    return value if isinstance(value, int | float) else None


def loan(product: LoanProduct, amount: float, months: int, computed: Mapping[str, Any],
         floor: float) -> SimulationRow:
    """One loan: instalment, interest cost, and the reste à vivre per day and consumption unit
    once the instalment is paid (None while the budget is incomplete)."""
    instalment = _ANNUITY.evaluate({"montant": amount, "taux": product.rate, "duree": months})
    rav, nb_uc = _number(computed.get("reste_a_vivre")), _number(computed.get("nb_uc"))
    after = (rav - instalment) / nb_uc / 30 if rav is not None and nb_uc else None
    return SimulationRow(product.id, product.label, amount, months, product.rate, instalment,
                         instalment * months - amount, after,
                         None if after is None else after >= floor,
                         product.amount_allowed(amount), product.duration_allowed(months))


def durations(max_months: int) -> list[int]:
    """6, 12, 18… up to the product's maximum (the maximum itself always included)."""
    out = list(range(STEP_MONTHS, max_months + 1, STEP_MONTHS))
    if max_months not in out:
        out.append(max_months)
    return out


def _amount(computed: Mapping[str, Any], montant: float | None) -> float:
    amount = computed.get("montant_calcul") if montant is None else montant
    if amount is None or is_missing(amount):
        raise SimulationError("Montant à simuler inconnu : renseignez le montant demandé "
                              "(montant_demande) ou indiquez --montant.")
    if not isinstance(amount, int | float) or isinstance(amount, bool) or not amount > 0:
        raise SimulationError("Le montant à simuler doit être un nombre supérieur à 0 €.")
    if amount > 10**9:
        raise SimulationError("Le montant à simuler est trop grand (1 000 000 000 € au plus).")
    return amount


def simulate(answers: dict, policy: Policy, montant: float | None = None,
             today: date | None = None, unknown: Iterable[str] = ()) -> list[SimulationRow]:
    """The table to choose with the person: each product at each of its durations."""
    _, computed, _ = build_env(answers, policy, today, unknown)
    amount = _amount(computed, montant)
    floor = policy.parameter_env()["rav.plancher_jour_uc"]
    return [loan(product, amount, months, computed, floor)
            for product in products(policy) for months in durations(product.max_months)]


def loan_at(computed: Mapping[str, Any], policy: Policy, months: int,
            montant: float | None = None) -> list[SimulationRow]:
    """Each product at one duration (the one kept for the commission); a product whose limits
    the amount or the duration exceed is still computed, and says so (``within_limits``)."""
    amount = _amount(computed, montant)
    floor = policy.parameter_env()["rav.plancher_jour_uc"]
    return [loan(product, amount, months, computed, floor) for product in products(policy)]
