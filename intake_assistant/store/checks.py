"""Arguments every backend checks before anything is written, refused with a French message
(backend-neutral: the TinyDB and PostgreSQL backends share these)."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from intake_assistant.core import lifecycle

from .document import TABLE_NAME
from .errors import InvalidTransitionError, InvalidValueError

KIND = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
RECORD_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}$")


def check_json(value: Any, what: str) -> None:
    """A value the store can write: JSON, NaN and infinities refused (as both backends write)."""
    try:
        json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidValueError(f"Valeur impossible à enregistrer pour {what} : {exc}.") from exc


def check_day(value: str, what: str) -> str:
    try:
        return date.fromisoformat(value).isoformat()
    except (TypeError, ValueError):
        raise InvalidValueError(
            f"Date invalide pour {what} : « {value} » (attendu : AAAA-MM-JJ)."
        ) from None


def check_status(status: str) -> None:
    try:
        lifecycle.check_status(status)
    except lifecycle.TransitionError as exc:
        raise InvalidTransitionError(exc.message) from None


def check_transition(current: str, new: str) -> None:
    try:
        lifecycle.check_transition(current, new)
    except lifecycle.TransitionError as exc:
        raise InvalidTransitionError(exc.message) from None


def check_kind(kind: str) -> None:
    if not isinstance(kind, str) or not KIND.match(kind):
        raise InvalidValueError(
            f"Type d'enregistrement invalide : « {kind} » (lettres minuscules, chiffres et _, "
            "40 caractères au plus)."
        )


def check_record_id(record_id: str) -> None:
    if not isinstance(record_id, str) or not RECORD_ID.match(record_id):
        raise InvalidValueError(
            f"Identifiant d'enregistrement invalide : « {record_id} » (lettres, chiffres et "
            "_ . @ -, sans point au début, 100 caractères au plus)."
        )


def check_table(table: str) -> None:
    if not isinstance(table, str) or not TABLE_NAME.match(table):
        raise InvalidValueError(
            f"Nom de table invalide : « {table} » (lettres minuscules, chiffres et _, "
            "40 caractères au plus, commençant par une lettre)."
        )
