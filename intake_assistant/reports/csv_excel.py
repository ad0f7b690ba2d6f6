"""CSV that French Excel opens as it should: ';' separator, decimal comma, UTF-8 with a BOM.

Without the BOM Excel reads UTF-8 as Windows-1252 (« Ã© » for « é »); with ',' as separator a
French Excel puts a whole line in one cell. Numbers carry no thousands separator and no unit (the
unit is in the header), so that Excel reads them as numbers; ratios are written in percent points.
"""

from __future__ import annotations

import csv
import io
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

BOM = "\ufeff"
_UNITS = {"money": " (€)", "days": " (jours)", "share": " (%)", "growth": " (%)"}


def header(col: dict[str, str]) -> str:
    return col["label"] + _UNITS.get(col["kind"], "")


def cell(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if kind in ("share", "growth"):
        return _decimal(Decimal(str(value)) * 100, 1)
    if kind == "money":
        return _decimal(Decimal(str(value)), 2)
    if kind == "days":
        return _decimal(Decimal(str(value)), 1)
    if isinstance(value, float) and not value.is_integer():
        return _decimal(Decimal(str(value)), 2)
    return str(int(value))


def _decimal(value: Decimal, places: int) -> str:
    """Rounded half up like the French text output (-31,25 -> -31,3), trailing zeros dropped."""
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{rounded:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text.replace(".", ",")


def table_csv(table: dict[str, Any]) -> str:
    """The table as CSV text, without the BOM (added when writing)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    columns = table["columns"]
    writer.writerow([header(c) for c in columns])
    for row in table["rows"]:
        writer.writerow([cell(row.get(c["id"]), c["kind"]) for c in columns])
    return out.getvalue()


def write_csv(path: Path, table: dict[str, Any]) -> Path:
    path.write_bytes((BOM + table_csv(table)).encode("utf-8"))
    return path
