"""The follow-up across dossiers: today's agenda, call-backs, requests waiting too long, delay
statistics per body, the funders' figures.

Each dossier with follow-up rows has one small index record (kind ``suivi``, id the dossier's,
attached to it: erased with the person) holding what these views need — the person's name and
phone, the requests' dates and outcomes, the appointments, the call-backs, the avances' state.
It is rebuilt from the dossier after every follow-up write (``refresh_index``) and for a whole
store by ``rebuild_index`` (demo data, a copy from another store), so that the home screen and
the agenda never open every dossier. The dossier's rows stay the reference: the record carries
the dossier's revision and is never written over by an older one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from intake_assistant.core.followup import agenda as agenda_rules
from intake_assistant.core.followup import delays as delay_rules
from intake_assistant.core.followup import funders as funder_rules
from intake_assistant.core.french import normalize_text
from intake_assistant.core.timeutil import parse_day
from intake_assistant.store import ConflictError, Dossier, DossierStore, TableRow

from .followup_settings import thresholds

KIND = "suivi"
_TABLES = ("demandes", "rendez_vous", "rappels", "avances")


def _person_key(answers: Mapping[str, Any]) -> str:
    """Tells persons apart across their dossiers without keeping who they are in clear."""
    parts = [normalize_text(str(answers.get(k) or "")) for k in ("nom", "prenom",
                                                                 "date_naissance")]
    return hashlib.sha256("|".join(parts).encode("utf-8")).hexdigest()[:16]


def projection(doc: Mapping[str, Any]) -> dict[str, Any] | None:
    """What the cross-dossier views need of one dossier (None: no follow-up at all)."""
    tables = doc.get("tables") or {}
    if not any(tables.get(t) for t in _TABLES):
        return None
    answers = doc.get("answers") or {}

    def rows(name: str) -> list[dict[str, Any]]:
        return [{"id": r["id"], "agent": r.get("agent"), **r["data"]}
                for r in tables.get(name) or []]

    return {
        "rev": doc.get("rev"), "personne": _person_key(answers),
        "nom": " ".join(str(answers[k]) for k in ("prenom", "nom") if answers.get(k)),
        "telephone": answers.get("telephone"), "type_projet": answers.get("type_projet"),
        "agent": doc.get("agent"), "statut": doc.get("status"),
        "demandes": [{k: r.get(k) for k in (
            "id", "partenaire", "organisme", "aide", "envoyee_le", "repondu_le", "resultat",
            "montant", "duree_mois", "taux", "motif", "signe_le", "incidents",
            "fin_accompagnement", "relances")} for r in rows("demandes")],
        "rendez_vous": rows("rendez_vous"),
        "rappels": rows("rappels"),
        "avances": [{k: r.get(k) for k in ("id", "montant", "duree_mois", "etat")}
                    for r in rows("avances")],
    }


def refresh_index(store: DossierStore, doc: Dossier) -> None:
    """Write the dossier's index record from ``doc`` unless a newer one is there already."""
    body = projection(doc)
    for _ in range(5):
        current = store.get_record(KIND, doc["id"])
        known: Any = current["doc"].get("rev") if current else None
        if current is not None and int(known or 0) >= int(doc["rev"]):
            return
        if body is None and current is None:
            return
        try:
            store.put_record(KIND, doc["id"], body or {"rev": doc["rev"]},
                             dossier_id=doc["id"],
                             expected_rev=current["rev"] if current else 0)
            return
        except ConflictError:
            continue  # another write of the same dossier meanwhile: compare again


def rebuild_index(store: DossierStore, dossier_ids: Iterable[str] | None = None) -> int:
    """Index records for these dossiers (every dossier with None); how many have follow-up."""
    docs: Iterable[Mapping[str, Any]]
    if dossier_ids is None:
        docs = store.iter_dossiers()
    else:
        docs = (store.load(i) for i in dossier_ids)
    count = 0
    for doc in docs:
        if projection(doc) is not None:
            refresh_index(store, doc)  # type: ignore[arg-type]
            count += 1
    return count


def _entries(store: DossierStore) -> list[tuple[str, dict[str, Any]]]:
    return [(str(r["id"]), r["doc"]) for r in store.list_records(KIND)
            if r["doc"].get("demandes") is not None]


# -- appointments ------------------------------------------------------------------------------
def _appointment(dossier_id: str, person: str, data: Mapping[str, Any],
                 names: Mapping[str, str] | None = None) -> agenda_rules.Appointment:
    return agenda_rules.Appointment(
        dossier_id, str(data["id"]), parse_day(str(data["date"])),
        agenda_rules.parse_time(str(data.get("heure") or "9:00")),
        int(data.get("duree_min") or 45), str(data.get("lieu") or ""),
        str(data.get("avec") or "demandeur"), data.get("partenaire_nom") or data.get("partenaire"),
        str(data.get("objet") or ""), agenda_rules.AppointmentState(data.get("etat") or "prevu"),
        person, str(data.get("agent") or ""),
        (names or {}).get(str(data.get("agent") or ""), ""))


def appointment_of(doc: Mapping[str, Any], row: TableRow) -> agenda_rules.Appointment:
    answers = doc.get("answers") or {}
    person = " ".join(str(answers[k]) for k in ("prenom", "nom") if answers.get(k))
    return _appointment(str(doc["id"]), person, {"id": row["id"], "agent": row.get("agent"),
                                                 **row["data"]})


def all_appointments(store: DossierStore) -> list[agenda_rules.Appointment]:
    from .home import agent_names  # rows record the login; people read names

    names = agent_names(store)
    return [_appointment(did, str(e.get("nom") or ""), a, names) for did, e in _entries(store)
            for a in e.get("rendez_vous") or []]


