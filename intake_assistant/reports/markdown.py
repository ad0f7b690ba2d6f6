"""The commission summary in Markdown, to paste into an e-mail or a shared document."""

from __future__ import annotations

from typing import Any

from .layout import heading_pairs, sections


def _escape(text: str) -> str:
    """Table cells: a '|' would split the cell, a line break would end the row."""
    return " ".join(str(text).replace("|", "\\|").split())


def _table(headers: list[str], rows: list[list[str]], aligns: str) -> list[str]:
    marks = ["---:" if a == "R" else "---" for a in aligns]
    lines = ["| " + " | ".join(_escape(h) for h in headers) + " |",
             "| " + " | ".join(marks) + " |"]
    lines += ["| " + " | ".join(_escape(c) for c in row) + " |" for row in rows]
    return lines


def summary_markdown(summary: dict[str, Any]) -> str:
    doc = summary["document"]
    lines = [f"# {doc['title']} — {summary['dossier']['id']}", "", f"*{doc['service']}*", ""]
    if doc.get("address"):  # the CCAS's address (settings), one line
        lines[-1:] = ["", _escape(" — ".join(doc["address"].splitlines())), ""]
    lines += [f"- **{k}** : {_escape(v)}" for k, v in heading_pairs(summary)]
    for section in sections(summary):
        lines += ["", f"## {section.title}", ""]
        for block in section.blocks:
            kind = block[0]
            if kind == "pairs":
                lines += [f"- **{k}** : {_escape(v)}" for k, v in block[1]]
            elif kind == "table":
                lines += _table(block[1], block[2], block[3])
            elif kind == "text":
                lines += [str(block[1]).strip()]
            elif kind == "items":
                for title, details in block[1]:
                    lines.append(f"- **{_escape(title)}**")
                    lines += [f"  - {_escape(d)}" for d in details]
            lines.append("")
        while lines and lines[-1] == "":
            lines.pop()
    return "\n".join(lines) + "\n"
