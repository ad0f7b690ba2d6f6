"""Interviews: the engine wired to the orientation policy, and bound to a stored dossier.

Every user intent (answer, « je ne sais pas », reopen an earlier answer, back, remove a repeat item,
finish) is one method here. On a stored interview the method saves durably *inside*, before it
returns: a caller cannot forget the save. When the save fails the engine is put back as it was
before the intent and the French store message is raised as `AnswerNotSaved`: the screen shows
the same question with the text kept, and nothing is shown as accepted that is not on disk.
Answering also comes in two steps (`answer_unsaved`, `mark_unknown_unsaved`: the engine now, the
durable save when the caller says) so that the TUI can paint the next question while the disk
works; the answer counts as given only once that save has returned.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from intake_assistant.core import lifecycle
from intake_assistant.core.engine import AnswerResult, Interview, Step
from intake_assistant.core.expressions import Missing
from intake_assistant.core.model import Questionnaire
from intake_assistant.orientation.build import default_policy
from intake_assistant.orientation.evaluate import Orientation, evaluate
from intake_assistant.orientation.policy import Policy
from intake_assistant.store import (
    DossierLease,
    DossierStore,
    Draft,
    InterruptedInterview,
    StoreError,
)

from . import intake_cache
from .errors import AnswerNotSaved  # defined with the errors the faces import at start
from .records_upkeep import dossier_saved

# The data-protection notice (RGPD art. 13; CNIL référentiel « accompagnement social », 2021-028),
# said to the person at the start of the first interview held with them, whichever it is, and
# recorded as given (who, when) in the dossier's table of that name. A questionnaire may word it
# itself in a note of id NOTICE_NOTE (the phone intake does); this text is used otherwise.
NOTICE_TABLE = "information_rgpd"
NOTICE_NOTE = "info_rgpd"
DATA_PROTECTION_NOTICE = (
    "Avant de commencer : vos réponses sont enregistrées par le CCAS pour étudier votre demande. "
    "Elles sont conservées deux ans après notre dernier contact, et vous pouvez à tout moment les "
    "consulter, les faire corriger ou les faire effacer."
)


def notice_text(questionnaire: Questionnaire) -> str:
    """The data-protection notice as this questionnaire words it (its NOTICE_NOTE), else ours."""
    try:
        note = questionnaire.question(NOTICE_NOTE)
    except KeyError:
        return DATA_PROTECTION_NOTICE
    return note.text if note.type == "note" and note.text else DATA_PROTECTION_NOTICE


def _with_item_gaps(env: Mapping[str, Any], questionnaire: Questionnaire) -> dict[str, Any]:
    """Repeat items with a missing field get an explicit Missing, so that a formula over items
    (``count(enfants, age >= 14)``) never falls back on a same-named answer of the applicant."""
    out = dict(env)
    for q in questionnaire.questions():
        items = out.get(q.id)
        if q.type == "repeat" and isinstance(items, list):
            child_ids = [c.id for c in q.questions]
            out[q.id] = [
                {**{c: Missing({f"{q.id}.{c}"}) for c in child_ids}, **item}
                if isinstance(item, dict)
                else item
                for item in items
            ]
    return out


_ABSENT = object()


class _ComputedOnRead(Mapping[str, Any]):
    """The policy's computed values (`compute`'s), each computed when first read (`gate_env`)."""

    def __init__(self, env: Mapping[str, Any], ids: Mapping[str, Any]) -> None:
        self._env, self._ids = env, ids

    def __getitem__(self, name: str) -> Any:
        if name not in self._ids:
            raise KeyError(name)
        env = self._env
        if name not in env:
            env.supply(name)  # type: ignore[attr-defined]  # gate_env's LazyEnv
        return env[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


def make_interview(
    questionnaire: Questionnaire,
    *,
    policy: Policy | None = None,
    answers: Mapping[str, Any] | None = None,
    unknown: Iterable[str] = (),
    history: Iterable[Mapping[str, Any]] = (),
    today: date | None = None,
    agent: str = "",
) -> Interview:
    """An interview whose computed values and constants come from the orientation policy."""
    from intake_assistant.orientation.compute import compute, gate_env

    chosen = policy or default_policy()
    day = today or date.today()
    constants = chosen.parameter_env()
    # The constants are the parameters in force today; on another day (a test, a date set by
    # hand) they override those of ``day`` in `compute`: then everything is computed at once.
    lazy = constants == chosen.parameter_env(day)

    def computer(env: Mapping[str, Any], unknown_ids: frozenset[str]) -> Mapping[str, Any]:
        answers = _with_item_gaps(env, questionnaire)
        if not lazy:
            return compute(answers, chosen, day, unknown_ids)
        # The constants are left out (the parameters of ``day``: the same values), so that
        # `gate_env` computes each value when the engine first reads it; an answer set over a
        # constant stays (then `gate_env` computes everything, as `compute` does).
        for pid, value in constants.items():
            if answers.get(pid, _ABSENT) is value:
                del answers[pid]
        return _ComputedOnRead(gate_env(answers, chosen, day, unknown_ids), chosen.calculs)

    return Interview(
        questionnaire,
        answers=answers,
        unknown=unknown,
        history=history,
        computer=computer,
        constants=constants,
        today=day,
        agent=agent,
    )


def live_orientation(interview: Interview, policy: Policy | None = None) -> Orientation:
    """The orientation while an interview runs.

    Questions still to be asked count as missing, not as their ``absent`` value: a resource not yet
    asked must not make an aid look eligible (or not) before the person has answered.
    """
    pending = {step.path for step in interview.left_to_complete()}
    return evaluate(
        interview.answers,
        policy or default_policy(),
        interview.today,
        interview.unknown | pending,
    )


@dataclass(frozen=True)
class OrientationInputs:
    """What the live orientation of an interview reads, copied: evaluated on another thread
    (`evaluate_orientation`) while the interview goes on, it cannot see a later answer."""

    answers: dict[str, Any]
    today: date
    missing: frozenset[str]  # unknown, or still to be asked


def orientation_inputs(interview: Interview) -> OrientationInputs:
    """A copy of what `live_orientation` reads (on the thread that owns the interview)."""
    import copy

    pending = {step.path for step in interview.left_to_complete()}
    return OrientationInputs(copy.deepcopy(interview.answers), interview.today,
                             frozenset(interview.unknown | pending))


def evaluate_orientation(inputs: OrientationInputs, policy: Policy | None = None) -> Orientation:
    """`live_orientation` of copied inputs: pure, safe on any thread."""
    return evaluate(inputs.answers, policy or default_policy(), inputs.today, inputs.missing)


@dataclass(frozen=True)
class Finished:
    """What finishing an interview did: the dossier kept (its id) or erased (nothing was said)."""

    dossier_id: str
    erased: bool


class InterviewRun:
    """An interview held in memory only (the headless runner without a store, previews)."""

    def __init__(self, interview: Interview) -> None:
        self.interview = interview

    # -- reading ---------------------------------------------------------------------------------
    def current_step(self) -> Step | None:
        return self.interview.current_step()

    def orientation(self) -> Orientation:
        return live_orientation(self.interview)

    def orientation_inputs(self) -> OrientationInputs:
        return orientation_inputs(self.interview)

    @property
    def expression_errors(self) -> list[str]:
        """Questionnaire expressions that failed on these answers (French, to show: a question
        is never skipped silently because its condition failed)."""
        return list(self.interview.expression_errors)

    # -- intents (each saved by `_commit` on a stored interview) --------------------------------
    def answer(self, raw: str, *, confirm: bool = False) -> AnswerResult:
        return self._commit(lambda it: it.answer(raw, confirm=confirm))

    def answer_value(
        self, value: Any, *, confirm: bool = False, raw: str | None = None
    ) -> AnswerResult:
        return self._commit(lambda it: it.answer_value(value, confirm=confirm, raw=raw))

    def mark_unknown(self) -> AnswerResult:
        return self._commit(lambda it: it.mark_unknown())

    def select(self, path: str) -> Step | None:
        return self._commit(lambda it: it.select(path))

    def back(self) -> Step | None:
        return self._commit(lambda it: it.back())

    def cancel_focus(self) -> None:
        self._commit(lambda it: it.cancel_focus())

    def remove_item(self, repeat_id: str, index: int) -> bool:
        return self._commit(lambda it: it.remove_item(repeat_id, index))

    def _commit(self, intent: Any) -> Any:
        return intent(self.interview)


class InterviewSession(InterviewRun):
    """An interview bound to a stored dossier: each intent is durably saved before it returns,
    and the dossier stays leased to this process until `finish` or `close`."""

    def __init__(
        self,
        store: DossierStore,
        dossier_id: str,
        interview: Interview,
        lease: DossierLease,
        *,
        rev: int,
        created: bool = False,
    ) -> None:
        super().__init__(interview)
        self.store = store
        self.dossier_id = dossier_id
        self.lease = lease
        self.rev = rev  # the revision this interview was built from / last saved
        self.created = created  # a dossier this session made (erased if nothing is said)
        self.draft: Draft | None = None  # text typed but not sent when it was last left
        self.notice_given = True  # whether the data-protection notice was given on this dossier
        self.notice = notice_text(interview.questionnaire)

    @classmethod
    def start(
        cls,
        questionnaire: Questionnaire,
        *,
        store: DossierStore,
        dossier_id: str | None = None,
        agent: str = "",
        today: date | None = None,
        policy: Policy | None = None,
    ) -> InterviewSession:
        """Open (or create) the dossier: the lease is taken *before* the dossier is read, so no
        other agent's saved answers can be overwritten by a copy read too early."""
        chosen = policy or default_policy()  # a broken policy must not leave an empty dossier
        created = dossier_id is None
        if dossier_id is None:
            dossier_id = store.create_dossier(agent=agent, questionnaire=questionnaire.id)["id"]
        lease = store.session(dossier_id, agent=agent)
        try:
            doc = store.load(dossier_id)
            if (questionnaire.audience == "travailleur_social"
                    and doc["status"] == lifecycle.INITIAL_STATUS):
                # The social worker takes over a phone intake: the evaluation starts.
                doc = store.set_status(dossier_id, lifecycle.Status.EN_EVALUATION, agent=agent,
                                       expected_rev=doc["rev"])
                from .casework import take_over_at_evaluation  # becomes the referent

                doc = take_over_at_evaluation(store, doc)
                dossier_saved(store, dossier_id)  # its statistics record, off this path
            # Marked in progress with the dossier: a killed app offers to resume it.
            store.begin_interview(dossier_id, questionnaire.id, token=lease.token)
            interview = make_interview(
                questionnaire,
                policy=chosen,
                answers=doc.get("answers"),
                unknown=doc.get("unknown", ()),
                history=doc.get("events", ()),
                today=today,
                agent=agent,
            )
        except BaseException:
            lease.close()
            raise
        session = cls(store, dossier_id, interview, lease, rev=int(doc.get("rev") or 0),
                      created=created)
        session.draft = doc.get("draft")
        session.notice_given = bool((doc.get("tables") or {}).get(NOTICE_TABLE))
        return session

    def _commit(self, intent: Any) -> Any:
        result, save = self._stage(intent)
        save()
        return result

    def answer_unsaved(
        self, raw: str, *, confirm: bool = False
    ) -> tuple[AnswerResult, Callable[[], None]]:
        """`answer` in two steps, for a face that paints the next question before the disk has
        answered: the engine takes the answer now, and the returned ``save()`` makes it durable
        (or rolls the engine back and raises `AnswerNotSaved`). Until ``save()`` has returned
        the change is not acknowledged, and no other intent may be applied (refused)."""
        return self._stage(lambda it: it.answer(raw, confirm=confirm))

    def mark_unknown_unsaved(self) -> tuple[AnswerResult, Callable[[], None]]:
        """`mark_unknown` in two steps (see `answer_unsaved`)."""
        return self._stage(lambda it: it.mark_unknown())

    @property
    def unsaved(self) -> bool:
        """Whether a change was applied whose ``save()`` has not returned yet."""
        return self._unsaved

    _unsaved = False

    def _stage(self, intent: Any) -> tuple[Any, Callable[[], None]]:
        if self._unsaved:
            raise RuntimeError("the previous change is not saved yet")
        before = self.interview.checkpoint()
        result = intent(self.interview)
        self._unsaved = True
        done = False

        def save() -> None:
            nonlocal done
            if done:
                return
            done = True
            try:
                self._save(before)
            finally:
                self._unsaved = False

        return result, save

    def _save(self, before: Any) -> None:
        events = self.interview.take_new_events()
        if events:
            try:
                doc = self.store.save_answers(
                    self.dossier_id,
                    answers=self.interview.answers,
                    unknown=sorted(self.interview.unknown),
                    events=events,
                    agent=self.interview.agent,
                    questionnaire=self.interview.questionnaire.id,
                    expected_rev=self.rev,
                )
            except (StoreError, OSError) as exc:
                self.interview.rollback(before)
                message = getattr(exc, "message", None) or str(exc)
                raise AnswerNotSaved(message) from exc
            self.rev = int(doc.get("rev") or self.rev + 1)
            dossier_saved(self.store, self.dossier_id)  # its statistics record, off this path

    def add_note(self, text: str) -> None:
        """A free note written during the interview (F4)."""
        doc = self.store.add_note(self.dossier_id, text, agent=self.interview.agent,
                                  expected_rev=self.rev)
        self.rev = int(doc.get("rev") or self.rev)
        dossier_saved(self.store, self.dossier_id)

    def record_notice_given(self) -> None:
        """The agent gave the person the data-protection notice (shown at the start of the first
        interview): recorded with the dossier, by whom and when (the store stamps the row)."""
        if self.notice_given:
            return
        doc = self.store.append_rows(
            self.dossier_id, NOTICE_TABLE,
            [{"questionnaire": self.interview.questionnaire.id, "texte": self.notice}],
            agent=self.interview.agent, expected_rev=self.rev,
        )
        self.rev = int(doc.get("rev") or self.rev)
        self.notice_given = True
        dossier_saved(self.store, self.dossier_id)

    def save_draft(self, path: str, text: str) -> None:
        """Keep the text typed for a question but not sent yet, with the dossier (given back on
        resume after a crash; erased with the dossier). An empty text clears it."""
        draft: Draft | None = {"path": path, "text": text} if text else None
        self.store.save_draft(self.dossier_id, draft, token=self.lease.token)

    def finish(self) -> Finished:
        """Release the dossier; one this session created and where nothing was said is erased
        (an interview opened by mistake leaves no empty dossier behind)."""
        empty = self.created and not self.interview.events
        if empty:
            # Erased while still leased, so no other session opens it in between, and without
            # first clearing its interview marker: a durable write of a file about to go.
            try:
                self.store.forget(self.dossier_id)
            except StoreError:
                pass  # kept, as any dossier: closed below, its marker cleared
            else:
                self.close()
                intake_cache.drop(self.store, [self.dossier_id])  # a list may have told it
                return Finished(self.dossier_id, erased=True)
        try:
            self.store.end_interview(self.dossier_id, token=self.lease.token)
        except StoreError:
            pass  # the lease was lost meanwhile: the marker stays, the interview is offered again
        self.close()
        if not empty:  # an empty dossier kept (erasure refused) has no record to keep current
            dossier_saved(self.store, self.dossier_id)
        return Finished(self.dossier_id, erased=False)

    def close(self) -> None:
        self.lease.close()

    def __enter__(self) -> InterviewSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def interrupted_interviews(store: DossierStore, agent: str) -> list[InterruptedInterview]:
    """The interviews `agent` left open (the app or the terminal was killed, or quit before the
    end) that no live session holds: kept with each dossier, so two windows of one user each find
    their own, and a forgotten dossier leaves none. Oldest first."""
    return list(store.interrupted_interviews(agent)) if agent else []


def start_interview(
    store: DossierStore,
    *,
    questionnaire: str | None,
    dossier_id: str | None,
    agent: str,
    role: str | None,
    today: date | None = None,
) -> InterviewSession:
    """Open an interview: a new dossier with ``questionnaire`` (the role's by default), or an
    existing dossier continued with ``questionnaire`` (by default the last one it used)."""
    from .questionnaires import load_questionnaire_by_name, questionnaire_for_role

    name = questionnaire
    if name is None and dossier_id is not None:
        done = store.load(dossier_id).get("questionnaires") or []
        name = done[-1] if done else None
    chosen = load_questionnaire_by_name(name or questionnaire_for_role(role))
    return InterviewSession.start(chosen, store=store, dossier_id=dossier_id, agent=agent,
                                  today=today)
