"""The commission's decision, per dossier and per aid.

One row of the dossier's ``decisions`` table per aid decided at a session: ``seance`` (its id),
``date`` (the session's date: the decision date), ``aid``, ``decision`` (accorde, refuse,
ajourne), and for a granted aid ``montant``, ``duree_mois``, ``taux_annuel``, ``mensualite``; for
a refusal or an adjournment ``motif`` (an id of commission.yaml) and its ``motif_label`` as it
was then; ``conditions`` and ``commentaire`` are free text. A grant and a loan for the same
dossier are two rows. The dossier's own decision (its status) follows from the latest decision
on each aid: ``dossier_decision``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from intake_assistant.core.statuses import Status

from .settings import CommissionSettings
from .terms import AidTerms, CaseworkError, terms_for

TABLE = "decisions"
VALUES = (Status.ACCORDE.value, Status.REFUSE.value, Status.AJOURNE.value)
MAX_TEXT = 2000


def check_aid_decision(raw: Mapping[str, Any], terms: Mapping[str, AidTerms],
                       settings: CommissionSettings) -> dict[str, Any]:
    """One aid's decision, checked and normalised (the instalment is the caller's: the one loan
    simulation computes it from amount, rate and duration)."""
    term = terms_for(terms, raw.get("aid"))
    decision = raw.get("decision")
    if decision not in VALUES:
        raise CaseworkError(f"Décision inconnue pour « {term.name} » : « {decision} » "
                            "(accorde, refuse ou ajourne).")
    conditions = str(raw.get("conditions") or "").strip()
    comment = str(raw.get("commentaire") or "").strip()
    for text, what in ((conditions, "Conditions"), (comment, "Commentaire")):
        if len(text) > MAX_TEXT:
            raise CaseworkError(f"{what} trop long(ues) ({len(text)} caractères, {MAX_TEXT} au "
                                "plus).")
    out: dict[str, Any] = {"aid": term.id, "decision": decision, "montant": None,
                           "duree_mois": None, "taux_annuel": None, "conditions": conditions,
                           "motif": None, "motif_label": None, "commentaire": comment}
    if decision == Status.ACCORDE:
        if raw.get("motif"):
            raise CaseworkError(f"Un accord n'a pas de motif de refus ou d'ajournement "
                                f"(« {term.name} »).")
        out["montant"] = term.check_amount(raw.get("montant"), "Le montant accordé")
        out["duree_mois"] = term.check_months(raw.get("duree_mois"))
        out["taux_annuel"] = term.check_rate(raw.get("taux_annuel")) if term.loan else None
        return out
    if raw.get("montant") not in (None, 0):
        raise CaseworkError(f"Un refus ou un ajournement n'a pas de montant (« {term.name} »).")
    reason = raw.get("motif")
    label = settings.reason_label(decision, str(reason)) if reason else None
    if label is None:
        kind = "de refus" if decision == Status.REFUSE else "d'ajournement"
        known = ", ".join(f"{r.id}" for r in settings.reasons(decision))
        problem = f"inconnu : « {reason} »" if reason else "manquant"
        raise CaseworkError(f"Motif {kind} {problem} pour « {term.name} » (motifs "
                            f"possibles : {known}).")
    out["motif"], out["motif_label"] = reason, label
    return out


def check_decisions(items: Sequence[Mapping[str, Any]], terms: Mapping[str, AidTerms],
                    settings: CommissionSettings) -> list[dict[str, Any]]:
    if not items:
        raise CaseworkError("Indiquez la décision sur au moins une aide.")
    out, seen = [], set()
    for raw in items:
        row = check_aid_decision(raw, terms, settings)
        if row["aid"] in seen:
            raise CaseworkError(f"Deux décisions pour « {terms[row['aid']].name} » dans la même "
                                "séance.")
        seen.add(row["aid"])
        out.append(row)
    return out


def latest_by_aid(rows: Iterable[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    """The decision in force on each aid: the last one recorded (by session date, then order)."""
    ordered = sorted(enumerate(rows), key=lambda p: (str(p[1]["data"].get("date")), p[0]))
    return {str(r["data"]["aid"]): r["data"] for _, r in ordered}


def dossier_decision(latest: Mapping[str, Mapping[str, Any]]) -> str:
    """The dossier's decision from its aids': adjourned while any aid is adjourned (the
    commission will see the dossier again), else granted when any aid is, else refused."""
    values = {str(d["decision"]) for d in latest.values()}
    if not values:
        raise CaseworkError("Aucune décision enregistrée.")
    if Status.AJOURNE in values:
        return Status.AJOURNE.value
    return Status.ACCORDE.value if Status.ACCORDE in values else Status.REFUSE.value


def granted_total(latest: Mapping[str, Mapping[str, Any]]) -> float:
    return float(sum(d["montant"] or 0 for d in latest.values() if d["decision"] == "accorde"))


def conditions_text(latest: Mapping[str, Mapping[str, Any]], names: Mapping[str, str]) -> str:
    """The dossier-level conditions: each aid's, named."""
    parts = [f"{names.get(aid, aid)} : {d['conditions']}" for aid, d in latest.items()
             if d.get("conditions")]
    return " ; ".join(parts)
