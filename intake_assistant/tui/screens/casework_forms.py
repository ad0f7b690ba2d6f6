"""Compact forms of the casework (one line per field, so that a proposal of three aids fits in
80×24), and the proposal form itself."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Input, Label, Static

from intake_assistant.core import french
from intake_assistant.tui.screens.forms import Dialog


class CompactForm(Dialog):
    """Labelled one-line fields; Enter goes to the next field and, on the last one, validates
    (as does Ctrl+S from any field). ``check`` returns the result or raises ValueError (French
    message shown, form kept open)."""

    BINDINGS = [*Dialog.BINDINGS, Binding("ctrl+s", "submit", "Valider", priority=True),
                Binding("enter", "next_field", "Champ suivant", show=False, priority=True)]
    DEFAULT_CSS = """
    CompactForm .dialog { width: 90; }
    CompactForm VerticalScroll { height: auto; max-height: 16; }
    CompactForm .row { height: 1; }
    CompactForm .row Label { width: 44; }
    CompactForm .row Input { width: 1fr; height: 1; border: none; padding: 0 1;
                             background: $boost; }
    CompactForm .row Input:focus { background: $accent 30%; }
    CompactForm .intro { margin-bottom: 1; }
    """

    def __init__(self, title: str, fields: Sequence[tuple[str, str, str]],
                 check: Callable[[dict[str, str]], Any], intro: str = "") -> None:
        super().__init__()
        self.title_text, self.fields, self.check, self.intro = title, list(fields), check, intro

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title")
            if self.intro:
                yield Static(self.intro, classes="intro hint")
            with VerticalScroll():
                for key, label, initial in self.fields:
                    with Horizontal(classes="row"):
                        yield Label(label)
                        yield Input(initial, id=f"field-{key}", compact=True)
            yield Static("Entrée : champ suivant · Ctrl+S : valider · Échap : annuler",
                         classes="hint")
            yield Static("", classes="error")

    def on_mount(self) -> None:
        self.error("")
        self.query(Input).first().focus()

    def values(self) -> dict[str, str]:
        return {key: self.query_one(f"#field-{key}", Input).value for key, _, _ in self.fields}

    def action_next_field(self) -> None:
        """Enter, handled as a key: focus moves at once, so Enter pressed three times quickly
        lands three fields further (Input.Submitted would move it one event later)."""
        inputs = list(self.query(Input))
        focused = self.focused
        index = inputs.index(focused) if focused in inputs else -1
        if 0 <= index + 1 < len(inputs):
            self.set_focus(inputs[index + 1])
            return
        self.action_submit()

    def action_submit(self) -> None:
        try:
            result = self.check(self.values())
        except ValueError as exc:
            self.error(getattr(exc, "message", None) or str(exc))
            return
        self.dismiss(result)


def parse_amount(text: str, what: str) -> float | None:
    if not text.strip():
        return None
    try:
        return float(french.parse_money(text))
    except french.ParseError as exc:
        raise ValueError(f"{what} : {exc.message}") from None


def parse_months(text: str, what: str) -> int | None:
    if not text.strip():
        return None
    digits = text.strip().lower().removesuffix("mois").strip()
    if not digits.isdigit() or int(digits) < 1:
        raise ValueError(f"{what} : un nombre de mois (12, 24…).")
    return int(digits)


def proposal_form(terms: Mapping[str, Any], current: Mapping[str, Any] | None) -> CompactForm:
    """One amount (and a duration for a loan) per aid of the commission, and the arguments;
    an empty amount: that aid is not proposed."""
    by_aid = {a["aid"]: a for a in (current or {}).get("aides") or ()}
    fields = []
    for aid, term in terms.items():
        now = by_aid.get(aid, {})
        amount = now.get("montant")
        short = term.name.split(" (")[0]
        fields.append((f"{aid}-montant", f"{short} — montant (€)",
                       french.format_number(amount, 0) if amount else ""))
        if term.loan:
            limit = f" (≤ {term.max_months})" if term.max_months else ""
            fields.append((f"{aid}-duree", f"   durée en mois{limit}",
                           str(now.get("duree_mois") or "")))
    fields.append(("arguments", "Argumentaire", str((current or {}).get("arguments") or "")))

    def check(values: dict[str, str]) -> dict[str, Any]:
        items = []
        for aid, term in terms.items():
            amount = parse_amount(values[f"{aid}-montant"], term.name)
            if amount is None:
                continue
            months = parse_months(values.get(f"{aid}-duree", ""), term.name) if term.loan \
                else None
            items.append({"aid": aid, "montant": amount, "duree_mois": months})
        if not items:
            raise ValueError("Indiquez le montant d'au moins une aide.")
        return {"items": items, "arguments": values["arguments"]}

    return CompactForm("Proposition à la commission", fields, check,
                       "Montant vide : aide non proposée. La mensualité est calculée par la "
                       "simulation du prêt.")
