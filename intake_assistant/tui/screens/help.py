"""Aide (F1): every key of every screen, in French."""

from __future__ import annotations

from rich.markup import escape
from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from intake_assistant.tui import keymap

# A key column starting with « @ » names an action of the keymap (tui/keymap.py): the help shows
# the keys in force (the settings file may remap them); the others are fixed (typing, arrows).
KEYS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("Partout", (
        ("@app.help", "cette aide"),
        ("@app.command_palette", "palette des commandes (toutes les actions)"),
        ("@app.statistics", "statistiques d'activité (rôle responsable)"),
        ("@app.quit", "quitter (tout est déjà enregistré)"),
    )),
    ("Accueil — dossiers", (
        ("(taper)", "recherche instantanée dans tous les statuts : nom, prénom, téléphone, "
                    "n° de dossier"),
        ("↑ ↓  PgPréc PgSuiv", "choisir un dossier"),
        ("@home.open", "ouvrir le dossier (ou clic)"),
        ("@home.new_default", "nouvel entretien (selon le rôle : accueil téléphonique ou "
                              "évaluation)"),
        ("@home.new_phone", "nouvel accueil téléphonique"),
        ("@home.new_evaluation", "nouvelle évaluation"),
        ("@home.resume", "reprendre l'entretien du dossier choisi"),
        ("@home.next_filter", "filtre de statut suivant (restreint aussi la recherche)"),
        ("@home.previous_filter", "filtre de statut précédent"),
        ("@home.commission", "commission : séances, ordres du jour, décisions"),
        ("@home.agenda", "agenda du jour : rendez-vous, rappels, demandes à relancer "
                         "(← → jour, i export .ics)"),
    )),
    ("Entretien", (
        ("Entrée", "valider la réponse ; ligne vide : accepter la valeur proposée"),
        ("o / n", "oui / non, sans Entrée"),
        ("1 … 9", "choix numéroté, sans Entrée (avec 10 choix ou plus : « 1 » puis Entrée)"),
        ("1 3 Entrée", "plusieurs choix"),
        ("@interview.question_help", "aide de la question"),
        ("@interview.unknown", "je ne sais pas / à compléter"),
        ("@interview.note", "note libre sur le dossier"),
        ("↑ ↓ puis Entrée", "choisir une réponse précédente et la modifier (ou clic)"),
        ("@interview.remove_item", "supprimer l'élément choisi (un enfant saisi par erreur)"),
        ("@interview.escape", "fermer ce qui est ouvert ; sinon la question précédente (encore : "
                              "plus loin ; à la première, quitter après confirmation)"),
        ("@interview.current", "revenir à la question en cours (abandonner la correction)"),
        ("@interview.jump", "aller à une réponse : quelques lettres de sa question ou partie"),
        ("@interview.toggle_panel", "afficher / masquer le panneau fiche et orientation"),
        ("@interview.toggle_reasons", "afficher / masquer les motifs de l'orientation "
                                      "(ou clic sur une aide)"),
        ("@interview.estimate", "montants estimés par OpenFisca-France (extension « openfisca »)"),
        ("@interview.finish", "terminer l'entretien et voir le dossier"),
    )),
    ("Dossier", (
        ("← →  1 … 7", "onglets : résumé, réponses, orientation, simulation, rencontres, "
                       "historique, commission (aussi Ctrl+PgPréc / Ctrl+PgSuiv)"),
        ("↑ ↓  PgPréc PgSuiv", "faire défiler l'onglet"),
        ("@dossier.reasons", "motifs de l'orientation en plein écran (↑ ↓ PgPréc PgSuiv, Échap)"),
        ("@dossier.continue", "continuer l'entretien"),
        ("@dossier.evaluation", "continuer avec l'évaluation (ce qui est connu n'est pas "
                                "redemandé)"),
        ("@dossier.meeting", "ajouter une rencontre"),
        ("@dossier.status", "changer le statut (envoyer en commission, clore…)"),
        ("@dossier.decision", "enregistrer la décision de la commission"),
        ("@dossier.abandon", "abandon"),
        ("@dossier.note", "note"),
        ("@dossier.export", "exporter la synthèse pour la commission"),
        ("@dossier.assessment", "écrire l'évaluation sociale (enregistrée au fil de la frappe)"),
        ("@dossier.proposal", "proposer des aides : montant, durée, mensualité simulée"),
        ("@dossier.documents", "pièces justificatives : liste, reçues, à fournir, impression"),
        ("@dossier.letter", "écrire un courrier (convocation, notification, banque…)"),
        ("@dossier.referent", "confier le dossier à un autre travailleur social"),
        ("@dossier.followup", "suivi : demandes aux partenaires et délais, dossier pour la "
                              "banque, rendez-vous, remboursement de l'avance"),
        ("@dossier.back", "revenir à l'accueil (liste des dossiers)"),
    )),
    ("Statistiques", (
        ("@statistics.next_period", "période suivante"),
        ("@statistics.reload", "recalculer"),
        ("@statistics.close", "revenir"),
    )),
    ("Commission", (
        ("Tab", "passer des séances à l'ordre du jour"),
        ("@commission.new_session", "nouvelle séance (date, heure, lieu)"),
        ("@commission.add", "inscrire un dossier (il passe « En commission »)"),
        ("@commission.remove", "retirer le dossier choisi"),
        ("@commission.move_down", "descendre le dossier dans l'ordre du jour"),
        ("@commission.move_up", "monter le dossier dans l'ordre du jour"),
        ("@commission.decide", "décision sur le dossier choisi, aide par aide"),
        ("@commission.pdf", "document de séance : ordre du jour et fiche de chaque dossier"),
        ("@commission.open", "ouvrir le dossier choisi"),
        ("@commission.back", "revenir"),
    )),
    ("Décision", (
        ("@decision.grant", "accorder l'aide choisie (montant, durée, taux, conditions)"),
        ("@decision.refuse", "refuser, avec un motif de la liste"),
        ("@decision.adjourn", "ajourner, avec un motif de la liste"),
        ("@decision.clear", "effacer la décision sur l'aide"),
        ("@decision.save", "enregistrer (date : celle de la séance)"),
        ("@decision.cancel", "annuler"),
    )),
    ("Pièces", (
        ("@documents.build", "établir la liste (aides proposées et projet)"),
        ("@documents.received", "pièce reçue (datée du jour)"),
        ("@documents.requested", "pièce à fournir"),
        ("@documents.not_applicable", "sans objet"),
        ("@documents.add", "ajouter une pièce"),
        ("@documents.print", "imprimer la liste pour la personne"),
        ("@documents.back", "revenir"),
    )),
    ("Évaluation écrite", (
        ("@assessment.save", "enregistrer l'évaluation (le brouillon l'est déjà au fil de la "
                             "frappe)"),
        ("@assessment.close", "enregistrer et fermer"),
    )),
)


