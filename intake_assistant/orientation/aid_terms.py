"""The aids the commission decides, as the casework rules see them (``core.casework.terms``),
and their loans computed by the one loan simulation (``simulate.loan``).

A loan product of the simulation (microcredit, CCAS advance) keeps its rate and limits from
``parametres.yaml``; another aid of ``commission.yaml`` is a grant, capped by its
``<aid>.montant_max`` parameter when the policy has one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from intake_assistant.core.casework.terms import AidTerms
from intake_assistant.orientation.policy import Policy
from intake_assistant.orientation.simulate import SimulationRow, loan, products

GRANT_CAP = 1_000_000.0  # an aid without a ceiling in the policy: the money type's bound


def aid_terms(policy: Policy, aid_ids: Iterable[str]) -> dict[str, AidTerms]:
    """Terms of each aid (in the given order); an id absent from the catalogue is skipped (the
    check of commission.yaml reports it)."""
    loans = {p.id: p for p in products(policy)}
    params = policy.parameter_env()
    known = {a.id: a for a in policy.aids}
    out: dict[str, AidTerms] = {}
    for aid_id in aid_ids:
        aid = known.get(aid_id)
        if aid is None:
            continue
        product = loans.get(aid_id)
        if product is not None:
            out[aid_id] = AidTerms(aid_id, aid.name, True, product.rate, product.min_amount,
                                   product.max_amount, product.max_months)
        else:
            cap = params.get(f"{aid_id}.montant_max", GRANT_CAP)
            out[aid_id] = AidTerms(aid_id, aid.name, False, 0.0, 0.0, float(cap), None)
    return out


@dataclass(frozen=True)
class AidLine:
    """One proposed or granted aid with its instalment (None for a grant)."""

    aid: str
    name: str
    montant: float
    duree_mois: int | None
    taux_annuel: float | None
    mensualite: float | None
    cout_total: float | None
    rav_jour_uc_apres: float | None  # after this aid's instalment alone

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def aid_lines(items: Sequence[Mapping[str, Any]], terms: Mapping[str, AidTerms],
              computed: Mapping[str, Any], policy: Policy) -> tuple[list[AidLine], float | None]:
    """Each aid's line, and the reste à vivre per day and UC once every instalment is paid
    (None while the budget is incomplete)."""
    loans = {p.id: p for p in products(policy)}
    floor = policy.parameter_env()["rav.plancher_jour_uc"]
    lines, total_instalments, rav_after = [], 0.0, None
    for item in items:
        aid = str(item.get("aid"))
        term = terms.get(aid)
        name = term.name if term else aid
        amount = float(item.get("montant") or 0)
        months = item.get("duree_mois")
        product = loans.get(aid)
        if product is not None and isinstance(months, int) and months > 0 and amount > 0:
            rate = item.get("taux_annuel")
            chosen = replace(product, rate=float(rate)) if isinstance(rate, int | float) \
                else product
            row: SimulationRow = loan(chosen, amount, months, computed, floor)
            total_instalments += row.mensualite
            lines.append(AidLine(aid, name, amount, months, chosen.rate, row.mensualite,
                                 row.cout_total, row.rav_jour_uc_apres))
        else:
            lines.append(AidLine(aid, name, amount, None, None, None, None, None))
    rav, nb_uc = computed.get("reste_a_vivre"), computed.get("nb_uc")
    if isinstance(rav, int | float) and isinstance(nb_uc, int | float) and nb_uc:
        # the same formula as simulate.loan, for all the instalments at once
        rav_after = (rav - total_instalments) / nb_uc / 30
    return lines, rav_after
