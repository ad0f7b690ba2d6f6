"""The statistics tables as plain data, the small-group rule, and the French labels they use.

A table is ``{"name", "title", "columns": [{"id", "label", "kind"}], "rows": [{id: value}]}``.
Column kinds: ``text``, ``count``, ``money`` (€), ``days``, ``share`` and ``growth`` (ratios:
0.45 is 45 %). A count of a group smaller than the threshold is the text ``"< 5"``; a figure
derived from such a group (share, median, sum) is ``None``: printed "—", an empty CSV cell.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

from intake_assistant.core.statuses import AidStatus

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre")

HOUSEHOLD_LABELS = {
    "seul_sans_enfant": "Personne seule sans enfant",
    "seul_avec_enfants": "Personne seule avec enfant(s)",
    "couple_sans_enfant": "Couple sans enfant",
    "couple_avec_enfants": "Couple avec enfant(s)",
}
AGE_LABELS = {
    "moins_25": "Moins de 25 ans", "25_34": "25 à 34 ans", "35_44": "35 à 44 ans",
    "45_54": "45 à 54 ans", "55_64": "55 à 64 ans", "65_plus": "65 ans et plus",
}
NOT_GIVEN = "Non renseigné"
# The orientation's statuses, with the one vocabulary's labels (core/statuses.py).
STATUS_LABELS = {status.value: status.label for status in AidStatus}


def masked_marker(min_group: int) -> str:
    return f"< {min_group}"


def count_cell(n: int, min_group: int) -> int | str:
    """A head count, or "< 5" for a group of 1 to 4 (0 reveals nobody and stays 0)."""
    return masked_marker(min_group) if 0 < n < min_group else n


def derived_cell(value: Any, n: int, min_group: int) -> Any:
    """A figure computed over n dossiers: hidden when those n form a small group."""
    return None if n < max(min_group, 1) else value


def column(cid: str, label: str, kind: str = "count") -> dict[str, str]:
    return {"id": cid, "label": label, "kind": kind}


def table(name: str, title: str, columns: list[dict[str, str]], rows: list[dict[str, Any]],
          note: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name, "title": title, "columns": columns, "rows": rows}
    if note:
        out["note"] = note
    return out


def median(values: Sequence[float]) -> float | None:
    return float(statistics.median(values)) if values else None


def percentile_90(values: Sequence[float]) -> float | None:
    """90th percentile, linear interpolation between closest ranks (Excel CENTILE.INCLUS)."""
    if not values:
        return None
    if len(values) == 1:
        return float(values[0])
    return float(statistics.quantiles(values, n=10, method="inclusive")[8])


def month_label(key: str) -> str:
    """"2026-03" -> "mars 2026"."""
    year, month = key.split("-")
    return f"{MONTHS[int(month) - 1]} {year}"
