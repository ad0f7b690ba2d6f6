"""Repeats by count: « Combien d'enfants ? » then each age, without « Un autre enfant ? »."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake_assistant.core.engine import Interview
from intake_assistant.core.linter import LintContext, lint_questionnaire
from intake_assistant.core.loader import parse_questionnaire

from .conftest import TODAY

COUNTED = """
id: compte
title: Enfants comptés
audience: accueil
version: 1
sections:
  - id: foyer
    title: Foyer
    questions:
      - id: prenom
        text: Prénom ?
      - id: nb_enfants
        type: integer
        text: Combien d'enfants avez-vous à charge ?
        schema: {minimum: 0, maximum: 6}
      - id: enfants
        type: repeat
        count_from: nb_enfants
        text: Vos enfants
        questions:
          - id: age
            text: "Quel âge a l'enfant n° {numero} ?"
      - id: logement
        text: Logement ?
"""
QUESTIONNAIRE, _ = parse_questionnaire("compte.yaml", text=COUNTED)


def clock() -> datetime:
    return datetime(2026, 11, 26, 10, 0).astimezone()


def new(**kw) -> Interview:
    return Interview(QUESTIONNAIRE, today=TODAY, clock=clock, **kw)


def paths(iv: Interview) -> list[str]:
    return [s.path for s in iv.steps()]


def test_the_count_asks_each_item_without_another_one_prompt() -> None:
    iv = new()
    for typed in ("Julie", "2", "4", "15", "1"):
        assert iv.answer(typed).accepted, (iv.current_step(), typed)
    assert iv.finished
    assert iv.answers["enfants"] == [{"age": 4}, {"age": 15}]
    assert paths(iv) == ["prenom", "nb_enfants", "enfants[0].age", "enfants[1].age", "logement"]
    texts = [text for _, text, _ in iv.transcript()]
    assert "Quel âge a l'enfant n° 2 ?" in texts and not any("autre" in t for t in texts)


def test_no_child_means_an_empty_list_and_no_question() -> None:
    iv = new()
    for typed in ("Julie", "0"):
        assert iv.answer(typed).accepted
    assert iv.answers["enfants"] == [] and iv.current_step().path == "logement"


def test_lowering_the_count_sets_the_last_items_aside_and_raising_it_offers_them_again() -> None:
    iv = new()
    for typed in ("Julie", "2", "4", "15", "1"):
        iv.answer(typed)
    assert iv.answer("1", path="nb_enfants").accepted
    assert iv.answers["enfants"] == [{"age": 4}] and iv.dropped == {"enfants[1].age": 15}
    assert iv.answer("2", path="nb_enfants").accepted
    step = iv.current_step()
    assert step.path == "enfants[1].age" and iv.default_for(step) == 15


def test_an_unknown_count_sets_the_items_aside() -> None:
    iv = new()
    for typed in ("Julie", "1", "4", "1"):
        iv.answer(typed)
    iv.select("nb_enfants")
    iv.mark_unknown()
    assert "enfants" not in iv.answers and iv.dropped["enfants[0].age"] == 4
    assert iv.finished  # nothing to ask until the count is known


def test_removing_a_counted_item_lowers_the_count() -> None:
    iv = new()
    for typed in ("Julie", "3", "4", "9", "15"):
        iv.answer(typed)
    assert iv.remove_item("enfants", 0)
    assert iv.answers["nb_enfants"] == 2 and iv.answers["enfants"] == [{"age": 9}, {"age": 15}]


def test_the_count_is_bounded_by_the_repeat() -> None:
    iv = new()
    iv.answer("Julie")
    refused = iv.answer("7")
    assert not refused.accepted and "6" in refused.messages[0]


ACTIONS = st.lists(
    st.one_of(
        st.tuples(st.just("answer"), st.sampled_from(["Julie", "0", "1", "2", "3", "4", "15",
                                                      "", "abc", "-1", "1"]), st.none()),
        st.tuples(st.just("unknown"), st.none(), st.none()),
        st.tuples(st.just("back"), st.none(), st.none()),
        st.tuples(st.just("select"), st.integers(0, 8), st.none()),
        st.tuples(st.just("remove"), st.integers(0, 2), st.none()),
        st.tuples(st.just("cancel"), st.none(), st.none()),
    ),
    max_size=30,
)


def drive(iv: Interview, actions) -> None:
    for kind, arg, _ in actions:
        if kind == "answer":
            iv.answer(arg)
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
def test_replay_and_resume_rebuild_the_whole_state(actions) -> None:
    from intake_assistant.core.dossier_schema import validate_dossier

    iv = new()
    drive(iv, actions)
    replayed = Interview.replay(QUESTIONNAIRE, iv.events, today=TODAY, clock=clock)
    resumed = new(answers=iv.answers, unknown=iv.unknown, history=iv.events)
    assert replayed.state() == iv.state() == resumed.state()
    items = iv.answers.get("enfants")
    if items is not None and "nb_enfants" not in iv.unknown:
        assert len(items) == iv.answers.get("nb_enfants")
    assert validate_dossier(iv.answers, [QUESTIONNAIRE]) == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("count_from: nb_enfants", "count_from: nb_enfant"), "n'est pas une question"),
        (("type: integer\n        text: Combien", "type: text\n        text: Combien"),
         "n'est pas une question de type integer"),
        (("schema: {minimum: 0, maximum: 6}", "schema: {minimum: 0}"), "maximum"),
    ],
)
def test_count_from_is_checked(tmp_path, change, message) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(COUNTED.replace(*change))
    findings = lint_questionnaire(path, LintContext())
    assert any(f.code == "E-REPEAT" and message in f.message for f in findings), findings


def test_count_from_must_come_first(tmp_path) -> None:
    later = COUNTED.replace("""      - id: nb_enfants
        type: integer
        text: Combien d'enfants avez-vous à charge ?
        schema: {minimum: 0, maximum: 6}
""", "").replace("""      - id: logement
        text: Logement ?
""", """      - id: logement
        text: Logement ?
      - id: nb_enfants
        type: integer
        text: Combien d'enfants avez-vous à charge ?
        schema: {minimum: 0, maximum: 6}
""")
    path = tmp_path / "q.yaml"
    path.write_text(later)
    assert any(f.code == "E-REPEAT" and "après" in f.message
               for f in lint_questionnaire(path, LintContext()))


def test_count_from_is_only_for_repeats(tmp_path) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(COUNTED.replace("      - id: logement\n        text: Logement ?\n",
                                    "      - id: logement\n        text: Logement ?\n"
                                    "        count_from: nb_enfants\n"))
    assert any(f.code == "E-TYPE" and "count_from" in f.message
               for f in lint_questionnaire(path, LintContext()))


def test_headless_counts_the_list_it_is_given(tmp_path, capsys) -> None:
    import json

    from intake_assistant.cli import main

    q = tmp_path / "compte.yaml"
    q.write_text(COUNTED)
    answers = tmp_path / "a.json"
    answers.write_text(json.dumps({"prenom": "Julie", "enfants": [{"age": "6"}, {"age": 9}],
                                   "logement": "3"}))
    out = tmp_path / "d.json"
    assert main(["interview", str(q), "--answers", str(answers), "--output", str(out),
                 "--quiet"]) == 0, capsys.readouterr()
    dossier = json.loads(out.read_text())
    assert dossier["answers"]["nb_enfants"] == 2
    assert dossier["answers"]["enfants"] == [{"age": 6}, {"age": 9}]
