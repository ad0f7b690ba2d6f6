"""The commission summary of one dossier: built once as data, then written as PDF, Markdown or JSON.

``build_summary`` gathers what the commission reads (minimal identity, household, budget, project
and financing plan, loan simulation at the chosen duration, orientation with its reasons, meetings,
the social worker's assessment, dates and agent); the renderers only lay it out, so the three
formats always show the same figures. Amounts stay numbers here (None when unknown).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from intake_assistant.core.expressions import is_missing
from intake_assistant.core.fields import load_fields
from intake_assistant.core.lifecycle import interview_day, step_dates
from intake_assistant.core.lifecycle import label as status_label
from intake_assistant.orientation.compute import build_env
from intake_assistant.orientation.evaluate import evaluate
from intake_assistant.orientation.policy import Policy
from intake_assistant.orientation.simulate import SimulationError, loan_at

from .casework import Session, casework_summary, latest_session
from .tables import STATUS_LABELS

RESOURCE_IDS = ("revenus_activite", "allocations_chomage", "rsa_percu", "prime_activite_percue",
                "aides_logement_percues", "prestations_familiales", "pensions_retraite_invalidite",
                "pension_alimentaire_recue", "autres_ressources")
CHARGE_IDS = ("loyer", "energie", "eau", "assurances", "mutuelle", "telephone_internet",
              "transport", "impots", "pension_alimentaire_versee", "frais_garde",
              "autres_charges", "credits_mensualites")
FORMATS = ("pdf", "md", "json")


def _num(value: Any) -> float | int | None:
    if value is None or is_missing(value) or isinstance(value, bool):
        return None
    return value if isinstance(value, int | float) else None


def _choice(field_id: str, value: Any) -> str | None:
    if value is None:
        return None
    field = load_fields().get(field_id)
    labels = {c.value: c.label for c in field.choices} if field else {}
    return labels.get(value, str(value))


def _field_label(field_id: str) -> str:
    field = load_fields().get(field_id)
    return field.label if field else field_id


def _lines(answers: Mapping[str, Any], ids: tuple[str, ...]) -> list[dict[str, Any]]:
    """Budget lines that were answered with an amount above zero."""
    return [{"id": fid, "label": _field_label(fid), "amount": answers[fid]}
            for fid in ids if (_num(answers.get(fid)) or 0) > 0]


def chosen_duration(dossier: Mapping[str, Any]) -> tuple[int | None, str]:
    """(months, where from): the duration kept by the worker, else the one the person wished."""
    kept = dossier.get("duree_retenue")
    if isinstance(kept, int) and not isinstance(kept, bool) and kept > 0:
        return kept, "retenue"
    wished = (dossier.get("answers") or {}).get("duree_souhaitee_mois")
    if isinstance(wished, int) and not isinstance(wished, bool) and wished > 0:
        return wished, "souhaitee"
    return None, "inconnue"


def _loan(dossier: Mapping[str, Any], computed: Mapping[str, Any],
          policy: Policy) -> dict[str, Any] | None:
    """The loans at the kept duration, from the one loan simulation (orientation/simulate)."""
    months, source = chosen_duration(dossier)
    amount = _num(computed.get("montant_calcul"))
    if amount is None or amount <= 0 or months is None:
        return None
    try:
        loans = loan_at(computed, policy, months)
    except SimulationError:
        return None
    rows = [{"product": r.product, "label": r.label, "taux_annuel": r.taux_annuel,
             "duree_mois": r.duree_mois, "mensualite": r.mensualite, "cout_total": r.cout_total,
             "total_rembourse": r.total_rembourse, "rav_jour_uc_apres": r.rav_jour_uc_apres,
             "above_floor": r.above_floor, "within_limits": r.within_limits} for r in loans]
    return {"montant": amount, "duree_mois": months, "duree_source": source,
            "plancher_jour_uc": policy.parameter_env()["rav.plancher_jour_uc"], "rows": rows}


def _orientation(dossier: Mapping[str, Any], policy: Policy, today: date,
                 estimates: Mapping[str, str] | None = None) -> dict[str, Any]:
    day = interview_day(dossier, today)  # the legal values of the interview's day
    result = evaluate(dict(dossier.get("answers") or {}), policy, day,
                      dossier.get("unknown") or ())
    suggestions = []
    for s in result.suggestions:
        if s.status == "not_eligible":  # only what bars the aid
            reasons = [g.reason for g in s.gates
                       if g.state == "failed" and g.effect == "not_eligible"]
        else:
            reasons = list(s.reasons)
        estimate = (estimates or {}).get(s.aid)
        if estimate:  # OpenFisca's estimate first, beside the status (optional extra)
            reasons.insert(0, estimate[0].upper() + estimate[1:])
        suggestions.append({"aid": s.aid, "name": s.name, "status": s.status,
                            "status_label": STATUS_LABELS[s.status], "orient_to": s.orient_to,
                            "reasons": reasons, "estimate": estimate})
    return {"suggestions": suggestions, "date": day.isoformat(),
            "missing": [_field_label(fid) for fid in result.missing],
            "parameters": {pid: dv.to_json() for pid, dv in result.parameter_values.items()}}


def _financing(answers: Mapping[str, Any], dossier: Mapping[str, Any],
               computed: Mapping[str, Any]) -> dict[str, Any]:
    cost = _num(answers.get("cout_projet"))
    deposit = _num(answers.get("apport_personnel"))
    asked = _num(computed.get("montant_calcul"))
    others = [{"source": str(row.get("source") or "Autre aide"), "montant": row["montant"]}
              for row in dossier.get("autres_financements") or []
              if isinstance(row, Mapping) and _num(row.get("montant")) is not None]
    gap = None
    if cost is not None and asked is not None and deposit is not None:
        gap = cost - (deposit or 0) - asked - sum(o["montant"] for o in others)
    return {"type": answers.get("type_projet"),
            "type_label": _choice("type_projet", answers.get("type_projet")),
            "description": answers.get("description_projet"),
            "lien_emploi_insertion": answers.get("lien_emploi_insertion"),
            "urgence": answers.get("urgence"),
            "cout_projet": cost, "apport_personnel": deposit, "montant_demande": asked,
            "autres_aides": others, "reste_a_financer": gap}


def build_summary(dossier: dict, policy: Policy, today: date,
                  estimates: Mapping[str, str] | None = None,
                  session: Session | None = None, referent: str | None = None,
                  issuer: Mapping[str, str] | None = None) -> dict:
    """Everything the commission document shows, as JSON-ready data; ``estimates``: aid id ->
    « montant estimé : … selon OpenFisca-France » (the application asks the optional worker);
    ``session``: the commission session the dossier goes to (its date is the commission's and
    the decision's); ``referent``: the referent's name (the dossier keeps a login); ``issuer``:
    the CCAS's ``name`` and ``address`` (settings file)."""
    answers = dossier.get("answers") or {}
    unknown = dossier.get("unknown") or ()
    _, computed, _ = build_env(dict(answers), policy, today, unknown)
    steps = step_dates(dossier)
    if session is not None:
        steps["commission"] = date.fromisoformat(session.date)
    children = [c.get("age") for c in answers.get("enfants") or [] if isinstance(c, Mapping)]
    commission = dossier.get("commission") or None
    return {
        "document": {"title": "Fiche de synthèse pour la commission", "date": today.isoformat(),
                     "service": f"{(issuer or {}).get('name') or 'CCAS'} — unité aide au projet",
                     "address": (issuer or {}).get("address") or ""},
        "dossier": {"id": dossier["id"], "status": dossier.get("status"),
                    "status_label": status_label(dossier.get("status") or ""),
                    "agent": referent or dossier.get("agent"),
                    "created_by": dossier.get("created_by"),
                    "dates": {k: v.isoformat() if v else None for k, v in steps.items()}},
        "identity": {"nom": answers.get("nom"), "prenom": answers.get("prenom"),
                     "age": _num(computed.get("age")),
                     "commune": answers.get("commune_residence")},
        "household": {
            "situation_familiale": _choice("situation_familiale",
                                           answers.get("situation_familiale")),
            "enfants": children, "autres_personnes": _num(answers.get("autres_personnes")),
            "nb_personnes": _num(computed.get("nb_personnes")),
            "nb_uc": _num(computed.get("nb_uc")),
            "logement": _choice("logement", answers.get("logement")),
            "situation_professionnelle": _choice("situation_professionnelle",
                                                 answers.get("situation_professionnelle")),
        },
        "budget": {
            "resources": _lines(answers, RESOURCE_IDS),
            "total_resources": _num(computed.get("total_ressources")),
            "charges": _lines(answers, CHARGE_IDS),
            "total_charges": _num(computed.get("total_charges")),
            "reste_a_vivre": _num(computed.get("reste_a_vivre")),
            "rav_jour_uc": _num(computed.get("rav_jour_uc")),
            "taux_endettement": _num(computed.get("taux_endettement")),
            "montant_dettes": _num(answers.get("montant_dettes")),
        },
        "project": _financing(answers, dossier, computed),
        "loan": _loan(dossier, computed, policy),
        "orientation": _orientation(dossier, policy, today, estimates),
        "meetings": [{"date": m.get("date"), "avec": m.get("avec"),
                      "partenaire": m.get("partenaire"), "note": m.get("note")}
                     for m in sorted(dossier.get("rencontres") or [],
                                     key=lambda m: str(m.get("date")))],
        "evaluation_sociale": dossier.get("evaluation_sociale"),
        "commission": None if not commission else {
            "date": commission.get("date"), "decision": commission.get("decision"),
            "decision_label": status_label(str(commission.get("decision") or "")),
            "montant_accorde": _num(commission.get("montant_accorde")),
            "conditions": commission.get("conditions")},
        "a_completer": [_field_label(fid) for fid in unknown],
        **casework_summary(dossier, policy, computed, session),
    }


def render(summary: dict, fmt: str) -> bytes | str:
    if fmt == "json":
        return json.dumps(summary, ensure_ascii=False, indent=2) + "\n"
    if fmt == "md":
        from .markdown import summary_markdown

        return summary_markdown(summary)
    if fmt == "pdf":
        from .pdf import summary_pdf

        return summary_pdf(summary)
    raise ValueError(f"Format inconnu : « {fmt} » (pdf, md ou json).")


def export_dossier(store: Any, dossier_id: str, fmt: str, output: str | Path | None = None,
                   today: date | None = None, policy: Policy | None = None,
                   estimates: Mapping[str, str] | None = None,
                   issuer: Mapping[str, str] | None = None) -> Path | str:
    """Write the summary of one dossier; without ``output``: the text (md, json) or a PDF file
    named after the dossier in the current folder."""
    if fmt not in FORMATS:
        raise ValueError(f"Format inconnu : « {fmt} » (pdf, md ou json).")
    if policy is None:
        from intake_assistant.orientation.build import default_policy

        policy = default_policy()
    doc = store.load(dossier_id)
    summary = build_summary(doc, policy, today or date.today(), estimates,
                            session=latest_session(store, dossier_id), issuer=issuer)
    content = render(summary, fmt)
    if output is None:
        if isinstance(content, str):
            return content
        output = Path(f"{dossier_id}-commission.pdf")
    path = Path(output)
    _write_private(path, content.encode("utf-8") if isinstance(content, str) else content)
    return path


def _write_private(path: Path, data: bytes) -> None:
    """The summary names a person: readable by its owner only, like the store (CNIL)."""
    # O_BINARY: on Windows, os.open is in text mode and would turn each \n byte of a PDF into \r\n.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def session_document(session: Session, dossiers: list[Any], *, today: date,
                     referents: Mapping[str, str] | None = None,
                     policy: Policy | None = None) -> bytes:
    """The PDF of a commission session: agenda, then each dossier's summary (in agenda order)."""
    from intake_assistant.core.french import format_date, format_date_long

    from .layout import money
    from .pdf import session_pdf

    if policy is None:
        from intake_assistant.orientation.build import default_policy

        policy = default_policy()
    by_id = {d["id"]: d for d in dossiers}
    summaries, rows = [], []
    for n, dossier_id in enumerate(session.agenda, 1):
        doc = by_id.get(dossier_id)
        if doc is None:
            rows.append([str(n), dossier_id, "(dossier effacé ou illisible)", "", "", "", ""])
            continue
        summary = build_summary(doc, policy, today, session=session,
                                referent=(referents or {}).get(dossier_id))
        summaries.append(summary)
        ident, project, docs = summary["identity"], summary["project"], summary["pieces"]
        name = " ".join(str(p) for p in (ident["prenom"], ident["nom"]) if p) or "—"
        pieces = ("complet" if docs["complet"] else
                  f"{len(docs['manquantes'])} manque(nt)" if docs["etablie"] else "non établie")
        decided = [d for d in summary["decisions_aides"] if d["seance"] == session.id]
        verdict = ", ".join(f"{d['name'].split(' (')[0]} : {d['decision_label'].lower()}"
                            for d in decided) or "à décider"
        rows.append([str(n), dossier_id, name, project["type_label"] or "—",
                     money(project["montant_demande"]), pieces, verdict])
    title = f"Commission du CCAS — séance du {format_date(session.date)}"
    pairs = [("Date", format_date_long(session.date)), ("Heure", session.time),
             ("Lieu", session.place), ("Dossiers inscrits", str(len(session.agenda))),
             ("Document établi le", format_date(today))]
    return session_pdf(title, "CCAS — unité aide au projet", pairs, rows, summaries)