def key_text(key: str, overrides: dict[str, str]) -> str:
    """The key column: the keys in force for an « @action », else the text as written."""
    if not key.startswith("@"):
        return key
    return keymap.keys_label(keymap.effective(overrides)[key[1:]])


class HelpScreen(ModalScreen[None]):
    # The keys that open the help close it too (same keymap id).
    BINDINGS = [Binding("escape", "close", "Fermer"),
                Binding("f1", "close", "Fermer", id="app.help")]

    def compose(self) -> ComposeResult:
        table = Table(show_header=False, box=None, padding=(0, 1), expand=True)
        table.add_column("Touche", style="bold", no_wrap=True)
        table.add_column("Action")
        overrides = getattr(self.app, "key_overrides", {})
        for screen, keys in KEYS:
            table.add_row(f"[reverse] {screen} [/reverse]", "")
            for key, action in keys:
                table.add_row(escape(key_text(key, overrides)), action)
        with VerticalScroll(classes="dialog", id="help-dialog"):
            yield Static("Aide — toutes les touches (Échap pour fermer)", classes="dialog-title")
            yield Static(table, id="help-keys")
            yield Static(self._where(), classes="hint", id="help-where")

    def _where(self) -> str:
        """Which questionnaires and which settings file are in use (a CCAS's own copy or not)."""
        from intake_assistant.app.settings import in_use

        folder, source, settings_file, changed = in_use()
        keys = " ; touches changées par ce fichier" if changed else ""
        return escape(f"Questionnaires : {folder} ({source})\n"
                      f"Réglages : {settings_file}{keys} — intake-assistant config les montre")

    def action_close(self) -> None:
        self.dismiss()
