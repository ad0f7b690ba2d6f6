"""Display helpers the faces need from the engine's value model, without importing the engine."""

from __future__ import annotations

from typing import Any

from intake_assistant.core.expressions import is_missing


def known(value: Any) -> bool:
    """A value to show: neither absent nor a « missing » marker of the expression language."""
    return value is not None and not is_missing(value)


def field_label(field_id: str) -> str:
    """The data dictionary's French label of an answer id (« Loyer mensuel (€) »), else the id."""
    from intake_assistant.core.fields import load_fields

    try:
        field = load_fields().get(field_id)
    except Exception:  # a dictionary that does not load: the id still says something
        return field_id
    return field.label if field is not None and field.label else field_id
