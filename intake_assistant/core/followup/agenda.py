"""Appointments and call-backs: today's agenda, what is coming, what is left to record.

An appointment is *prévu* until it is recorded as *honoré*, *manqué* (the person did not come:
kept, it tells the social worker something) or *annulé*. One still *prévu* after its day is
« à renseigner »: the agenda asks whether it took place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum


class AppointmentState(StrEnum):
    PREVU = "prevu"
    HONORE = "honore"
    MANQUE = "manque"
    ANNULE = "annule"

    @property
    def label(self) -> str:
        return {"prevu": "prévu", "honore": "honoré", "manque": "manqué",
                "annule": "annulé"}[self.value]


WITH_WHOM = {"demandeur": "la personne", "partenaire": "un partenaire",
             "les_deux": "la personne et un partenaire"}

_TIME = re.compile(r"^\s*(\d{1,2})\s*(?:[h:]\s*(\d{2})?)?\s*$", re.IGNORECASE)


def parse_time(text: str) -> time:
    """« 9h30 », « 09:30 », « 14h », « 14 » as a time of day."""
    match = _TIME.match(text or "")
    if not match:
        raise ValueError(f"Heure illisible : « {text} » (par exemple 9h30 ou 14:00).")
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 23 or minute > 59:
        raise ValueError(f"Heure impossible : « {text} ».")
    return time(hour, minute)


@dataclass(frozen=True)
class Appointment:
    dossier_id: str
    row_id: str
    day: date
    start: time
    minutes: int
    place: str
    with_whom: str  # demandeur, partenaire, les_deux
    partner: str | None
    subject: str
    state: AppointmentState
    person: str = ""  # the applicant's name, for the agenda
    agent: str = ""  # who booked it (the login recorded on the row)
    agent_name: str = ""  # the same, as people read it

    @property
    def who_booked(self) -> str:
        return self.agent_name or self.agent

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.day, self.start)

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.minutes)


def check_appointment(day: date, minutes: int, with_whom: str, partner: str | None) -> None:
    if not 5 <= minutes <= 480:
        raise ValueError(f"Durée du rendez-vous invalide : {minutes} min (5 à 480).")
    if with_whom not in WITH_WHOM:
        raise ValueError("Rendez-vous avec : demandeur, partenaire ou les_deux.")
    if with_whom != "demandeur" and not partner:
        raise ValueError("Indiquez le partenaire du rendez-vous.")


def day_agenda(appointments: Iterable[Appointment], day: date) -> list[Appointment]:
    """The appointments of ``day`` not cancelled, by time."""
    return sorted((a for a in appointments if a.day == day and a.state != AppointmentState.ANNULE),
                  key=lambda a: (a.start, a.dossier_id))


def upcoming(appointments: Iterable[Appointment], today: date, days: int = 14
             ) -> list[Appointment]:
    """Planned appointments from ``today`` to ``days`` later, by date and time."""
    end = today + timedelta(days=days)
    return sorted((a for a in appointments
                   if a.state == AppointmentState.PREVU and today <= a.day <= end),
                  key=lambda a: (a.day, a.start, a.dossier_id))


def to_record(appointments: Iterable[Appointment], today: date) -> list[Appointment]:
    """Past appointments still « prévu »: to record as honoured or missed."""
    return sorted((a for a in appointments
                   if a.state == AppointmentState.PREVU and a.day < today),
                  key=lambda a: (a.day, a.start))


def overlapping(appointments: Iterable[Appointment], new: Appointment) -> list[Appointment]:
    """Planned appointments of the same agent that overlap ``new`` (a warning, not a refusal:
    the partner may come to a meeting already booked)."""
    return [a for a in appointments
            if a.state == AppointmentState.PREVU and a.agent == new.agent and a.day == new.day
            and (a.dossier_id, a.row_id) != (new.dossier_id, new.row_id)
            and a.starts_at < new.ends_at and new.starts_at < a.ends_at]


@dataclass(frozen=True)
class CallBack:
    dossier_id: str
    row_id: str
    due: date
    reason: str
    done: date | None = None
    person: str = ""
    telephone: str = ""


def callbacks_due(callbacks: Iterable[CallBack], today: date) -> list[CallBack]:
    """Call-backs not done whose day has come, oldest first."""
    return sorted((c for c in callbacks if c.done is None and c.due <= today),
                  key=lambda c: (c.due, c.dossier_id))
