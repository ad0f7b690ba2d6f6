"""Readable French text for ``orient`` and ``simulate``: what the social worker reads."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from intake_assistant.core.french import format_date, format_money, format_number
from intake_assistant.orientation.evaluate import Orientation, Suggestion
from intake_assistant.orientation.formatting import format_with_unit
from intake_assistant.orientation.policy import KIND_LABELS, Parameter, Policy
from intake_assistant.orientation.simulate import SimulationRow

# The computed values of the data dictionary, in its order (helpers of the rules are not shown).
BUDGET_IDS = (
    "age", "nb_personnes", "nb_uc", "total_ressources", "total_charges", "reste_a_vivre",
    "rav_jour_uc", "taux_endettement", "mensualite_estimee", "rav_jour_uc_apres",
)
_HEADINGS = {
    "eligible": "ÉLIGIBLE — orienter vers",
    "to_check": "À VÉRIFIER — orienter après vérification",
    "not_eligible": "NON ÉLIGIBLE",
}
_MARKS = {("met", ""): "✓", ("failed", "not_eligible"): "✗", ("failed", "to_check"): "!",
          ("missing", ""): "?"}


def _parameter_text(p: Parameter, day: date | None = None) -> str:
    dv = p.at(day)
    since = f" (depuis le {format_date(dv.start)})" if dv.start else ""
    return f"{p.id} = {format_with_unit(dv.value, p.unit)}{since}"


def _suggestion_lines(s: Suggestion, parameters: Mapping[str, Parameter],
                      estimate: str | None = None, day: date | None = None) -> list[str]:
    kind = KIND_LABELS.get(s.kind, s.kind)
    lines = [f"  ■ {s.name} → {s.orient_to} · {kind}"]
    if estimate:
        lines.append(f"      ≈ {estimate}")
    if s.status == "not_eligible":  # collapsed: only what bars the aid, with its legal source
        for g in s.gates:
            if g.state == "failed" and g.effect == "not_eligible":
                lines.append(f"      ✗ {g.reason}")
                lines += [f"        Source : {src}" for src in g.sources]
        return lines
    shown = set()
    for g in sorted(s.gates, key=lambda g: ("failed", "missing", "met").index(g.state)):
        mark = _MARKS.get((g.state, g.effect if g.state == "failed" else ""), "·")
        lines.append(f"      {mark} {g.reason}")
        lines += [f"        Source : {src}" for src in g.sources]
        shown.add(g.reason)
    lines += [f"      · {r}" for r in s.reasons if r not in shown]
    if s.needs:
        lines.append(f"      À compléter : {', '.join(s.needs)}")
    if s.bring:
        lines.append(f"      Pièces à apporter : {' ; '.join(s.bring)}")
    if s.parameters:
        used = " ; ".join(_parameter_text(parameters[p], day) for p in s.parameters
                          if p in parameters)
        lines.append(f"      Paramètres : {used}")
    return lines


def orientation_text(result: Orientation, policy: Policy, today: date | None = None,
                     estimates: Mapping[str, str] | None = None,
                     estimates_message: str = "") -> str:
    """The orientation as the social worker reads it; ``estimates``: aid id -> « montant estimé :
    58 €/mois, selon OpenFisca-France » shown under the aid (``estimates_message`` when none)."""
    lines = [f"Orientation au {format_date(today or date.today())}", "", "Budget du foyer"]
    for cid in BUDGET_IDS:
        calc = policy.calculs.get(cid)
        if calc is not None and cid in result.computed:
            lines.append(f"  {calc.label} : {format_with_unit(result.computed[cid], calc.unit)}")
    if result.missing:
        lines += ["", "Informations à compléter : " + ", ".join(result.missing)]
    if result.errors:
        lines += ["", "Calculs impossibles :"] + [f"  {e}" for e in result.errors]
    if estimates_message:
        lines += ["", estimates_message]
    for status, heading in _HEADINGS.items():
        group = [s for s in result.suggestions if s.status == status]
        if group:
            lines += ["", f"{heading} ({len(group)})"]
            for s in group:
                lines += _suggestion_lines(s, policy.parameters, (estimates or {}).get(s.aid),
                                           result.on or today)
    return "\n".join(lines) + "\n"


def simulation_text(rows: list[SimulationRow], policy: Policy,
                    computed: Mapping[str, Any]) -> str:
    if not rows:
        return "Aucune simulation.\n"
    floor = policy.parameters["rav.plancher_jour_uc"].value  # a local value: no date
    rav = computed.get("rav_jour_uc")
    lines = [f"Simulation pour {format_money(rows[0].montant)} — reste à vivre actuel : "
             f"{format_with_unit(rav, '€/jour/UC')} (plancher {format_number(floor, 2)} €)"]
    product = None
    for row in rows:
        if row.product != product:
            product = row.product
            lines += ["", f"{row.label} (taux {format_with_unit(row.taux_annuel, 'taux')})"]
            if not row.amount_allowed:
                lines.append("  Montant hors des limites de ce prêt (voir les paramètres).")
            lines.append(f"  {'Durée':>8}  {'Mensualité':>12}  {'Coût total':>11}  "
                         "Reste à vivre après")
        after = format_with_unit(row.rav_jour_uc_apres, "€/jour/UC")
        if row.above_floor is False:
            after += " — sous le plancher"
        lines.append(f"  {row.duree_mois:>3} mois  {format_money(row.mensualite, 2):>12}  "
                     f"{format_money(row.cout_total, 2):>11}  {after}")
    return "\n".join(lines) + "\n"