def all_callbacks(store: DossierStore) -> list[agenda_rules.CallBack]:
    return [agenda_rules.CallBack(did, str(c["id"]), parse_day(str(c["le"])),
                                  str(c.get("motif") or ""),
                                  parse_day(str(c["fait_le"])) if c.get("fait_le") else None,
                                  str(e.get("nom") or ""), str(e.get("telephone") or ""))
            for did, e in _entries(store) for c in e.get("rappels") or []]


@dataclass(frozen=True)
class WaitingRequest:
    dossier_id: str
    row_id: str
    person: str
    body: str
    aid: str | None
    sent: date
    days: int
    level: delay_rules.WaitLevel


@dataclass(frozen=True)
class Agenda:
    day: date
    appointments: list[agenda_rules.Appointment]  # the day's, by time
    to_record: list[agenda_rules.Appointment]  # past, still « prévu »
    callbacks: list[agenda_rules.CallBack]  # due by then, not done
    waiting: list[WaitingRequest]  # open requests over the first threshold, longest first
    upcoming: list[agenda_rules.Appointment]

    def summary(self) -> str:
        """One line: « 20 rendez-vous · 3 rappels · 5 demandes à relancer (2 en alerte) ·
        8 rendez-vous à renseigner »."""
        def count(n: int, word: str, words: str) -> str:
            return f"{n} {word if n <= 1 else words}"  # « 0 rappel » in French

        alerts = sum(w.level is delay_rules.WaitLevel.ALERTE for w in self.waiting)
        parts = [count(len(self.appointments), "rendez-vous", "rendez-vous"),
                 count(len(self.callbacks), "rappel", "rappels"),
                 count(len(self.waiting), "demande à relancer", "demandes à relancer")
                 + (f" ({alerts} en alerte)" if alerts else "")]
        if self.to_record:
            parts.append(f"{len(self.to_record)} à renseigner")
        return " · ".join(parts)


def waiting_requests(store: DossierStore, today: date) -> list[WaitingRequest]:
    """Open requests over the first threshold (the parameters in force today)."""
    limits = thresholds(today)
    out = []
    for did, e in _entries(store):
        for d in e.get("demandes") or []:
            if d.get("repondu_le") or not d.get("envoyee_le"):
                continue
            sent = parse_day(str(d["envoyee_le"]))
            days = delay_rules.waiting_days(sent, today)
            level = delay_rules.wait_level(days, limits)
            if level is not delay_rules.WaitLevel.OK:
                out.append(WaitingRequest(did, str(d["id"]), str(e.get("nom") or ""),
                                          str(d.get("organisme") or d.get("partenaire")),
                                          d.get("aide"), sent, days, level))
    return sorted(out, key=lambda w: (-w.days, w.dossier_id))


def waiting_by_dossier(store: DossierStore, today: date) -> dict[str, WaitingRequest]:
    """The longest-waiting open request of each dossier over the threshold (home screen)."""
    out: dict[str, WaitingRequest] = {}
    for w in waiting_requests(store, today):
        out.setdefault(w.dossier_id, w)
    return out


def agenda(store: DossierStore, day: date, *, agent: str | None = None,
           days_ahead: int = 14) -> Agenda:
    """The agenda of ``day`` (of one agent, or the whole unit's with None)."""
    appointments = [a for a in all_appointments(store) if agent is None or a.agent == agent]
    return Agenda(day, agenda_rules.day_agenda(appointments, day),
                  agenda_rules.to_record(appointments, day),
                  agenda_rules.callbacks_due(all_callbacks(store), day),
                  waiting_requests(store, day),
                  [a for a in agenda_rules.upcoming(appointments, day, days_ahead)
                   if a.day > day])


# -- statistics ---------------------------------------------------------------------------------
def request_facts(store: DossierStore) -> list[delay_rules.RequestFacts]:
    return [delay_rules.RequestFacts(
        str(d.get("organisme") or d.get("partenaire")), parse_day(str(d["envoyee_le"])),
        parse_day(str(d["repondu_le"])) if d.get("repondu_le") else None, d.get("aide"),
        d.get("resultat")) for _, e in _entries(store) for d in e.get("demandes") or []
        if d.get("envoyee_le")]


def loan_files(store: DossierStore, bank_ids: set[str]) -> list[funder_rules.LoanFile]:
    """Every bank file (a request to a partner of type banque) as the funders count it."""
    out = []
    for did, e in _entries(store):
        for d in e.get("demandes") or []:
            if d.get("partenaire") not in bank_ids or not d.get("envoyee_le"):
                continue
            outcome = {"accorde": "accorde", "partiel": "accorde", "refuse": "refuse"}.get(
                str(d.get("resultat")))
            incidents = tuple(funder_rules.Incident(parse_day(str(i["le"])), str(i["type"]),
                                                    i.get("montant"))
                              for i in d.get("incidents") or [])
            out.append(funder_rules.LoanFile(
                did, str(e.get("personne")), str(d.get("organisme") or d["partenaire"]),
                e.get("type_projet"), parse_day(str(d["envoyee_le"])), outcome,
                parse_day(str(d["repondu_le"])) if d.get("repondu_le") else None,
                d.get("montant"), d.get("duree_mois"), d.get("taux"), d.get("motif"),
                parse_day(str(d["signe_le"])) if d.get("signe_le") else None, incidents,
                parse_day(str(d["fin_accompagnement"])) if d.get("fin_accompagnement")
                else None))
    return out


__all__ = ["KIND", "Agenda", "WaitingRequest", "agenda", "all_appointments", "all_callbacks",
           "appointment_of", "loan_files", "projection", "rebuild_index", "refresh_index",
           "request_facts", "waiting_by_dossier", "waiting_requests"]
