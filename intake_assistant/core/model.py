"""The questionnaire model: what the loader builds from YAML and the engine walks."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from intake_assistant.core.expressions import Expression, Template, compile_template
from intake_assistant.core.fields import Choice, FieldDef, combined_schema, merge_constraints
from intake_assistant.core.qtypes import question_type
from intake_assistant.core.yamlsource import Location

AUDIENCE_LABELS = {"accueil": "Accueil téléphonique", "travailleur_social": "Travailleur social"}


@dataclass(frozen=True)
class Check:
    """A condition with the French message shown when it holds (warn_if) or fails (valid_if)."""

    expression: Expression
    message: str
    loc: Location | None = None
    template: Template | None = None  # the message, compiled at load


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
    count_from: str | None = None  # an integer question giving the number of items
    unit: str | None = None  # « mois »: « 2 ans » is accepted as 24
    example: str | None = None  # shown in the answer line and the parse messages
    parent: Question | None = None
    field: FieldDef | None = None
    loc: Location | None = None
    locs: Mapping[str, Location] = dc_field(default_factory=dict)  # where each key's value is
    templates: Mapping[str, Template] = dc_field(default_factory=dict)  # compiled at load

    def template(self, key: str = "text") -> Template:
        """A text of the question (``text``, ``add_another_text``) as compiled at load."""
        compiled = self.templates.get(key)
        return compiled if compiled is not None else compile_template(getattr(self, key))

    def where(self, key: str) -> Location | None:
        return self.locs.get(key, self.loc)

    @property
    def schema(self) -> dict[str, Any]:
        base = self.field.extra_schema if self.field else {}
        return combined_schema(self, merge_constraints(base, self.extra_schema))

    @property
    def all_messages(self) -> dict[str, str]:
        return {**(self.field.messages if self.field else {}), **self.messages}

    @property
    def answerable(self) -> bool:
        return question_type(self.type).answerable


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
