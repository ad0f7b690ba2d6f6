"""The statistics as French text (terminal, e-mail) and as JSON (other tools)."""

from __future__ import annotations

import json
from typing import Any

from intake_assistant.core.french import format_date, format_money, format_number, format_percent

DASH = "—"


def text_cell(value: Any, kind: str) -> str:
    if value is None:
        return DASH
    if isinstance(value, str):
        return value
    if kind == "money":
        return format_money(value)
    if kind == "days":
        return f"{format_number(value, 0 if float(value).is_integer() else 1)} j"
    if kind == "share":
        return format_percent(value, 1)
    if kind == "growth":
        return ("+" if value > 0 else "") + format_percent(value, 1)
    return format_number(value, 0)


def table_text(table: dict[str, Any]) -> str:
    columns = table["columns"]
    cells = [[c["label"] for c in columns]]
    cells += [[text_cell(row.get(c["id"]), c["kind"]) for c in columns] for row in table["rows"]]
    widths = [max(len(line[i]) for line in cells) for i in range(len(columns))]
    lines = [table["title"], ""]
    for n, line in enumerate(cells):
        parts = [text.ljust(w) if c["kind"] == "text" else text.rjust(w)
                 for text, w, c in zip(line, widths, columns, strict=True)]
        lines.append("  " + "  ".join(parts).rstrip())
        if n == 0:
            lines.append("  " + "  ".join("-" * w for w in widths))
    if table.get("note"):
        lines += ["", f"  {table['note']}"]
    return "\n".join(lines) + "\n"


def stats_heading(result: dict[str, Any]) -> str:
    period, before, summary = result["period"], result["year_before"], result["summary"]
    growth = summary["growth"]
    lines = [
        f"Statistiques d'activité du {format_date(period['from'])} au {format_date(period['to'])}",
        f"Demandes (premiers contacts) : {text_cell(summary['requests'], 'count')}",
        f"Même période un an avant ({format_date(before['from'])} – {format_date(before['to'])})"
        f" : {text_cell(summary['requests_year_before'], 'count')}",
        f"Évolution : {text_cell(growth, 'growth')}",
    ]
    if result["min_group"] > 1:
        lines.append(f"Les groupes de moins de {result['min_group']} dossiers sont notés "
                     f"« < {result['min_group']} » (secret statistique).")
    return "\n".join(lines) + "\n"


def stats_text(result: dict[str, Any], names: list[str] | None = None) -> str:
    tables = result["tables"]
    chosen = names or list(tables)
    return stats_heading(result) + "".join("\n" + table_text(tables[n]) for n in chosen)


def stats_json(result: dict[str, Any], names: list[str] | None = None) -> str:
    if names:
        result = {**result, "tables": {n: result["tables"][n] for n in names}}
    return json.dumps(result, ensure_ascii=False, indent=2) + "\n"
