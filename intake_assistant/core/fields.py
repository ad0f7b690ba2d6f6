"""The data dictionary as data (``questionnaires/champs.yaml``): ids, types, schemas, choices.

What a type means (parser, base schema, display) is the question-type registry's (``qtypes``);
the dictionary adds each id's constraints, its French label, and ``limites``: bounds every field
of a type gets (amounts are finite and bounded whatever a questionnaire says).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from intake_assistant.core import qtypes, schema_memo
from intake_assistant.core.datadir import data_dir
from intake_assistant.core.findings import Finding, FindingsError, errors_of, finding
from intake_assistant.core.yamlsource import LocDict, YamlSyntaxError, load_file

FIELD_KEYS = frozenset({"libelle", "type", "schema", "messages", "absent", "groupe", "item",
                        "age_min", "age_max", "choices", "unite", "exemple"})


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
    unit: str | None = None
    example: str | None = None

    @property
    def schema(self) -> dict[str, Any]:
        return combined_schema(self, self.extra_schema)


def combined_schema(spec: Any, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The type's base schema (from the registry) with the dictionary's and question's extras."""
    schema = qtypes.schema_of(spec)
    return merge_constraints(schema, extra) if extra else schema


def merge_constraints(first: Mapping[str, Any], second: Mapping[str, Any]) -> dict[str, Any]:
    """Two JSON Schema fragments that must both hold (the dictionary's and a question's):
    merged when their keywords differ, else combined with ``allOf`` so neither is lost."""
    if not second:
        return dict(first)
    if not first:
        return dict(second)
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


def _field_from(fid: str, raw: Mapping[str, Any], limits: Mapping[str, Any]) -> FieldDef:
    item = {k: _field_from(k, v or {}, limits) for k, v in (raw.get("item") or {}).items()}
    ftype = raw.get("type", "text")
    extra = merge_constraints(dict(limits.get(ftype) or {}), dict(raw.get("schema") or {}))
    return FieldDef(
        id=fid,
        type=ftype,
        label=raw.get("libelle", fid),
        choices=parse_choices(raw.get("choices")),
        extra_schema=extra,
        messages=dict(raw.get("messages") or {}),
        absent_default=raw.get("absent"),
        group=raw.get("groupe"),
        item=item,
        age_min=raw.get("age_min"),
        age_max=raw.get("age_max"),
        unit=raw.get("unite"),
        example=raw.get("exemple"),
    )


class _Fragments:
    """`check_schema` for the dictionary's JSON Schema fragments, through the memo of documents
    found valid (core.schema_memo) when the application gave one: a dictionary whose fragments
    were all found valid before, with this exact content, is not checked again, and jsonschema
    (~0.1 s to import, at every command) is not imported. `check` gives no memo."""

    TAG = b"champs.yaml: fragments JSON Schema (draft 2020-12)\n"

    def __init__(self, doc: Any) -> None:
        self.memo, self.digest, self.failed = schema_memo.current(), None, False
        if self.memo is not None:
            try:
                text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
            except (TypeError, ValueError):  # not JSON (a YAML date): checked each time
                text = None
            if text is not None:
                self.digest = hashlib.sha256(self.TAG + text.encode()).hexdigest()
        self.known = self.digest is not None and self.memo is not None \
            and self.memo.known_valid(self.digest)

    def check(self, fragment: Any) -> str | None:
        if self.known:
            return None
        from intake_assistant.core.validation import check_schema

        reason = check_schema(fragment)
        self.failed = self.failed or reason is not None
        return reason

    def done(self) -> None:
        if self.memo is not None and self.digest is not None and not self.known \
                and not self.failed:
            self.memo.remember(self.digest)


