"""Arguments checked before anything reaches the database, refused with a French message: the
dossier id here, the rest shared with the TinyDB backend (`store/checks.py`)."""

from __future__ import annotations

import re

from ..checks import (  # shared with the TinyDB backend
    check_day,
    check_json,
    check_kind,
    check_record_id,
    check_status,
    check_table,
    check_transition,
)
from ..errors import InvalidValueError

_ID_PATTERN = r"^D-(\d{4})-(\d{6})$"


def parse_id(dossier_id: str) -> tuple[int, int]:
    """(year, number) of a dossier id D-YYYY-NNNNNN, or InvalidValueError."""
    match = re.match(_ID_PATTERN, dossier_id) if isinstance(dossier_id, str) else None
    if match is None:
        raise InvalidValueError(
            f"Identifiant de dossier invalide : « {dossier_id} » (attendu : D-AAAA-NNNNNN)."
        )
    return int(match.group(1)), int(match.group(2))


__all__ = ["check_day", "check_json", "check_kind", "check_record_id", "check_status",
           "check_table", "check_transition", "parse_id"]
