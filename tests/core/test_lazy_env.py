"""The engine's env computes the policy's values when an expression first reads them, and works
out the relevant steps once per state; the results are those of computing everything at once."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

import pytest

from intake_assistant.app.interviews import InterviewRun, _with_item_gaps, make_interview
from intake_assistant.app.questionnaires import load_questionnaire_by_name
from intake_assistant.cli.headless import play
from intake_assistant.core.engine import Interview
from intake_assistant.core.loader import parse_questionnaire
from intake_assistant.orientation.build import default_policy
from intake_assistant.orientation.compute import compute

from .conftest import personas, typed_the_french_way

LAZY = """
id: lazy
title: Lazy
audience: accueil
version: 1
sections:
  - id: s
    title: S
    questions:
      - id: loyer
        text: Loyer ?
        type: money
      - id: aide
        text: Aide ?
        show_if: grand > 0
      - id: fin
        text: Fin ?
"""


class Counting(Mapping[str, Any]):
    """Computed values that say which were read."""

    def __init__(self, env: Mapping[str, Any], read: list[str]) -> None:
        self.env, self.read = env, read

    def __getitem__(self, name: str) -> Any:
        self.read.append(name)
        return {"grand": self.env.get("loyer", 0) * 2, "petit": 1, "autre": 2}[name]

    def __iter__(self) -> Iterator[str]:
        return iter(("grand", "petit", "autre"))

    def __len__(self) -> int:
        return 3


def test_only_the_values_an_expression_reads_are_computed() -> None:
    questionnaire, _ = parse_questionnaire("lazy.yaml", text=LAZY)
    read: list[str] = []
    interview = Interview(questionnaire, computer=lambda env, _: Counting(env, read))
    assert interview.answer("400").accepted
    assert interview.current_step().path == "aide"  # type: ignore[union-attr]
    assert set(read) == {"grand"}  # the condition's value only, not « petit » nor « autre »
    assert interview.computed_values(["petit"]) == {"petit": 1}
    assert "autre" not in read
    assert interview.computed == {"grand": 800, "petit": 1, "autre": 2}


def test_the_steps_are_worked_out_once_per_state(monkeypatch) -> None:
    questionnaire, _ = parse_questionnaire("lazy.yaml", text=LAZY)
    interview = Interview(questionnaire, computer=lambda env, _: Counting(env, []))
    interview.answer("400")
    calls: list[Any] = []
    holds = Interview._holds
    monkeypatch.setattr(Interview, "_holds",
                        lambda self, e, env: calls.append(e) or holds(self, e, env))
    interview.current_step()
    interview.progress()
    interview.left_to_complete()
    assert calls == []  # the state did not change: no condition evaluated again
    interview.answer("o")
    assert calls  # a change: worked out again
    assert interview.current_step().path == "fin"  # type: ignore[union-attr]


def _eager(questionnaire: Any, day: date, **kwargs: Any) -> Interview:
    """The interview as it was built before values were computed on read: all at once."""
    policy = default_policy()

    def computer(env: Mapping[str, Any], unknown: frozenset[str]) -> Mapping[str, Any]:
        return compute(_with_item_gaps(env, questionnaire), policy, day, unknown)

    return Interview(questionnaire, computer=computer, constants=policy.parameter_env(),
                     today=day, **kwargs)


PERSONAS = personas()


@pytest.mark.parametrize("persona", PERSONAS, ids=[p["id"] for p in PERSONAS])
@pytest.mark.parametrize("name", ["accueil_telephonique", "evaluation"])
def test_the_same_interview_as_computing_everything(persona, name) -> None:
    questionnaire = load_questionnaire_by_name(name)
    day = date.today()  # the constants are today's parameters: values computed on read
    answers = typed_the_french_way(persona["answers"])
    lazy = make_interview(questionnaire, today=day)
    eager = _eager(questionnaire, day)
    assert play(InterviewRun(lazy), answers)[0] == play(InterviewRun(eager), answers)[0]
    assert lazy.state() == eager.state()
    assert lazy.computed == eager.computed
    assert lazy.expression_errors == eager.expression_errors
    assert lazy.transcript() == eager.transcript()
    # A resume replays the history (each event settled with values computed on read).
    resumed = make_interview(questionnaire, answers=lazy.answers, unknown=lazy.unknown,
                             history=lazy.events, today=day)
    resumed_eager = _eager(questionnaire, day, answers=eager.answers, unknown=eager.unknown,
                           history=eager.events)
    assert resumed.state() == resumed_eager.state() == lazy.state()
    assert resumed.computed == resumed_eager.computed
