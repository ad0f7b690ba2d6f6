"""The question types, each declared in ONE place (like pyxform's ``question_type_dictionary``).

A type says how typed text becomes a value (``parse``), how a value read from a file is accepted
(``coerce``), the JSON Schema every stored value fits (``schema``), how a value reads back to staff
(``display``), what the answer line does (``hint``: single key, digits, free text, an example that
fits the question), the checks JSON Schema cannot say (``checks``: finite numbers, plausible ages)
and its authoring rules (``lint``). The loader, the engine, the data dictionary, the linter, the
format schema and the TUI all read this registry: adding a type is one ``register`` call (see
tests/core/test_qtypes.py, which adds one).

A *spec* is anything with the attributes of a question: ``type``, ``choices``, ``unit``,
``example``, ``field`` (its data-dictionary entry) and, for a repeat, ``questions`` (a question) or
``item`` (a dictionary field).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from intake_assistant.core import french, parsing
from intake_assistant.core.display import display_plain
from intake_assistant.core.french import ParseError

Spec = Any  # a Question or a FieldDef (duck-typed: see the module docstring)

# Hard bounds whatever the dictionary says: a value beyond them is a typing or file accident, and
# keeping numbers this size keeps every later computation (budget, loan, JSON) finite.
MAX_AMOUNT = 10**9  # €
MAX_INTEGER = 10**9
MAX_TEXT = 5_000  # characters of one text answer
MAX_ITEMS = 50  # items of a repeat


@dataclass(frozen=True)
class InputHint:
    """What the answer line does for a question.

    ``single_key``: ``"yes_no"`` (o/n answer at once), ``"choice_number"`` (a digit picks a choice)
    or None; ``allowed``: a regular expression of the characters worth typing (None: any text);
    ``placeholder``: the empty line's French help, with an example that fits the question.
    """

    placeholder: str
    single_key: str | None = None
    allowed: str | None = None


@dataclass(frozen=True)
class LintIssue:
    """An authoring problem a type's rules found: a ``findings.MESSAGES`` key, its parameters and
    the question key it is about (for the line number)."""

    message: str
    key: str = "type"
    params: Mapping[str, Any] = field(default_factory=dict)


def _no_checks(spec: Spec, value: Any, today: date) -> list[str]:
    return []


def _no_lint(spec: Spec) -> Iterable[LintIssue]:
    return ()


@dataclass(frozen=True)
class QuestionType:
    name: str
    label: str  # French, for authors
    schema: Callable[[Spec], dict[str, Any]]
    hint: Callable[[Spec], InputHint]
    parse: Callable[[Spec, str, date], Any] | None = None  # None: not answered by typing
    coerce: Callable[[Spec, Any, date], Any] | None = None  # None: text is parsed, else kept
    display: Callable[[Spec, Any], str] = lambda spec, value: display_plain(value)
    checks: Callable[[Spec, Any, date], list[str]] = _no_checks
    lint: Callable[[Spec], Iterable[LintIssue]] = _no_lint
    keys: frozenset[str] = frozenset()  # question keys only this type accepts
    answerable: bool = True
    # What Enter on an empty line says when the question has no default (no answer to take).
    empty: Callable[[Spec], str] = lambda spec: EMPTY_ANSWER


# Letters an answer line lets through besides digits (« aucun », « néant », « 2 ans »).
_WORD_CHARS = "a-zA-ZàâäéèêëîïôöùûüçÀÂÄÉÈÊËÎÏÔÖÙÛÜÇ'’"
EMPTY_ANSWER = "Une réponse est attendue (touche F3 : « je ne sais pas »)."
QUESTION_TYPES: dict[str, QuestionType] = {}
# Keys that only some types accept; a question of another type using one is refused at load.
TYPE_KEYS = frozenset({"choices", "questions", "add_another_text", "max_items", "count_from",
                       "unit"})


def register(qtype: QuestionType) -> QuestionType:
    """Add (or replace) a type; every part of the tool sees it at once."""
    QUESTION_TYPES[qtype.name] = qtype
    return qtype


def question_type(name: str) -> QuestionType:
    try:
        return QUESTION_TYPES[name]
    except KeyError:
        known = ", ".join(QUESTION_TYPES)
        raise ParseError(f"Type de question inconnu : « {name} » (types : {known}).") from None


def type_names() -> tuple[str, ...]:
    return tuple(QUESTION_TYPES)


# ----------------------------------------------------------------------------- using a type
def parse_raw(spec: Spec, raw: str, today: date | None = None) -> Any:
    """Parse typed text for a question of ``spec.type`` (raises ParseError in French)."""
    qtype = question_type(spec.type)
    if qtype.parse is None:
        raise ParseError(f"Cette question (type {spec.type}) ne prend pas de réponse tapée.")
    return qtype.parse(spec, raw.strip(), today or date.today())


def coerce_value(spec: Spec, value: Any, today: date | None = None) -> Any:
    """Accept a value from a file: already typed (JSON/YAML), or text typed by a person."""
    qtype = question_type(spec.type)
    day = today or date.today()
    if qtype.coerce is not None:
        return qtype.coerce(spec, value, day)
    if isinstance(value, str) and qtype.parse is not None:
        return qtype.parse(spec, value.strip(), day)
    return value


def schema_of(spec: Spec) -> dict[str, Any]:
    return question_type(spec.type).schema(spec)


def value_checks(spec: Spec, value: Any, today: date | None = None) -> list[str]:
    """French messages for what JSON Schema cannot check (finite numbers, plausible ages)."""
    if value is None:
        return []
    return question_type(spec.type).checks(spec, value, today or date.today())


def display_value(spec: Spec, value: Any) -> str:
    """An answer the way staff read it back: labels, oui/non, euros, dates, « 24 mois »."""
    if value is None:
        return "—"
    qtype = QUESTION_TYPES.get(spec.type)
    try:
        return qtype.display(spec, value) if qtype else display_plain(value)
    except (TypeError, ValueError, AttributeError):  # a stored value of another shape
        return display_plain(value)


def input_hint(spec: Spec) -> InputHint:
    return question_type(spec.type).hint(spec)


def empty_message(spec: Spec) -> str:
    """What Enter on an empty answer line says when there is no default to accept."""
    return question_type(spec.type).empty(spec)


def example_of(spec: Spec, default: str) -> str:
    return getattr(spec, "example", None) or default


def unit_of(spec: Spec) -> str | None:
    return getattr(spec, "unit", None) or None


# ----------------------------------------------------------------------------- shared parts
def _reject_bool(value: Any) -> None:
    if isinstance(value, bool):
        raise ParseError("Un nombre est attendu, pas oui/non.")


def _finite(spec: Spec, value: Any, today: date) -> list[str]:
    if isinstance(value, float) and not math.isfinite(value):
        return ["Un nombre fini est attendu (pas « nan » ni « inf »)."]
    return []


def _number_coerce(parse: Callable[[Spec, str, date], Any]) -> Callable[[Spec, Any, date], Any]:
    def coerce(spec: Spec, value: Any, today: date) -> Any:
        if isinstance(value, str):
            return parse(spec, value.strip(), today)
        _reject_bool(value)
        if isinstance(value, float) and not math.isfinite(value):
            raise ParseError("Un nombre fini est attendu (pas « nan » ni « inf »).")
        if isinstance(value, int) and abs(value) > 10**20:
            raise ParseError("Nombre trop grand.")
        return value

    return coerce


def _choice_labels(spec: Spec) -> dict[str, str]:
    return {c.value: c.label for c in spec.choices}


def _lint_choices(spec: Spec) -> Iterable[LintIssue]:
    qid = getattr(spec, "id", "?")
    if not spec.choices:
        yield LintIssue("choice.none", "id", {"id": qid})
    values = [c.value for c in spec.choices]
    keys = [c.key for c in spec.choices if c.key]
    for dup in sorted({v for v in values if values.count(v) > 1}
                      | {k for k in keys if keys.count(k) > 1}):
        yield LintIssue("choice.dup", "choices", {"value": dup, "id": qid})
    for c in spec.choices:
        if not c.label.strip():
            yield LintIssue("choice.label", "choices", {"value": c.value})


def _item_specs(spec: Spec) -> Mapping[str, Spec]:
    item = getattr(spec, "item", None)
    if item:
        return item
    return {q.id: q for q in getattr(spec, "questions", ()) or ()}


# ----------------------------------------------------------------------------- the types
def _text_parse(spec: Spec, text: str, today: date) -> str:
    parsing.check_printable(text)
    return " ".join(text.split()) if "\n" not in text else text


register(QuestionType(
    "text", "texte libre",
    schema=lambda spec: {"type": "string", "maxLength": MAX_TEXT},
    parse=_text_parse,
    hint=lambda spec: InputHint(f"Tapez la réponse{_example_suffix(spec)} puis Entrée"),
))


def _example_suffix(spec: Spec) -> str:
    example = getattr(spec, "example", None)
    return f" (ex. {example})" if example else ""


register(QuestionType(
    "phone", "téléphone",
    schema=lambda spec: {"type": "string", "minLength": 1, "maxLength": 40},
    parse=lambda spec, text, today: french.normalize_phone(text),
    hint=lambda spec: InputHint("Numéro (06 12 34 56 78) puis Entrée",
                                allowed=r"[0-9 +.()/\-]*"),
))


def _integer_parse(spec: Spec, text: str, today: date) -> int:
    unit = unit_of(spec)
    example = example_of(spec, parsing.unit_example(unit) if unit else "3")
    if unit:
        return parsing.parse_quantity(text, unit, example)
    return french.parse_integer(text, example=example)


def _integer_display(spec: Spec, value: Any) -> str:
    unit = unit_of(spec)
    if unit and isinstance(value, int) and not isinstance(value, bool):
        return parsing.format_quantity(value, unit)
    return display_plain(value)


def _integer_hint(spec: Spec) -> InputHint:
    unit = unit_of(spec)
    if unit:
        example = example_of(spec, parsing.unit_example(unit))
        return InputHint(f"{parsing.unit_label(unit)} ({example}) puis Entrée")
    # Letters too: « aucun » is a count of 0.
    zero = " ; 0 si aucun" if zero_allowed(spec) else ""
    return InputHint(f"Nombre ({example_of(spec, '3')}{zero}) puis Entrée",
                     allowed=rf"[0-9 {_WORD_CHARS}+\-]*")


def _integer_empty(spec: Spec) -> str:
    if zero_allowed(spec) and not unit_of(spec):
        return ("Tapez le nombre, ou 0 (« aucun ») s'il n'y en a pas "
                "(touche F3 : « je ne sais pas »).")
    return EMPTY_ANSWER


def _integer_coerce(spec: Spec, value: Any, today: date) -> Any:
    value = _number_coerce(_integer_parse)(spec, value, today)
    return int(value) if isinstance(value, float) and value.is_integer() else value


register(QuestionType(
    "integer", "nombre entier",
    schema=lambda spec: {"type": "integer", "minimum": -MAX_INTEGER, "maximum": MAX_INTEGER},
    parse=_integer_parse,
    coerce=_integer_coerce,
    display=_integer_display,
    hint=_integer_hint,
    empty=_integer_empty,
    checks=_finite,
    keys=frozenset({"unit"}),
))


MONEY_EXAMPLE = "450"  # a monthly amount, as said on the phone


def _money_parse(spec: Spec, text: str, today: date) -> int | float:
    return french.parse_money(text, example=example_of(spec, MONEY_EXAMPLE))


def zero_allowed(spec: Spec) -> bool:
    """Whether 0 is an answer this question accepts (not for a project's cost)."""
    parts = [getattr(spec, "schema", None) or {}]
    parts += [p for p in parts[0].get("allOf", ()) if isinstance(p, Mapping)]
    for part in parts:
        low, minimum = part.get("exclusiveMinimum"), part.get("minimum")
        if (isinstance(low, int | float) and low >= 0) or (
                isinstance(minimum, int | float) and minimum > 0):
            return False
    return True


def _money_hint(spec: Spec) -> InputHint:
    example = example_of(spec, MONEY_EXAMPLE)
    zero = " ; 0 si aucun" if zero_allowed(spec) else ""
    return InputHint(f"Montant en € (ex. {example}{zero}) puis Entrée",
                     allowed=rf"[0-9 ,.€{_WORD_CHARS}+\-]*")


def _money_empty(spec: Spec) -> str:
    if zero_allowed(spec):
        return ("Tapez le montant, ou 0 (« aucun ») s'il n'y en a pas "
                "(touche F3 : « je ne sais pas »).")
    return "Tapez le montant (touche F3 : « je ne sais pas »)."


def _lint_money(spec: Spec) -> Iterable[LintIssue]:
    """An amount the budget counts as 0 when absent must be said: a default would let a stray
    Enter record it (a tenant's rent at 0 € turns the housing aid down)."""
    fdef = getattr(spec, "field", None)
    if fdef is None or getattr(fdef, "absent_default", None) is None:
        return
    for key in ("default", "default_expression"):
        if getattr(spec, key, None) is not None:
            yield LintIssue("default.budget", key, {"id": getattr(spec, "id", "?"), "option": key})


register(QuestionType(
    "money", "montant en euros",
    schema=lambda spec: {"type": "number", "minimum": 0, "maximum": MAX_AMOUNT},
    parse=_money_parse,
    coerce=_number_coerce(_money_parse),
    display=lambda spec, value: french.format_money(value),
    hint=_money_hint,
    empty=_money_empty,
    checks=_finite,
    lint=_lint_money,
))


def _number_parse(spec: Spec, text: str, today: date) -> int | float:
    return french.parse_number(text, example=example_of(spec, "1,5"))


register(QuestionType(
    "number", "nombre",
    schema=lambda spec: {"type": "number", "minimum": -MAX_AMOUNT, "maximum": MAX_AMOUNT},
    parse=_number_parse,
    coerce=_number_coerce(_number_parse),
    hint=lambda spec: InputHint(f"Nombre ({example_of(spec, '1,5')}) puis Entrée"),
    checks=_finite,
))


def _date_coerce(spec: Spec, value: Any, today: date) -> Any:
    if isinstance(value, str):
        return french.parse_date(value.strip(), today).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _date_display(spec: Spec, value: Any) -> str:
    if not isinstance(value, str):
        return display_plain(value)
    try:
        return french.format_date(value)
    except (ValueError, TypeError):
        return value


def _age_bounds(spec: Spec) -> tuple[int | None, int | None]:
    source = getattr(spec, "field", None) or spec
    return getattr(source, "age_min", None), getattr(source, "age_max", None)


def _age_checks(spec: Spec, value: Any, today: date) -> list[str]:
    """Birth-date plausibility: not in the future, age within the dictionary's bounds."""
    low, high = _age_bounds(spec)
    if (low is None and high is None) or not isinstance(value, str):
        return []
    try:
        born = date.fromisoformat(value)
    except ValueError:
        return []
    if born > today:
        return ["La date est dans le futur."]
    years = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    if low is not None and years < low:
        return [f"Âge calculé {years} ans : il faut au moins {low} ans."]
    if high is not None and years > high:
        return [f"Âge calculé {years} ans : vérifiez l'année (au plus {high} ans)."]
    return []


register(QuestionType(
    "date", "date",
    schema=lambda spec: {"type": "string", "format": "date"},
    parse=lambda spec, text, today: french.parse_date(text, today).isoformat(),
    coerce=_date_coerce,
    display=_date_display,
    hint=lambda spec: InputHint("Date (15/03/1988) puis Entrée"),
    checks=_age_checks,
))

register(QuestionType(
    "boolean", "oui ou non",
    schema=lambda spec: {"type": "boolean"},
    parse=lambda spec, text, today: french.parse_boolean(text),
    hint=lambda spec: InputHint("o = oui, n = non", single_key="yes_no"),
))


def _multi_parse(spec: Spec, text: str, today: date) -> list[str]:
    parts = [p for p in text.replace(";", ",").replace(" ", ",").split(",") if p]
    values: list[str] = []
    for part in parts:
        value = parsing.match_choice(spec.choices, part)
        if value not in values:
            values.append(value)
    return values


def _multi_coerce(spec: Spec, value: Any, today: date) -> Any:
    if isinstance(value, str):
        return _multi_parse(spec, value.strip(), today)
    if isinstance(value, list):
        return [parsing.match_choice(spec.choices, str(v)) for v in value]
    return value


register(QuestionType(
    "choice", "un choix dans une liste",
    schema=lambda spec: {"type": "string", "enum": [c.value for c in spec.choices]},
    parse=lambda spec, text, today: parsing.match_choice(spec.choices, text),
    display=lambda spec, value: _choice_labels(spec).get(value, str(value)),
    hint=lambda spec: InputHint("Chiffre du choix (ou début du libellé)",
                                single_key="choice_number"),
    lint=_lint_choices,
    keys=frozenset({"choices"}),
))

register(QuestionType(
    "multi_choice", "plusieurs choix dans une liste",
    schema=lambda spec: {"type": "array", "items": {"enum": [c.value for c in spec.choices]},
                         "uniqueItems": True},
    parse=_multi_parse,
    coerce=_multi_coerce,
    display=lambda spec, value: ", ".join(_choice_labels(spec).get(v, str(v)) for v in value),
    hint=lambda spec: InputHint("Chiffres séparés par des espaces (1 3) puis Entrée",
                                allowed=r"[0-9 ,;a-zA-Z]*"),
    lint=_lint_choices,
    keys=frozenset({"choices"}),
))


def _repeat_schema(spec: Spec) -> dict[str, Any]:
    items = _item_specs(spec)
    item_schema: dict[str, Any] = {"type": "object"}
    if items:
        item_schema["properties"] = {k: s.schema for k, s in items.items()}
    return {"type": "array", "items": item_schema, "maxItems": MAX_ITEMS}


def _repeat_coerce(spec: Spec, value: Any, today: date) -> Any:
    if not isinstance(value, list):
        return value
    items = _item_specs(spec)
    out = []
    for entry in value:
        if not isinstance(entry, dict):
            raise ParseError("Chaque élément doit être un ensemble de réponses.")
        out.append({k: coerce_value(items[k], v, today) if k in items else v
                    for k, v in entry.items()})
    return out


def _repeat_display(spec: Spec, value: Any) -> str:
    items = "; ".join(
        ", ".join(display_plain(v) for v in item.values()) or "?"
        if isinstance(item, dict) else display_plain(item)
        for item in value
    )
    return f"{len(value)} élément(s)" + (f" ({items})" if items else "")


def _lint_repeat(spec: Spec) -> Iterable[LintIssue]:
    if not getattr(spec, "questions", ()):
        yield LintIssue("repeat.empty", "id", {"id": getattr(spec, "id", "?")})


register(QuestionType(
    "repeat", "liste d'éléments (enfants, crédits…)",
    schema=_repeat_schema,
    coerce=_repeat_coerce,
    display=_repeat_display,
    hint=lambda spec: InputHint("o = oui, n = non", single_key="yes_no"),
    lint=_lint_repeat,
    keys=frozenset({"questions", "add_another_text", "max_items", "count_from"}),
))

register(QuestionType(
    "note", "information lue à la personne (sans réponse)",
    schema=lambda spec: {},
    hint=lambda spec: InputHint("Entrée pour continuer"),
    answerable=False,
))
