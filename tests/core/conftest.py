from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from intake_assistant.core.fields import load_fields
from intake_assistant.core.french import format_number

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
TODAY = date(2026, 11, 26)


def personas() -> list[dict]:
    return yaml.safe_load((FIXTURES / "personas.yaml").read_text(encoding="utf-8"))["personas"]


def typed_the_french_way(answers: dict) -> dict:
    """Persona answers as an agent types them: "1 100", "11/02/1994", "o", choice numbers.

    An amount of the budget the persona leaves out (counted 0) is said, as the interview asks:
    « 0 » or « aucun », in turn."""
    fields = load_fields()
    out: dict = {}
    said = ("0", "aucun")
    budget = [fid for fid, f in fields.items()
              if f.type == "money" and f.absent_default is not None and fid not in answers]
    for n, fid in enumerate(budget):
        out[fid] = said[n % 2]
    for fid, value in answers.items():
        fdef = fields.get(fid)
        if fdef is None:
            out[fid] = value
        elif fdef.type == "boolean":
            out[fid] = "o" if value else "n"
        elif fdef.type in ("money", "integer", "number"):
            out[fid] = format_number(value, 0 if float(value).is_integer() else 2)
        elif fdef.type == "date":
            y, m, d = value.split("-")
            out[fid] = f"{d}/{m}/{y}"
        elif fdef.type == "choice":
            out[fid] = str([c.value for c in fdef.choices].index(value) + 1)
        elif fdef.type == "repeat":
            out[fid] = [{k: str(v) for k, v in item.items()} for item in value]
        else:
            out[fid] = value
    return out


@pytest.fixture
def today() -> date:
    return TODAY
