"""Local, timezone-aware timestamps in ISO 8601, as stored in dossiers."""

from __future__ import annotations

from datetime import date, datetime


def local_now(now: datetime | None = None) -> datetime:
    """`now` (naive means local time) or the current time, as an aware local datetime."""
    if now is None:
        return datetime.now().astimezone()
    return now.astimezone() if now.tzinfo is None else now


def iso(now: datetime) -> str:
    return now.isoformat(timespec="seconds")


def parse_day(value: str | date | datetime) -> date:
    """The calendar day of an ISO date or datetime string (the local day written in it)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(value[:10])
