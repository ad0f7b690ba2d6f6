"""JSON Schema validation of answers, with short French messages staff can act on."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import jsonschema
from jsonschema import Draft202012Validator

_FORMAT_CHECKER = Draft202012Validator.FORMAT_CHECKER

_TYPE_NAMES = {
    "string": "un texte",
    "integer": "un nombre entier",
    "number": "un nombre",
    "boolean": "oui ou non",
    "array": "une liste",
    "object": "un ensemble de réponses",
    "null": "aucune valeur",
}


def _num(value: Any) -> str:
    # Local import: french.py is a sibling module and formatting stays in one place.
    from intake_assistant.core.french import format_number

    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return format_number(value, 0)
    return format_number(value, 2)


def _message(error: jsonschema.ValidationError) -> str:
    """Default French message for one JSON Schema error."""
    kw, arg = error.validator, error.validator_value
    if kw == "type":
        types = [arg] if isinstance(arg, str) else list(arg)
        return "La réponse doit être " + " ou ".join(_TYPE_NAMES.get(t, t) for t in types) + "."
    if kw == "minimum":
        return f"La valeur doit être supérieure ou égale à {_num(arg)}."
    if kw == "maximum":
        return f"La valeur doit être inférieure ou égale à {_num(arg)}."
    if kw == "exclusiveMinimum":
        return f"La valeur doit être strictement supérieure à {_num(arg)}."
    if kw == "exclusiveMaximum":
        return f"La valeur doit être strictement inférieure à {_num(arg)}."
    if kw == "minLength":
        return (
            "Une réponse est attendue." if arg == 1 else f"Au moins {arg} caractères sont attendus."
        )
    if kw == "maxLength":
        return f"Le texte est trop long : {arg} caractères au plus."
    if kw == "pattern":
        return "Le format de la réponse n'est pas reconnu."
    if kw == "enum":
        return "Choix inconnu. Choix possibles : " + ", ".join(map(str, arg)) + "."
    if kw == "const":
        return f"La seule valeur acceptée est {arg}."
    if kw == "format":
        return (
            "Date invalide (format attendu : JJ/MM/AAAA)." if arg == "date" else "Format invalide."
        )
    if kw == "minItems":
        return f"Au moins {arg} élément(s) attendu(s)."
    if kw == "maxItems":
        return f"Au plus {arg} élément(s)."
    if kw == "uniqueItems":
        return "Chaque choix ne peut être donné qu'une fois."
    if kw == "required":
        return "Des réponses obligatoires manquent."
    if kw == "multipleOf":
        return f"La valeur doit être un multiple de {_num(arg)}."
    return f"Réponse invalide ({kw})."


@lru_cache(maxsize=1024)
def _validator_for(schema_key: str) -> Draft202012Validator:
    import json

    return Draft202012Validator(json.loads(schema_key), format_checker=_FORMAT_CHECKER)


def validator(schema: Mapping[str, Any]) -> Draft202012Validator:
    """A cached validator: the same question schema is checked at every answer."""
    import json

    return _validator_for(json.dumps(schema, sort_keys=True, ensure_ascii=False))


def validate_value(
    schema: Mapping[str, Any], value: Any, messages: Mapping[str, str] | None = None
) -> list[str]:
    """French messages for every way ``value`` breaks ``schema`` (empty when valid).

    ``messages`` maps a JSON Schema keyword (``minimum``, ``pattern``…) to the questionnaire
    author's own wording, which replaces the default one.
    """
    out: list[str] = []
    for error in sorted(validator(schema).iter_errors(value), key=lambda e: list(e.path)):
        text = (messages or {}).get(str(error.validator)) or _message(error)
        if text not in out:
            out.append(text)
    return out


def check_schema(schema: Any) -> str | None:
    """None when ``schema`` is a valid JSON Schema, else the reason (for the linter)."""
    import json

    try:
        key = json.dumps(schema, sort_keys=True, ensure_ascii=False)
    except (TypeError, ValueError):
        return "fragment JSON Schema illisible"
    return _check_schema(key)


@lru_cache(maxsize=512)
def _check_schema(key: str) -> str | None:
    import json

    try:
        Draft202012Validator.check_schema(json.loads(key))
    except jsonschema.SchemaError as exc:
        return exc.message
    return None
