"""One line per dossier (name, status, dates, agent...) for listing and searching, and the search
semantics every backend follows (accents and case ignored, phone digits, every word must match)."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from intake_assistant.core.lifecycle import last_contact


@dataclass(slots=True)
class IndexEntry:
    id: str
    nom: str | None
    prenom: str | None
    telephone: str | None
    commune: str | None
    status: str
    agent: str | None
    created_at: str
    updated_at: str
    last_contact: str  # ISO date
    type_projet: str | None
    montant_demande: float | None
    rev: int = 0
    interview_agent: str | None = None  # an interview marked in progress by this agent

    @property
    def version(self) -> str:
        """The change token of `DossierStore.versions()`: revision and update time."""
        return f"{self.rev}:{self.updated_at}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def dossier_version(doc: Mapping[str, Any]) -> str:
    """The change token of a document, as `DossierStore.versions()` gives it."""
    return f"{int(doc.get('rev') or 0)}:{doc.get('updated_at') or doc['created_at']}"


ENTRY_FIELDS = tuple(f.name for f in fields(IndexEntry))


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def entry_from_document(doc: Mapping[str, Any]) -> IndexEntry:
    answers = doc.get("answers") or {}
    amount = answers.get("montant_demande")
    marker = doc.get("interview")
    return IndexEntry(
        id=doc["id"],
        nom=_text(answers.get("nom")),
        prenom=_text(answers.get("prenom")),
        telephone=_text(answers.get("telephone")),
        commune=_text(answers.get("commune_residence")),
        status=doc["status"],
        agent=_text(doc.get("agent")),
        created_at=doc["created_at"],
        updated_at=doc.get("updated_at") or doc["created_at"],
        last_contact=last_contact(doc).isoformat(),
        type_projet=_text(answers.get("type_projet")),
        montant_demande=amount if isinstance(amount, int | float) else None,
        rev=int(doc.get("rev") or 0),
        interview_agent=_text(marker.get("agent")) if isinstance(marker, dict) else None,
    )


def normalize(text: str) -> str:
    """Casefold, strip accents and punctuation: « Lefèvre-D'Arc » -> « lefevre d arc »."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(
        ch if ch.isalnum() else " " for ch in decomposed if not unicodedata.combining(ch)
    )
    return " ".join(kept.split())


def phone_digits(text: str) -> str:
    digits = "".join(ch for ch in text if ch.isdigit())
    if digits.startswith("33") and len(digits) == 11:  # +33 6 12 … -> 06 12 …
        digits = "0" + digits[2:]
    return digits


def search_key(entry: IndexEntry) -> tuple[str, str]:
    text = normalize(f"{entry.nom or ''} {entry.prenom or ''} {entry.id}")
    return text, phone_digits(entry.telephone or "")


class Query:
    """A search text: digits only means a phone (or id) number; otherwise every word must match."""

    def __init__(self, text: str) -> None:
        compact = "".join(text.split()).replace(".", "").replace("-", "")
        self.digits = phone_digits(compact) if compact.lstrip("+").isdigit() else None
        self.words = normalize(text).split()

    def matches(self, key: tuple[str, str]) -> bool:
        text, digits = key
        if self.digits is not None:
            return self.digits in digits or self.digits in text.replace(" ", "")
        return all(word in text for word in self.words)
