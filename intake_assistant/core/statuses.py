"""The one status vocabulary: a dossier's statuses and an aid suggestion's, typed, with their
French label — the same words on every screen, in every report and every command.

Both are ``StrEnum``: a member equals its stored string (``Status.EN_COMMISSION ==
"en_commission"``), so documents keep plain strings while the code names members. Which status may
follow which, and the delays between steps, are the life-cycle's (``lifecycle``).
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """Where a dossier is (data dictionary: « Dossier life-cycle »)."""

    PREMIER_CONTACT = "premier_contact"
    EN_EVALUATION = "en_evaluation"
    EN_INSTRUCTION = "en_instruction"
    EN_COMMISSION = "en_commission"
    ACCORDE = "accorde"
    REFUSE = "refuse"
    AJOURNE = "ajourne"
    ABANDONNE = "abandonne"
    CLOS = "clos"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


# One label per status. « À évaluer »: the phone intake is done, the evaluation is awaited (it was
# also called « premier contact »); « En commission »: awaiting the commission's decision (it was
# also called « Décision attendue »).
STATUS_LABELS: dict[Status, str] = {
    Status.PREMIER_CONTACT: "À évaluer",
    Status.EN_EVALUATION: "En évaluation",
    Status.EN_INSTRUCTION: "En instruction",
    Status.EN_COMMISSION: "En commission",
    Status.ACCORDE: "Accordé",
    Status.REFUSE: "Refusé",
    Status.AJOURNE: "Ajourné",
    Status.ABANDONNE: "Abandonné",
    Status.CLOS: "Clos",
}

INITIAL_STATUS = Status.PREMIER_CONTACT
DECISIONS = (Status.ACCORDE, Status.REFUSE, Status.AJOURNE)
TERMINAL = (Status.ABANDONNE, Status.CLOS)
# The person waits on the service in these (the home list flags long waits; statistics count them
# as open).
WAITING = (Status.PREMIER_CONTACT, Status.EN_EVALUATION, Status.EN_INSTRUCTION,
           Status.EN_COMMISSION, Status.AJOURNE)


class AidStatus(StrEnum):
    """What the orientation says of one aid (data dictionary: « Aid ids »)."""

    ELIGIBLE = "eligible"
    TO_CHECK = "to_check"
    NOT_ELIGIBLE = "not_eligible"

    @property
    def label(self) -> str:
        return AID_STATUS_LABELS[self]


AID_STATUS_LABELS: dict[AidStatus, str] = {
    AidStatus.ELIGIBLE: "Éligible",
    AidStatus.TO_CHECK: "À vérifier",
    AidStatus.NOT_ELIGIBLE: "Non éligible",
}


def status_label(status: str) -> str:
    """The label of a stored status; an unknown one (a damaged document) is shown as it is."""
    try:
        return Status(status).label
    except ValueError:
        return str(status)


def aid_status_label(status: str) -> str:
    try:
        return AidStatus(status).label
    except ValueError:
        return str(status)
