"""The dossier document <-> the rows of the PostgreSQL schema.

A dossier is split along what a reception agent may read (see migrations/0001_schema.sql):
`intake.dossiers` holds the metadata and the reception-level answers, `intake.dossier_private`
the other answers (the full evaluation) and the free fields, `intake.dossier_rows` one row per
event, audit row, meeting, note. `assemble` puts the document of ARCHITECTURE.md back together.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from psycopg.types.json import Json

from ..document import shape_error
from ..index_entry import IndexEntry, normalize, phone_digits

ROW_TABLES = ("events", "audit", "rencontres", "notes", "exports")
TABLE_PREFIX = "rows."  # tbl of a per-dossier table's rows (append_rows): "rows.rendez_vous"
# Keys kept outside intake.dossiers and the row tables.
OTHER_KEYS = ("tables", "draft", "interview")
# Document keys with a column of their own in intake.dossiers; any other key is a free field.
META_KEYS = ("id", "rev", "created_at", "updated_at", "created_by", "agent", "status",
             "status_history", "questionnaires", "answers", "unknown", "commission")
# Key order of the document (as the TinyDB backend gives it).
_HEAD = ("id", "rev", "created_at", "updated_at", "created_by", "agent", "status",
         "status_history", "questionnaires", "answers", "unknown")
_ROOT = re.compile(r"^[^.\[]*")


def dumps(value: Any) -> str:
    """Compact JSON, as TinyDB writes it (non-ASCII kept; NaN refused)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def to_json(value: Any) -> Json:
    """A value for a json column, written as `dumps` writes it."""
    return Json(value, dumps=dumps)


def amount(value: Any) -> Decimal | None:
    """An amount for a numeric column: the scale is kept, so 1200 comes back an int and 1200.0
    a float, as they were written."""
    return None if value is None else Decimal(repr(value))


def number(value: Decimal | None) -> float | int | None:
    """An amount read back from a numeric column (see `amount`)."""
    if value is None:
        return None
    return int(value) if value.as_tuple().exponent >= 0 else float(value)  # type: ignore[operator]


def field_root(path: str) -> str:
    """"enfants[1].age" -> "enfants" (the same rule as intake.field_root in SQL)."""
    match = _ROOT.match(path)
    return match.group(0) if match else path


def split_answers(answers: dict[str, Any], reception: frozenset[str]
                  ) -> tuple[dict[str, Any], dict[str, Any]]:
    public = {k: v for k, v in answers.items() if field_root(k) in reception}
    private = {k: v for k, v in answers.items() if field_root(k) not in reception}
    return public, private


def free_fields(doc: dict[str, Any]) -> dict[str, Any]:
    """The keys of a document that are neither metadata nor row tables (evaluation_sociale...)."""
    return {k: v for k, v in doc.items()
            if k not in META_KEYS and k not in ROW_TABLES and k not in OTHER_KEYS}


class ShapeError(ValueError):
    """Rows that do not make a well-shaped dossier document (written around the application);
    the message says why, in French."""


def assemble(row: dict[str, Any]) -> dict[str, Any]:
    """The dossier document from one row of the load query (private parts may be NULL), in the
    key order of ARCHITECTURE.md; ShapeError when it does not have the document's shape. Values
    of the wrong type are kept as they are, for `shape_error` to name them."""
    public, private = row["answers"], row["private_answers"]
    if private is not None and not isinstance(private, dict):
        raise ShapeError("« answers » (partie réservée) n'est pas un objet")
    fields = {} if row["fields"] is None else row["fields"]
    if not isinstance(fields, dict):
        raise ShapeError("les champs libres ne sont pas un objet")
    reserved = sorted(k for k in fields if k in META_KEYS or k in ROW_TABLES or k in OTHER_KEYS)
    if reserved:
        raise ShapeError(f"champ libre réservé : « {reserved[0]} »")
    doc: dict[str, Any] = {key: row[key] for key in _HEAD}
    if isinstance(public, dict):
        doc["answers"] = {**public, **(private or {})}
    doc["events"] = _rows(row["events"])
    doc["audit"] = _rows(row["audit"])
    doc["rencontres"] = _rows(row["rencontres"])
    doc["commission"] = row["commission"]
    doc["notes"] = _rows(row["notes"])
    fields = dict(fields)
    doc["evaluation_sociale"] = fields.pop("evaluation_sociale", None)
    doc.update(fields)
    doc["tables"] = dict(sorted((row["tables"] or {}).items()))
    doc["exports"] = _rows(row["exports"])
    doc["draft"] = row["draft"]
    doc["interview"] = row["interview"]
    problem = shape_error(doc)
    if problem is not None:
        raise ShapeError(problem)
    return doc


def _rows(bodies: list[Any] | None) -> list[Any]:
    return [] if bodies is None else bodies


def index_columns(doc: dict[str, Any], entry: IndexEntry) -> dict[str, Any]:
    """The index columns of intake.dossiers for a document (search keys as `Query` reads them)."""
    text = normalize(f"{entry.nom or ''} {entry.prenom or ''} {entry.id}")
    return {
        "nom": entry.nom, "prenom": entry.prenom, "telephone": entry.telephone,
        "commune": entry.commune, "type_projet": entry.type_projet,
        "montant_demande": entry.montant_demande, "last_contact": entry.last_contact,
        "search_text": text, "search_compact": text.replace(" ", ""),
        "search_digits": phone_digits(entry.telephone or ""),
    }


# Index column -> the answer it comes from (a connection that cannot read an answer keeps the
# column as it is).
INDEX_SOURCES = {"nom": "nom", "prenom": "prenom", "telephone": "telephone",
                 "commune": "commune_residence", "type_projet": "type_projet",
                 "montant_demande": "montant_demande"}
