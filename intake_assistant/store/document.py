"""The dossier document's shape, checked on every read (backend-neutral).

`dossier.schema.json` beside this file is the reference (JSON Schema, for other tools and the
tests); `shape_error` is the same check written for speed (a few microseconds, where a generic
validator costs half a millisecond a dossier, i.e. 25 s over 50,000 dossiers). A test keeps both
in agreement. A dossier whose JSON is valid but whose shape is not (answers a string, meta without
status...) is reported by name as damaged instead of breaking every list and statistic.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cache
from itertools import repeat
from pathlib import Path
from typing import Any

ID_PATTERN = re.compile(r"^D-(\d{4})-(\d{6})$")
TABLE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
SCHEMA_PATH = Path(__file__).with_name("dossier.schema.json")

# Keys added after the first version: a document without them gets these defaults on read.
DEFAULTS: dict[str, Any] = {"tables": {}, "exports": [], "draft": None, "interview": None}

_STRINGS = ("id", "created_at", "updated_at", "status")
_OPTIONAL_STRINGS = ("created_by", "agent", "evaluation_sociale")
_LISTS_OF_OBJECTS = ("status_history", "events", "audit", "rencontres", "notes", "exports")


@cache
def document_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


def _is_str_list(value: object) -> bool:
    return isinstance(value, list) and all(map(isinstance, value, repeat(str)))


def _all_dicts(rows: list[Any]) -> bool:
    return all(map(isinstance, rows, repeat(dict)))  # C loop: 50 rows a dossier, every read


def shape_error(doc: object) -> str | None:
    """None for a well-shaped document, else a French reason naming the first bad key."""
    if not isinstance(doc, dict):
        return "le dossier n'est pas un objet JSON"
    for key in _STRINGS:
        if not isinstance(doc.get(key), str):
            return f"« {key} » absent ou n'est pas un texte"
    if not ID_PATTERN.match(doc["id"]):
        return "« id » n'est pas de la forme D-AAAA-NNNNNN"
    rev = doc.get("rev")
    if not isinstance(rev, int) or isinstance(rev, bool) or rev < 0:
        return "« rev » absent ou n'est pas un entier positif"
    for key in _OPTIONAL_STRINGS:
        if doc.get(key) is not None and not isinstance(doc[key], str):
            return f"« {key} » n'est pas un texte"
    if not isinstance(doc.get("answers"), dict):
        return "« answers » absent ou n'est pas un objet"
    for key in ("questionnaires", "unknown"):
        if not _is_str_list(doc.get(key)):
            return f"« {key} » absent ou n'est pas une liste de textes"
    for key in _LISTS_OF_OBJECTS:
        rows = doc.get(key, DEFAULTS.get(key))
        if not isinstance(rows, list) or not _all_dicts(rows):
            return f"« {key} » absent ou n'est pas une liste d'objets"
    for row in doc["status_history"]:
        if not isinstance(row.get("status"), str) or not isinstance(row.get("at"), str):
            return "« status_history » : une ligne sans statut ou sans date"
    for row in doc["audit"]:
        if not isinstance(row.get("id"), str):
            return "« audit » : une ligne sans identifiant"
    commission = doc.get("commission")
    if commission is not None and not (
        isinstance(commission, dict) and isinstance(commission.get("decision"), str)
    ):
        return "« commission » n'est pas une décision"
    tables = doc.get("tables", {})
    if not isinstance(tables, dict):
        return "« tables » n'est pas un objet"
    for name, rows in tables.items():
        if not TABLE_NAME.match(name) or not isinstance(rows, list):
            return f"« tables » : table « {name} » invalide"
        for row in rows:
            if not (isinstance(row, dict) and isinstance(row.get("id"), str)
                    and isinstance(row.get("data"), dict)):
                return f"« tables » : une ligne de « {name} » sans identifiant ou sans données"
    for key in ("draft", "interview"):
        value = doc.get(key)
        if value is not None and not isinstance(value, dict):
            return f"« {key} » n'est pas un objet"
    draft = doc.get("draft")
    if draft is not None and not (isinstance(draft.get("path"), str)
                                  and isinstance(draft.get("text"), str)):
        return "« draft » sans question ou sans texte"
    marker = doc.get("interview")
    if marker is not None and not all(
        isinstance(marker.get(k), str) for k in ("questionnaire", "agent", "host", "since")
    ):
        return "« interview » incomplet"
    return None


def with_defaults(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The document with the keys added since its version filled in (a new dict)."""
    out = dict(doc)
    for key, value in DEFAULTS.items():
        if key not in out:
            out[key] = {} if isinstance(value, dict) else [] if isinstance(value, list) else value
    return out
