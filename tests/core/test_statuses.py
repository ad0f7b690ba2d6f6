"""One status vocabulary: typed, one French label per status, the same everywhere."""

from __future__ import annotations

from intake_assistant.core import lifecycle
from intake_assistant.core.statuses import (
    AID_STATUS_LABELS,
    STATUS_LABELS,
    AidStatus,
    Status,
    status_label,
)


def test_every_status_has_exactly_one_label() -> None:
    assert set(STATUS_LABELS) == set(Status) and set(AID_STATUS_LABELS) == set(AidStatus)
    assert len(set(STATUS_LABELS.values())) == len(Status)
    assert Status.PREMIER_CONTACT.label == "À évaluer"
    assert Status.EN_COMMISSION.label == "En commission"


def test_members_are_the_stored_strings() -> None:
    assert Status.EN_COMMISSION == "en_commission" and AidStatus.TO_CHECK == "to_check"
    assert lifecycle.STATUSES == tuple(s.value for s in Status)
    assert all(type(s) is str for s in lifecycle.STATUSES)  # argparse shows them as typed


def test_an_unknown_stored_status_is_shown_as_it_is() -> None:
    assert status_label("archive_2019") == "archive_2019"


def test_screens_and_reports_use_the_vocabulary() -> None:
    from intake_assistant.reports.tables import STATUS_LABELS as REPORT_AID_LABELS
    from intake_assistant.tui import text
    from intake_assistant.tui.screens.home import FILTERS_ACCUEIL

    assert [label for label, status in FILTERS_ACCUEIL if status] == [
        Status(status).label for _, status in FILTERS_ACCUEIL if status]
    assert set(Status) == {status for _, status in FILTERS_ACCUEIL if status}
    assert REPORT_AID_LABELS == {s.value: s.label for s in AidStatus}
    assert text.status_label("en_evaluation") == "En évaluation"
    assert {label for label, _, _ in text.AID_STATUS.values()} == {
        s.label.lower() for s in AidStatus}


def test_the_life_cycle_speaks_the_vocabulary() -> None:
    assert lifecycle.allowed_next(Status.EN_COMMISSION) == (
        Status.ACCORDE, Status.REFUSE, Status.AJOURNE, Status.ABANDONNE, Status.CLOS)
    assert lifecycle.label("ajourne") == "Ajourné"


def test_counts_take_the_french_plural_from_two_on() -> None:
    from intake_assistant.tui.text import plural

    assert [plural(n, "dossier") for n in (0, 1, 2, 300)] == [
        "0 dossier", "1 dossier", "2 dossiers", "300 dossiers"]
