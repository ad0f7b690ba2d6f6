"""Load a questionnaire YAML file: syntax, the format's JSON Schema, then the model.

Every problem becomes a ``Finding`` at ``file:line:col``. ``parse_questionnaire`` returns what it
could build with all findings (the linter wants them all). Expressions and ``{…}`` templates are
compiled here, once. Loading a questionnaire for use is ``linter.load_questionnaire`` (load = lint).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from intake_assistant.core import qtypes, schema_memo
from intake_assistant.core.expressions import (
    Expression,
    ExpressionError,
    Template,
    compile_expression,
    compile_template,
)
from intake_assistant.core.fields import FieldDef, load_fields, parse_choices
from intake_assistant.core.findings import Finding, finding
from intake_assistant.core.model import Check, Question, Questionnaire, Section
from intake_assistant.core.parsing import UNITS
from intake_assistant.core.yamlsource import (
    Location,
    LocDict,
    YamlSyntaxError,
    load_file,
    load_text,
    locate,
)

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator


def format_schema(name: str) -> Draft202012Validator:
    """Validator for one of the shipped data-format schemas (``schemas/<name>.schema.json``).

    The questionnaire format takes its question types from the registry and its units from
    ``parsing.UNITS``: a type registered later is accepted at once."""
    return _validator(name, *_extra(name))


def _extra(name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return (qtypes.type_names(), tuple(UNITS)) if name == "questionnaire" else ((), ())


@lru_cache(maxsize=16)
def _validator(name: str, types: tuple[str, ...], units: tuple[str, ...]) -> Any:
    # jsonschema (~0.1 s to import) only where a document is validated: a command whose data
    # files are all in the memo below never imports it.
    from jsonschema import Draft202012Validator

    return Draft202012Validator(_schema(name, types, units)[0])


@lru_cache(maxsize=16)
def _schema(name: str, types: tuple[str, ...], units: tuple[str, ...]
            ) -> tuple[dict[str, Any], str]:
    """The schema (not to be changed) and its canonical text (what the memo's digests hash)."""
    text = (
        resources.files("intake_assistant.schemas")
        .joinpath(f"{name}.schema.json")
        .read_text(encoding="utf-8")
    )
    schema = json.loads(text)
    if types:
        schema["$defs"]["question_type"]["enum"] = list(types)
        schema["$defs"]["unit"]["enum"] = list(units)
    return schema, json.dumps(schema, sort_keys=True, separators=(",", ":"))


# JSON Schema validation of the policy's files is half of building the policy (~0.12 s of
# ~0.24 s, at every command and the first interview of every start) for files that seldom
# change. The application layer may hand a memo over (core.schema_memo): a document whose exact
# content (and the schema's) was found valid before is not validated again. Only valid
# documents are remembered, so every finding is still found; `check` validates without it.


def _digest(schema_name: str, doc: Any) -> str:
    digest = hashlib.sha256(_schema(schema_name, *_extra(schema_name))[1].encode())
    digest.update(json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode())
    return digest.hexdigest()


def schema_findings(
    doc: Any, schema_name: str, path: str, message: Callable[[Any], str] | None = None
) -> list[Finding]:
    """Findings for every place ``doc`` breaks its format schema, at the offending line."""
    memo, digest = schema_memo.current(), None
    if memo is not None:
        try:
            digest = _digest(schema_name, doc)
        except (TypeError, ValueError):  # not JSON (a YAML date, a set): validated each time
            digest = None
        if digest is not None and memo.known_valid(digest):
            return []
    out = []
    for err in format_schema(schema_name).iter_errors(doc):
        where = "/".join(str(p) for p in err.absolute_path) or "(racine)"
        text = (message or schema_message)(err)
        out.append(finding(locate(doc, err.absolute_path), "schema.format", path,
                           where=where, reason=text))
    if memo is not None and digest is not None and not out:
        memo.remember(digest)
    return sorted(out)


_TYPES_FR = {"string": "un texte", "number": "un nombre", "integer": "un nombre entier",
             "array": "une liste", "object": "un bloc de clés",
             "boolean": "oui (true) ou non (false)"}


def schema_message(err: Any) -> str:
    """A format-schema error in French, with how to fix it (for authors of the YAML files)."""
    kw, arg, value = err.validator, err.validator_value, err.instance
    if kw == "required":
        missing = [k for k in arg if k not in (value or {})]
        return f"clé obligatoire manquante : {', '.join(missing)} (ajoutez-la)"
    if kw == "additionalProperties":
        extra = sorted(set(value) - set(err.schema.get("properties", {})))
        allowed = ", ".join(err.schema.get("properties", {}))
        return f"clé inconnue : {', '.join(extra)} (clés possibles : {allowed})"
    if kw in ("enum", "const"):
        allowed = ", ".join(map(str, arg if kw == "enum" else [arg]))
        return f"valeur « {value} » non admise (valeurs possibles : {allowed})"
    if kw == "type":
        return f"{_TYPES_FR.get(arg, arg)} est attendu, pas « {value} »"
    if kw == "minimum":
        return f"{value} est trop petit : au moins {arg}"
    if kw == "maximum":
        hint = " (un taux s'écrit en fraction : 0.33 pour 33 %)" if arg == 1 else ""
        return f"{value} est trop grand : au plus {arg}{hint}"
    if kw in ("minItems", "minProperties"):
        return f"au moins {arg} élément(s) attendu(s)"
    if kw == "minLength":
        return "texte vide : écrivez une valeur"
    if kw in ("maxLength", "maxItems", "maxProperties"):
        size = len(value) if hasattr(value, "__len__") else "?"
        unit = "caractères" if kw == "maxLength" else "éléments"
        return f"trop long : {size} {unit}, {arg} au plus (raccourcissez)"
    if kw in ("pattern", "propertyNames"):
        return (f"identifiant « {value} » invalide (minuscules, chiffres et _, parties séparées "
                "par des points ; commence par une lettre)")
    return str(err.message)




class _Builder:
    """Builds model objects while collecting findings instead of stopping at the first one."""

    def __init__(self, path: str, fields: Mapping[str, FieldDef]) -> None:
        self.path = path
        self.fields = fields
        self.findings: list[Finding] = []

    def expr(self, source: Any, loc: Location | None) -> Expression | None:
        if not isinstance(source, str):
            return None
        try:
            return compile_expression(source)
        except ExpressionError as exc:
            col = (loc.col if loc else 1) + (exc.offset or 0)
            at = Location(self.path, loc.line if loc else 1, col)
            self.findings.append(finding(at, "expr.invalid", source=source, reason=exc.message))
            return None

    def template(self, text: str, loc: Location | None) -> Template | None:
        """A text's ``{…}`` placeholders, compiled now: a bad one is refused at load."""
        try:
            return compile_template(text)
        except ExpressionError as exc:
            shown = text if len(text) <= 60 else text[:60] + "…"
            self.findings.append(finding(loc, "expr.template", self.path, text=shown,
                                         reason=str(exc)))
            return None

    def checks(self, raw: Any, owner: LocDict) -> tuple[Check, ...]:
        out = []
        for item in raw or ():
            if not isinstance(item, LocDict):
                continue
            e = self.expr(item.get("expression"), item.value_locs.get("expression"))
            message = str(item.get("message", ""))
            template = self.template(message, item.value_locs.get("message", item.loc))
            if e is not None and template is not None:
                out.append(Check(e, message, item.loc, template))
        return tuple(out)

    def question(self, raw: LocDict, section_id: str, parent: Question | None) -> Question:
        qid = str(raw.get("id", ""))
        fdef = self.fields.get(qid) if parent is None else None
        if parent is not None and parent.field is not None:
            fdef = parent.field.item.get(qid)
        qtype = raw.get("type") or (fdef.type if fdef else "text")
        text = str(raw.get("text", ""))
        another = str(raw.get("add_another_text", ""))
        templates = {"text": self.template(text, raw.value_locs.get("text", raw.loc))}
        if another:
            templates["add_another_text"] = self.template(
                another, raw.value_locs.get("add_another_text", raw.loc))
        choices = (
            parse_choices(raw.get("choices"))
            if "choices" in raw
            else (fdef.choices if fdef else ())
        )
        q = Question(
            id=qid,
            text=text,
            type=qtype,
            section_id=section_id,
            choices=choices,
            required=bool(raw.get("required", qtype != "note")),
            show_if=self.expr(raw.get("show_if"), raw.value_locs.get("show_if")),
            extra_schema=dict(raw.get("schema") or {}),
            messages=dict(raw.get("messages") or {}),
            warn_if=self.checks(raw.get("warn_if"), raw),
            valid_if=self.checks(raw.get("valid_if"), raw),
            default=raw.get("default"),
            default_expression=self.expr(
                raw.get("default_expression"), raw.value_locs.get("default_expression")
            ),
            help=str(raw.get("help", "")),
            add_another_text=another,
            max_items=int(raw.get("max_items", 20)),
            count_from=raw.get("count_from"),
            unit=raw.get("unit") or (fdef.unit if fdef else None),
            example=raw.get("example") or (fdef.example if fdef else None),
            templates={k: t for k, t in templates.items() if t is not None},
            parent=parent,
            field=fdef,
            loc=raw.loc,
            locs=dict(raw.value_locs),
        )
        if qtype == "repeat":
            q.questions = tuple(
                self.question(child, section_id, q)
                for child in raw.get("questions") or ()
                if isinstance(child, LocDict)
            )
        return q

    def questionnaire(self, doc: LocDict) -> Questionnaire:
        sections = []
        for raw_s in doc.get("sections") or ():
            sid = str(raw_s.get("id", ""))
            questions = tuple(
                self.question(raw_q, sid, None) for raw_q in raw_s.get("questions") or ()
            )
            sections.append(
                Section(
                    id=sid,
                    title=str(raw_s.get("title", "")),
                    questions=questions,
                    show_if=self.expr(raw_s.get("show_if"), raw_s.value_locs.get("show_if")),
                    loc=raw_s.loc,
                    locs=dict(raw_s.value_locs),
                )
            )
        computed: dict[str, Expression] = {}
        raw_c = doc.get("computed") or {}
        for cid, spec in raw_c.items():
            source = spec.get("expression") if isinstance(spec, Mapping) else spec
            e = self.expr(source, getattr(raw_c, "value_locs", {}).get(cid))
            if e is not None:
                computed[cid] = e
        return Questionnaire(
            id=str(doc.get("id", "")),
            title=str(doc.get("title", "")),
            audience=str(doc.get("audience", "")),
            version=str(doc.get("version", "")),
            sections=tuple(sections),
            computed=computed,
            description=str(doc.get("description", "")),
            path=self.path,
            loc=doc.loc,
            computed_locs=dict(raw_c.key_locs) if isinstance(raw_c, LocDict) else {},
        )


def parse_questionnaire(
    source: str | Path, *, text: str | None = None, fields: Mapping[str, FieldDef] | None = None
) -> tuple[Questionnaire | None, list[Finding]]:
    """Parse a questionnaire; returns the model (None if it cannot be built) and all findings."""
    path = str(source)
    try:
        doc = load_text(text, path) if text is not None else load_file(source)
    except YamlSyntaxError as exc:
        return None, [finding(exc.location, "yaml.syntax", problem=exc.message)]
    except FileNotFoundError:
        return None, [finding(None, "file.missing", path)]
    except OSError as exc:
        return None, [finding(None, "file.unreadable", path, reason=exc.strerror)]
    if not isinstance(doc, LocDict):
        return None, [finding(None, "schema.not_mapping", path)]
    findings = schema_findings(doc, "questionnaire", path)
    if findings:
        return None, findings
    builder = _Builder(path, fields if fields is not None else load_fields())
    questionnaire = builder.questionnaire(doc)
    return questionnaire, builder.findings
