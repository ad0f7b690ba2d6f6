"""The day of last contact: each distinct day parsed once, the same day as parsing every row."""

from __future__ import annotations

import random
from datetime import date, datetime

import pytest

from intake_assistant.core.lifecycle import last_contact
from intake_assistant.core.timeutil import parse_day
from intake_assistant.store.demo_data import generate_dossiers


def _every_row(dossier) -> date:  # the definition: every dated row parsed, the latest kept
    days = [parse_day(dossier["created_at"])]
    for key, field in (("status_history", "at"), ("rencontres", "date"), ("events", "at"),
                       ("audit", "at")):
        days += [parse_day(row[field]) for row in dossier.get(key) or [] if row.get(field)]
    commission = dossier.get("commission") or {}
    if commission.get("date"):
        days.append(parse_day(commission["date"]))
    return max(days)


def test_same_day_as_parsing_every_row() -> None:
    dossiers = list(generate_dossiers(60, seed=3, now=datetime(2026, 11, 26, 12, 0)))
    rng = random.Random(5)
    for dossier in dossiers[:20]:  # rows out of order, and dates given as objects
        rng.shuffle(dossier["events"])
        if dossier["audit"]:
            dossier["audit"][0]["at"] = parse_day(dossier["audit"][0]["at"])
    for dossier in dossiers:
        assert last_contact(dossier) == _every_row(dossier)


@pytest.mark.parametrize("bad", ["2026-13-01T10:00:00", "hier", 20260101])
def test_a_bad_date_on_any_row_is_still_refused(bad) -> None:
    dossier = next(iter(generate_dossiers(1, seed=4, now=datetime(2026, 11, 26, 12, 0))))
    dossier["events"].append({"type": "note", "at": bad})
    with pytest.raises((ValueError, TypeError)):
        _every_row(dossier)
    with pytest.raises((ValueError, TypeError)):
        last_contact(dossier)
