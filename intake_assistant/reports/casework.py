"""What the commission documents add from the casework: the session, the proposal with its
instalments (the one loan simulation), the documents checklist and the decisions per aid.

JSON-ready data, merged into ``commission.build_summary``; the renderers lay it out
(``layout.casework_sections``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from intake_assistant.core.casework import checklist, decisions
from intake_assistant.core.casework.sessions import KIND as SESSION_KIND
from intake_assistant.core.casework.sessions import Session, latest_session_of
from intake_assistant.core.casework.settings import load_commission
from intake_assistant.core.lifecycle import label as status_label
from intake_assistant.orientation.aid_terms import aid_lines, aid_terms
from intake_assistant.orientation.policy import Policy
from intake_assistant.store.api import DossierStore

__all__ = ["Session", "casework_summary", "latest_session", "sessions_of"]


def sessions_of(store: DossierStore) -> list[Session]:
    return [Session.from_record(r["id"], r["doc"], r["rev"])
            for r in store.list_records(SESSION_KIND)]


def latest_session(store: DossierStore, dossier_id: str) -> Session | None:
    """The last session whose agenda holds the dossier (None when it was never on one)."""
    return latest_session_of(sessions_of(store), dossier_id)


def _rows(doc: Mapping[str, Any], table: str) -> list[Mapping[str, Any]]:
    return list((doc.get("tables") or {}).get(table) or ())


def _names(policy: Policy) -> dict[str, str]:
    return {a.id: a.name for a in policy.aids}


def _proposal(doc: Mapping[str, Any], policy: Policy,
              computed: Mapping[str, Any]) -> dict[str, Any] | None:
    raw = doc.get("proposition")
    if not isinstance(raw, Mapping) or not raw.get("aides"):
        return None
    terms = aid_terms(policy, [str(a["aid"]) for a in raw["aides"]])
    lines, after = aid_lines(raw["aides"], terms, computed, policy)
    return {"lignes": [line.to_json() for line in lines],
            "total": sum(line.montant for line in lines),
            "total_mensualites": sum(line.mensualite or 0 for line in lines),
            "rav_jour_uc_apres": after,
            "plancher_jour_uc": policy.parameter_env()["rav.plancher_jour_uc"],
            "arguments": str(raw.get("arguments") or "")}


def _documents(doc: Mapping[str, Any]) -> dict[str, Any]:
    rows = _rows(doc, checklist.TABLE)
    active = [r for r in rows if checklist.is_active(r)]
    return {"etablie": bool(active), "complet": checklist.complete(rows),
            "manquantes": [str(r["data"].get("libelle")) for r in checklist.missing(rows)],
            "recues": sum(1 for r in active if r["data"].get("etat") == "recue"),
            "sans_objet": sum(1 for r in active if r["data"].get("etat") == "sans_objet"),
            "total": len(active)}


def _decisions(doc: Mapping[str, Any], policy: Policy) -> list[dict[str, Any]]:
    """The decision in force on each aid (the latest), with the session it was taken at."""
    names = _names(policy)
    out = []
    for aid, d in decisions.latest_by_aid(_rows(doc, decisions.TABLE)).items():
        out.append({"aid": aid, "name": names.get(aid, aid), "decision": d["decision"],
                    "decision_label": status_label(str(d["decision"])),
                    "date": d.get("date"), "seance": d.get("seance"),
                    "montant": d.get("montant"), "duree_mois": d.get("duree_mois"),
                    "taux_annuel": d.get("taux_annuel"), "mensualite": d.get("mensualite"),
                    "conditions": d.get("conditions") or "",
                    "motif": d.get("motif_label") or d.get("motif") or "",
                    "commentaire": d.get("commentaire") or ""})
    order = {aid: i for i, aid in enumerate(load_commission().aids)}
    return sorted(out, key=lambda d: order.get(d["aid"], len(order)))


def casework_summary(doc: Mapping[str, Any], policy: Policy, computed: Mapping[str, Any],
                     session: Session | None) -> dict[str, Any]:
    return {
        "seance": None if session is None else {
            "id": session.id, "date": session.date, "heure": session.time,
            "lieu": session.place},
        "proposition": _proposal(doc, policy, computed),
        "pieces": _documents(doc),
        "decisions_aides": _decisions(doc, policy),
    }
