"""The follow-up's figures as the statistics' tables (same shape as ``stats.py``: text, CSV for
French Excel and JSON render them): answer delays per body and period, the funders' figures.

The delays are about bodies, not persons: no small-group masking. The funders' tables count
loans, as the Caisse des dépôts' and the Banque de France's forms ask.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from intake_assistant.core.followup.delays import BodyDelays
from intake_assistant.core.followup.funders import FunderReport

from .tables import column, table

PERIOD_LABELS = {"annee": "année", "trimestre": "trimestre", "mois": "mois"}


def delays_table(rows: Sequence[BodyDelays], *, period: str | None, title_range: str,
                 thresholds: tuple[int, int]) -> dict[str, Any]:
    columns = [column("organisme", "Organisme", "text")]
    if period:
        columns.append(column("periode", PERIOD_LABELS[period].capitalize(), "text"))
    columns += [column("envoyees", "Demandes envoyées"), column("repondues", "Réponses reçues"),
                column("en_attente", "En attente"), column("mediane", "Délai médian", "days"),
                column("centile_90", "90e centile", "days"),
                column("plus_longue_attente", "Plus longue attente en cours", "days")]
    out = []
    for r in rows:
        row: dict[str, Any] = {"organisme": r.body, "envoyees": r.sent,
                               "repondues": r.answered, "en_attente": r.waiting,
                               "mediane": r.median_days, "centile_90": r.p90_days,
                               "plus_longue_attente": r.longest_wait_days}
        if period:
            row["periode"] = r.period
        out.append(row)
    low, high = thresholds
    return table("delais_partenaires", f"Délais de réponse des partenaires — {title_range}",
                 columns, out,
                 note="Délais en jours calendaires, de l'envoi à la réponse, comptés dans la "
                      "période d'envoi. 90e centile : 9 réponses sur 10 sont arrivées dans ce "
                      f"délai ou moins. Relance à {low} jours d'attente, alerte à {high} jours.")


def funder_tables(r: FunderReport, purpose_labels: Mapping[str, str], title_range: str
                  ) -> list[dict[str, Any]]:
    totals = table("financeurs_synthese", f"Microcrédit accompagné — synthèse, {title_range}", [
        column("indicateur", "Indicateur", "text"), column("valeur", "Valeur", "text")], [
        {"indicateur": label, "valeur": value} for label, value in (
            ("Dossiers transmis aux banques", str(r.files)),
            ("Prêts accordés", str(r.granted)), ("Refus", str(r.refused)),
            ("Décisions attendues", str(r.pending)),
            ("Montant total accordé (€)", _euros(r.granted_amount)),
            ("Personnes accompagnées (distinctes)", str(r.persons)),
            ("Personnes ayant obtenu un prêt", str(r.persons_granted)),
            ("Prêts avec au moins un impayé", str(r.loans_with_missed)),
            ("Échéances impayées signalées", str(r.missed_payments)),
            ("Remboursements anticipés", str(r.early_repayments)),
            ("Accompagnements terminés", str(r.accompaniments_ended)))])
    purposes = table("financeurs_objet", "Prêts accordés par objet", [
        column("objet", "Objet du prêt", "text"), column("prets", "Prêts"),
        column("montant_total", "Montant total", "money"),
        column("montant_moyen", "Montant moyen", "money"),
        column("montant_median", "Montant médian", "money"),
        column("duree_moyenne", "Durée moyenne (mois)", "count"),
        column("taux_moyen", "Taux moyen", "share")], [
        {"objet": purpose_labels.get(p.purpose or "", p.purpose or "Non renseigné"),
         "prets": p.loans, "montant_total": p.total_amount, "montant_moyen": p.mean_amount,
         "montant_median": p.median_amount,
         "duree_moyenne": round(p.mean_months, 1) if p.mean_months is not None else None,
         "taux_moyen": p.mean_rate} for p in r.by_purpose])
    banks = table("financeurs_banques", "Résultats par banque", [
        column("banque", "Banque", "text"), column("transmis", "Dossiers transmis"),
        column("accordes", "Accordés"), column("refuses", "Refusés"),
        column("en_attente", "En attente"), column("taux_accord", "Taux d'accord", "share"),
        column("montant_accorde", "Montant accordé", "money")], [
        {"banque": b.bank, "transmis": b.sent, "accordes": b.granted, "refuses": b.refused,
         "en_attente": b.pending, "taux_accord": b.grant_rate,
         "montant_accorde": b.granted_amount} for b in r.by_bank])
    refusals = table("financeurs_refus", "Refus et motifs", [
        column("motif", "Motif du refus", "text"), column("refus", "Refus")],
        [{"motif": reason, "refus": n} for reason, n in r.refusals])
    return [totals, purposes, banks, refusals]


def _euros(value: float) -> str:
    from intake_assistant.core.french import format_money

    return format_money(value)
