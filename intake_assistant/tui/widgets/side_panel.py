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

BAR_WIDTH = 10


def progress_bar(done: int, total: int, width: int = BAR_WIDTH) -> str:
    filled = round(width * done / total) if total else width
    return "█" * filled + "░" * (width - filled)


class SectionProgress(Static):
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
        self.update(text)


FICHE_ROWS = (
    ("Ressources", "total_ressources", "money"),
    ("Charges", "total_charges", "money"),
    ("Reste à vivre", "reste_a_vivre", "money"),
    ("Par UC et par jour", "rav_jour_uc", "day"),
    ("Mensualité estimée", "mensualite_estimee", "money2"),
    ("Reste après mensualité", "rav_jour_uc_apres", "day"),
)


class Fiche(Static):
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
        self.update(text)


class AidRow(Static):
    """One aid: status and name; click (or F7 for all) shows the reasons."""

    def __init__(self, aid: str) -> None:
        super().__init__(classes="aid")
        self.aid = aid
        self.expanded = False
        self.suggestion: Any = None

    def show(self, suggestion: Any) -> None:
        self.suggestion = suggestion
        self._paint()

    def toggle(self, expanded: bool | None = None) -> None:
        self.expanded = not self.expanded if expanded is None else expanded
        self._paint()

    def _paint(self) -> None:
        s = self.suggestion
        if s is None:
            return
        label, icon, css = fmt.AID_STATUS[s.status]
        for other in fmt.AID_STATUS.values():
            self.remove_class(other[2])
        self.add_class(css)
        text = Text()
        text.append(f"{'▾' if self.expanded else '▸'} {icon} ", style="bold")
        text.append(s.name)
        text.append(f" — {label}", style="italic")
        if self.expanded:
            for reason in s.reasons:
                text.append(f"\n    • {reason}", style="dim")
            if s.orient_to:
                text.append(f"\n    → {s.orient_to}", style="dim")
        self.update(text)

    def on_click(self) -> None:
        self.toggle()


class OrientationList(Vertical):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._rows: dict[str, AidRow] = {}

    def show(self, suggestions: Sequence[Any]) -> None:
        order = [s.aid for s in suggestions]
        if order != list(self._rows):  # statuses re-ranked: rebuild in the new order
            expanded = {a for a, r in self._rows.items() if r.expanded}
            self.remove_children()
            self._rows = {aid: AidRow(aid) for aid in order}
            for aid, row in self._rows.items():
                row.expanded = aid in expanded
            self.mount_all(self._rows.values())
        for s in suggestions:
            self._rows[s.aid].show(s)

    def toggle_all(self) -> None:
        expand = not all(r.expanded for r in self._rows.values())
        for row in self._rows.values():
            row.toggle(expand)


class SidePanel(VerticalScroll):
    can_focus = False

    def compose(self) -> ComposeResult:
        yield Static("Avancement", classes="panel-title")
        yield SectionProgress(id="sections")
        yield Static("Fiche", classes="panel-title")
        yield Fiche(id="fiche")
        yield Static("Orientation (F7 : motifs)", classes="panel-title")
        yield OrientationList(id="orientation")
