"""Appointments as an iCalendar file (RFC 5545) that Outlook, Thunderbird or a phone imports.

Written with the ``icalendar`` library (a well-kept RFC 5545 implementation: escaping, line
folding, time zones) rather than by hand. Each appointment keeps a stable UID (dossier and row),
so importing the file again updates the events instead of duplicating them; a cancelled one is
sent as STATUS:CANCELLED. Times are Europe/Paris wall-clock times with their VTIMEZONE.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from intake_assistant.core.followup.agenda import WITH_WHOM, Appointment, AppointmentState

TIMEZONE = ZoneInfo("Europe/Paris")
PRODID = "-//CCAS//intake-assistant//FR"
_STATUS = {AppointmentState.PREVU: "CONFIRMED", AppointmentState.HONORE: "CONFIRMED",
           AppointmentState.MANQUE: "CONFIRMED", AppointmentState.ANNULE: "CANCELLED"}


def uid(appointment: Appointment) -> str:
    return f"{appointment.dossier_id}-rdv-{appointment.row_id}@intake-assistant"


def calendar_bytes(appointments: Iterable[Appointment], *, now: datetime | None = None,
                   name: str = "Rendez-vous — unité aide au projet") -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    stamp = (now or datetime.now(tz=TIMEZONE)).astimezone(ZoneInfo("UTC"))
    appointments = list(appointments)
    for a in appointments:
        start = a.starts_at.replace(tzinfo=TIMEZONE)
        event = Event()
        event.add("uid", uid(a))
        event.add("dtstamp", stamp)
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=a.minutes))
        who = a.person or "(sans nom)"
        event.add("summary", f"{a.subject} — {who}")
        if a.place:
            event.add("location", a.place)
        lines = [f"Dossier {a.dossier_id}", f"Avec {WITH_WHOM.get(a.with_whom, a.with_whom)}"
                 + (f" ({a.partner})" if a.partner else "")]
        if a.agent:
            lines.append(f"Agent : {a.who_booked}")
        if a.state is not AppointmentState.PREVU:
            lines.append(f"État : {a.state.label}")
        event.add("description", "\n".join(lines))
        event.add("status", _STATUS[a.state])
        event.add("class", "CONFIDENTIAL")
        event.add("categories", ["CCAS"])
        cal.add_component(event)
    if appointments:  # the time zone's rules over the years the events span, not since 1970
        days = [a.day for a in appointments]
        cal.add_missing_timezones(first_date=date(min(days).year - 1, 1, 1),
                                  last_date=date(max(days).year + 2, 1, 1))
    return cal.to_ical()
