"""The commission summary as French text blocks, shared by the PDF and Markdown renderers.

Blocks: ``("pairs", [(label, text)][, columns])``, ``("table", headers, rows, aligns)`` (aligns:
"L", "R" or "N" per column: text, figures, short codes that must not wrap), ``("text",
paragraph)``, ``("items", [(title, [detail lines])])``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from intake_assistant.core.french import format_date, format_money, format_number, format_percent

TO_FILL = "à compléter"
Block = tuple[Any, ...]


@dataclass
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)


def money(value: Any, decimals: int | None = None) -> str:
    return TO_FILL if value is None else format_money(value, decimals)


def per_day(value: Any) -> str:
    return TO_FILL if value is None else f"{format_number(value, 2)} € par jour et par UC"


def day(value: Any) -> str:
    return format_date(value) if value else "—"


def yes_no(value: Any) -> str:
    return TO_FILL if value is None else ("oui" if value else "non")


def _plain(value: Any, suffix: str = "") -> str:
    if value is None:
        return TO_FILL
    if isinstance(value, float):
        return format_number(value, 0 if value.is_integer() else 1) + suffix
    return f"{value}{suffix}"


def heading_pairs(s: dict[str, Any]) -> list[tuple[str, str]]:
    d, ident = s["dossier"], s["identity"]
    name = " ".join(str(p) for p in (ident["prenom"], ident["nom"]) if p) or TO_FILL
    return [
        ("Dossier", d["id"]), ("Statut", d["status_label"]),
        ("Demandeur", name), ("Âge", _plain(ident["age"], " ans")),
        ("Commune", ident["commune"] or TO_FILL),
        ("Référent", d["agent"] or "—"),
        ("Premier contact", day(d["dates"]["premier_contact"])),
        ("Évaluation", day(d["dates"]["evaluation"])),
        ("Commission", day(d["dates"]["commission"])),
        ("Document établi le", day(s["document"]["date"])),
    ]


def _household(h: dict[str, Any]) -> Section:
    children = h["enfants"]
    kids = "aucun" if children == [] else (
        TO_FILL if not children else
        f"{len(children)} (âges : {', '.join(str(a) for a in children)} ans)")
    return Section("Foyer", [("pairs", [
        ("Situation familiale", h["situation_familiale"] or TO_FILL),
        ("Enfants", kids),
        ("Autres personnes au foyer", _plain(h["autres_personnes"])),
        ("Personnes au foyer", _plain(h["nb_personnes"])),
        ("Unités de consommation (UC)",
         TO_FILL if h["nb_uc"] is None else format_number(h["nb_uc"], 1)),
        ("Logement", h["logement"] or TO_FILL),
        ("Situation professionnelle", h["situation_professionnelle"] or TO_FILL),
    ], 2)])


def _budget(b: dict[str, Any]) -> Section:
    resources, charges = b["resources"], b["charges"]
    rows = []
    for i in range(max(len(resources), len(charges), 1)):
        r = resources[i] if i < len(resources) else None
        c = charges[i] if i < len(charges) else None
        rows.append([r["label"] if r else "", money(r["amount"]) if r else "",
                     c["label"] if c else "", money(c["amount"]) if c else ""])
    rows.append(["Total des ressources", money(b["total_resources"]),
                 "Total des charges", money(b["total_charges"])])
    debt = b["taux_endettement"]
    pairs = [
        ("Reste à vivre", "à compléter" if b["reste_a_vivre"] is None
         else f"{money(b['reste_a_vivre'])} par mois"),
        ("Reste à vivre/jour/UC", per_day(b["rav_jour_uc"])),
        ("Taux d'endettement", TO_FILL if debt is None else format_percent(debt, 1)),
        ("Dettes et impayés", money(b["montant_dettes"])),
    ]
    return Section("Budget mensuel du foyer", [
        ("table", ["Ressources", "€/mois", "Charges", "€/mois"], rows, "LRLR"),
        ("pairs", pairs, 2),
    ])


def _project(p: dict[str, Any]) -> Section:
    plan = [["Coût total du projet", money(p["cout_projet"])],
            ["Apport personnel", money(p["apport_personnel"])]]
    plan += [[f"Autre aide : {o['source']}", money(o["montant"])] for o in p["autres_aides"]]
    plan.append(["Montant demandé", money(p["montant_demande"])])
    if p["reste_a_financer"] not in (None, 0):
        plan.append(["Reste à financer (écart du plan)", money(p["reste_a_financer"])])
    return Section("Projet et plan de financement", [
        ("pairs", [("Projet", p["type_label"] or TO_FILL),
                   ("Description", p["description"] or "—"),
                   ("Lié à l'emploi, une formation ou l'insertion",
                    yes_no(p["lien_emploi_insertion"])),
                   ("Besoin urgent", yes_no(p["urgence"]))]),
        ("table", ["Plan de financement", "Montant"], plan, "LR"),
    ])


def _loan(loan: dict[str, Any] | None) -> Section:
    if loan is None:
        return Section("Simulation du prêt", [("text", "Simulation impossible : montant ou durée "
                                                       "à compléter.")])
    source = {"retenue": "durée retenue", "souhaitee": "durée souhaitée par la personne"}
    rows = []
    for r in loan["rows"]:
        after = TO_FILL if r["rav_jour_uc_apres"] is None else (
            f"{format_number(r['rav_jour_uc_apres'], 2)} €"
            + (" (sous le plancher)" if r["above_floor"] is False else ""))
        name = r["label"] + ("" if r["within_limits"] else " (hors limites)")
        rows.append([name, format_percent(r["taux_annuel"], 2), money(r["mensualite"], 2),
                     money(r["cout_total"], 2), money(r["total_rembourse"], 2), after])
    intro = (f"{money(loan['montant'])} sur {loan['duree_mois']} mois "
             f"({source.get(loan['duree_source'], '')}) ; plancher de reste à vivre : "
             f"{format_number(loan['plancher_jour_uc'], 2)} € par jour et par UC.")
    return Section("Simulation du prêt", [
        ("text", intro),
        ("table", ["Prêt", "Taux", "Mensualité", "Coût du crédit", "Total remboursé",
                   "Reste à vivre/j/UC après"], rows, "LRRRRR"),
    ])


def _orientation(o: dict[str, Any]) -> Section:
    items = []
    for s in o["suggestions"]:
        if s["status"] == "not_eligible":
            continue
        items.append((f"{s['status_label']} — {s['name']} → {s['orient_to']}", s["reasons"]))
    barred = [f"{s['name']} : {s['reasons'][0]}" if s["reasons"] else s["name"]
              for s in o["suggestions"] if s["status"] == "not_eligible"]
    blocks: list[Block] = [("items", items)] if items else [("text", "Aucune aide proposée.")]
    if barred:
        blocks.append(("items", [("Non éligible", barred)]))
    if o["missing"]:
        blocks.append(("text", "Informations manquantes : " + ", ".join(o["missing"]) + "."))
    return Section("Orientation proposée", blocks)


def _meetings(meetings: list[dict[str, Any]]) -> Section:
    if not meetings:
        return Section("Rencontres", [("text", "Aucune rencontre enregistrée.")])
    rows = [[day(m["date"]),
             "Demandeur" if m["avec"] == "demandeur" else (m["partenaire"] or "Partenaire"),
             m["note"] or ""] for m in meetings]
    return Section("Rencontres", [("table", ["Date", "Avec", "Objet"], rows, "LLL")])


def _proposal(p: dict[str, Any] | None) -> Section:
    if p is None:
        return Section("Proposition à la commission",
                       [("text", "Aucune proposition d'aide n'est encore faite.")])
    rows = []
    for line in p["lignes"]:
        after = "—" if line["rav_jour_uc_apres"] is None else \
            f"{format_number(line['rav_jour_uc_apres'], 2)} €"
        rows.append([line["name"], money(line["montant"]),
                     f"{line['duree_mois']} mois" if line["duree_mois"] else "non remboursable",
                     "—" if line["taux_annuel"] is None else format_percent(line["taux_annuel"], 2),
                     "—" if line["mensualite"] is None else money(line["mensualite"], 2), after])
    blocks: list[Block] = [("table", ["Aide proposée", "Montant", "Durée", "Taux", "Mensualité",
                                      "Reste à vivre/j/UC après"], rows, "LRRRRR")]
    total = f"{money(p['total'])}, mensualités {money(p['total_mensualites'], 2)} par mois"
    pairs = [("Total proposé", total)]
    if p["rav_jour_uc_apres"] is not None:
        after = f"{format_number(p['rav_jour_uc_apres'], 2)} € par jour et par UC (plancher " \
                f"{format_number(p['plancher_jour_uc'], 2)} €)"
        if p["rav_jour_uc_apres"] < p["plancher_jour_uc"]:
            after += " — sous le plancher"
        pairs.append(("Reste à vivre après tous les remboursements", after))
    blocks.append(("pairs", pairs))
    blocks.append(("text", "Argumentaire : " + (p["arguments"] or "—")))
    return Section("Proposition à la commission", blocks)


def _documents(d: dict[str, Any]) -> Section:
    if not d["etablie"]:
        return Section("Pièces justificatives",
                       [("text", "La liste des pièces n'est pas encore établie.")])
    count = f"{d['recues']} reçue(s) sur {d['total']}" + (
        f", {d['sans_objet']} sans objet" if d["sans_objet"] else "")
    if d["complet"]:
        return Section("Pièces justificatives", [("text", f"Dossier complet ({count}).")])
    return Section("Pièces justificatives", [
        ("text", f"Dossier incomplet ({count}). Pièces manquantes :"),
        ("items", [(label, []) for label in d["manquantes"]]),
    ])


def _aid_decisions(c: dict[str, Any] | None, rows: list[dict[str, Any]],
                   session: dict[str, Any] | None) -> Section | None:
    if not c and not rows:
        return None
    pairs = []
    if c:
        pairs += [("Date de la décision", day(c["date"])),
                  ("Décision sur le dossier", c["decision_label"] or "—")]
        if c["montant_accorde"] is not None:
            pairs.append(("Total accordé", money(c["montant_accorde"])))
    if session:
        pairs.append(("Séance", f"{day(session['date'])} à {session['heure']}, "
                                f"{session['lieu']}"))
    blocks: list[Block] = [("pairs", pairs, 2)] if pairs else []
    if rows:
        table_rows = []
        for r in rows:
            terms = "—"
            if r["decision"] == "accorde":
                terms = money(r["montant"])
                if r["duree_mois"]:
                    terms += f" sur {r['duree_mois']} mois"
                    if r["mensualite"] is not None:
                        terms += f", {money(r['mensualite'], 2)}/mois"
                    if r["taux_annuel"] is not None:
                        terms += f" à {format_percent(r['taux_annuel'], 2)}"
            detail = r["conditions"] if r["decision"] == "accorde" else r["motif"]
            if r["commentaire"]:
                detail = f"{detail} ({r['commentaire']})" if detail else r["commentaire"]
            table_rows.append([r["name"], r["decision_label"], terms, detail or "—",
                               day(r["date"])])
        blocks.append(("table", ["Aide", "Décision", "Montant, durée, mensualité",
                                 "Conditions ou motif", "Séance du"], table_rows, "LNLLN"))
    elif c and c["conditions"]:
        blocks.append(("pairs", [("Conditions", c["conditions"])]))
    return Section("Décision de la commission", blocks)


def sections(s: dict[str, Any]) -> list[Section]:
    out = [_household(s["household"]), _budget(s["budget"]), _project(s["project"]),
           _loan(s["loan"]), _orientation(s["orientation"]), _meetings(s["meetings"]),
           Section("Évaluation sociale", [("text", s["evaluation_sociale"]
                                           or "Évaluation sociale à rédiger.")])]
    if "proposition" in s:  # summaries built before the casework keys existed have none
        out += [_proposal(s["proposition"]), _documents(s["pieces"])]
    decided = _aid_decisions(s["commission"], s.get("decisions_aides") or [], s.get("seance"))
    if decided is not None:
        out.append(decided)
    if s["a_completer"]:
        out.append(Section("À compléter", [("text", ", ".join(s["a_completer"]) + ".")]))
    return out
