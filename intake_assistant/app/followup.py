"""Follow-up of a dossier: requests to partners and bodies, their answers and reminders, the bank
file of a microcredit and the bank's decision and reports, appointments and call-backs, the
CCAS's avance remboursable (schedule, payments, rescheduling).

One function per thing staff do; each writes the dossier's rows through the store contract
(``append_rows`` / ``update_row``: audited, erased with the dossier) and then refreshes the
dossier's follow-up index record (``followup_index``) that the agenda, the home screen's waiting
flags and the statistics read without opening every dossier. The rules (delays, thresholds,
schedules) are the core's (``core/followup``); the thresholds are the dated parameters in force
on the day (``parametres.yaml``).

Row tables of the dossier (``doc["tables"]``):
- ``demandes``: partenaire, aide, objet, pieces, envoyee_le, relances, and once answered
  repondu_le, resultat, montant, reference, motif; for a bank: duree_mois, taux, signe_le,
  incidents, fin_accompagnement;
- ``rendez_vous``: date, heure, duree_min, lieu, avec, partenaire, objet, etat, note;
- ``rappels``: le, motif, fait_le;
- ``avances``: montant, duree_mois, premiere_echeance, decide_le, reechelonnements;
- ``versements``: avance (row id), le, montant.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from intake_assistant.core.followup import agenda as agenda_rules
from intake_assistant.core.followup import delays as delay_rules
from intake_assistant.core.followup import repayment as repay_rules
from intake_assistant.core.followup.partners import Partner, Partners
from intake_assistant.core.timeutil import parse_day
from intake_assistant.store import Dossier, DossierStore, InvalidValueError, TableRow

from .access import require
from .followup_index import all_appointments, appointment_of, refresh_index
from .followup_settings import parameter as _parameter
from .followup_settings import partners, repayment_tolerance, thresholds

REQUESTS, APPOINTMENTS, CALLBACKS = "demandes", "rendez_vous", "rappels"
ADVANCES, PAYMENTS = "avances", "versements"
OUTCOMES = {"accorde": "accordé", "partiel": "accordé en partie", "refuse": "refusé",
            "sans_suite": "classé sans suite"}
MICROCREDIT, ADVANCE_AID = "microcredit_personnel", "avance_remboursable"
FIRST_INTERVIEW = "Premier entretien (évaluation budgétaire)"
DEFAULT_PLACE = "CCAS, unité aide au projet"


class FollowupError(InvalidValueError):
    """A follow-up entry refused (French message naming what is wrong)."""


def _refuse(exc: ValueError) -> FollowupError:
    return FollowupError(str(exc))


def _check_right(store: DossierStore, action: str) -> None:
    """The roles' split (app/access.py) for a store opened as an authenticated agent."""
    identity = getattr(store, "identity", None)
    if identity is not None and not callable(identity):
        require(identity, action)


# -- helpers -------------------------------------------------------------------------------------
def _rows(doc: Mapping[str, Any], table: str) -> list[TableRow]:
    return list((doc.get("tables") or {}).get(table) or [])


def _row(doc: Mapping[str, Any], table: str, row_id: str) -> TableRow:
    for row in _rows(doc, table):
        if row["id"] == row_id:
            return row
    what = {REQUESTS: "La demande", APPOINTMENTS: "Le rendez-vous", CALLBACKS: "Le rappel",
            ADVANCES: "L'avance"}.get(table, "La ligne")
    raise FollowupError(f"{what} n° {row_id} n'existe pas dans le dossier {doc['id']}.")


def _data(doc: Mapping[str, Any], table: str, row_id: str) -> dict[str, Any]:
    """A row's data, as plain values (JSON checked by the store)."""
    return dict(_row(doc, table, row_id)["data"])


