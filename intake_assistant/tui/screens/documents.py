"""The documents checklist of a dossier: build it, mark each item received / requested / not
applicable, add one, print the list for the person."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from intake_assistant.app import casework
from intake_assistant.core.french import format_date

MARKS = {"recue": ("✔", "green", "reçue"), "demandee": ("☐", "yellow", "à fournir"),
         "sans_objet": ("–", "dim", "sans objet")}


class DocumentsScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "back", "Retour", id="documents.back"),
        Binding("b", "build", "Établir la liste", id="documents.build"),
        Binding("r", "mark('recue')", "Reçue", id="documents.received"),
        Binding("d", "mark('demandee')", "À fournir", id="documents.requested"),
        Binding("s", "mark('sans_objet')", "Sans objet", id="documents.not_applicable"),
        Binding("a", "add", "Ajouter", id="documents.add"),
        Binding("i", "print", "Imprimer", id="documents.print"),
    ]
    DEFAULT_CSS = """
    DocumentsScreen OptionList { height: 1fr; }
    DocumentsScreen #documents-state { height: auto; padding: 0 1; }
    """

    def __init__(self, dossier_id: str) -> None:
        super().__init__()
        self.dossier_id = dossier_id
        self.view: casework.ChecklistView | None = None

    def compose(self) -> ComposeResult:
        yield Static(f"[b]Pièces justificatives — dossier {self.dossier_id}[/b]",
                     classes="title-bar")
        yield OptionList(id="documents-list")
        yield Static("Chargement…", id="documents-state")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._run(lambda store: casework.checklist_view(store.load(self.dossier_id)))

    def _show(self, view: casework.ChecklistView) -> None:
        self.view = view
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        options.clear_options()
        for n, row in enumerate(view.active, 1):
            data = row["data"]
            mark, style, label = MARKS.get(str(data.get("etat")), ("?", "", "?"))
            when = data.get({"recue": "recue_le", "sans_objet": "sans_objet_le"}.get(
                str(data.get("etat")), "demandee_le"))
            line = Text(f"{n:>2}. ")
            line.append(f"{mark} ", style=style)
            line.append(str(data.get("libelle")))
            line.append(f"  ({label}{' le ' + format_date(when) if when else ''})", style="dim")
            options.add_option(Option(line, id=str(row["id"])))
        if view.active:
            options.highlighted = min(highlighted or 0, len(view.active) - 1)
        options.focus()
        if not view.active:
            state = "Liste non établie : b l'établit d'après les aides proposées et le projet."
        elif view.complete:
            state = "[green]Dossier complet.[/green]"
        else:
            state = f"[yellow]Dossier incomplet : {len(view.missing)} pièce(s) à fournir.[/]"
        self.query_one("#documents-state", Static).update(
            state + "\n[dim]r reçue · d à fournir · s sans objet · a ajouter · i imprimer[/dim]")

    @work(thread=True, group="documents")
    def _run(self, change: Callable[[Any], casework.ChecklistView], done: str = "") -> None:
        app: Any = self.app
        try:
            view = change(app.store)
        except casework.StoreError as exc:
            app.call_from_thread(app.notify, exc.message, title="Refusé", severity="error",
                                 timeout=8)
            return
        app.call_from_thread(self._show, view)
        if done:
            app.call_from_thread(app.notify, done)

    def _selected(self) -> str | None:
        options = self.query_one(OptionList)
        if options.highlighted is None or not options.option_count:
            return None
        return options.get_option_at_index(options.highlighted).id

    def action_back(self) -> None:
        self.app.leave(self)  # type: ignore[attr-defined]

    def action_build(self) -> None:
        app: Any = self.app
        self._run(lambda store: casework.build_checklist(store, self.dossier_id,
                                                         agent=app.agent, today=app.today),
                  "Liste des pièces à jour.")

    def action_mark(self, state: str) -> None:
        row_id = self._selected()
        if row_id is None:
            return
        app: Any = self.app
        self._run(lambda store: casework.mark_document(store, self.dossier_id, row_id, state,
                                                       agent=app.agent, day=app.today))

    def action_add(self) -> None:
        from intake_assistant.tui.screens.forms import FormScreen

        app: Any = self.app

        def check(values: dict[str, str]) -> str:
            if not values["libelle"].strip():
                raise ValueError("Indiquez la pièce à ajouter.")
            return values["libelle"]

        def done(label: str | None) -> None:
            if label:
                self._run(lambda store: casework.add_document(store, self.dossier_id, label,
                                                              agent=app.agent, today=app.today))

        app.push_screen(FormScreen("Ajouter une pièce", [("libelle", "Pièce", "")], check), done)

    def action_print(self) -> None:
        from intake_assistant.tui.screens.forms import FormScreen

        app: Any = self.app
        default = str(Path.home() / f"pieces-{self.dossier_id}.pdf")

        def check(values: dict[str, str]) -> str:
            if not values["fichier"].strip():
                raise ValueError("Indiquez le fichier à écrire.")
            return values["fichier"].strip()

        def done(path: str | None) -> None:
            if path:
                self._print(path)

        app.push_screen(FormScreen("Imprimer la liste des pièces (PDF)",
                                   [("fichier", "Fichier", default)], check), done)

    @work(thread=True, group="documents")
    def _print(self, path: str) -> None:
        app: Any = self.app
        try:
            written = casework.documents_pdf(app.store, self.dossier_id,
                                             Path(path).expanduser(), agent=app.agent,
                                             today=app.today)
        except (casework.StoreError, OSError) as exc:
            app.call_from_thread(app.notify, getattr(exc, "message", None) or str(exc),
                                 title="Impression impossible", severity="error")
            return
        app.call_from_thread(app.notify, f"Liste écrite : {written}")
