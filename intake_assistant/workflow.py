"""Application services shared by the CLI and the TUI: questionnaires by name, interviews wired to
the orientation policy, and interviews bound to a stored dossier (autosave after every answer).

This is the only place where the engine, the orientation and the store meet; it never imports
Textual.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from intake_assistant.core.datadir import data_dir
from intake_assistant.core.engine import Interview
from intake_assistant.core.expressions import Missing
from intake_assistant.core.findings import FindingsError
from intake_assistant.core.loader import load_questionnaire
from intake_assistant.core.model import Questionnaire
from intake_assistant.core.yamlsource import YamlSyntaxError, load_file

QUESTIONNAIRE_BY_AUDIENCE = {"accueil": "accueil_telephonique", "travailleur_social": "evaluation"}


def questionnaire_path(name: str) -> Path:
    """A questionnaire id (``evaluation``) or a path to a YAML file."""
    candidate = Path(name)
    if candidate.suffix in (".yaml", ".yml") or candidate.exists():
        return candidate
    return data_dir() / f"{name}.yaml"


@lru_cache(maxsize=16)
def _load_cached(path: str, mtime: float) -> Questionnaire:
    return load_questionnaire(path)


def load_questionnaire_by_name(name: str) -> Questionnaire:
    path = questionnaire_path(name)
    if not path.exists():
        raise FileNotFoundError(f"questionnaire introuvable : {name} ({path})")
    return _load_cached(str(path), path.stat().st_mtime)


def questionnaire_title(questionnaire_id: str) -> str:
    """The French title of a questionnaire id, or the id when the file is gone."""
    try:
        return load_questionnaire_by_name(questionnaire_id).title
    except (OSError, FindingsError):
        return questionnaire_id


def available_questionnaires() -> list[Questionnaire]:
    out = []
    for path in sorted(data_dir().glob("*.yaml")):
        if path.name in ("champs.yaml", "calculs.yaml", "parametres.yaml", "aides.yaml"):
            continue
        out.append(load_questionnaire_by_name(str(path)))
    return out


@lru_cache(maxsize=4)
def default_policy() -> Any:
    from intake_assistant.orientation.policy import load_policy

    return load_policy()


def policy_names(folder: Path) -> tuple[set[str], set[str]]:
    """Ids of the computed values and parameters declared in a data folder (for the linter)."""
    names: list[set[str]] = []
    for filename, key in (("calculs.yaml", None), ("parametres.yaml", "parametres")):
        try:
            doc = load_file(folder / filename)
        except (OSError, YamlSyntaxError):
            names.append(set())
            continue
        doc = doc.get(key) if key and isinstance(doc, Mapping) else doc
        names.append(set(doc) if isinstance(doc, Mapping) else set())
    return names[0], names[1]


def _with_item_gaps(env: Mapping[str, Any], questionnaire: Questionnaire) -> dict[str, Any]:
    """Repeat items with a missing field get an explicit Missing, so that a formula over items
    (``count(enfants, age >= 14)``) never falls back on a same-named answer of the applicant."""
    env = dict(env)
    for q in questionnaire.questions():
        items = env.get(q.id)
        if q.type == "repeat" and isinstance(items, list):
            child_ids = [c.id for c in q.questions]
            env[q.id] = [
                {**{c: Missing({f"{q.id}.{c}"}) for c in child_ids}, **item}
                if isinstance(item, dict)
                else item
                for item in items
            ]
    return env


def make_interview(
    questionnaire: Questionnaire,
    *,
    policy: Any = None,
    answers: Mapping[str, Any] | None = None,
    unknown: Iterable[str] = (),
    history: Iterable[Mapping[str, Any]] = (),
    today: date | None = None,
    agent: str = "",
) -> Interview:
    """An interview whose computed values and constants come from the orientation policy."""
    from intake_assistant.orientation.compute import compute

    policy = policy or default_policy()
    today = today or date.today()

    def computer(env: Mapping[str, Any], unknown_ids: frozenset[str]) -> Mapping[str, Any]:
        return compute(_with_item_gaps(env, questionnaire), policy, today, unknown_ids)

    return Interview(
        questionnaire,
        answers=answers,
        unknown=unknown,
        history=history,
        computer=computer,
        constants=policy.parameter_env(),
        today=today,
        agent=agent,
    )


def live_orientation(interview: Interview, policy: Any = None) -> Any:
    """The orientation while an interview runs.

    Questions still to be asked count as missing, not as their ``absent`` value: a resource not yet
    asked must not make an aid look eligible (or not) before the person has answered.
    """
    from intake_assistant.orientation.evaluate import evaluate

    pending = {step.path for step in interview.left_to_complete()}
    return evaluate(
        interview.answers,
        policy or default_policy(),
        interview.today,
        interview.unknown | pending,
    )


class InterviewSession:
    """An interview bound to a stored dossier: each accepted change is durably saved before the
    caller moves on, and the dossier stays leased to this process until ``close``."""

    def __init__(self, store: Any, dossier_id: str, interview: Interview, lease: Any) -> None:
        self.store = store
        self.dossier_id = dossier_id
        self.interview = interview
        self.lease = lease

    @classmethod
    def start(
        cls,
        questionnaire: Questionnaire,
        *,
        db: str | Path | None = None,
        store: Any = None,
        dossier_id: str | None = None,
        agent: str = "",
        today: date | None = None,
        policy: Any = None,
    ) -> InterviewSession:
        from intake_assistant.store import Store

        policy = policy or default_policy()  # a broken policy file must not leave an empty dossier
        store = store or Store.open(db)
        if dossier_id:
            doc = store.load(dossier_id)
            taken_over = doc["status"] == "premier_contact"
            if questionnaire.audience == "travailleur_social" and taken_over:
                # The social worker takes over a phone intake: the evaluation starts.
                doc = store.set_status(dossier_id, "en_evaluation", agent=agent)
        else:
            doc = store.create_dossier(agent=agent, questionnaire=questionnaire.id)
        lease = store.session(doc["id"], agent=agent)
        try:
            interview = make_interview(
                questionnaire,
                policy=policy,
                answers=doc.get("answers"),
                unknown=doc.get("unknown", ()),
                history=doc.get("events", ()),
                today=today,
                agent=agent,
            )
        except Exception:
            lease.close()
            raise
        return cls(store, doc["id"], interview, lease)

    def save(self, interview: Interview | None = None) -> dict[str, Any] | None:
        """Persist what changed since the last save (no-op when nothing did)."""
        interview = interview or self.interview
        events = interview.take_new_events()
        if not events:
            return None
        try:
            return self.store.save_answers(
                self.dossier_id,
                answers=interview.answers,
                unknown=sorted(interview.unknown),
                events=events,
                agent=interview.agent,
                questionnaire=interview.questionnaire.id,
            )
        except Exception:
            interview.requeue_events(events)  # the next save writes them; nothing is dropped
            raise

    def close(self) -> None:
        self.lease.close()

    def __enter__(self) -> InterviewSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