def _day(value: date | str, what: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise FollowupError(f"{what} : date invalide « {value} » (AAAA-MM-JJ).") from None


def _save(store: DossierStore, doc: Dossier) -> Dossier:
    refresh_index(store, doc)
    return doc


def _append(store: DossierStore, dossier_id: str, table: str, data: Mapping[str, Any],
            agent: str, now: datetime | None = None) -> tuple[Dossier, TableRow]:
    doc = store.append_rows(dossier_id, table, [dict(data)], agent=agent, now=now)
    _save(store, doc)
    return doc, doc["tables"][table][-1]


def _update(store: DossierStore, dossier_id: str, table: str, row_id: str,
            changes: Mapping[str, Any], agent: str) -> Dossier:
    return _save(store, store.update_row(dossier_id, table, row_id, dict(changes), agent=agent))


# -- requests to partners and bodies -------------------------------------------------------------
def send_request(store: DossierStore, dossier_id: str, *, partner: str, aid: str | None,
                 subject: str, sent: date | str, agent: str, documents: Sequence[str] = (),
                 today: date | None = None) -> tuple[Dossier, TableRow]:
    """A request sent to a partner of the list (which aid, what was sent, the day it left)."""
    _check_right(store, "suivi_partenaires")
    today = today or date.today()
    chosen = partners().get(partner) if partner else None
    if chosen is None:
        raise FollowupError("Choisissez le partenaire destinataire de la demande.")
    sent_day = _day(sent, "Date d'envoi")
    if sent_day > today:
        raise FollowupError(f"La date d'envoi ({sent_day:%d/%m/%Y}) est dans le futur.")
    if aid and chosen.aides and aid not in chosen.aides:
        raise FollowupError(
            f"{chosen.nom} n'instruit pas « {aid} » d'après la liste des partenaires "
            f"(aides : {', '.join(chosen.aides)})."
        )
    if not subject.strip():
        raise FollowupError("Indiquez l'objet de la demande (ce qui est demandé).")
    pieces = [d.strip() for d in documents if d.strip()] or list(chosen.pieces)
    return _append(store, dossier_id, REQUESTS, {
        "partenaire": chosen.id, "organisme": chosen.nom, "aide": aid or None,
        "objet": subject.strip(), "pieces": pieces, "envoyee_le": sent_day.isoformat(),
        "relances": [], "repondu_le": None, "resultat": None,
    }, agent)


def remind_request(store: DossierStore, dossier_id: str, row_id: str, *, day: date | str,
                   agent: str, today: date | None = None) -> Dossier:
    """A reminder sent for a request still awaiting its answer."""
    _check_right(store, "suivi_partenaires")
    today = today or date.today()
    doc = store.load(dossier_id)
    row = _data(doc, REQUESTS, row_id)
    when = _day(day, "Date de relance")
    if row.get("repondu_le"):
        raise FollowupError("Cette demande a déjà reçu sa réponse : pas de relance.")
    if when < _day(row["envoyee_le"], "envoi") or when > today:
        raise FollowupError(f"Date de relance impossible : {when:%d/%m/%Y}.")
    reminders = [*(row.get("relances") or []), when.isoformat()]
    return _update(store, dossier_id, REQUESTS, row_id, {"relances": reminders}, agent)


def record_answer(store: DossierStore, dossier_id: str, row_id: str, *, day: date | str,
                  outcome: str, agent: str, amount: float | None = None, reference: str = "",
                  reason: str = "", months: int | None = None, rate: float | None = None,
                  signed: date | str | None = None, today: date | None = None) -> Dossier:
    """The answer of the partner (or the bank's decision: amount, duration, rate, refusal
    reason, signing day)."""
    _check_right(store, "suivi_partenaires")
    today = today or date.today()
    doc = store.load(dossier_id)
    row = _data(doc, REQUESTS, row_id)
    when = _day(day, "Date de réponse")
    try:
        delay_rules.check_answer_date(_day(row["envoyee_le"], "envoi"), when, today)
    except ValueError as exc:
        raise _refuse(exc) from None
    if outcome not in OUTCOMES:
        raise FollowupError(f"Réponse : {', '.join(OUTCOMES)} (pas « {outcome} »).")
    granted = outcome in ("accorde", "partiel")
    if amount is not None and amount <= 0:
        raise FollowupError("Le montant accordé doit être supérieur à 0 €.")
    if rate is not None and not 0 <= rate < 1:
        raise FollowupError("Le taux s'écrit en fraction (0.04 pour 4 %), entre 0 et 1.")
    if months is not None and not 1 <= months <= 120:
        raise FollowupError("Durée du prêt : de 1 à 120 mois.")
    signed_day = _day(signed, "Date de signature") if signed else None
    if signed_day and not granted:
        raise FollowupError("Une date de signature suppose un prêt accordé.")
    if signed_day and signed_day < when:
        raise FollowupError("La signature ne peut pas précéder la décision de la banque.")
    changes: dict[str, Any] = {
        "repondu_le": when.isoformat(), "resultat": outcome,
        "montant": amount if granted else None, "reference": reference.strip() or None,
        "motif": reason.strip() or None}
    if months is not None or rate is not None or signed_day is not None:
        changes.update({"duree_mois": months, "taux": rate,
                        "signe_le": signed_day.isoformat() if signed_day else None})
    return _update(store, dossier_id, REQUESTS, row_id, changes, agent)


INCIDENTS = {"impaye": "échéance impayée", "remboursement_anticipe": "remboursement anticipé",
             "autre": "autre événement"}


def record_bank_report(store: DossierStore, dossier_id: str, row_id: str, *, day: date | str,
                       kind: str, agent: str, amount: float | None = None, note: str = ""
                       ) -> Dossier:
    """What the bank reports on a microcredit granted: a missed payment, an early repayment."""
    _check_right(store, "suivi_partenaires")
    doc = store.load(dossier_id)
    row = _data(doc, REQUESTS, row_id)
    if row.get("resultat") not in ("accorde", "partiel"):
        raise FollowupError("La banque n'a pas accordé ce prêt : rien à suivre.")
    if kind not in INCIDENTS:
        raise FollowupError(f"Événement : {', '.join(INCIDENTS)} (pas « {kind} »).")
    when = _day(day, "Date")
    incidents = [*(row.get("incidents") or []),
                 {"le": when.isoformat(), "type": kind, "montant": amount,
                  "note": note.strip() or None}]
    return _update(store, dossier_id, REQUESTS, row_id, {"incidents": incidents}, agent)


def end_accompaniment(store: DossierStore, dossier_id: str, row_id: str, *, day: date | str,
                      agent: str) -> Dossier:
    _check_right(store, "suivi_partenaires")
    doc = store.load(dossier_id)
    _row(doc, REQUESTS, row_id)
    return _update(store, dossier_id, REQUESTS, row_id,
                   {"fin_accompagnement": _day(day, "Fin de l'accompagnement").isoformat()},
                   agent)


# -- appointments and call-backs ------------------------------------------------------------
@dataclass(frozen=True)
class Booking:
    doc: Dossier
    row: TableRow
    overlaps: list[agenda_rules.Appointment]  # the agent's other appointments at that time


def book_appointment(store: DossierStore, dossier_id: str, *, day: date | str, at: str,
                     agent: str, minutes: int = 45, place: str = DEFAULT_PLACE,
                     with_whom: str = "demandeur", partner: str | None = None,
                     subject: str = "", today: date | None = None) -> Booking:
    """A meeting to come (date, time, place, with whom); the agent's overlapping appointments
    are returned to warn about, not refused (a partner may join a meeting already booked)."""
    _check_right(store, "rendez_vous")
    today = today or date.today()
    when = _day(day, "Date du rendez-vous")
    try:
        start = agenda_rules.parse_time(at)
        agenda_rules.check_appointment(when, minutes, with_whom, partner)
    except ValueError as exc:
        raise _refuse(exc) from None
    if when < today:
        raise FollowupError(f"Le {when:%d/%m/%Y} est passé : notez plutôt une rencontre.")
    partner_name = partners().name(partner) if partner else None
    doc, row = _append(store, dossier_id, APPOINTMENTS, {
        "date": when.isoformat(), "heure": start.strftime("%H:%M"), "duree_min": minutes,
        "lieu": place.strip() or DEFAULT_PLACE, "avec": with_whom, "partenaire": partner,
        "partenaire_nom": partner_name, "objet": subject.strip() or "Rendez-vous",
        "etat": agenda_rules.AppointmentState.PREVU.value, "note": None,
    }, agent)
    booked = appointment_of(doc, row)
    return Booking(doc, row, agenda_rules.overlapping(all_appointments(store), booked))


def book_first_interview(store: DossierStore, dossier_id: str, *, day: date | str, at: str,
                         agent: str, place: str = DEFAULT_PLACE, today: date | None = None
                         ) -> Booking:
    """What the phone intake ends with: the first interview with the social worker."""
    return book_appointment(store, dossier_id, day=day, at=at, agent=agent, minutes=60,
                            place=place, subject=FIRST_INTERVIEW, today=today)


def record_appointment(store: DossierStore, dossier_id: str, row_id: str, *, state: str,
                       agent: str, note: str = "", today: date | None = None) -> Dossier:
    """Honoured, missed or cancelled. A meeting honoured also goes into the dossier's
    « rencontres » (it counts as a contact); a missed one is kept, with its note."""
    _check_right(store, "rendez_vous")
    today = today or date.today()
    try:
        new = agenda_rules.AppointmentState(state)
    except ValueError:
        raise FollowupError("État : honore, manque ou annule.") from None
    doc = store.load(dossier_id)
    data = _data(doc, APPOINTMENTS, row_id)
    when = _day(data["date"], "rendez-vous")
    if new in (agenda_rules.AppointmentState.HONORE, agenda_rules.AppointmentState.MANQUE) \
            and when > today:
        raise FollowupError(f"Le rendez-vous du {when:%d/%m/%Y} n'a pas encore eu lieu.")
    doc = _update(store, dossier_id, APPOINTMENTS, row_id,
                  {"etat": new.value, "note": note.strip() or None}, agent)
    if new is agenda_rules.AppointmentState.HONORE:
        avec = "partenaire" if data.get("avec") == "partenaire" else "demandeur"
        doc = store.add_meeting(dossier_id, date=when.isoformat(), avec=avec,
                                partenaire=data.get("partenaire_nom"),
                                note=note.strip() or str(data.get("objet") or ""), agent=agent)
        _save(store, doc)
    return doc


def add_callback(store: DossierStore, dossier_id: str, *, due: date | str, reason: str,
                 agent: str) -> tuple[Dossier, TableRow]:
    """« Rappeler » the person on a given day (documents to ask for, an answer to give)."""
    _check_right(store, "rendez_vous")
    if not reason.strip():
        raise FollowupError("Indiquez pourquoi rappeler la personne.")
    return _append(store, dossier_id, CALLBACKS,
                   {"le": _day(due, "Date du rappel").isoformat(), "motif": reason.strip(),
                    "fait_le": None}, agent)


def callback_done(store: DossierStore, dossier_id: str, row_id: str, *, day: date | str,
                  agent: str) -> Dossier:
    _check_right(store, "rendez_vous")
    _row(store.load(dossier_id), CALLBACKS, row_id)
    return _update(store, dossier_id, CALLBACKS, row_id,
                   {"fait_le": _day(day, "Date").isoformat()}, agent)


# -- the avance remboursable ------------------------------------------------------------------
def advance_inputs(doc: Mapping[str, Any]) -> tuple[float | None, int | None, date | None]:
    """(amount, months, decision day) from a granted decision: the commission's decision on
    the avance itself (``decisions`` rows, per aid: amount, duration, session date), else the
    dossier's decision (its amount, the duration kept by the worker or the one wished)."""
    granted: list[dict[str, Any]] = [dict(r["data"]) for r in _rows(doc, "decisions")
                                     if r["data"].get("aid") == ADVANCE_AID]
    if granted:
        last = granted[-1]  # the latest decision on the avance is the one in force
        if last.get("decision") != "accorde":
            return None, None, None
        months = last.get("duree_mois")
        return (last.get("montant"), int(months) if isinstance(months, int) else None,
                parse_day(str(last["date"])) if last.get("date") else None)
    commission = doc.get("commission") or {}
    amount = commission.get("montant_accorde") if commission.get("decision") == "accorde" \
        else None
    months = doc.get("duree_retenue") or (doc.get("answers") or {}).get("duree_souhaitee_mois")
    decided = parse_day(commission["date"]) if commission.get("date") else None
    return amount, (int(months) if isinstance(months, int) else None), decided


def open_advance(store: DossierStore, dossier_id: str, *, first_due: date | str, agent: str,
                 amount: float | None = None, months: int | None = None,
                 decided: date | str | None = None) -> tuple[Dossier, TableRow]:
    """The repayment schedule of the CCAS's avance remboursable (0 %). Without explicit
    inputs, the granted decision's amount and the duration kept; within the parameters'
    ceilings (avance_remboursable.montant_max, duree_max_mois)."""
    _check_right(store, "remboursement")
    doc = store.load(dossier_id)
    d_amount, d_months, d_day = advance_inputs(doc)
    amount = amount if amount is not None else d_amount
    months = months if months is not None else d_months
    decided_day = _day(decided, "Date de décision") if decided else d_day
    if amount is None:
        raise FollowupError("Aucun montant accordé par la commission : indiquez le montant de "
                            "l'avance.")
    if months is None:
        raise FollowupError("Indiquez la durée de remboursement (mois).")
    if decided_day is None:
        raise FollowupError("Indiquez la date de la décision.")
    first = _day(first_due, "Première échéance")
    ceiling = float(_parameter("avance_remboursable.montant_max", decided_day))
    longest = int(_parameter("avance_remboursable.duree_max_mois", decided_day))
    if amount > ceiling:
        raise FollowupError(f"{amount:.2f} € dépasse le plafond de l'avance remboursable "
                            f"({ceiling:.0f} €).".replace(".", ","))
    if months > longest:
        raise FollowupError(f"{months} mois dépasse la durée maximale de l'avance remboursable "
                            f"({longest} mois).")
    if any(r["data"].get("etat") != "rembourse" for r in _rows(doc, ADVANCES)):
        raise FollowupError("Une avance est déjà en cours de remboursement dans ce dossier.")
    try:
        repay_rules.Plan(repay_rules.to_cents(amount), months, first, decided_day)
    except ValueError as exc:
        raise _refuse(exc) from None
    return _append(store, dossier_id, ADVANCES, {
        "montant": amount, "duree_mois": months, "premiere_echeance": first.isoformat(),
        "decide_le": decided_day.isoformat(), "reechelonnements": [], "etat": "en_cours",
    }, agent)


def _plans(data: Mapping[str, Any]) -> list[repay_rules.Plan]:
    plans = [repay_rules.Plan(repay_rules.to_cents(data["montant"]), int(data["duree_mois"]),
                              parse_day(data["premiere_echeance"]), parse_day(data["decide_le"]))]
    for r in data.get("reechelonnements") or []:
        plans.append(repay_rules.Plan(int(r["reste_centimes"]), int(r["duree_mois"]),
                                      parse_day(r["premiere_echeance"]), parse_day(r["le"])))
    return plans


def _payments(doc: Mapping[str, Any], advance_id: str) -> list[repay_rules.Payment]:
    rows: list[dict[str, Any]] = [dict(r["data"]) for r in _rows(doc, PAYMENTS)]
    return [repay_rules.Payment(parse_day(r["le"]), repay_rules.to_cents(r["montant"]))
            for r in rows if r.get("avance") == advance_id]


def advance_statement(doc: Mapping[str, Any], advance_id: str, today: date
                      ) -> repay_rules.Statement:
    data = _data(doc, ADVANCES, advance_id)
    return repay_rules.statement(_plans(data), _payments(doc, advance_id), today,
                                 repayment_tolerance(today))


def _sync_state(store: DossierStore, doc: Dossier, advance_id: str, agent: str,
                today: date) -> Dossier:
    """Keep the row's « etat » (what the index and the lists show) in step with its payments."""
    state = advance_statement(doc, advance_id, today).state.value
    if _data(doc, ADVANCES, advance_id).get("etat") != state:
        doc = _update(store, doc["id"], ADVANCES, advance_id, {"etat": state}, agent)
    return doc


def record_payment(store: DossierStore, dossier_id: str, advance_id: str, *, day: date | str,
                   amount: float, agent: str, today: date | None = None) -> Dossier:
    """A payment received; « remboursé » once the whole amount is in."""
    _check_right(store, "remboursement")
    today = today or date.today()
    doc = store.load(dossier_id)
    data = _data(doc, ADVANCES, advance_id)
    when = _day(day, "Date du versement")
    if amount <= 0:
        raise FollowupError("Un versement doit être supérieur à 0 €.")
    if when > today or when < parse_day(data["decide_le"]):
        raise FollowupError(f"Date de versement impossible : {when:%d/%m/%Y}.")
    owed = advance_statement(doc, advance_id, today).remaining_cents
    if repay_rules.to_cents(amount) > owed:
        raise FollowupError(f"Le versement dépasse ce qui reste dû ({owed / 100:.2f} €)."
                            .replace(".", ","))
    doc, _ = _append(store, dossier_id, PAYMENTS,
                     {"avance": advance_id, "le": when.isoformat(), "montant": amount}, agent)
    return _sync_state(store, doc, advance_id, agent, today)


def reschedule_advance(store: DossierStore, dossier_id: str, advance_id: str, *,
                       day: date | str, months: int, first_due: date | str, agent: str,
                       today: date | None = None) -> Dossier:
    """Spread what is left over a new duration (the old plan's misses are settled by it)."""
    _check_right(store, "remboursement")
    today = today or date.today()
    doc = store.load(dossier_id)
    data = _data(doc, ADVANCES, advance_id)
    try:
        plan = repay_rules.reschedule(_plans(data), _payments(doc, advance_id),
                                      day=_day(day, "Date du rééchelonnement"), months=months,
                                      first_due=_day(first_due, "Première échéance"))
    except ValueError as exc:
        raise _refuse(exc) from None
    history = [*(data.get("reechelonnements") or []),
               {"le": plan.start.isoformat(), "reste_centimes": plan.amount_cents,
                "duree_mois": plan.months, "premiere_echeance": plan.first_due.isoformat()}]
    doc = _update(store, dossier_id, ADVANCES, advance_id, {"reechelonnements": history}, agent)
    return _sync_state(store, doc, advance_id, agent, today)


# -- what the follow-up tab shows -----------------------------------------------------------------
@dataclass(frozen=True)
class RequestLine:
    row: TableRow
    partner: Partner | None
    waiting_days: int
    level: delay_rules.WaitLevel  # ok once answered
    answered: bool

    @property
    def data(self) -> dict[str, Any]:
        return dict(self.row["data"])


@dataclass(frozen=True)
class FollowupView:
    dossier: Dossier
    requests: list[RequestLine]
    appointments: list[TableRow]  # by date and time
    callbacks: list[TableRow]
    advances: list[tuple[TableRow, repay_rules.Statement]]
    thresholds: delay_rules.Thresholds

    @property
    def worst_level(self) -> delay_rules.WaitLevel:
        levels = [r.level for r in self.requests if not r.answered]
        order = list(delay_rules.WaitLevel)
        return max(levels, key=order.index, default=delay_rules.WaitLevel.OK)


def request_line(row: TableRow, listing: Partners | None, today: date,
                 limits: delay_rules.Thresholds) -> RequestLine:
    data = row["data"]
    sent = parse_day(str(data["envoyee_le"]))
    answered = parse_day(str(data["repondu_le"])) if data.get("repondu_le") else None
    days = delay_rules.waiting_days(sent, today, answered)
    level = delay_rules.WaitLevel.OK if answered else delay_rules.wait_level(days, limits)
    partner = listing.by_id.get(str(data.get("partenaire"))) if listing else None
    return RequestLine(row, partner, days, level, answered is not None)


def open_requests_text(doc: Mapping[str, Any], today: date) -> list[tuple[str, str]]:
    """The dossier's requests still awaiting an answer, as (text, level) for a summary:
    (« CAF de la Marne : 35 j », « relance »); the longest wait first."""
    limits = thresholds(today)
    lines = [request_line(r, None, today, limits) for r in _rows(doc, REQUESTS)]
    waiting = sorted((r for r in lines if not r.answered), key=lambda r: -r.waiting_days)
    return [(f"{r.data.get('organisme') or r.data.get('partenaire')} : {r.waiting_days} j"
             + ("" if r.level is delay_rules.WaitLevel.OK else f" ({r.level.label})"),
             r.level.value) for r in waiting]


def followup_view(store: DossierStore, dossier_id: str, today: date) -> FollowupView:
    doc = store.load(dossier_id)
    limits = thresholds(today)
    listing = partners()
    requests = [request_line(r, listing, today, limits) for r in _rows(doc, REQUESTS)]
    appointments = sorted(_rows(doc, APPOINTMENTS),
                          key=lambda r: (str(r["data"].get("date")), str(r["data"].get("heure"))))
    advances = [(r, advance_statement(doc, r["id"], today)) for r in _rows(doc, ADVANCES)]
    return FollowupView(doc, requests, appointments, _rows(doc, CALLBACKS), advances, limits)


__all__ = [
    "ADVANCES", "APPOINTMENTS", "CALLBACKS", "FIRST_INTERVIEW", "INCIDENTS", "OUTCOMES",
    "PAYMENTS", "REQUESTS", "Booking", "FollowupError", "FollowupView", "RequestLine",
    "add_callback", "advance_statement", "book_appointment", "book_first_interview",
    "callback_done", "end_accompaniment", "followup_view", "open_advance", "partners",
    "record_answer", "record_appointment", "record_bank_report", "record_payment",
    "remind_request", "reschedule_advance", "send_request", "thresholds",
]
