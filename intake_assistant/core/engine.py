"""The interview engine: which question comes next, and what an answer does to the dossier.

UI-agnostic (the TUI, the headless runner and the tests all drive it the same way).

Every change is an event (answer, unknown, repeat, remove_item, focus) applied by ONE reducer,
``_reduce``, then settled (answers no longer relevant are set aside as defaults). A live intent
validates, records its event and reduces it; a replay (audit) reduces the stored events; a resume
replays the dossier's history and then takes the stored answers as they are (they win where an
earlier questionnaire or an import set them). So the three give the same state, ``dropped``
answers included, and a dropped answer is offered as the default again after a resume.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from intake_assistant.core import french, qtypes
from intake_assistant.core.display import display_plain
from intake_assistant.core.expressions import (
    EvaluationError,
    LazyEnv,
    Missing,
    Template,
    compile_template,
    is_missing,
)
from intake_assistant.core.french import ParseError
from intake_assistant.core.model import Question, Questionnaire, Section
from intake_assistant.core.qtypes import display_value, parse_raw
from intake_assistant.core.validation import validate_value

Computer = Callable[[Mapping[str, Any], frozenset[str]], Mapping[str, Any]]

_REPEAT_PROMPT = re.compile(r"^([a-z][a-z0-9_]*)\[\d+\]$")
_PATH = re.compile(r"^([a-z][a-z0-9_]*)(?:\[(\d+)\]\.([a-z][a-z0-9_]*))?$")


def _without_item(paths: set[str], repeat_id: str, index: int) -> set[str]:
    """Item paths after item ``index`` of ``repeat_id`` is deleted: its own paths go, the
    following items move up by one."""
    out = set()
    for path in paths:
        m = _PATH.match(path)
        if not m or m.group(1) != repeat_id or m.group(2) is None:
            out.add(path)
        elif int(m.group(2)) > index:
            out.add(item_path(repeat_id, int(m.group(2)) - 1, m.group(3)))
        elif int(m.group(2)) < index:
            out.add(path)
    return out


def _in_item(path: str, repeat_id: str, index: int) -> bool:
    m = _PATH.match(path)
    return bool(m and m.group(1) == repeat_id and m.group(2) is not None
                and int(m.group(2)) == index)


def _moved_path(path: str, repeat_id: str, index: int) -> str:
    """Where ``path`` is after item ``index`` of ``repeat_id`` is deleted (itself if unaffected)."""
    m = _PATH.match(path)
    if m and m.group(1) == repeat_id and m.group(2) is not None and int(m.group(2)) > index:
        return item_path(repeat_id, int(m.group(2)) - 1, m.group(3))
    return path


def item_path(repeat_id: str, index: int, child_id: str) -> str:
    return f"{repeat_id}[{index}].{child_id}"


def _read(env: Mapping[str, Any], name: str) -> bool:
    """Whether ``env`` has ``name``, computing it first where it is computed on first use."""
    return name in env or (type(env) is LazyEnv and env.supply(name))


def _copy(out: dict[str, Any], env: Mapping[str, Any], name: str) -> bool:
    out[name] = env[name]
    return True


@dataclass(frozen=True)
class Step:
    """One thing to ask: a question, a repeat item's question, or a repeat's "add one?" prompt."""

    question: Question
    index: int | None = None
    kind: str = "question"  # "question" | "repeat_prompt" | "note"

    @property
    def path(self) -> str:
        if self.kind == "repeat_prompt":
            return f"{self.question.id}[{self.index}]"
        if self.index is not None and self.question.parent is not None:
            return item_path(self.question.parent.id, self.index, self.question.id)
        return self.question.id

    @property
    def input_type(self) -> str:
        return "boolean" if self.kind == "repeat_prompt" else self.question.type

    @property
    def input_hint(self) -> qtypes.InputHint:
        """What the answer line does for this step (single key, digits, example)."""
        if self.kind == "repeat_prompt":
            return qtypes.question_type("boolean").hint(self.question)
        return qtypes.input_hint(self.question)


@dataclass
class AnswerResult:
    status: str  # "accepted" | "rejected" | "warning"
    path: str
    value: Any = None
    messages: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return self.status == "accepted"


@dataclass(frozen=True)
class SectionProgress:
    id: str
    title: str
    answered: int
    relevant: int


class Interview:
    def __init__(
        self,
        questionnaire: Questionnaire,
        *,
        answers: Mapping[str, Any] | None = None,
        unknown: Iterable[str] = (),
        history: Iterable[Mapping[str, Any]] = (),
        computer: Computer | None = None,
        constants: Mapping[str, Any] | None = None,
        today: date | None = None,
        agent: str = "",
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.questionnaire = questionnaire
        self.answers: dict[str, Any] = {}
        self.unknown: set[str] = set()
        # Unknowns marked in *this* questionnaire count as handled; those inherited from another
        # one (a phone intake's « je ne sais pas ») are asked again.
        self.unknown_here: set[str] = set()
        self.events: list[dict[str, Any]] = []
        self.computer = computer
        self.constants = dict(constants or {})
        self.today = today or date.today()
        self.agent = agent
        self.clock = clock or (lambda: datetime.now().astimezone())
        self.dropped: dict[str, Any] = {}
        self.open_repeats: set[str] = set()
        self.focus: str | None = None
        self._pending_events: list[dict[str, Any]] = []
        self._invalidate()
        # Expression failures met while running (a division by zero on these answers…): shown,
        # never a question silently skipped. The loader has refused those that always fail.
        self.expression_errors: list[str] = []
        self._repeat_ids = {q.id for q in questionnaire.questions() if q.type == "repeat"}
        for event in history:  # resume: the same reducer as live use and replay
            self._apply(event)
        if answers is not None or unknown:
            self._take_stored(answers or {}, unknown)
        self._settle()

    def _take_stored(self, answers: Mapping[str, Any], unknown: Iterable[str]) -> None:
        """The stored answers win over the replayed ones (an earlier questionnaire, an import or a
        history of another questionnaire may have set them); what is derived is kept where it
        still applies."""
        self.answers = copy.deepcopy(dict(answers))
        self.unknown = set(unknown)
        self.unknown_here &= self.unknown
        self.dropped = {p: v for p, v in self.dropped.items() if not self._has(p)}
        self._invalidate()

    # ----------------------------------------------------------------- derived state
    # Derived from the state, made again after any change (`_invalidate`).
    _env_cache: dict[str, Any] | None
    _steps_cache: list[Step] | None
    _relevant_cache: tuple[set[str], set[str]] | None

    def _invalidate(self) -> None:
        self._env_cache = None
        self._steps_cache = None
        self._relevant_cache = None

    @property
    def computed(self) -> dict[str, Any]:
        return self.computed_values(self._computed_ids_now())

    def computed_values(self, ids: Iterable[str]) -> dict[str, Any]:
        """The computed values of ``ids`` (those that exist): only these, and what they need,
        are computed (the side panel's fiche reads a few of the policy's seventy)."""
        env = self.env()
        known = self._computed_ids
        return {k: env[k] for k in ids if k in known and _read(env, k)}

    def _computed_ids_now(self) -> set[str]:
        self.env()
        return self._computed_ids

    def known_computed(self) -> dict[str, Any]:
        """Computed values as plain data: an unknown one (Missing) is None."""
        return {k: (None if is_missing(v) else v) for k, v in self.computed.items()}

    def env(self) -> dict[str, Any]:
        """Answers (unknown ones left out), constants and computed values, for expressions.

        The computer's values are computed when an expression first reads one (a `LazyEnv`):
        an answer reads the few its conditions need, not the policy's seventy, and a resume
        replaying a history settles each event at that cost. Each value is the one the
        computer gives for these answers, so the results are those of computing them all."""
        if self._env_cache is not None:
            return self._env_cache
        base: dict[str, Any] = dict(self.constants)
        base.update(
            {k: v for k, v in self.answers.items() if v is not None and k not in self.unknown}
        )
        source: Mapping[str, Any] = {}
        if self.computer is not None:
            source = self.computer(dict(base), frozenset(self.unknown))
        ids = set(source)
        for k in ids:  # a computed value wins over a same-named answer or constant
            base.pop(k, None)

        def supply(name: str) -> bool:
            if name not in ids:
                return False
            env[name] = source[name]
            return True

        env = LazyEnv(base, supply)
        # The questionnaire's own computed values, in dependency order (the linter rejects cycles).
        pending = dict(self.questionnaire.computed)
        while pending:
            ready = [k for k, e in pending.items() if not (e.names & set(pending) - {k})]
            for k in ready or list(pending):
                env[k] = self._safe_eval(pending.pop(k), env)
        self._computed_ids = ids | set(self.questionnaire.computed)
        self._env_cache = env
        return env

    def _env_with(self, extra: Mapping[str, Any]) -> dict[str, Any]:
        """The env with ``extra`` names set over it (a repeat item's answers, ``numero``…),
        still computing a value when it is first read (a plain copy would see it missing)."""
        env = self.env()
        out = LazyEnv(env, lambda name: _read(env, name) and _copy(out, env, name))
        out.update(extra)
        return out

    def _safe_eval(self, expression: Any, env: Mapping[str, Any]) -> Any:
        """The value, or Missing after recording the failure in ``expression_errors``."""
        try:
            return expression.evaluate(env, today=self.today)
        except EvaluationError as exc:
            self._expression_error(exc)
            return Missing(frozenset())

    def _expression_error(self, exc: EvaluationError) -> None:
        message = f"Erreur dans le questionnaire « {self.questionnaire.id} » : {exc}"
        if message not in self.expression_errors:
            self.expression_errors.append(message)

    def _item_env(self, repeat_id: str, index: int) -> dict[str, Any]:
        items = self.answers.get(repeat_id) or []
        extra = {k: v for k, v in items[index].items() if v is not None} \
            if index < len(items) else {}
        extra["numero"] = index + 1
        return self._env_with(extra)

    def _holds(self, expression: Any, env: Mapping[str, Any]) -> bool:
        """A show_if holds only when it is true: a condition on a missing answer hides. A
        condition that fails to evaluate shows the question (and the error): asking one question
        too many is better than skipping one silently."""
        if expression is None:
            return True
        try:
            value = expression.evaluate(env, today=self.today)
        except EvaluationError as exc:
            self._expression_error(exc)
            return True
        return (not is_missing(value)) and bool(value)

    def section_relevant(self, section: Section) -> bool:
        return self._holds(section.show_if, self.env())

    def steps(self) -> Iterator[Step]:
        """Every relevant step in questionnaire order, for the current answers (worked out
        once per state: every change goes through `_invalidate`)."""
        steps = self._steps_cache
        if steps is None:
            steps = self._steps_cache = list(self._walk_steps())
        return iter(steps)

    def _walk_steps(self) -> Iterator[Step]:
        env = self.env()
        for section in self.questionnaire.sections:
            if not self._holds(section.show_if, env):
                continue
            for q in section.questions:
                if not self._holds(q.show_if, env):
                    continue
                if q.type == "note":
                    yield Step(q, kind="note")
                elif q.type == "repeat":
                    yield from self._repeat_steps(q)
                else:
                    yield Step(q)

    def _repeat_steps(self, q: Question) -> Iterator[Step]:
        items = self.answers.get(q.id)
        items = items if isinstance(items, list) else []
        for i in range(len(items)):
            item_env = self._item_env(q.id, i)
            for child in q.questions:
                if self._holds(child.show_if, item_env):
                    yield Step(child, index=i)
        if q.count_from:  # as many items as the count says: no "another one?" prompt
            return
        closed = (
            (q.id in self.answers or q.id in self.unknown_here)
            and q.id not in self.open_repeats
            and self.focus != q.id  # reopened from the transcript: "add one?" is asked again
        )
        if not closed and len(items) < q.max_items:
            yield Step(q, index=len(items), kind="repeat_prompt")

    def is_done(self, step: Step) -> bool:
        if step.kind == "note":
            return True
        if step.kind == "repeat_prompt":
            return False
        return (
            step.path in self.unknown_here
            or self.get(step.path) is not None
            or (not step.question.required and self._has(step.path))
        )

    def current_step(self) -> Step | None:
        """The question to ask now: the one being corrected, else the first one not answered."""
        steps = list(self.steps())
        if self.focus is not None:
            for step in steps:
                if step.path == self.focus or (
                    step.kind == "repeat_prompt" and step.question.id == self.focus
                ):
                    return step
        return next((s for s in steps if not self.is_done(s)), None)

    def step_after(self, step: Step) -> Step | None:
        """The step asked once ``step`` is answered, if that answer changes nothing else: the
        next relevant one not done (a guess the screen prepares while the person answers)."""
        steps = list(self.steps())
        if step not in steps:
            return None
        after = steps[steps.index(step) + 1:]
        return next((s for s in after if not self.is_done(s)), None)

    def notes_before(self, step: Step) -> list[str]:
        """Notes shown just before ``step`` (information read out to the person)."""
        notes: list[str] = []
        for s in self.steps():
            if s == step:
                return notes
            notes = [*notes, self.render(s.question.template(), s)] if s.kind == "note" else []
        return notes

    @property
    def finished(self) -> bool:
        return self.current_step() is None

    # ----------------------------------------------------------------- paths
    def get(self, path: str) -> Any:
        m = _PATH.match(path)
        if not m:
            return None
        rid, index, child = m.groups()
        if index is None:
            return self.answers.get(rid)
        items = self.answers.get(rid)
        if isinstance(items, list) and int(index) < len(items):
            return items[int(index)].get(child)
        return None

    def _has(self, path: str) -> bool:
        m = _PATH.match(path)
        if not m:
            return False
        rid, index, child = m.groups()
        if index is None:
            return rid in self.answers
        items = self.answers.get(rid)
        return isinstance(items, list) and int(index) < len(items) and child in items[int(index)]

    def _set(self, path: str, value: Any) -> None:
        m = _PATH.match(path or "")
        if m is None:
            return  # a malformed path in a stored history: nothing to apply
        rid, index, child = m.groups()
        if index is None:
            self.answers[rid] = value
        else:
            items = self.answers.get(rid)
            if not isinstance(items, list) or int(index) >= len(items):
                return  # an item this questionnaire never opened
            items[int(index)][child] = value
        self.unknown.discard(path)
        self.unknown_here.discard(path)
        self.dropped.pop(path, None)

    def step_for(self, path: str) -> Step | None:
        return next((s for s in self.steps() if s.path == path), None)

    # ----------------------------------------------------------------- texts
    def render(self, template: str | Template, step: Step | None = None,
               env: Mapping[str, Any] | None = None) -> str:
        if env is None:
            env = self.env()
            if step is not None and step.index is not None and step.question.parent is not None:
                env = self._item_env(step.question.parent.id, step.index)
            elif step is not None and step.kind == "repeat_prompt":
                env = self._env_with({"numero": (step.index or 0) + 1})
        compiled = compile_template(template) if isinstance(template, str) else template
        try:
            return compiled.render(env, today=self.today, formatter=display_plain)
        except EvaluationError as exc:
            self._expression_error(exc)
            return compiled.source

    def question_text(self, step: Step) -> str:
        q = step.question
        if step.kind == "repeat_prompt" and step.index and q.add_another_text:
            return self.render(q.template("add_another_text"), step)
        return self.render(q.template(), step)

    def display(self, step: Step) -> str:
        """How an answered step reads in the transcript."""
        if step.path in self.unknown:
            return "Je ne sais pas (à compléter)"
        return display_value(step.question, self.get(step.path))

    def default_for(self, step: Step) -> Any:
        """What Enter on an empty input accepts: the current answer, a kept one, or the default."""
        if step.kind == "repeat_prompt":
            return None
        current = self.get(step.path)
        if current is not None:
            return current
        if step.path in self.dropped:
            return self.dropped[step.path]
        q = step.question
        if q.default_expression is not None:
            value = self._safe_eval(q.default_expression, self.env())
            if not is_missing(value) and value is not None:
                return round(value, 2) if isinstance(value, float) else value
        return q.default

    # ----------------------------------------------------------------- answering
    def answer(self, raw: str, *, path: str | None = None, confirm: bool = False) -> AnswerResult:
        """Parse, validate and record the answer to ``path`` (the current step by default).

        On a rejected answer nothing changes. A soft warning (``warn_if``) is returned for
        confirmation; answering again with ``confirm=True`` records it with the override.
        """
        step = self.current_step() if path is None else self.step_for(path)
        if step is None:
            return AnswerResult("rejected", path or "", messages=["Aucune question en attente."])
        if step.kind == "note":
            return AnswerResult(
                "rejected", step.path, messages=["Cette ligne est une information."]
            )
        if step.kind == "repeat_prompt":
            return self._answer_prompt(step, raw)
        q = step.question
        text = raw.strip()
        if not text:
            default = self.default_for(step)
            if default is not None:
                return self.answer_value(default, path=step.path, confirm=confirm, raw=raw)
            if q.required:
                return AnswerResult("rejected", step.path, messages=[qtypes.empty_message(q)])
            return self._accept(step, None, raw, [])
        try:
            value = parse_raw(q, text, self.today)
        except ParseError as exc:
            return AnswerResult("rejected", step.path, messages=[exc.message])
        return self.answer_value(value, path=step.path, confirm=confirm, raw=raw)

    def answer_value(
        self, value: Any, *, path: str | None = None, confirm: bool = False, raw: str | None = None
    ) -> AnswerResult:
        """Record an already-typed value (imports, defaults), with the same checks as typed text."""
        step = self.current_step() if path is None else self.step_for(path)
        if step is None or step.kind != "question":
            return AnswerResult("rejected", path or "", messages=["Aucune question en attente."])
        q = step.question
        messages = qtypes.value_checks(q, value, self.today)
        messages += [m for m in validate_value(q.schema, value, q.all_messages)
                     if m not in messages]
        env = self._check_env(step, value)
        for check in q.valid_if:
            result = self._safe_eval(check.expression, env)
            if not is_missing(result) and not result:
                messages.append(self.render(check.template or check.message, step))
        if messages:
            return AnswerResult("rejected", step.path, value, messages)
        warnings = []
        for check in q.warn_if:
            result = self._safe_eval(check.expression, env)
            if not is_missing(result) and result:
                warnings.append(self.render(check.template or check.message, env=env))
        if warnings and not confirm:
            return AnswerResult("warning", step.path, value, warnings)
        return self._accept(step, value, raw if raw is not None else value, warnings)

    def _check_env(self, step: Step, value: Any) -> dict[str, Any]:
        if step.index is not None and step.question.parent is not None:
            env = self._item_env(step.question.parent.id, step.index)
        else:
            env = self._env_with({})
        env[step.question.id] = value
        return env

    def _accept(self, step: Step, value: Any, raw: Any, overrides: list[str]) -> AnswerResult:
        old = self.get(step.path)
        event: dict[str, Any] = {"type": "answer", "id": step.path, "raw": raw, "value": value}
        if overrides:
            event["confirmed_warnings"] = overrides
        if old is not None and old != value:
            event["old"] = old
        self._dispatch(event)
        return AnswerResult("accepted", step.path, value)

    def _answer_prompt(self, step: Step, raw: str) -> AnswerResult:
        try:
            more = french.parse_boolean(raw)
        except ParseError as exc:
            return AnswerResult("rejected", step.path, messages=[exc.message])
        self._dispatch({"type": "repeat", "id": step.question.id, "value": more})
        return AnswerResult("accepted", step.path, more)

    def _apply_repeat(self, repeat_id: str, more: bool) -> None:
        items = self.answers.get(repeat_id)
        if not isinstance(items, list):
            items = self.answers[repeat_id] = []
        if self.focus == repeat_id:
            self.focus = None
        self.unknown.discard(repeat_id)
        self.unknown_here.discard(repeat_id)
        if more:
            items.append({})
            self.open_repeats.add(repeat_id)
        else:
            self.open_repeats.discard(repeat_id)
        self._invalidate()

    def remove_item(self, repeat_id: str, index: int) -> bool:
        """Delete one item of a repeat (a child entered by mistake)."""
        items = self.answers.get(repeat_id)
        if not isinstance(items, list) or not 0 <= index < len(items):
            return False
        self._dispatch({"type": "remove_item", "id": repeat_id, "value": index})
        return True

    def _apply_remove(self, repeat_id: str, index: int) -> bool:
        items = self.answers.get(repeat_id)
        if not isinstance(items, list) or not 0 <= index < len(items):
            return False
        del items[index]
        self.unknown = _without_item(self.unknown, repeat_id, index)
        self.unknown_here = _without_item(self.unknown_here, repeat_id, index)
        # A removed item's set-aside answers go with it; the next items' move up with them.
        self.dropped = {
            _moved_path(old, repeat_id, index): value
            for old, value in self.dropped.items()
            if not _in_item(old, repeat_id, index)
        }
        if self.focus and self.focus.startswith(f"{repeat_id}["):
            self.focus = None
        self._invalidate()
        return True

    def mark_unknown(self, path: str | None = None) -> AnswerResult:
        """ "Je ne sais pas / à compléter": the question is left to complete, not answered."""
        step = self.current_step() if path is None else self.step_for(path)
        if step is None or step.kind == "note":
            return AnswerResult("rejected", path or "", messages=["Aucune question en attente."])
        target = step.question.id if step.kind == "repeat_prompt" else step.path
        self._dispatch({"type": "unknown", "id": target})
        return AnswerResult("accepted", target)

    def _apply_unknown(self, target: str, *, here: bool) -> None:
        """Mark ``target`` unknown: a repeat is closed (its items kept), an answer is set aside
        as the default offered if the question is asked again. Shared by live use and replay."""
        if target in self._repeat_ids:
            self._apply_repeat(target, False)
            if not self.answers.get(target):
                self.answers.pop(target, None)
        elif self.get(target) is not None:
            self.dropped[target] = self.get(target)
            self._clear(target)
        self.unknown.add(target)
        if here:
            self.unknown_here.add(target)
        if self.focus == target:
            self.focus = None

    def back(self) -> Step | None:
        """Go back to the answered question before the current one, to correct it."""
        steps = [s for s in self.steps() if s.kind == "question"]
        current = self.current_step()
        end = next(
            (i for i, s in enumerate(steps) if current and s.path == current.path), len(steps)
        )
        previous = [s for s in steps[:end] if self.is_done(s)]
        if not previous:
            return None
        return self.select(previous[-1].path)

    def select(self, path: str) -> Step | None:
        """Reopen an earlier answer for correction; the next accepted answer returns here.

        Selecting a repeat (``enfants`` or its prompt ``enfants[2]``) asks "add one?" again.
        """
        repeat_id = _REPEAT_PROMPT.sub(r"\1", path)
        if repeat_id in {q.id for q in self._closed_repeats()}:
            self._dispatch({"type": "focus", "id": repeat_id})
            return self.current_step()
        step = self.step_for(path)
        if step is None or step.kind != "question":
            return None
        self._dispatch({"type": "focus", "id": path})
        return step

    def cancel_focus(self) -> None:
        if self.focus is not None:
            self._dispatch({"type": "focus", "id": None})

    def _clear(self, path: str) -> None:
        rid, index, child = _PATH.match(path).groups()  # type: ignore[union-attr]
        if index is None:
            self.answers.pop(rid, None)
        else:
            items = self.answers.get(rid) or []
            if int(index) < len(items):
                items[int(index)].pop(child, None)
        self._invalidate()

    def _relevant_questions(self) -> set[str]:
        return self._relevance()[1]

    def _relevance(self) -> tuple[set[str], set[str]]:
        """The ids of the relevant sections, and of the relevant questions in them."""
        if self._relevant_cache is not None:
            return self._relevant_cache
        env = self.env()
        sections: set[str] = set()
        questions: set[str] = set()
        for section in self.questionnaire.sections:  # in order: errors are recorded in order
            if self._holds(section.show_if, env):
                sections.add(section.id)
                questions.update(q.id for q in section.questions if self._holds(q.show_if, env))
        self._relevant_cache = (sections, questions)
        return self._relevant_cache

    def _stale_paths(self) -> list[str]:
        """Answered or unknown paths of this questionnaire that are no longer relevant."""
        own = {q.id for q in self.questionnaire.questions()}
        relevant = self._relevant_questions()
        item_paths = {s.path for s in self.steps() if s.index is not None}
        stale = []
        for path in [*self.answers, *self.unknown]:
            top = path.split("[")[0]
            if top not in own:
                continue
            if top not in relevant or ("[" in path and path not in item_paths):
                stale.append(path)
        for q in self.questionnaire.questions():
            items = self.answers.get(q.id)
            if q.type == "repeat" and q.id in relevant and isinstance(items, list):
                stale += [
                    item_path(q.id, i, child)
                    for i, item in enumerate(items)
                    for child in item
                    if item_path(q.id, i, child) not in item_paths
                ]
        return list(dict.fromkeys(stale))

    def _settle(self) -> None:
        """Recompute, give counted repeats their number of items, then drop answers that are no
        longer relevant (kept as defaults)."""
        self._invalidate()
        for _ in range(10):  # dropping can hide further questions; a few passes settle it
            resized = self._sync_counts()
            stale = self._stale_paths()
            if not stale and not resized:
                return
            for path in stale:
                if self._has(path):
                    self.dropped[path] = self.get(path)
                    self._clear(path)
                self.unknown.discard(path)
                self.unknown_here.discard(path)
                self.open_repeats.discard(path)
            self._invalidate()

    def _count_of(self, q: Question) -> int | None:
        """The number of items a counted repeat has now (None while the count is not known)."""
        value = self.answers.get(q.count_from or "")
        if (q.count_from in self.unknown or isinstance(value, bool)
                or not isinstance(value, int) or value < 0):
            return None
        return min(value, q.max_items)

    def _sync_counts(self) -> bool:
        """Counted repeats (``count_from``) get exactly as many items as their count: new items
        are empty, removed ones set their answers aside (offered again if the count goes back
        up). An unknown count sets the whole list aside. True when something changed."""
        changed = False
        relevant = None
        for q in self.questionnaire.questions():
            if q.type != "repeat" or not q.count_from:
                continue
            relevant = self._relevant_questions() if relevant is None else relevant
            if q.id not in relevant:
                continue
            items = self.answers.get(q.id)
            items = items if isinstance(items, list) else None
            counter = q.count_from or ""
            if (items is not None and counter not in self.answers
                    and counter not in self.unknown):
                # A list stored without its count (a dossier asked « un autre enfant ? » one
                # by one, an import): its length is the count, nothing is set aside.
                self.answers[counter] = len(items)
                changed = True
            wanted = self._count_of(q)
            if wanted is None:
                if items is not None:
                    self._set_aside_items(q.id, items, 0)
                    del self.answers[q.id]
                    changed = True
                continue
            if items is None:
                items = self.answers[q.id] = []
                changed = True
            if len(items) > wanted:
                self._set_aside_items(q.id, items, wanted)
                del items[wanted:]
                changed = True
            while len(items) < wanted:
                items.append({})
                changed = True
            self.unknown.discard(q.id)
            self.unknown_here.discard(q.id)
        if changed:
            self._invalidate()
        return changed

    def _set_aside_items(self, repeat_id: str, items: list[Any], start: int) -> None:
        for index in range(start, len(items)):
            item = items[index]
            for child, value in (item.items() if isinstance(item, dict) else ()):
                path = item_path(repeat_id, index, child)
                if value is not None:
                    self.dropped[path] = value
                self.unknown.discard(path)
                self.unknown_here.discard(path)

    # ----------------------------------------------------------------- the reducer
    def _dispatch(self, event: dict[str, Any]) -> None:
        """A live intent: stamp the event, keep it to be saved, and apply it like a replay."""
        event = {
            "seq": len(self.events) + 1,
            "at": self.clock().isoformat(timespec="seconds"),
            "agent": self.agent,
            "questionnaire": self.questionnaire.id,
            **event,
        }
        self._pending_events.append(event)
        self._apply(event)

    def _apply(self, event: Mapping[str, Any]) -> None:
        """Apply one event, append it to the history and settle: live use, replay and resume."""
        self._reduce(event)
        self.events.append(dict(event))
        self._settle()

    def _reduce(self, event: Mapping[str, Any]) -> None:
        """THE reducer: what one event does to the state (never validates: the live intent did)."""
        kind, path = event.get("type"), event.get("id")
        if kind == "answer" and isinstance(path, str):
            self._set(path, event.get("value"))
            if self.focus == path:
                self.focus = None
        elif kind == "unknown" and isinstance(path, str):
            here = event.get("questionnaire", self.questionnaire.id) == self.questionnaire.id
            self._apply_unknown(path, here=here)
        elif kind == "repeat" and isinstance(path, str):
            self._apply_repeat(path, bool(event.get("value")))
        elif kind == "remove_item" and isinstance(path, str):
            try:
                removed = self._apply_remove(path, int(event.get("value", -1)))
            except (TypeError, ValueError):
                removed = False  # a malformed stored event changes nothing
            counter = self._counter_of(path)
            if removed and counter is not None:  # one child fewer: the count follows
                self.answers[counter] = len(self.answers.get(path) or [])
        elif kind == "focus":
            self.focus = path if isinstance(path, str) else None
        self._invalidate()

    def _counter_of(self, repeat_id: str) -> str | None:
        for q in self.questionnaire.questions():
            if q.id == repeat_id and q.type == "repeat":
                return q.count_from
        return None

    def state(self) -> dict[str, Any]:
        """The whole state, comparable: what replay and resume must rebuild exactly."""
        current = self.current_step()
        return {
            "answers": self.answers, "unknown": self.unknown, "unknown_here": self.unknown_here,
            "dropped": self.dropped, "open_repeats": self.open_repeats, "focus": self.focus,
            "current": current.path if current else None,
        }

    def checkpoint(self) -> dict[str, Any]:
        """A copy of the whole state, to put back with `rollback` when a change cannot be saved."""
        # Events are only ever appended: their count is enough to put them back.
        return {
            **copy.deepcopy({
                "answers": self.answers, "unknown": self.unknown,
                "unknown_here": self.unknown_here, "dropped": self.dropped,
                "open_repeats": self.open_repeats,
            }),
            "focus": self.focus, "events": len(self.events), "pending": len(self._pending_events),
        }

    def rollback(self, state: dict[str, Any]) -> None:
        copied = copy.deepcopy({k: state[k] for k in (
            "answers", "unknown", "unknown_here", "dropped", "open_repeats")})
        self.answers, self.unknown = copied["answers"], copied["unknown"]
        self.unknown_here, self.dropped = copied["unknown_here"], copied["dropped"]
        self.open_repeats, self.focus = copied["open_repeats"], state["focus"]
        del self.events[state["events"]:]
        del self._pending_events[state["pending"]:]
        self._invalidate()

    def take_new_events(self) -> list[dict[str, Any]]:
        """Events recorded since the last call: what the caller must now save."""
        out, self._pending_events = self._pending_events, []
        return out

    def requeue_events(self, events: list[dict[str, Any]]) -> None:
        """Give back events whose save failed, so that the next save writes them."""
        self._pending_events = [*events, *self._pending_events]

    # ----------------------------------------------------------------- replay
    @classmethod
    def replay(
        cls, questionnaire: Questionnaire, events: Iterable[Mapping[str, Any]], **kwargs: Any
    ) -> Interview:
        """Rebuild an interview from its event list alone (audit and resume)."""
        interview = cls(questionnaire, **kwargs)
        for event in events:
            interview.apply_event(event)
        interview.take_new_events()
        return interview

    def apply_event(self, event: Mapping[str, Any]) -> None:
        """Apply a stored event (audit, replay): the same reducer as live use."""
        self._apply(event)

    # ----------------------------------------------------------------- overview
    def progress(self) -> list[SectionProgress]:
        counts: dict[str, list[int]] = {s.id: [0, 0] for s in self.questionnaire.sections}
        for step in self.steps():
            if step.kind != "question":
                continue
            c = counts[step.question.section_id]
            c[1] += 1
            c[0] += self.is_done(step)
        return [
            SectionProgress(s.id, s.title, *counts[s.id])
            for s in self.questionnaire.sections
            if s.id in self._relevance()[0]
        ]

    def left_to_complete(self) -> list[Step]:
        """Relevant required questions not answered yet, and those marked unknown."""
        return [
            s
            for s in self.steps()
            if s.kind == "question"
            and s.question.required
            and (s.path in self.unknown or self.get(s.path) is None)
        ]

    def _closed_repeats(self) -> list[Question]:
        relevant = self._relevant_questions()
        return [
            q
            for q in self.questionnaire.questions()
            if q.type == "repeat"
            and not q.count_from  # counted: the count question stands for it
            and q.id in relevant
            and q.id not in self.open_repeats
            and (isinstance(self.answers.get(q.id), list) or q.id in self.unknown_here)
        ]

    def transcript(self) -> list[tuple[Step, str, str]]:
        """Answered steps in the order they were first answered, like a conversation: what an
        earlier questionnaire established comes first, a correction keeps its place. A closed
        repeat reads as its question answered "non" or "oui (n)"."""
        first_seen: dict[str, int] = {}
        for event in self.events:
            if event.get("type") in ("answer", "unknown", "repeat"):
                first_seen.setdefault(str(event.get("id")), int(event.get("seq") or 0))
        entries = [
            (i, s, self.question_text(s), self.display(s))
            for i, s in enumerate(self.steps())
            if s.kind == "question" and self.is_done(s)
        ]
        order = {q.id: i for i, q in enumerate(self.questionnaire.questions())}
        for q in self._closed_repeats():
            items = self.answers.get(q.id) or []
            if q.id in self.unknown_here:
                shown = "Je ne sais pas (à compléter)"
            else:
                shown = f"oui ({len(items)})" if items else "non"
            step = Step(q, index=len(items), kind="repeat_prompt")
            entries.append((order[q.id], step, self.render(q.template(), step), shown))

        def key(entry: tuple[int, Step, str, str]) -> tuple[bool, int, int]:
            index, step = entry[0], entry[1]
            path = step.question.id if step.kind == "repeat_prompt" else step.path
            return (path in first_seen, first_seen.get(path, 0), index)

        return [(step, text, shown) for _, step, text, shown in sorted(entries, key=key)]
