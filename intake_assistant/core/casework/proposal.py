"""The social worker's proposal to the commission: the aids, their amount and duration, and the
arguments. Stored as the dossier field ``proposition``; the instalment is not stored but
computed, each time it is shown, by the one loan simulation (so a change of rate in
``parametres.yaml`` shows everywhere)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .terms import AidTerms, CaseworkError, terms_for

MAX_ARGUMENTS = 10_000
MAX_AIDS = 10


def check_proposal(items: Sequence[Mapping[str, Any]], arguments: str,
                   terms: dict[str, AidTerms]) -> dict[str, Any]:
    """The proposal as stored: ``{"aides": [{"aid", "montant", "duree_mois"}], "arguments"}``;
    CaseworkError (French) for an unknown aid, one proposed twice, an amount or a duration
    outside the règlement's limits."""
    if not items:
        raise CaseworkError("Proposez au moins une aide.")
    if len(items) > MAX_AIDS:
        raise CaseworkError(f"Au plus {MAX_AIDS} aides par proposition.")
    if len(arguments) > MAX_ARGUMENTS:
        raise CaseworkError(f"Argumentaire trop long ({len(arguments)} caractères, "
                            f"{MAX_ARGUMENTS} au plus).")
    seen: set[str] = set()
    out = []
    for item in items:
        term = terms_for(terms, item.get("aid"))
        if term.id in seen:
            raise CaseworkError(f"« {term.name} » est proposée deux fois.")
        seen.add(term.id)
        out.append({"aid": term.id, "montant": term.check_amount(item.get("montant")),
                    "duree_mois": term.check_months(item.get("duree_mois"))})
    return {"aides": out, "arguments": arguments.strip()}


def proposal_warnings(proposal: Mapping[str, Any], asked: float | None,
                      cost: float | None) -> list[str]:
    """What the commission would ask about: more than asked, or more than the project costs."""
    from intake_assistant.core.french import format_money

    total = sum(float(a["montant"]) for a in proposal.get("aides") or ())
    out = []
    if asked is not None and total > asked:
        out.append(f"La proposition ({format_money(total)}) dépasse le montant demandé "
                   f"({format_money(asked)}).")
    if cost is not None and total > cost:
        out.append(f"La proposition ({format_money(total)}) dépasse le coût du projet "
                   f"({format_money(cost)}).")
    if not (proposal.get("arguments") or "").strip():
        out.append("L'argumentaire de la proposition est vide.")
    return out
