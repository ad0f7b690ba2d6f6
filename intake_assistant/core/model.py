"""The questionnaire model: what the loader builds from YAML and the engine walks."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from intake_assistant.core.expressions import Expression
from intake_assistant.core.fields import Choice, FieldDef, combined_schema, merge_constraints
from intake_assistant.core.yamlsource import Location

AUDIENCE_LABELS = {"accueil": "Accueil téléphonique", "travailleur_social": "Travailleur social"}


@dataclass(frozen=True)
class Check:
    """A condition with the French message shown when it holds (warn_if) or fails (valid_if)."""

    expression: Expression
    message: str
    loc: Location | None = None


@dataclass(eq=False)
class Question:
    id: str
    text: str
    type: str
    section_id: str
    choices: tuple[Choice, ...] = ()
    required: bool = True
    show_if: Expression | None = None
    extra_schema: Mapping[str, Any] = dc_field(default_factory=dict)
    messages: Mapping[str, str] = dc_field(default_factory=dict)
    warn_if: tuple[Check, ...] = ()
    valid_if: tuple[Check, ...] = ()
    default: Any = None
    default_expression: Expression | None = None
    help: str = ""
    questions: tuple[Question, ...] = ()  # the item questions of a repeat
    add_another_text: str = ""
    max_items: int = 20
    parent: Question | None = None
    field: FieldDef | None = None
    loc: Location | None = None
    locs: Mapping[str, Location] = dc_field(default_factory=dict)  # where each key's value is

    def where(self, key: str) -> Location | None:
        return self.locs.get(key, self.loc)

    @property
    def schema(self) -> dict[str, Any]:
        item = {q.id: _as_field(q) for q in self.questions}
        return combined_schema(self.type, self.choices, _as_field(self).extra_schema, item)

    @property
    def all_messages(self) -> dict[str, str]:
        return {**(self.field.messages if self.field else {}), **self.messages}

    @property
    def answerable(self) -> bool:
        return self.type != "note"


def _as_field(q: Question) -> FieldDef:
    base = q.field.extra_schema if q.field else {}
    extra = merge_constraints(base, q.extra_schema)
    return FieldDef(id=q.id, type=q.type, choices=q.choices, extra_schema=extra)


@dataclass(eq=False)
class Section:
    id: str
    title: str
    questions: tuple[Question, ...]
    show_if: Expression | None = None
    loc: Location | None = None
    locs: Mapping[str, Location] = dc_field(default_factory=dict)


@dataclass(eq=False)
class Questionnaire:
    id: str
    title: str
    audience: str
    version: str
    sections: tuple[Section, ...]
    computed: Mapping[str, Expression] = dc_field(default_factory=dict)
    description: str = ""
    path: str = ""
    loc: Location | None = None
    computed_locs: Mapping[str, Location] = dc_field(default_factory=dict)

    def questions(self) -> Iterator[Question]:
        """Top-level questions in order (repeat items excluded)."""
        for section in self.sections:
            yield from section.questions

    def all_questions(self) -> Iterator[Question]:
        for q in self.questions():
            yield q
            yield from q.questions

    def question(self, qid: str) -> Question:
        for q in self.all_questions():
            if q.id == qid:
                return q
        raise KeyError(qid)

    def section_of(self, q: Question) -> Section:
        top = q.parent or q
        return next(s for s in self.sections if top in s.questions)
