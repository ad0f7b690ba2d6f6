"""The data dictionary as data (``questionnaires/champs.yaml``): ids, types, schemas, choices."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from intake_assistant.core.datadir import data_dir
from intake_assistant.core.yamlsource import load_file

TYPES = (
    "text",
    "phone",
    "integer",
    "money",
    "number",
    "date",
    "boolean",
    "choice",
    "multi_choice",
    "repeat",
    "note",
)


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    key: str | None = None


@dataclass(frozen=True)
class FieldDef:
    """What a value of one id is: its type, constraints and the French wording of both."""

    id: str
    type: str
    label: str = ""
    choices: tuple[Choice, ...] = ()
    extra_schema: Mapping[str, Any] = field(default_factory=dict)
    messages: Mapping[str, str] = field(default_factory=dict)
    absent_default: Any = None
    group: str | None = None
    item: Mapping[str, FieldDef] = field(default_factory=dict)
    age_min: int | None = None
    age_max: int | None = None

    @property
    def schema(self) -> dict[str, Any]:
        return combined_schema(self.type, self.choices, self.extra_schema, self.item)


def base_schema(ftype: str, choices: tuple[Choice, ...] = ()) -> dict[str, Any]:
    values = [c.value for c in choices]
    return {
        "text": {"type": "string"},
        "phone": {"type": "string", "minLength": 1},
        "integer": {"type": "integer"},
        "money": {"type": "number", "minimum": 0},
        "number": {"type": "number"},
        "date": {"type": "string", "format": "date"},
        "boolean": {"type": "boolean"},
        "choice": {"type": "string", "enum": values},
        "multi_choice": {"type": "array", "items": {"enum": values}, "uniqueItems": True},
        "repeat": {"type": "array", "items": {"type": "object"}},
        "note": {},
    }[ftype]


def combined_schema(
    ftype: str,
    choices: tuple[Choice, ...] = (),
    extra: Mapping[str, Any] | None = None,
    item: Mapping[str, FieldDef] | None = None,
) -> dict[str, Any]:
    schema = dict(base_schema(ftype, choices))
    if ftype == "repeat" and item:
        schema["items"] = {
            "type": "object",
            "properties": {k: f.schema for k, f in item.items()},
        }
    if extra:
        schema = merge_constraints(schema, extra)
    return schema


def merge_constraints(first: Mapping[str, Any], second: Mapping[str, Any]) -> dict[str, Any]:
    """Two JSON Schema fragments that must both hold (the dictionary's and a question's):
    merged when their keywords differ, else combined with ``allOf`` so neither is lost."""
    if not set(first) & set(second):
        return {**first, **second}
    return {"allOf": [dict(first), dict(second)]}


def parse_choices(raw: Any) -> tuple[Choice, ...]:
    out = []
    for c in raw or ():
        if isinstance(c, Mapping):
            value = str(c.get("value"))
            out.append(Choice(value, str(c.get("label") or value), c.get("key")))
        else:
            out.append(Choice(str(c), str(c)))
    return tuple(out)


def _field_from(fid: str, raw: Mapping[str, Any]) -> FieldDef:
    item = {k: _field_from(k, v) for k, v in (raw.get("item") or {}).items()}
    return FieldDef(
        id=fid,
        type=raw.get("type", "text"),
        label=raw.get("libelle", fid),
        choices=parse_choices(raw.get("choices")),
        extra_schema=dict(raw.get("schema") or {}),
        messages=dict(raw.get("messages") or {}),
        absent_default=raw.get("absent"),
        group=raw.get("groupe"),
        item=item,
        age_min=raw.get("age_min"),
        age_max=raw.get("age_max"),
    )


@lru_cache(maxsize=8)
def load_fields(path: str | Path | None = None) -> dict[str, FieldDef]:
    """The dictionary's fields by id (cached: it is read at every start and never changes)."""
    raw = load_file(Path(path) if path else data_dir() / "champs.yaml")
    return {fid: _field_from(fid, spec or {}) for fid, spec in (raw.get("champs") or {}).items()}


def coerce_and_validate(
    answers: Mapping[str, Any],
    fields: Mapping[str, FieldDef] | None = None,
    today: date | None = None,
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Normalise a mapping of answers (typed values or French-typed text) and check each one.

    Returns the normalised answers and ``(id, French message)`` errors. Ids that the dictionary
    does not know are kept unchanged: a questionnaire may add its own.
    """
    from intake_assistant.core.parsing import coerce_value
    from intake_assistant.core.validation import validate_value

    fields = fields if fields is not None else load_fields()
    out: dict[str, Any] = {}
    errors: list[tuple[str, str]] = []
    for fid, value in answers.items():
        fdef = fields.get(fid)
        if fdef is None or value is None:
            out[fid] = value
            continue
        try:
            value = coerce_value(fdef, value, today)
        except ValueError as exc:
            errors.append((fid, getattr(exc, "message", str(exc))))
            continue
        messages = validate_value(fdef.schema, value, fdef.messages)
        messages += age_messages(fdef, value, today)
        errors.extend((fid, m) for m in messages)
        if not messages:
            out[fid] = value
    return out, errors


def age_messages(fdef: FieldDef, value: Any, today: date | None) -> list[str]:
    """Birth-date plausibility: not in the future, age within the dictionary's bounds."""
    if fdef.type != "date" or not isinstance(value, str):
        return []
    if fdef.age_min is None and fdef.age_max is None:
        return []
    today = today or date.today()
    try:
        born = date.fromisoformat(value)
    except ValueError:
        return []
    if born > today:
        return ["La date est dans le futur."]
    years = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    if fdef.age_min is not None and years < fdef.age_min:
        return [f"Âge calculé {years} ans : il faut au moins {fdef.age_min} ans."]
    if fdef.age_max is not None and years > fdef.age_max:
        return [f"Âge calculé {years} ans : vérifiez l'année (au plus {fdef.age_max} ans)."]
    return []
