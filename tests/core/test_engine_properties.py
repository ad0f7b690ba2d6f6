"""Property: whatever staff do, in any order, replaying the events rebuilds the same interview."""

from __future__ import annotations

from datetime import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake_assistant.core.engine import Interview
from intake_assistant.core.loader import parse_questionnaire

from .conftest import TODAY
from .test_engine import MINI

QUESTIONNAIRE, _ = parse_questionnaire("mini.yaml", text=MINI)

# What a person may type, valid or not, whatever the question.
TYPED = ["Julie", "1", "2", "3", "o", "n", "4", "15", "40", "400", "2 500", "1 200", "", "abc",
         "-3", "0"]

ACTIONS = st.lists(
    st.one_of(
        st.tuples(st.just("answer"), st.sampled_from(TYPED), st.booleans()),
        st.tuples(st.just("unknown"), st.none(), st.none()),
        st.tuples(st.just("back"), st.none(), st.none()),
        st.tuples(st.just("select"), st.integers(0, 12), st.none()),
        st.tuples(st.just("remove"), st.integers(0, 2), st.none()),
        st.tuples(st.just("cancel"), st.none(), st.none()),
    ),
    max_size=40,
)


def clock() -> datetime:
    return datetime(2026, 11, 26, 10, 0).astimezone()


def drive(iv: Interview, actions) -> None:
    for kind, arg, confirm in actions:
        if kind == "answer":
            iv.answer(arg, confirm=bool(confirm))
        elif kind == "unknown":
            iv.mark_unknown()
        elif kind == "back":
            iv.back()
        elif kind == "select":
            entries = iv.transcript()
            if entries:
                iv.select(entries[arg % len(entries)][0].path)
        elif kind == "remove":
            iv.remove_item("enfants", arg)
        else:
            iv.cancel_focus()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ACTIONS)
def test_replay_rebuilds_the_same_state(actions) -> None:
    iv = Interview(QUESTIONNAIRE, today=TODAY, clock=clock)
    drive(iv, actions)
    again = Interview.replay(QUESTIONNAIRE, iv.events, today=TODAY, clock=clock)
    assert again.answers == iv.answers
    assert again.unknown == iv.unknown
    assert again.focus == iv.focus
    current, replayed = iv.current_step(), again.current_step()
    assert (current and current.path) == (replayed and replayed.path)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ACTIONS)
def test_resume_from_saved_state_asks_the_same_question(actions) -> None:
    """What the store keeps (answers, unknown, events) is enough to resume exactly."""
    iv = Interview(QUESTIONNAIRE, today=TODAY, clock=clock)
    drive(iv, actions)
    resumed = Interview(QUESTIONNAIRE, answers=iv.answers, unknown=iv.unknown,
                        history=iv.events, today=TODAY, clock=clock)
    current, again = iv.current_step(), resumed.current_step()
    assert (current and current.path) == (again and again.path)
    assert resumed.answers == iv.answers


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ACTIONS)
def test_stored_answers_always_fit_their_schema(actions) -> None:
    from intake_assistant.core.dossier_schema import validate_dossier

    iv = Interview(QUESTIONNAIRE, today=TODAY, clock=clock)
    drive(iv, actions)
    assert validate_dossier(iv.answers, [QUESTIONNAIRE]) == []
