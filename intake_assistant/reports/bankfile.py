"""The partner bank file of a microcredit: what the CCAS sends the bank it chose (identity,
household, budget, project and quote, the proposal with its simulation, the accompanying
structure's opinion, the documents enclosed), as data then as PDF or JSON.

Built from the commission summary (``commission.build_summary``: the same figures, computed
once) plus the request row (bank, documents) and the bank's contact details; the renderers only
lay it out. The identity here is fuller than the commission's (date of birth, phone): the bank
needs them to instruct the loan.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from intake_assistant.core.french import format_percent
from intake_assistant.orientation.policy import Policy

from .commission import build_summary
from .fonts import FontChoice, find_font
from .layout import Block, Section, day, money
from .layout import _budget as budget_section
from .layout import _household as household_section
from .layout import _project as project_section

FORMATS = ("pdf", "json")
OUTCOME_LABELS = {"accorde": "accordé", "partiel": "accordé en partie", "refuse": "refusé",
                  "sans_suite": "classé sans suite"}
MICROCREDIT_PRODUCT = "microcredit"


def build_bank_file(dossier: Mapping[str, Any], request: Mapping[str, Any],
                    bank: Mapping[str, Any], policy: Policy, today: date,
                    service: str = "CCAS — unité aide au projet") -> dict[str, Any]:
    """``request``: the request row's data; ``bank``: name, contact lines, criteria."""
    summary = build_summary(dict(dossier), policy, today)
    answers = dossier.get("answers") or {}
    loan = summary["loan"]
    proposal_row = None
    if loan:
        proposal_row = next((r for r in loan["rows"] if r["product"] == MICROCREDIT_PRODUCT),
                            loan["rows"][0] if loan["rows"] else None)
    return {
        "document": {"title": "Demande de microcrédit personnel accompagné",
                     "date": today.isoformat(), "service": service,
                     "reference": f"{dossier['id']}/{request.get('id') or ''}".rstrip("/")},
        "banque": {"nom": bank.get("nom"), "contact": list(bank.get("contact") or []),
                   "criteres": bank.get("criteres") or None},
        "dossier": {"id": dossier["id"], "agent": dossier.get("agent"),
                    "envoye_le": request.get("envoyee_le")},
        "identity": {"nom": answers.get("nom"), "prenom": answers.get("prenom"),
                     "date_naissance": answers.get("date_naissance"),
                     "age": summary["identity"]["age"],
                     "telephone": answers.get("telephone"),
                     "commune": answers.get("commune_residence")},
        "household": summary["household"],
        "budget": summary["budget"],
        "project": summary["project"],
        "proposal": {
            "montant": loan["montant"] if loan else summary["project"]["montant_demande"],
            "duree_mois": loan["duree_mois"] if loan else None,
            "taux_annuel": proposal_row["taux_annuel"] if proposal_row else None,
            "mensualite": proposal_row["mensualite"] if proposal_row else None,
            "cout_total": proposal_row["cout_total"] if proposal_row else None,
            "rav_jour_uc_apres": proposal_row["rav_jour_uc_apres"] if proposal_row else None,
            "plancher_jour_uc": loan["plancher_jour_uc"] if loan else None,
            "objet": request.get("objet"),
        },
        "avis": dossier.get("evaluation_sociale"),
        "pieces": list(request.get("pieces") or []),
        "decision": _decision(request),
    }


def _decision(request: Mapping[str, Any]) -> dict[str, Any] | None:
    if not request.get("repondu_le"):
        return None
    return {"date": request.get("repondu_le"), "resultat": request.get("resultat"),
            "montant": request.get("montant"), "duree_mois": request.get("duree_mois"),
            "taux": request.get("taux"), "motif": request.get("motif"),
            "signe_le": request.get("signe_le"), "reference": request.get("reference")}


def heading_pairs(f: Mapping[str, Any]) -> list[tuple[str, str]]:
    ident = f["identity"]
    name = " ".join(str(p) for p in (ident["prenom"], ident["nom"]) if p) or "à compléter"
    return [("Demandeur", name), ("Référence CCAS", f["document"]["reference"]),
            ("Né(e) le", day(ident["date_naissance"])), ("Envoyé le", day(f["dossier"]
                                                                              ["envoye_le"])),
            ("Téléphone", ident["telephone"] or "—"), ("Commune", ident["commune"] or "—"),
            ("Suivi par", f["dossier"]["agent"] or "—"), ("Établi le", day(f["document"]
                                                                              ["date"]))]


