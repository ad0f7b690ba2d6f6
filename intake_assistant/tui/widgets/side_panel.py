"""The live side panel of the interview: progress per section, the fiche (budget), the orientation.

Pure display: the figures are the engine's computed values and the orientation's suggestions.

One line-based widget (Textual's Line API) draws the whole panel, part by part (titles, sections,
fiche, one part per aid), each styled by the stylesheet as a component class (`styled_lines`).
After an answer only the rows that changed are repainted: as separate widgets, an aid whose text
took one more line (a status worded longer, an estimate) laid the whole screen out again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.text import Text
from textual import events
from textual.content import Content
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from intake_assistant.tui import text as fmt
from intake_assistant.tui.widgets.blank_lines import BlankLines
from intake_assistant.tui.widgets.styled_lines import part_lines

BAR_WIDTH = 10
STATUS_CLASSES = ("eligible", "to-check", "not-eligible")


def progress_bar(done: int, total: int, width: int = BAR_WIDTH) -> str:
    filled = round(width * done / total) if total else width
    return "█" * filled + "░" * (width - filled)


def sections_text(sections: Sequence[Any], current_section: str | None) -> Text:
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
    return text


FICHE_ROWS = (
    ("Ressources", "total_ressources", "money"),
    ("Charges", "total_charges", "money"),
    ("Reste à vivre", "reste_a_vivre", "money"),
    ("Par UC et par jour", "rav_jour_uc", "day"),
    ("Mensualité estimée", "mensualite_estimee", "money2"),
    ("Reste après mensualité", "rav_jour_uc_apres", "day"),
)

# The computed values the fiche shows (the engine computes only these, and what they need).
FICHE_IDS = ("nb_personnes", "nb_uc", *(key for _, key, _ in FICHE_ROWS), "duree_calcul")


def fiche_text(computed: Mapping[str, Any]) -> Text:
    """Household, budget and the estimated instalment (what remains after it)."""
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
    return text


def aid_text(suggestion: Any, expanded: bool, estimate: str | None) -> Text:
    """One aid: status and name; its reasons when expanded (a click, or F7 for all)."""
    label, icon, _ = fmt.AID_STATUS[suggestion.status]
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
    return text


def more_text(rows: int) -> str:
    """The hint on the last row of a panel taller than its view (it has no scroll bar)."""
    return f"▼ {rows} ligne{'s' if rows > 1 else ''} de plus (molette)"


class SidePanel(ScrollView, can_focus=False):
    """Without a scroll bar (the stylesheet gives it none): a bar appearing or going laid the
    whole screen out again, and repainting it took longer than the rest of the panel; when the
    panel is taller than its view, its last visible row says how many rows are below instead."""

    COMPONENT_CLASSES = {"side-panel--title", "side-panel--sections", "side-panel--fiche",
                         "side-panel--aid", "side-panel--more",
                         *(f"side-panel--{c}" for c in STATUS_CLASSES)}
    DEFAULT_CSS = """
    SidePanel {
        overflow-x: hidden;
    }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._blank = BlankLines(self)
        self.expanded: set[str] = set()
        self.estimates: dict[str, str] = {}  # aid -> « montant estimé : … » (F8)
        self.suggestions: Sequence[Any] = ()
        # Part key -> (its component classes, its text), in the order shown.
        self._parts: dict[str, tuple[tuple[str, ...], Text]] = {}
        self._made: dict[str, tuple[Any, list[Strip]]] = {}
        self._rows: list[tuple[str, int, int]] = []  # (part key, first row, rows)
        self._strips: list[Strip] = []
        self._width = 0

    def on_mount(self) -> None:
        from intake_assistant.tui.keymap import key_of

        reasons = key_of(self.app, "interview.toggle_reasons")
        self._set("t-sections", ("title",), Text("Avancement"))
        self._set("sections", ("sections",), Text())
        self._set("t-fiche", ("title",), Text("Fiche"))
        self._set("fiche", ("fiche",), Text())
        self._set("t-orientation", ("title",), Text(f"Orientation ({reasons} : motifs)"))
        self._arrange()

    # -- what is shown ---------------------------------------------------------------------------
    def show_sections(self, sections: Sequence[Any], current_section: str | None) -> None:
        self._set("sections", ("sections",), sections_text(sections, current_section))
        self._arrange()

    def show_fiche(self, computed: Mapping[str, Any]) -> None:
        self._set("fiche", ("fiche",), fiche_text(computed))
        self._arrange()

    def show_orientation(self, suggestions: Sequence[Any]) -> None:
        """Aids in ranked order: a part per rank, so a re-ranking repaints a few rows."""
        self.suggestions = suggestions
        for key in [k for k in self._parts if k.startswith("aid:")]:
            if int(key[4:]) >= len(suggestions):
                del self._parts[key]
        for rank, s in enumerate(suggestions):
            css = fmt.AID_STATUS[s.status][2]
            self._set(f"aid:{rank}", ("aid", css),
                      aid_text(s, s.aid in self.expanded, self.estimates.get(s.aid)))
        self._arrange()

    def toggle(self, aid: str) -> None:
        self.expanded ^= {aid}
        self.show_orientation(self.suggestions)

    def toggle_all(self) -> None:
        aids = {s.aid for s in self.suggestions}
        self.expanded = set() if aids <= self.expanded else aids
        self.show_orientation(self.suggestions)

    def part_text(self, key: str) -> str:
        """What a part says (« sections », « fiche », « aid:0 »…), plain text."""
        part = self._parts.get(key)
        return part[1].plain if part is not None else ""

    def aid_texts(self) -> list[str]:
        return [self.part_text(f"aid:{rank}") for rank in range(len(self.suggestions))]

    def _set(self, key: str, classes: tuple[str, ...], text: Text) -> None:
        self._parts[key] = (classes, text)

    # -- lines ---------------------------------------------------------------------------------
    def _part(self, key: str, width: int) -> list[Strip]:
        classes, text = self._parts[key]
        made_key = (classes, text.plain, text.spans, width)
        made = self._made.get(key)
        if made is not None and made[0] == made_key:
            return made[1]
        styles = self.get_component_styles(*(f"side-panel--{c}" for c in classes))
        strips = part_lines(self, styles, Content.from_rich_text(text), width)
        self._made[key] = (made_key, strips)
        return strips

    def _make(self, width: int) -> None:
        for key in [k for k in self._made if k not in self._parts]:
            del self._made[key]
        strips: list[Strip] = []
        rows = []
        for key in self._parts:
            part = self._part(key, width)
            rows.append((key, len(strips), len(part)))
            strips += part
        self._strips, self._rows, self._width = strips, rows, width

    def _arrange(self) -> None:
        """The panel's rows; only those that changed are repainted (no layout of the screen,
        unless the scroll bar appears or goes)."""
        width = self.scrollable_content_region.width
        if not self.is_mounted or width <= 0:
            return  # arranged at the first resize
        old, old_width = self._strips, self._width
        self._make(width)
        size = Size(width, len(self._strips))
        if width != old_width or size != self.virtual_size:
            self.set_reactive(Widget.virtual_size, size)
            self._scroll_update(size)
            self.refresh()
            return
        top = self.scroll_offset.y
        for y, strip in enumerate(self._strips):
            if y >= len(old) or old[y] is not strip:
                self.refresh(Region(0, y - top, self.size.width, 1))

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if width != self._width and width > 0:
            self._make(width)  # painted before its resize event: made for this width now
        row = y + self.scroll_offset.y
        if row >= len(self._strips):
            return self._blank.line(width)
        below = len(self._strips) - 1 - row
        if below > 0 and y == self.scrollable_content_region.height - 1:
            return self._more(below + 1, width)  # this row and those under it
        return self._strips[row]

    def _more(self, rows: int, width: int) -> Strip:
        key = (rows, width)
        if self._more_made is None or self._more_made[0] != key:
            styles = self.get_component_styles("side-panel--more")
            strips = part_lines(self, styles, Content(more_text(rows)), width)
            self._more_made = (key, strips[0] if strips else Strip.blank(width))
        return self._more_made[1]

    _more_made: tuple[tuple[int, int], Strip] | None = None

    def on_resize(self, event: events.Resize) -> None:
        self._arrange()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._made.clear()  # theme or plain mode: every part made again
        self._more_made = None
        self._blank.forget()
        if self.is_mounted:
            self._width = 0
            self._arrange()

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        row = offset.y + self.scroll_offset.y
        for key, first, count in self._rows:
            if first <= row < first + count and key.startswith("aid:"):
                self.toggle(self.suggestions[int(key[4:])].aid)
                return
