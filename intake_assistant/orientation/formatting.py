"""Values the French way for reasons and reports: by their unit (calculs.yaml, parametres.yaml)."""

from __future__ import annotations

from typing import Any

from intake_assistant.core.expressions import is_missing
from intake_assistant.core.french import format_money, format_number, format_percent


def plain_value(value: object) -> str:
    """How a bare ``{x}`` of a reason prints: French numbers, oui/non."""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, int | float):
        whole = float(value).is_integer()
        return format_number(value, 0 if whole else 2)
    return str(value)


def format_with_unit(value: Any, unit: str) -> str:
    """A value the French way according to its unit (``calculs.yaml`` / ``parametres.yaml``)."""
    if value is None or is_missing(value):
        return "à compléter"
    if isinstance(value, list):  # one unit for the whole list: "10 339 €, 15 508 € par an"
        texts = [format_with_unit(v, unit) for v in value]
        suffix = {"€/mois": " par mois", "€/an": " par an"}.get(unit, "")
        if suffix:
            texts = [t.removesuffix(suffix) for t in texts]
        return ", ".join(texts) + suffix
    if isinstance(value, bool) or not isinstance(value, int | float):
        return plain_value(value)
    if unit in ("€", "€/mois", "€/an"):
        suffix = {"€/mois": " par mois", "€/an": " par an"}.get(unit, "")
        return format_money(value) + suffix
    if unit == "€/jour/UC":
        return f"{format_number(value, 2)} €/jour/UC"
    if unit == "taux":
        decimals = next(d for d in (0, 1, 2, 3) if round(value * 100, d) == round(value * 100, 6)
                        or d == 3)
        return format_percent(value, decimals)
    if unit == "nombre":
        whole = float(value).is_integer()
        return format_number(value, 0 if whole else min(5, len(repr(float(value)).split(".")[1])))
    if unit in ("€/heure", "€/jour"):
        return f"{format_number(value, 2)} {unit.replace('heure', 'h')}"
    if unit == "UC":
        return f"{format_number(value, 1)} UC"
    if unit in ("ans", "mois", "jours", "personnes"):
        return f"{format_number(value, 0)} {unit}"
    return plain_value(value)
