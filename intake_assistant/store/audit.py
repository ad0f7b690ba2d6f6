"""Audit rows: each answer change keeps the old value, the new value, the agent and the time."""

from __future__ import annotations

from typing import Any

_ABSENT = object()


def same_value(a: Any, b: Any) -> bool:
    """Equal and of the same JSON type (1, 1.0 and True compare equal in Python)."""
    if type(a) is not type(b) or a != b:
        return False
    if isinstance(a, list):
        return all(same_value(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return all(same_value(a[k], b[k]) for k in a)
    return True


def answer_changes(
    old: dict[str, Any],
    old_unknown: list[str],
    new: dict[str, Any],
    new_unknown: list[str],
    *,
    agent: str,
    at: str,
) -> list[dict[str, Any]]:
    """One row per answer changed after it was first given (value, removal, or "à compléter");
    absent values are None and `unknown: true` marks an answer that became "à compléter"."""
    rows = []
    was_unknown, is_unknown = set(old_unknown), set(new_unknown)
    keys = list(dict.fromkeys([*new, *new_unknown, *old, *old_unknown]))
    for key in keys:
        before, after = old.get(key, _ABSENT), new.get(key, _ABSENT)
        if same_value(before, after) and (key in was_unknown) == (key in is_unknown):
            continue
        if before is _ABSENT and key not in was_unknown and key not in is_unknown:
            continue  # a first answer: its event already records value, agent and time
        row = {"at": at, "agent": agent, "id": key,
               "old": None if before is _ABSENT else before,
               "new": None if after is _ABSENT else after}
        if key in is_unknown:
            row["unknown"] = True
        rows.append(row)
    return rows


def field_changes(
    doc: dict[str, Any], fields: dict[str, Any], *, agent: str, at: str
) -> list[dict[str, Any]]:
    """Audit rows for dossier fields outside the answers (évaluation sociale, durée retenue...)."""
    return [
        {"at": at, "agent": agent, "id": key, "old": doc.get(key), "new": value, "field": True}
        for key, value in fields.items()
        if not same_value(doc.get(key, _ABSENT), value)
    ]
