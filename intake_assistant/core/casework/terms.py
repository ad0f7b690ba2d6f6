"""What the casework rules need to know of an aid: its name, whether it is a loan, its limits.

Built by the application layer from the policy (the one loan simulation's products and the
catalogue's parameters), so the limits here are always those of ``parametres.yaml``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from intake_assistant.core.french import format_money


class CaseworkError(ValueError):
    """Input the casework rules refuse; ``message`` is a French sentence for staff."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class AidTerms:
    id: str
    name: str
    loan: bool  # repaid (microcredit, CCAS advance): needs a duration and has an instalment
    rate: float  # annual rate proposed by default (0 for a grant or the 0 % advance)
    min_amount: float
    max_amount: float
    max_months: int | None  # None for a grant

    def check_amount(self, amount: object, what: str = "Le montant") -> float:
        if isinstance(amount, bool) or not isinstance(amount, int | float) or not amount > 0:
            raise CaseworkError(f"{what} de « {self.name} » doit être un nombre supérieur à 0 €.")
        if not self.min_amount <= amount <= self.max_amount:
            low = f"de {format_money(self.min_amount)} à " if self.min_amount else "jusqu'à "
            raise CaseworkError(
                f"{what} de « {self.name} » ({format_money(amount)}) sort des limites du "
                f"règlement : {low}{format_money(self.max_amount)}.")
        return float(amount)

    def check_months(self, months: object) -> int | None:
        if not self.loan:
            if months not in (None, 0):
                raise CaseworkError(f"« {self.name} » n'est pas remboursée : pas de durée.")
            return None
        if isinstance(months, bool) or not isinstance(months, int) or months < 1:
            raise CaseworkError(f"Indiquez la durée de remboursement de « {self.name} » "
                                "(en mois).")
        if self.max_months is not None and months > self.max_months:
            raise CaseworkError(f"Durée de « {self.name} » trop longue : {months} mois, "
                                f"{self.max_months} au plus.")
        return months

    def check_rate(self, rate: object) -> float:
        if rate is None:
            return self.rate
        if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate <= 0.25:
            raise CaseworkError(f"Taux de « {self.name} » invalide : entre 0 et 25 % par an.")
        if not self.loan and rate:
            raise CaseworkError(f"« {self.name} » n'est pas un prêt : pas de taux.")
        return float(rate)


def terms_for(known: Mapping[str, AidTerms], aid: object) -> AidTerms:
    if not isinstance(aid, str) or aid not in known:
        names = ", ".join(f"{t.id} ({t.name})" for t in known.values())
        raise CaseworkError(f"Aide inconnue de la commission : « {aid} ». Aides possibles : "
                            f"{names}.")
    return known[aid]
