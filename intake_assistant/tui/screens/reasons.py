"""Motifs de l'orientation (F7): every aid with its status and every reason, in a full screen
scrolled by keys (↑ ↓, PgPréc PgSuiv, Début Fin), so that the reasons of the aids low in the list
are as readable as the first ones. Opened from the dossier and from the interview.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from intake_assistant.tui import text as fmt

AID_STYLE = {"eligible": "green", "to_check": "yellow", "not_eligible": "red"}


def orientation_text(suggestions: Sequence[Any], missing: Sequence[str] = (),
                     estimates: Mapping[str, str] | None = None) -> Text:
    """Each aid: status, reasons, where to go and what to bring; then the answers lacking."""
    out = Text()
    for s in suggestions:
        label, icon, _ = fmt.AID_STATUS[s.status]
        out.append(f"{icon} {s.name} — {label}\n", style=f"bold {AID_STYLE[s.status]}")
        for reason in s.reasons:
            out.append(f"    • {reason}\n")
        if estimates and estimates.get(s.aid):
            out.append(f"    {estimates[s.aid]}\n", style="italic")
        if s.orient_to and s.status != "not_eligible":
            out.append(f"    → {s.orient_to}\n", style="dim")
            for item in s.bring:
                out.append(f"      à apporter : {item}\n", style="dim")
    if not suggestions:
        out.append("Aucune aide à examiner pour l'instant.\n")
    if missing:
        from intake_assistant.app.display import field_label

        out.append("\nRéponses qui manquent :\n", style="bold yellow")
        for field_id in missing:
            out.append(f"  • {field_label(field_id)}\n", style="yellow")
    return out


class ReasonsScreen(Screen[None]):
    DEFAULT_CSS = """
    ReasonsScreen #reasons-body { height: 1fr; padding: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "close", "Retour"),
        Binding("f7", "close", "Fermer", show=False, id="dossier.reasons"),  # F7 opens it
        Binding("home", "scroll('home')", "Début", show=False),
        Binding("end", "scroll('end')", "Fin", show=False),
    ]

    def __init__(self, title: str, suggestions: Sequence[Any], missing: Sequence[str] = (),
                 estimates: Mapping[str, str] | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.suggestions = list(suggestions)
        self.missing = list(missing)
        self.estimates = dict(estimates or {})

    def compose(self) -> ComposeResult:
        yield Static(Text(self.title_text, style="bold"), id="reasons-title",
                     classes="title-bar")
        with VerticalScroll(id="reasons-body"):
            yield Static(orientation_text(self.suggestions, self.missing, self.estimates),
                         id="reasons-text")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#reasons-body").focus()  # ↑ ↓ PgPréc PgSuiv scroll at once

    def action_scroll(self, where: str) -> None:
        body = self.query_one("#reasons-body", VerticalScroll)
        body.scroll_home(animate=False) if where == "home" else body.scroll_end(animate=False)

    def action_close(self) -> None:
        self.dismiss(None)
