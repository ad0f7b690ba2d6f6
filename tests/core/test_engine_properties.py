"""Property: whatever staff do, in any order, replaying the events or resuming from what the store
keeps rebuilds the same interview — the WHOLE state (answers, unknowns, answers set aside as
defaults, open repeats, the question being corrected, the question asked)."""

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
    assert again.state() == iv.state()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ACTIONS)
def test_resume_from_saved_state_rebuilds_the_whole_state(actions) -> None:
    """What the store keeps (answers, unknown, events) is enough to resume exactly, dropped
    answers included (they are offered as defaults again)."""
    iv = Interview(QUESTIONNAIRE, today=TODAY, clock=clock)
    drive(iv, actions)
    resumed = Interview(QUESTIONNAIRE, answers=iv.answers, unknown=iv.unknown,
                        history=iv.events, today=TODAY, clock=clock)
    assert resumed.state() == iv.state()
    step = iv.current_step()
    if step is not None:
        assert resumed.default_for(resumed.current_step()) == iv.default_for(step)
    assert resumed.take_new_events() == []


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ACTIONS, ACTIONS)
def test_resume_then_go_on_is_the_same_as_never_stopping(first, then) -> None:
    iv = Interview(QUESTIONNAIRE, today=TODAY, clock=clock)
    drive(iv, first)
    resumed = Interview(QUESTIONNAIRE, answers=iv.answers, unknown=iv.unknown,
                        history=iv.events, today=TODAY, clock=clock)
    drive(iv, then)
    drive(resumed, then)
    assert resumed.state() == iv.state()
    assert resumed.events == iv.events


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ACTIONS)
def test_stored_answers_always_fit_their_schema(actions) -> None:
    from intake_assistant.core.dossier_schema import validate_dossier

    iv = Interview(QUESTIONNAIRE, today=TODAY, clock=clock)
    drive(iv, actions)
    assert validate_dossier(iv.answers, [QUESTIONNAIRE]) == []
