"""The day a record's orientation is evaluated on: the latest dated event, else the first
contact, whatever the events hold (undated, empty or None dates, out of order)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from intake_assistant.core.timeutil import parse_day
from intake_assistant.reports.records import answers_day

CREATED = "2024-01-05T09:00:00+01:00"
dates = st.sampled_from(["2024-02-01T10:00:00+01:00", "2024-03-15T08:30:00+01:00",
                         "2025-12-31T23:59:00+01:00", "2024-02-01", "", None])
events = st.lists(st.one_of(st.fixed_dictionaries({"at": dates}), st.just({"seq": 1})),
                  max_size=6)


def reference(dossier):
    days = [row["at"] for row in dossier.get("events") or () if row.get("at")]
    return parse_day(max(days) if days else dossier["created_at"])


@given(events)
def test_the_latest_dated_event_else_the_first_contact(rows) -> None:
    dossier = {"created_at": CREATED, "events": rows}
    assert answers_day(dossier) == reference(dossier)


def test_no_events() -> None:
    assert answers_day({"created_at": CREATED}) == parse_day(CREATED)
    assert answers_day({"created_at": CREATED, "events": None}) == parse_day(CREATED)
