"""Small dialogs: a note, a meeting, a status change, the commission's decision, an export.

They only collect what staff type; the store checks it (dates, decisions, transitions) and its
French message is shown when it refuses.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from intake_assistant.core import french
from intake_assistant.core.french import ParseError
from intake_assistant.core.statuses import DECISIONS


class Dialog(ModalScreen[Any]):
    BINDINGS = [Binding("escape", "cancel", "Annuler")]

    def action_cancel(self) -> None:
        self.dismiss(None)

    def error(self, text: str) -> None:
        widget = self.query_one(".error", Static)
        widget.update(text)
        widget.display = bool(text)


class NoteScreen(Dialog):
    """A free note attached to the dossier (Ctrl+S to save: Enter makes a new line)."""

    BINDINGS = [*Dialog.BINDINGS, Binding("ctrl+s", "save", "Enregistrer", priority=True)]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Note libre sur le dossier", classes="dialog-title")
            yield TextArea(id="note-text")
            yield Static("Ctrl+S : enregistrer · Échap : annuler", classes="hint")
            yield Static("", classes="error")

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def action_save(self) -> None:
        text = self.query_one(TextArea).text.strip()
        if not text:
            self.error("La note est vide.")
            return
        self.dismiss(text)


class ChoiceScreen(Dialog):
    """Pick one option (digits 1-9, arrows + Enter, or the mouse)."""

    def __init__(self, title: str, options: Sequence[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.options = list(options)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title")
            yield OptionList(*[Option(f"{i}. {label}", id=value)
                               for i, (value, label) in enumerate(self.options, 1)])
            yield Static("Chiffre ou Entrée : choisir · Échap : annuler", classes="hint")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_key(self, event: Any) -> None:
        if event.character and event.character.isdigit():
            index = int(event.character) - 1
            if 0 <= index < len(self.options):
                event.stop()
                self.dismiss(self.options[index][0])

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)


class FormScreen(Dialog):
    """A few labelled one-line fields; ``check`` turns the texts into a result or raises
    ``ValueError`` with a French message (shown, dialog kept open)."""

    def __init__(self, title: str, fields: Sequence[tuple[str, str, str]],
                 check: Callable[[dict[str, str]], Any]) -> None:
        super().__init__()
        self.title_text = title
        self.fields = list(fields)  # (key, label, initial value)
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title")
            for key, label, initial in self.fields:
                yield Label(label)
                yield Input(initial, id=f"field-{key}")
            yield Static("Entrée : champ suivant, puis valider · Échap : annuler", classes="hint")
            yield Static("", classes="error")

    def on_mount(self) -> None:
        self.query(Input).first().focus()

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        inputs = list(self.query(Input))
        index = inputs.index(event.input)
        if index + 1 < len(inputs):
            inputs[index + 1].focus()
            return
        values = {key: self.query_one(f"#field-{key}", Input).value for key, _, _ in self.fields}
        try:
            result = self.check(values)
        except ValueError as exc:
            self.error(getattr(exc, "message", None) or str(exc))
            return
        self.dismiss(result)


def parse_day(text: str, today: Any) -> str:
    """A French-typed date as ISO (the store then checks it too)."""
    try:
        return french.parse_date(text, today).isoformat()
    except ParseError as exc:
        raise ValueError(exc.message) from None


def parse_amount(text: str) -> float | None:
    if not text.strip():
        return None
    try:
        return float(french.parse_money(text))
    except ParseError as exc:
        raise ValueError(exc.message) from None


def meeting_form(today: Any) -> FormScreen:
    def check(values: dict[str, str]) -> dict[str, Any]:
        with_whom = values["avec"].strip().lower()
        if with_whom in ("1", "d", "demandeur", ""):
            with_whom = "demandeur"
        elif with_whom in ("2", "p", "partenaire"):
            with_whom = "partenaire"
        else:
            raise ValueError("Rencontre avec : 1 = demandeur, 2 = partenaire.")
        return {"date": parse_day(values["date"], today), "avec": with_whom,
                "partenaire": values["partenaire"].strip() or None, "note": values["note"]}

    return FormScreen("Nouvelle rencontre", [
        ("date", "Date (JJ/MM/AAAA)", french.format_date(today)),
        ("avec", "Avec : 1 = demandeur, 2 = partenaire", "1"),
        ("partenaire", "Partenaire (si rencontre avec un partenaire)", ""),
        ("note", "Note", ""),
    ], check)


DECISION_LABELS = {status.value: status.label.lower() for status in DECISIONS}


def decision_form(today: Any) -> FormScreen:
    def check(values: dict[str, str]) -> dict[str, Any]:
        typed = french.normalize_text(values["decision"])
        choices = {str(i): status.value for i, status in enumerate(DECISIONS, start=1)}
        decision = choices.get(typed) or next(
            (key for key, label in DECISION_LABELS.items()
             if typed and french.normalize_text(label).startswith(typed)), None)
        if decision is None:
            raise ValueError("Décision : 1 = accordé, 2 = refusé, 3 = ajourné.")
        return {"date": parse_day(values["date"], today), "decision": decision,
                "montant_accorde": parse_amount(values["montant"]),
                "conditions": values["conditions"]}

    return FormScreen("Décision de la commission", [
        ("date", "Date de la commission (JJ/MM/AAAA)", french.format_date(today)),
        ("decision", "Décision : 1 = accordé, 2 = refusé, 3 = ajourné", ""),
        ("montant", "Montant accordé (€)", ""),
        ("conditions", "Conditions", ""),
    ], check)


def export_form(default_path: str) -> FormScreen:
    def check(values: dict[str, str]) -> dict[str, str]:
        fmt = values["format"].strip().lower() or "pdf"
        if fmt not in ("pdf", "md", "json"):
            raise ValueError("Format : pdf, md ou json.")
        path = values["fichier"].strip()
        if not path:
            raise ValueError("Indiquez le fichier à écrire.")
        if "." not in path.rsplit("/", 1)[-1]:
            path = f"{path}.{fmt}"
        return {"format": fmt, "fichier": path}

    return FormScreen("Exporter la synthèse pour la commission", [
        ("format", "Format : pdf, md ou json", "pdf"),
        ("fichier", "Fichier", default_path),
    ], check)
