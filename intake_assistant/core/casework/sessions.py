"""A commission session: a date, a time, a place and its agenda (dossier ids, in order).

Stored as a store-wide record of kind ``seance`` (id ``AAAA-MM-JJ``, ``AAAA-MM-JJ-2`` for a second
session the same day). The decisions taken at a session carry its date: that is the decision
date the documents show, whatever day it was typed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .terms import CaseworkError

KIND = "seance"
MAX_AGENDA = 80
MAX_PLACE = 200
_TIME = re.compile(r"^([01]?[0-9]|2[0-3])[:h]([0-5][0-9])?$")


@dataclass(frozen=True)
class Session:
    id: str
    date: str  # ISO
    time: str  # HH:MM
    place: str
    agenda: tuple[str, ...]
    rev: int = 0

    @classmethod
    def from_record(cls, record_id: str, doc: Mapping[str, Any], rev: int = 0) -> Session:
        return cls(record_id, str(doc.get("date")), str(doc.get("heure") or ""),
                   str(doc.get("lieu") or ""), tuple(doc.get("ordre_du_jour") or ()), rev)

    def to_doc(self) -> dict[str, Any]:
        return {"date": self.date, "heure": self.time, "lieu": self.place,
                "ordre_du_jour": list(self.agenda)}

    def held(self, today: dt.date) -> bool:
        """Decisions are recorded once the session has taken place (its day or later)."""
        return dt.date.fromisoformat(self.date) <= today


def check_time(text: str) -> str:
    match = _TIME.match(text.strip().lower())
    if not match:
        raise CaseworkError(f"Heure invalide : « {text} » (par exemple 14:00 ou 9h30).")
    return f"{int(match.group(1)):02d}:{match.group(2) or '00'}"


def check_place(text: str) -> str:
    place = " ".join(text.split())
    if not place:
        raise CaseworkError("Indiquez le lieu de la séance.")
    if len(place) > MAX_PLACE:
        raise CaseworkError(f"Lieu trop long ({len(place)} caractères, {MAX_PLACE} au plus).")
    return place


def new_id(day: dt.date, existing: Iterable[str]) -> str:
    taken = set(existing)
    base = day.isoformat()
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def with_dossier(session: Session, dossier_id: str) -> Session:
    if dossier_id in session.agenda:
        raise CaseworkError(f"Le dossier {dossier_id} est déjà à l'ordre du jour de la séance "
                            f"du {_day(session.date)}.")
    if len(session.agenda) >= MAX_AGENDA:
        raise CaseworkError(f"L'ordre du jour est complet ({MAX_AGENDA} dossiers au plus).")
    return Session(session.id, session.date, session.time, session.place,
                   (*session.agenda, dossier_id), session.rev)


def without_dossier(session: Session, dossier_id: str) -> Session:
    if dossier_id not in session.agenda:
        raise CaseworkError(f"Le dossier {dossier_id} n'est pas à l'ordre du jour de la séance "
                            f"du {_day(session.date)}.")
    return Session(session.id, session.date, session.time, session.place,
                   tuple(d for d in session.agenda if d != dossier_id), session.rev)


def moved(session: Session, dossier_id: str, delta: int) -> Session:
    agenda = list(session.agenda)
    if dossier_id not in agenda:
        raise CaseworkError(f"Le dossier {dossier_id} n'est pas à l'ordre du jour.")
    i = agenda.index(dossier_id)
    j = max(0, min(len(agenda) - 1, i + delta))
    agenda.insert(j, agenda.pop(i))
    return Session(session.id, session.date, session.time, session.place, tuple(agenda),
                   session.rev)


def pending_session(sessions: Iterable[Session], dossier_id: str, today: dt.date
                    ) -> Session | None:
    """The session not yet held where the dossier is on the agenda (at most one)."""
    return next((s for s in sorted(sessions, key=lambda s: s.date)
                 if dossier_id in s.agenda and not s.held(today)), None)


def latest_session_of(sessions: Iterable[Session], dossier_id: str) -> Session | None:
    """The last session (by date) whose agenda holds the dossier."""
    mine = [s for s in sessions if dossier_id in s.agenda]
    return max(mine, key=lambda s: (s.date, s.id)) if mine else None


def _day(iso_day: str) -> str:
    from intake_assistant.core.french import format_date

    return format_date(iso_day)