def lint_fields(path: str | Path) -> tuple[dict[str, FieldDef], list[Finding]]:
    """The dictionary's fields and every problem in it (unknown type or key, bad schema)."""
    try:
        doc = load_file(path)
    except YamlSyntaxError as exc:
        return {}, [finding(exc.location, "yaml.syntax", problem=exc.message)]
    except OSError as exc:
        return {}, [Finding(str(path), 1, 1, "error", "E-FILE",
                            f"lecture impossible : {exc.strerror}")]
    if not isinstance(doc, LocDict) or not isinstance(doc.get("champs") or {}, LocDict):
        return {}, [finding(getattr(doc, "loc", None), "schema.not_mapping", str(path))]
    champs = doc.get("champs") or LocDict()
    limits = doc.get("limites") or {}
    out: list[Finding] = []
    fragments = _Fragments(doc)
    check_schema = fragments.check
    if not isinstance(limits, Mapping):
        out.append(finding(doc.value_locs.get("limites"), "schema.format", where="limites",
                           reason="un bloc type: {contraintes} est attendu"))
        limits = {}
    for ftype, fragment in limits.items():
        reason = check_schema(fragment) if isinstance(fragment, Mapping) else "bloc attendu"
        if ftype not in qtypes.QUESTION_TYPES or reason:
            out.append(finding(getattr(limits, "key_locs", {}).get(ftype), "jsonschema.invalid",
                               id=f"limites.{ftype}", reason=reason or "type inconnu"))
    fields: dict[str, FieldDef] = {}

    def check(fid: str, spec: Any, loc: Any) -> None:
        if not isinstance(spec, LocDict):
            out.append(finding(loc, "schema.format", where=fid,
                               reason="un bloc de clés est attendu"))
            return
        for key in sorted(set(spec) - FIELD_KEYS):
            out.append(finding(spec.key_locs.get(key), "schema.format", where=fid,
                               reason=f"clé inconnue : {key} (clés possibles : "
                                      f"{', '.join(sorted(FIELD_KEYS))})"))
        ftype = spec.get("type", "text")
        if ftype not in qtypes.QUESTION_TYPES:
            out.append(finding(spec.value_locs.get("type", loc), "type.unknown", type=ftype,
                               types=", ".join(qtypes.type_names())))
        reason = check_schema(dict(spec["schema"])) if spec.get("schema") else None
        if reason:
            out.append(finding(spec.value_locs.get("schema", loc), "jsonschema.invalid", id=fid,
                               reason=reason))
        for child, child_spec in (spec.get("item") or {}).items():
            check(f"{fid}.{child}", child_spec, spec["item"].key_locs.get(child))

    for fid, spec in champs.items():
        check(fid, spec, champs.key_locs.get(fid))
    fragments.done()
    if not errors_of(out):
        fields = {fid: _field_from(fid, spec or {}, limits) for fid, spec in champs.items()}
    return fields, out


@lru_cache(maxsize=8)
def load_fields(path: str | Path | None = None) -> dict[str, FieldDef]:
    """The dictionary's fields by id (cached: it is read at every start and never changes).
    A dictionary with errors is refused, as ``check`` reports it (FindingsError)."""
    fields, findings = lint_fields(Path(path) if path else data_dir() / "champs.yaml")
    if errors_of(findings):
        raise FindingsError(errors_of(findings))
    return fields


def coerce_and_validate(
    answers: Mapping[str, Any],
    fields: Mapping[str, FieldDef] | None = None,
    today: date | None = None,
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Normalise a mapping of answers (typed values or French-typed text) and check each one.

    Returns the normalised answers and ``(id, French message)`` errors. Ids that the dictionary
    does not know are kept unchanged: a questionnaire may add its own.
    """
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
            value = qtypes.coerce_value(fdef, value, today)
        except ValueError as exc:
            errors.append((fid, getattr(exc, "message", str(exc))))
            continue
        messages = qtypes.value_checks(fdef, value, today)
        messages = messages or validate_value(fdef.schema, value, fdef.messages)
        errors.extend((fid, m) for m in messages)
        if not messages:
            out[fid] = value
    return out, errors
