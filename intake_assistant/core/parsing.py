"""Turn what staff type (or what an import file holds) into a typed answer value.

Text is parsed the French way by ``french``; the result is then checked against the JSON Schema by
the caller. Every failure raises ``ParseError`` with a French message.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any, Protocol

from intake_assistant.core import french
from intake_assistant.core.french import ParseError


class _Typed(Protocol):
    type: str
    choices: Sequence[Any]


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[^0-9a-z]+", french.normalize_text(text)) if w]


def match_choice(choices: Sequence[Any], text: str) -> str:
    """A choice typed as its number (1-based), its key, its value or the start of its label."""
    typed = text.strip()
    if not typed:
        raise ParseError("Choisissez une réponse dans la liste.")
    if typed.isdigit() and 1 <= int(typed) <= len(choices):
        return choices[int(typed) - 1].value
    norm = french.normalize_text(typed)
    for c in choices:
        if (c.key and norm == french.normalize_text(c.key)) or norm == french.normalize_text(
            c.value
        ):
            return c.value
    for c in choices:
        if french.normalize_text(c.label) == norm:
            return c.value
    starts = [c for c in choices if french.normalize_text(c.label).startswith(norm)]
    if not starts:
        # "loc soc" finds "Locataire (logement social)": every typed word starts a word of it.
        typed_words = _words(norm)
        starts = [
            c
            for c in choices
            if all(
                any(w.startswith(t) for w in _words(c.label) + _words(c.value)) for t in typed_words
            )
        ]
    if len(starts) == 1:
        return starts[0].value
    listing = " ; ".join(f"{i} = {c.label}" for i, c in enumerate(choices, 1))
    if len(starts) > 1:
        labels = ", ".join(c.label for c in starts)
        raise ParseError(f"« {typed} » correspond à plusieurs choix ({labels}). Précisez.")
    raise ParseError(f"« {typed} » ne correspond à aucun choix. Choix : {listing}.")


def parse_raw(spec: _Typed, raw: str, today: date | None = None) -> Any:
    """Parse typed text for a question of ``spec.type``."""
    text = raw.strip()
    t = spec.type
    if t in ("text",):
        return " ".join(text.split()) if "\n" not in text else text
    if t == "phone":
        return french.normalize_phone(text)
    if t == "integer":
        return french.parse_integer(text)
    if t == "money":
        return french.parse_money(text)
    if t == "number":
        return french.parse_number(text)
    if t == "date":
        return french.parse_date(text, today).isoformat()
    if t == "boolean":
        return french.parse_boolean(text)
    if t == "choice":
        return match_choice(spec.choices, text)
    if t == "multi_choice":
        parts = [p for p in text.replace(";", ",").replace(" ", ",").split(",") if p]
        values: list[str] = []
        for part in parts:
            value = match_choice(spec.choices, part)
            if value not in values:
                values.append(value)
        return values
    raise ParseError(f"Cette question (type {t}) ne prend pas de réponse tapée.")


def coerce_value(spec: _Typed, value: Any, today: date | None = None) -> Any:
    """Accept a value from a file: already typed (JSON/YAML) or typed as text by a person."""
    t = spec.type
    if isinstance(value, str) and t not in ("repeat",):
        return parse_raw(spec, value, today)
    if t in ("integer",) and isinstance(value, float) and value.is_integer():
        return int(value)
    if t == "date" and isinstance(value, date):
        return value.isoformat()
    if t == "multi_choice" and isinstance(value, list):
        return [match_choice(spec.choices, str(v)) for v in value]
    if t == "repeat" and isinstance(value, list):
        item = getattr(spec, "item", {}) or {}
        out = []
        for entry in value:
            if not isinstance(entry, dict):
                raise ParseError("Chaque élément doit être un ensemble de réponses.")
            out.append(
                {k: coerce_value(item[k], v, today) if k in item else v for k, v in entry.items()}
            )
        return out
    if t in ("money", "number", "integer") and isinstance(value, bool):
        raise ParseError("Un nombre est attendu.")
    return value