def _rate(value: Any) -> str:
    return "—" if value is None else format_percent(value, 2)


def sections(f: Mapping[str, Any]) -> list[Section]:
    bank = f["banque"]
    out = [Section("Destinataire", [("pairs", [("Banque", bank["nom"] or "—"),
                                               *[("", line) for line in bank["contact"]]])])]
    out += [household_section(f["household"]), budget_section(f["budget"]),
            project_section(f["project"])]
    p = f["proposal"]
    pairs = [("Montant sollicité", money(p["montant"])),
             ("Durée proposée", f"{p['duree_mois']} mois" if p["duree_mois"] else "à compléter"),
             ("Taux indicatif", _rate(p["taux_annuel"])),
             ("Mensualité", money(p["mensualite"], 2)),
             ("Coût total du crédit", money(p["cout_total"], 2))]
    if p["rav_jour_uc_apres"] is not None:
        pairs.append(("Reste à vivre après mensualité",
                      f"{money(p['rav_jour_uc_apres'], 2)} par jour et par UC (plancher "
                      f"{money(p['plancher_jour_uc'], 2)})"))
    if p["objet"]:
        pairs.append(("Objet de la demande", str(p["objet"])))
    out.append(Section("Proposition de prêt", [("pairs", pairs)]))
    out.append(Section("Avis de la structure d'accompagnement",
                       [("text", f["avis"] or "Avis à rédiger par le travailleur social.")]))
    pieces: list[Block] = [("table", ["Pièce jointe", "Reçue (banque)"],
                            [[piece, ""] for piece in f["pieces"]], "LR")] if f["pieces"] \
        else [("text", "Aucune pièce listée.")]
    out.append(Section("Pièces jointes", pieces))
    d = f["decision"]
    if d:
        rows = [("Date", day(d["date"])),
                ("Décision", OUTCOME_LABELS.get(str(d["resultat"]), str(d["resultat"])))]
        if d["montant"] is not None:
            rows.append(("Montant accordé", money(d["montant"])))
        if d["duree_mois"]:
            rows.append(("Durée", f"{d['duree_mois']} mois"))
        if d["taux"] is not None:
            rows.append(("Taux", _rate(d["taux"])))
        if d["motif"]:
            rows.append(("Motif", str(d["motif"])))
        if d["signe_le"]:
            rows.append(("Signature", day(d["signe_le"])))
        out.append(Section("Décision de la banque", [("pairs", rows)]))
    return out


def bank_file_pdf(f: Mapping[str, Any], font: FontChoice | None = None) -> bytes:
    from .pdf import _block, _Document, _pairs, _section_title

    pdf = _Document(font or find_font(),
                    f"{f['document']['reference']} — document confidentiel, réservé à "
                    f"{f['banque']['nom']}")
    pdf.set_title(f"{f['document']['title']} — {f['document']['reference']}")
    pdf.set_author(pdf.t(f["document"]["service"]))
    pdf.set_creator("intake-assistant")
    pdf.add_page()
    pdf.use("B", 14)
    pdf.cell(0, 7, pdf.t(f["document"]["title"]), new_x="LMARGIN", new_y="NEXT")
    pdf.use("", 9)
    pdf.cell(0, 5, pdf.t(f["document"]["service"]), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    _pairs(pdf, heading_pairs(f), columns=2)
    for section in sections(f):
        _section_title(pdf, section.title)
        for block in section.blocks:
            _block(pdf, block)
    return bytes(pdf.output())


def render(f: Mapping[str, Any], fmt: str) -> bytes | str:
    if fmt == "json":
        return json.dumps(f, ensure_ascii=False, indent=2) + "\n"
    if fmt == "pdf":
        return bank_file_pdf(f)
    raise ValueError(f"Format inconnu : « {fmt} » (pdf ou json).")


def documents_for(request_pieces: Sequence[str], bank_pieces: Sequence[str],
                  aid_bring: Sequence[str]) -> list[str]:
    """The documents list: the request's, else what the bank asks, else the aid's list."""
    return list(request_pieces) or list(bank_pieces) or list(aid_bring)
