"""The headless runner: play a questionnaire from a file of typed answers, as a person would.

Used for scripting, imports and tests. Each value of the file is typed into the engine (texts as
typed, other values as they are); a rejected answer stops the run with exit code 1, naming the
question and the French message. A question the file does not answer is accepted with its default
when it has one, else marked « à compléter ».
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from intake_assistant.app.interviews import AnswerResult, InterviewRun
from intake_assistant.app.stores import StoreError
from intake_assistant.cli.common import EXIT_OK, EXIT_REFUSED

if TYPE_CHECKING:
    from intake_assistant.core.engine import Interview, Step
    from intake_assistant.core.model import Questionnaire

_NOT_GIVEN = object()


def _given(answers: dict[str, Any], step: Step, questionnaire: Questionnaire) -> Any:
    q = step.question
    if step.kind == "repeat_prompt":
        items = answers.get(q.id, _NOT_GIVEN)
        if items is _NOT_GIVEN:
            return _NOT_GIVEN
        if isinstance(items, list):
            return "oui" if (step.index or 0) < len(items) else "non"
        return items  # e.g. "non" typed for "no child"
    if q.parent is not None:
        items = answers.get(q.parent.id)
        if isinstance(items, list) and step.index is not None and step.index < len(items):
            return (
                items[step.index].get(q.id, _NOT_GIVEN)
                if isinstance(items[step.index], dict)
                else _NOT_GIVEN
            )
        return _NOT_GIVEN
    given = answers.get(q.id, _NOT_GIVEN)
    if given is _NOT_GIVEN:  # a count the file gives as its list: « enfants: [{age: 6}] »
        counted = next((r for r in questionnaire.questions()
                        if r.type == "repeat" and r.count_from == q.id), None)
        if counted is not None and isinstance(answers.get(counted.id), list):
            return len(answers[counted.id])
    return given


def play(
    run: InterviewRun,
    answers: dict[str, Any],
    out: TextIO | None = None,
) -> tuple[bool, list[str]]:
    """Answer every question from ``answers`` through the run's intents (a stored run saves each
    accepted answer before the next question); returns (success, transcript lines)."""
    interview = run.interview
    lines: list[str] = []

    def say(text: str) -> None:
        lines.append(text)
        if out is not None:
            print(text, file=out)

    for _ in range(5000):  # a hard bound: a questionnaire never needs that many steps
        step = interview.current_step()
        if step is None:
            return True, lines
        for note in interview.notes_before(step):
            say(f"  ℹ {note}")
        say(f"? {interview.question_text(step)}")
        value = _given(answers, step, interview.questionnaire)
        if value is _NOT_GIVEN:
            if step.kind != "repeat_prompt" and interview.default_for(step) is not None:
                result = run.answer("")
            elif step.kind == "question" and not step.question.required:
                result = run.answer("")
            else:
                run.mark_unknown()
                say("> (non fourni : à compléter)")
                continue
        elif isinstance(value, str):
            result = run.answer(value)
        else:
            result = _typed(run, step, value)
        if result.status == "warning":
            for m in result.messages:
                say(f"  ⚠ {m} — confirmé")
            result = _confirm(run, step, value)
        if not result.accepted:
            for m in result.messages:
                say(f"  ✗ {m}")
            say(f"Réponse refusée à la question « {step.path} » : {' '.join(result.messages)}")
            return False, lines
        shown_step = interview.step_for(step.path) if step.kind == "question" else None
        shown = (
            interview.display(shown_step) if shown_step is not None
            else ("oui" if result.value else "non")
        )
        say(f"> {shown}")
    say("Arrêt : le questionnaire ne se termine pas (une réponse est sans cesse redemandée).")
    return False, lines


def _typed(run: InterviewRun, step: Step, value: Any) -> AnswerResult:
    if step.kind == "repeat_prompt":
        return run.answer("oui" if value else "non")
    from intake_assistant.core.french import ParseError
    from intake_assistant.core.qtypes import coerce_value

    try:
        value = coerce_value(step.question, value, run.interview.today)
    except ParseError as exc:
        return AnswerResult("rejected", step.path, value, [exc.message])
    return run.answer_value(value, raw=None)


def _confirm(run: InterviewRun, step: Step, value: Any) -> AnswerResult:
    if isinstance(value, str):
        return run.answer(value, confirm=True)
    if value is _NOT_GIVEN:
        return run.answer("", confirm=True)
    from intake_assistant.core.qtypes import coerce_value

    return run.answer_value(coerce_value(step.question, value, run.interview.today),
                            confirm=True)


def _known_ids(questionnaire: Questionnaire) -> set[str]:
    from intake_assistant.core.fields import load_fields

    return {q.id for q in questionnaire.questions()} | set(load_fields())


def _item_key_errors(questionnaire: Questionnaire, answers: dict[str, Any]) -> list[str]:
    """Unknown keys inside the items of a repeat (« agee » for « age »)."""
    from intake_assistant.core.answerfile import unknown_keys

    lines = []
    for q in questionnaire.questions():
        items = answers.get(q.id)
        if q.type != "repeat" or not isinstance(items, list):
            continue
        children = {c.id for c in q.questions}
        for i, item in enumerate(items, start=1):
            if isinstance(item, dict):
                lines += [f"{q.id}, élément {i} : {line}" for line in unknown_keys(item, children)]
    return lines


def run_headless(args: argparse.Namespace) -> int:
    from intake_assistant.app.interviews import InterviewSession, make_interview
    from intake_assistant.app.questionnaires import load_questionnaire_by_name
    from intake_assistant.core.answerfile import read_answer_file, unknown_keys
    from intake_assistant.core.dossier_schema import validate_dossier

    today = args.date or date.today()
    try:
        questionnaire = load_questionnaire_by_name(args.questionnaire)
        answers, _unknown = read_answer_file(args.answers)
    except (OSError, ValueError) as exc:
        print(f"Erreur : {getattr(exc, 'message', exc)}", file=sys.stderr)
        return EXIT_REFUSED
    key_errors = unknown_keys(answers, _known_ids(questionnaire))
    key_errors += _item_key_errors(questionnaire, answers)
    if key_errors:
        for line in key_errors:
            print(f"Erreur : {args.answers} : {line}", file=sys.stderr)
        return EXIT_REFUSED
    out = None if args.quiet else sys.stdout
    session = None
    run: InterviewRun
    if args.db:
        from intake_assistant.app.stores import open_store

        try:
            session = InterviewSession.start(
                questionnaire, store=open_store(args.db), dossier_id=args.dossier,
                agent=args.agent, today=today,
            )
        except (StoreError, ValueError) as exc:  # locked, unknown id, unreadable, bad policy
            print(f"Erreur : {getattr(exc, 'message', None) or exc}", file=sys.stderr)
            return EXIT_REFUSED
        run = session
    else:
        try:
            run = InterviewRun(make_interview(questionnaire, today=today, agent=args.agent))
        except ValueError as exc:  # the policy files have errors (file:line listed)
            print(f"Erreur : {exc}", file=sys.stderr)
            return EXIT_REFUSED
    interview = run.interview
    try:
        ok, _lines = play(run, answers, out=out)
    except StoreError as exc:  # an answer could not be saved: what was saved is kept
        print(f"Erreur : {getattr(exc, 'message', None) or exc}", file=sys.stderr)
        return EXIT_REFUSED
    finally:
        if session is not None:
            session.close()  # release the lease: the dossier can be opened elsewhere again
    dossier = dossier_json(interview)
    if session is not None:
        dossier["id"] = session.dossier_id
        print(f"Dossier enregistré : {session.dossier_id}", file=sys.stderr)
    if args.output:
        Path(args.output).write_text(
            json.dumps(dossier, ensure_ascii=False, indent=2, allow_nan=False), encoding="utf-8"
        )
    for message in interview.expression_errors:  # visible, never a silent skip
        print(f"Erreur : {message}", file=sys.stderr)
    if not ok:
        print(_lines[-1], file=sys.stderr)
        return EXIT_REFUSED
    # Each answer was checked on its own; the whole dossier is checked too (answers carried over
    # from another questionnaire or an import must also fit every question's schema).
    errors = validate_dossier(interview.answers, [questionnaire])
    for where, message in errors:
        print(f"Dossier invalide : « {where} » : {message}", file=sys.stderr)
    if errors or interview.expression_errors:
        return EXIT_REFUSED
    left = [s.path for s in interview.left_to_complete()]
    if left and not args.quiet:
        print(f"À compléter : {', '.join(left)}")
    return EXIT_OK


def dossier_json(interview: Interview) -> dict[str, Any]:
    return {
        "questionnaire": interview.questionnaire.id,
        "answers": interview.answers,
        "unknown": sorted(interview.unknown),
        "computed": interview.known_computed(),
        "left_to_complete": [s.path for s in interview.left_to_complete()],
        "events": interview.events,
    }
