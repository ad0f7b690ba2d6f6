"""The follow-up's dialogs: one line per field (label, then a compact input), so that the longest
one (the bank's decision) fits an 80×24 terminal. They turn what staff type into values (French
dates, amounts, times); the application layer checks the rules and its message is shown when it
refuses.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static

from intake_assistant.core import french
from intake_assistant.core.french import ParseError

from .forms import Dialog, parse_amount, parse_day

Field = tuple[str, str, str]  # key, label, initial text


def cut(text: str | None, width: int) -> str:
    """Long texts shortened so that the tables fit 80 columns (the dossier has the rest)."""
    text = text or ""
    return text if len(text) <= width else text[:width - 1] + "…"


class FollowupForm(Dialog):
    """Labelled compact fields; Enter goes to the next one and validates on the last,
    Ctrl+S validates from anywhere; ``check`` returns the result or raises ``ValueError``."""

    DEFAULT_CSS = """
    FollowupForm .form-row { height: 1; margin-bottom: 0; }
    FollowupForm .form-row Label { width: 32; color: $text-muted; }
    FollowupForm .form-row Input { width: 1fr; }
    """
    BINDINGS = [*Dialog.BINDINGS, Binding("ctrl+s", "submit", "Valider", priority=True),
                Binding("enter", "next_field", "Champ suivant", show=False, priority=True)]

    def __init__(self, title: str, fields: Sequence[Field],
                 check: Callable[[dict[str, str]], Any], hint: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.fields = list(fields)
        self.check = check
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title")
            if self.hint:
                yield Static(self.hint, classes="hint")
            for key, label, initial in self.fields:
                with Horizontal(classes="form-row"):
                    yield Label(label)
                    yield Input(initial, id=f"field-{key}", compact=True)
            yield Static("Entrée : champ suivant, puis valider · Ctrl+S : valider · "
                         "Échap : annuler", classes="hint")
            yield Static("", classes="error")

    def on_mount(self) -> None:
        self.query_one(".dialog").styles.width = 84  # wider than the app's dialogs: labels
        self.error("")
        self.query(Input).first().focus()

    def values(self) -> dict[str, str]:
        return {key: self.query_one(f"#field-{key}", Input).value for key, _, _ in self.fields}

    def action_next_field(self) -> None:
        """Enter: the next field, or validate on the last. A priority key binding rather than
        Input.Submitted: the focus moves before the next key is read, so that keys typed
        ahead (a fast typist, a paste of several lines) land in the right field."""
        inputs = list(self.query(Input))
        focused = self.focused
        index = inputs.index(focused) if focused in inputs else len(inputs) - 1
        if index + 1 < len(inputs):
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


# -- value parsers ------------------------------------------------------------------------------
def optional_day(text: str, today: date) -> str | None:
    return parse_day(text, today) if text.strip() else None


def parse_int(text: str, what: str) -> int | None:
    if not text.strip():
        return None
    try:
        return french.parse_integer(text)
    except ParseError:
        raise ValueError(f"{what} : un nombre entier est attendu (« {text} »).") from None


def parse_rate(text: str) -> float | None:
    """« 4 », « 4 % » or « 0,04 »."""
    raw = text.strip().rstrip("%").strip()
    if not raw:
        return None
    try:
        value = float(french.parse_number(raw))
    except ParseError:
        raise ValueError(f"Taux illisible : « {text} » (par exemple 4 %).") from None
    return value / 100 if text.strip().endswith("%") or value >= 1 else value


def pick(text: str, options: Sequence[tuple[str, str]], what: str) -> str:
    """A choice typed as its number or the start of its label."""
    typed = french.normalize_text(text)
    for i, (value, label) in enumerate(options, start=1):
        if typed in (str(i), value) or (typed and french.normalize_text(label).startswith(typed)):
            return value
    choices = ", ".join(f"{i} = {label}" for i, (_, label) in enumerate(options, start=1))
    raise ValueError(f"{what} : {choices}.")


def pick_partner(typed: str, partners: Sequence[tuple[str, str]]) -> str:
    """A partner typed as its id or the start of a word of its name (« parcours », « caf »)."""
    key = french.normalize_text(typed)
    for pid, name in partners:
        words = french.normalize_text(name).replace("(", " ").split()
        if key == pid or any(w.startswith(key) for w in words) or \
                french.normalize_text(name).startswith(key):
            return pid
    raise ValueError(f"Partenaire inconnu : « {typed} » (voir la liste des partenaires).")


# -- the forms ---------------------------------------------------------------------------------
def request_form(partner_name: str, aid: str, today: date, pieces: Sequence[str]
                 ) -> FollowupForm:
    def check(v: dict[str, str]) -> dict[str, Any]:
        if not v["objet"].strip():
            raise ValueError("Indiquez l'objet de la demande.")
        return {"aid": v["aide"].strip() or None, "subject": v["objet"],
                "sent": parse_day(v["envoi"], today),
                "documents": [p.strip() for p in v["pieces"].split(";") if p.strip()]}

    return FollowupForm(f"Demande à {partner_name}", [
        ("aide", "Aide demandée (identifiant)", aid),
        ("objet", "Objet de la demande", ""),
        ("envoi", "Envoyée le (JJ/MM/AAAA)", french.format_date(today)),
        ("pieces", "Pièces envoyées (avec ;)", " ; ".join(pieces)),
    ], check)


OUTCOME_OPTIONS = (("accorde", "accordé"), ("partiel", "accordé en partie"),
                   ("refuse", "refusé"), ("sans_suite", "sans suite"))


def answer_form(organisme: str, today: date, bank: bool) -> FollowupForm:
    def check(v: dict[str, str]) -> dict[str, Any]:
        out: dict[str, Any] = {
            "day": parse_day(v["date"], today),
            "outcome": pick(v["resultat"], OUTCOME_OPTIONS, "Réponse"),
            "amount": parse_amount(v["montant"]), "reference": v["reference"],
            "reason": v["motif"]}
        if bank:
            out.update(months=parse_int(v["duree"], "Durée"), rate=parse_rate(v["taux"]),
                       signed=optional_day(v["signature"], today))
        return out

    fields: list[Field] = [
        ("date", "Date de la réponse", french.format_date(today)),
        ("resultat", "Réponse (1 à 4)", ""),
        ("montant", "Montant accordé (€)", ""),
    ]
    if bank:
        fields += [("duree", "Durée du prêt (mois)", ""), ("taux", "Taux annuel (%)", ""),
                   ("signature", "Signé le (JJ/MM/AAAA)", "")]
    fields += [("reference", "Référence du partenaire", ""), ("motif", "Motif (refus)", "")]
    return FollowupForm(f"Réponse de {organisme}", fields, check,
                        hint="Réponse : 1 accordé · 2 accordé en partie · 3 refusé · "
                             "4 sans suite")


WITH_OPTIONS = (("demandeur", "la personne"), ("partenaire", "un partenaire"),
                ("les_deux", "la personne et un partenaire"))


def appointment_form(today: date, subject: str,
                     partners: Sequence[tuple[str, str]] = ()) -> FollowupForm:
    def check(v: dict[str, str]) -> dict[str, Any]:
        minutes = parse_int(v["duree"], "Durée") or 45
        typed = v["partenaire"].strip()
        partner = pick_partner(typed, partners) if typed else None
        return {"day": parse_day(v["date"], today), "at": v["heure"], "minutes": minutes,
                "place": v["lieu"], "with_whom": pick(v["avec"] or "1", WITH_OPTIONS, "Avec"),
                "partner": partner, "subject": v["objet"]}

    return FollowupForm("Nouveau rendez-vous", hint="Avec : 1 la personne · 2 un partenaire "
                        "(le début de son nom) · 3 les deux", fields=[
        ("date", "Date (JJ/MM/AAAA)", french.format_date(today)),
        ("heure", "Heure (9h30, 14:00…)", ""),
        ("duree", "Durée (minutes)", "45"),
        ("lieu", "Lieu", "CCAS, unité aide au projet"),
        ("avec", "Avec (1, 2 ou 3)", "1"),
        ("partenaire", "Partenaire (si 2 ou 3)", ""),
        ("objet", "Objet", subject),
    ], check=check)


def callback_form(today: date) -> FollowupForm:
    def check(v: dict[str, str]) -> dict[str, Any]:
        if not v["motif"].strip():
            raise ValueError("Indiquez pourquoi rappeler la personne.")
        return {"due": parse_day(v["date"], today), "reason": v["motif"]}

    return FollowupForm("Personne à rappeler", [
        ("date", "À rappeler le (JJ/MM/AAAA)", french.format_date(today)),
        ("motif", "Motif", ""),
    ], check)


def advance_form(today: date, amount: str, months: str, decided: str) -> FollowupForm:
    def check(v: dict[str, str]) -> dict[str, Any]:
        return {"first_due": parse_day(v["premiere"], today),
                "amount": parse_amount(v["montant"]), "months": parse_int(v["duree"], "Durée"),
                "decided": optional_day(v["decision"], today)}

    return FollowupForm("Échéancier de l'avance remboursable (0 %)", [
        ("montant", "Montant accordé (€)", amount),
        ("duree", "Durée (mois)", months),
        ("decision", "Date de la décision", decided),
        ("premiere", "Première échéance (JJ/MM/AAAA)", ""),
    ], check, hint="Par défaut : le montant de la commission et la durée retenue.")


def payment_form(today: date, amount: str) -> FollowupForm:
    def check(v: dict[str, str]) -> dict[str, Any]:
        value = parse_amount(v["montant"])
        if value is None:
            raise ValueError("Indiquez le montant versé.")
        return {"day": parse_day(v["date"], today), "amount": value}

    return FollowupForm("Versement reçu", [
        ("montant", "Montant versé (€)", amount),
        ("date", "Reçu le (JJ/MM/AAAA)", french.format_date(today)),
    ], check)


def reschedule_form(today: date) -> FollowupForm:
    def check(v: dict[str, str]) -> dict[str, Any]:
        months = parse_int(v["duree"], "Durée")
        if not months:
            raise ValueError("Indiquez la nouvelle durée (mois).")
        return {"day": parse_day(v["date"], today), "months": months,
                "first_due": parse_day(v["premiere"], today)}

    return FollowupForm("Rééchelonner ce qui reste dû", [
        ("date", "Date du rééchelonnement", french.format_date(today)),
        ("duree", "Nouvelle durée (mois)", ""),
        ("premiere", "Première échéance (JJ/MM/AAAA)", ""),
    ], check)


def path_form(title: str, default: str) -> FollowupForm:
    def check(v: dict[str, str]) -> str:
        path = v["fichier"].strip()
        if not path:
            raise ValueError("Indiquez le fichier à écrire.")
        return path

    return FollowupForm(title, [("fichier", "Fichier", default)], check)
