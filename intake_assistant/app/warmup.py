"""Loading ahead of need: the questionnaires and the orientation policy, read once (cached) while
the first screen is on show, so that the first interview opens without waiting for them."""

from __future__ import annotations

from intake_assistant.orientation.build import default_policy

from .questionnaires import QUESTIONNAIRE_BY_ROLE, load_questionnaire_by_name


def prewarm() -> None:
    for name in QUESTIONNAIRE_BY_ROLE.values():
        load_questionnaire_by_name(name)
    default_policy()
    from .records_upkeep import prewarm as records_prewarm

    records_prewarm()  # what refreshing a statistics record after a save imports
