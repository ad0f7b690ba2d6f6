"""The live side panel of the interview: progress per section, the fiche (budget), the orientation.

Pure display: the figures are the engine's computed values and the orientation's suggestions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from intake_assistant.tui import text as fmt
from intake_assistant.tui.widgets.painted import Painted

BAR_WIDTH = 10


def progress_bar(done: int, total: int, width: int = BAR_WIDTH) -> str:
    filled = round(width * done / total) if total else width
    return "█" * filled + "░" * (width - filled)


class SectionProgress(Painted):
    def show(self, sections: Sequence[Any], current_section: str | None) -> None:
        text = Text()
        for s in sections:
            mark = "▸ " if s.id == current_section else "  "
            style = "bold" if s.id == current_section else ""
            title = s.title if len(s.title) <= 18 else s.title[:17] + "…"
            text.append(f"{mark}{title:<18} ", style=style)
            text.append(progress_bar(s.answered, s.relevant),
                        style="green" if s.answered == s.relevant else "cyan")
            text.append(f" {s.answered}/{s.relevant}\n")
        text.rstrip()
        self.paint(text)


FICHE_ROWS = (
    ("Ressources", "total_ressources", "money"),
    ("Charges", "total_charges", "money"),
    ("Reste à vivre", "reste_a_vivre", "money"),
    ("Par UC et par jour", "rav_jour_uc", "day"),
    ("Mensualité estimée", "mensualite_estimee", "money2"),
    ("Reste après mensualité", "rav_jour_uc_apres", "day"),
)


class Fiche(Painted):
    """Household, budget and the estimated instalment (what remains after it)."""

    def show(self, computed: Mapping[str, Any]) -> None:
        text = Text()
        people, uc = computed.get("nb_personnes"), computed.get("nb_uc")
        text.append("Foyer".ljust(23), style="dim")
        household = f"{fmt.number(people, 0)} pers. · {fmt.number(uc, 1)} UC"
        text.append(household + "\n", style="bold")
        for label, key, kind in FICHE_ROWS:
            value = computed.get(key)
            if kind == "day":
                shown = "—" if not fmt.known(value) else f"{fmt.number(value)} €/j"
            else:
                shown = fmt.money(value, 2 if kind == "money2" else None)
            style = "bold red" if fmt.known(value) and isinstance(value, int | float) \
                and value < 0 else "bold"
            text.append(label.ljust(23), style="dim")
            text.append(shown + "\n", style=style)
        duree = computed.get("duree_calcul")
        if fmt.known(duree):
            text.append(f"(mensualité sur {fmt.number(duree, 0)} mois)", style="dim")
        text.rstrip()
        self.paint(text)


class AidRow(Painted):
    """One aid: status and name; click (or F7 for all) shows the reasons.

    Rows are positions in the ranked list: a row shows whichever aid ranks there, so that a
    re-ranking repaints a few rows instead of remounting the list.
    """

    def __init__(self, panel: OrientationList) -> None:
        super().__init__(classes="aid")
        self.panel = panel
        self.suggestion: Any = None
        self._shown: tuple[Any, bool, str | None] | None = None

    def show(self, suggestion: Any) -> None:
        self.suggestion = suggestion
        expanded = suggestion.aid in self.panel.expanded
        estimate = self.panel.estimates.get(suggestion.aid)
        if self._shown == (suggestion, expanded, estimate):
            return  # unchanged: no repaint, no restyle
        self._shown = (suggestion, expanded, estimate)
        label, icon, css = fmt.AID_STATUS[suggestion.status]
        self.set_classes(f"aid {css}")
        text = Text()
        text.append(f"{'▾' if expanded else '▸'} {icon} ", style="bold")
        text.append(suggestion.name)
        text.append(f" — {label}", style="italic")
        if estimate:  # OpenFisca's estimate beside the status (F8, optional extra)
            text.append(f"\n    ≈ {estimate}", style="cyan")
        if expanded:
            for reason in suggestion.reasons:
                text.append(f"\n    • {reason}", style="dim")
            if suggestion.orient_to:
                text.append(f"\n    → {suggestion.orient_to}", style="dim")
        self.paint(text)

    def on_click(self) -> None:
        if self.suggestion is not None:
            self.panel.toggle(self.suggestion.aid)


class OrientationList(Vertical):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.expanded: set[str] = set()
        self.estimates: dict[str, str] = {}  # aid -> « montant estimé : … » (F8)
        self._suggestions: Sequence[Any] = ()

    def show(self, suggestions: Sequence[Any]) -> None:
        self._suggestions = suggestions
        rows = list(self.query(AidRow))
        if len(rows) < len(suggestions):
            self.mount_all([AidRow(self) for _ in range(len(suggestions) - len(rows))])
            rows = list(self.query(AidRow))  # mounted rows are listed at once
        for row, suggestion in zip(rows, suggestions, strict=False):
            row.show(suggestion)

    def toggle(self, aid: str) -> None:
        self.expanded ^= {aid}
        self.show(self._suggestions)

    def toggle_all(self) -> None:
        aids = {s.aid for s in self._suggestions}
        self.expanded = set() if aids <= self.expanded else aids
        self.show(self._suggestions)


class SidePanel(VerticalScroll):
    can_focus = False

    def compose(self) -> ComposeResult:
        yield Static("Avancement", classes="panel-title")
        yield SectionProgress(id="sections")
        yield Static("Fiche", classes="panel-title")
        yield Fiche(id="fiche")
        from intake_assistant.tui.keymap import key_of

        yield Static(f"Orientation ({key_of(self.app, 'interview.toggle_reasons')} : motifs)",
                     classes="panel-title")
        yield OrientationList(id="orientation")
