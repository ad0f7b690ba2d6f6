"""The casework keys of the dossier screen (e, p, j, l, t, d) and its « Commission » tab.

Kept here so that the dossier screen only binds keys to these functions; each reads and writes
in a worker thread through ``app/casework.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.screen import Screen

from intake_assistant.app import casework
from intake_assistant.core import french
from intake_assistant.core.statuses import status_label

MARKS = {"recue": "✔", "demandee": "☐", "sans_objet": "–"}


def _worker(screen: Screen[Any], change: Callable[[Any], Any],
            done: str | Callable[[Any], str], after: Callable[[], None] | None = None) -> None:
    app: Any = screen.app

    def run() -> None:
        try:
            result = change(app.store)
        except (casework.StoreError, OSError) as exc:
            app.call_from_thread(app.notify, getattr(exc, "message", None) or str(exc),
                                 title="Refusé", severity="error", timeout=8)
            return
        app.call_from_thread(app.notify, done(result) if callable(done) else done, timeout=8)
        if after is not None:
            app.call_from_thread(after)

    app.run_worker(run, thread=True, group="casework-write")


def assessment(screen: Screen[Any], dossier_id: str) -> None:
    from intake_assistant.tui.screens.assessment import AssessmentScreen

    screen.app.push_screen(AssessmentScreen(dossier_id))


def documents(screen: Screen[Any], dossier_id: str) -> None:
    from intake_assistant.tui.screens.documents import DocumentsScreen

    screen.app.push_screen(DocumentsScreen(dossier_id))


def proposal(screen: Screen[Any], dossier_id: str, doc: Any,
             after: Callable[[], None]) -> None:
    from intake_assistant.tui.screens.casework_forms import proposal_form

    app: Any = screen.app

    def done(values: dict[str, Any] | None) -> None:
        if not values:
            return

        def message(result: Any) -> str:
            _, view = result
            lines = ["Proposition enregistrée."]
            for line in view.lines if view else ():
                if line.mensualite is not None:
                    lines.append(f"{line.name} : mensualité "
                                 f"{french.format_money(line.mensualite, 2)}")
            lines += [f"Attention : {w}" for w in (view.warnings if view else ())]
            return "\n".join(lines)

        _worker(screen, lambda store: casework.set_proposal(
            store, dossier_id, values["items"], values["arguments"], agent=app.agent,
            today=app.today), message, after)

    app.push_screen(proposal_form(casework.terms(), doc.get("proposition")), done)


def referent(screen: Screen[Any], dossier_id: str, after: Callable[[], None]) -> None:
    from intake_assistant.tui.screens.forms import ChoiceScreen

    app: Any = screen.app

    def load() -> None:
        try:
            workers = casework.social_workers(app.store)
        except casework.StoreError as exc:
            app.call_from_thread(app.notify, exc.message, severity="error")
            return
        if not workers:
            app.call_from_thread(app.notify, "Aucun travailleur social enregistré "
                                 "(intake-assistant agents add …).", severity="warning")
            return

        def chosen(login: str | None) -> None:
            if login:
                _worker(screen, lambda store: casework.set_referent(store, dossier_id, login,
                                                                    agent=app.agent),
                        "Référent changé.", after)

        app.call_from_thread(app.push_screen, ChoiceScreen("Confier le dossier à", workers),
                             chosen)

    app.run_worker(load, thread=True, group="casework-load")


def letter(screen: Screen[Any], dossier_id: str, after: Callable[[], None]) -> None:
    from intake_assistant.tui.screens.casework_forms import CompactForm
    from intake_assistant.tui.screens.forms import ChoiceScreen

    app: Any = screen.app

    def ask_file(template: str, appointment: dict[str, str] | None) -> None:
        default = str(Path.home() / f"{dossier_id}-{template}.pdf")

        def check(values: dict[str, str]) -> str:
            if not values["fichier"].strip():
                raise ValueError("Indiquez le fichier à écrire.")
            return values["fichier"].strip()

        def done(path: str | None) -> None:
            if path:
                _worker(screen, lambda store: casework.write_letter(
                    store, dossier_id, template, Path(path).expanduser(), agent=app.agent,
                    today=app.today, appointment=appointment),
                    lambda r: f"Courrier écrit : {r.path}", after)

        app.push_screen(CompactForm("Écrire le courrier (PDF)", [("fichier", "Fichier",
                                                                 default)], check), done)

    def ask_appointment(template: str) -> None:
        def check(values: dict[str, str]) -> dict[str, str]:
            try:
                day = french.parse_date(values["date"], app.today)
            except french.ParseError as exc:
                raise ValueError(exc.message) from None
            return {"date": french.format_date(day), "heure": values["heure"].strip(),
                    "lieu": values["lieu"].strip()}

        def done(appointment: dict[str, str] | None) -> None:
            if appointment:
                ask_file(template, appointment)

        app.push_screen(CompactForm("Rendez-vous", [("date", "Date (JJ/MM/AAAA)", ""),
                                                    ("heure", "Heure", "09:30"),
                                                    ("lieu", "Lieu", "CCAS")], check), done)

    def load() -> None:
        try:
            choices = casework.letter_choices(app.store, dossier_id, today=app.today)
        except (casework.StoreError, ValueError) as exc:
            app.call_from_thread(app.notify, getattr(exc, "message", None) or str(exc),
                                 severity="error", timeout=8)
            return
        ready = [c for c in choices if c.missing is None]
        needs = {c.template.id: "rendez_vous" in c.template.requires for c in ready}

        def chosen(template: str | None) -> None:
            if template:
                (ask_appointment if needs[template] else
                 lambda t: ask_file(t, None))(template)

        later = [f"{c.template.title} : {c.missing}" for c in choices if c.missing]
        title = "Quel courrier ?" + ("\n(pas encore : " + " ; ".join(later) + ")"
                                     if later else "")
        app.call_from_thread(app.push_screen, ChoiceScreen(
            title, [(c.template.id, c.template.title) for c in ready]), chosen)

    app.run_worker(load, thread=True, group="casework-load")


def decision(screen: Screen[Any], dossier_id: str, after: Callable[[], None]) -> None:
    from intake_assistant.tui.screens.commission import open_decision

    open_decision(screen, None, dossier_id, after)


def panel_text(panel: casework.CaseworkPanel) -> Text:
    """The « Commission » tab of the dossier screen."""
    out = Text()

    def row(label: str, value: str, style: str = "") -> None:
        out.append(f"{label:<26}", style="dim")
        out.append(f"{value}\n", style=style)

    row("Référent", panel.referent)
    for at, old, new in panel.referents:
        row("", f"{french.format_datetime(at)} : {old} → {new}", "dim")
    if panel.assessment is None:
        row("Évaluation sociale", "réservée aux travailleurs sociaux")
    else:
        words = len(panel.assessment.split())
        state = f"rédigée ({words} mots)" if words else "à rédiger (touche e)"
        row("Évaluation sociale", state + (" — brouillon non enregistré" if panel.draft
                                           else ""), "" if words else "yellow")
    out.append("\nProposition (p)\n", style="bold")
    if panel.proposal is None:
        out.append("  Aucune proposition.\n" if panel.assessment is not None else
                   "  Réservée aux travailleurs sociaux.\n")
    else:
        for line in panel.proposal.lines:
            months = f"{line.duree_mois} mois" if line.duree_mois else "non remboursable"
            instalment = "" if line.mensualite is None else \
                f", {french.format_money(line.mensualite, 2)}/mois"
            out.append(f"  {line.name} : {french.format_money(line.montant)}, {months}"
                       f"{instalment}\n")
        if panel.proposal.rav_after is not None:
            out.append(f"  Reste à vivre après : {french.format_number(panel.proposal.rav_after)}"
                       f" €/j/UC (plancher {french.format_number(panel.proposal.floor)} €)\n")
        for warning in panel.proposal.warnings:
            out.append(f"  ⚠ {warning}\n", style="yellow")
    view = panel.checklist
    out.append("\nPièces justificatives (j)\n", style="bold")
    if not view.active:
        out.append("  Liste non établie.\n")
    else:
        state = "complet" if view.complete else f"incomplet, {len(view.missing)} à fournir"
        out.append(f"  Dossier {state}\n", style="green" if view.complete else "yellow")
        for r in view.missing:
            out.append(f"  {MARKS['demandee']} {r['data']['libelle']}\n")
    out.append("\nCommission\n", style="bold")
    if panel.session is None:
        out.append("  Inscrit à aucune séance (écran Commission : F6).\n")
    else:
        s = panel.session
        out.append(f"  Séance du {french.format_date(s.date)} à {s.time}, {s.place}\n")
    for d in panel.decisions:
        name = panel.names.get(str(d["aid"]), str(d["aid"]))
        detail = french.format_money(d["montant"]) if d["decision"] == "accorde" else \
            str(d.get("motif_label") or "")
        if d.get("duree_mois"):
            detail += f" sur {d['duree_mois']} mois"
        out.append(f"  {french.format_date(str(d['date']))} {name} : "
                   f"{status_label(str(d['decision'])).lower()} — {detail}\n")
    out.append("\nCourriers (l)\n", style="bold")
    for s in panel.letters:
        out.append(f"  {french.format_date(str(s['date']))} {s['titre']} ({s.get('agent')})\n")
    if not panel.letters:
        out.append("  Aucun courrier.\n")
    out.append("\ne évaluation · p proposition · j pièces · d décision · l courrier · "
               "t référent", style="dim")
    return out
