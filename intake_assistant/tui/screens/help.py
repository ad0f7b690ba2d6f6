"""Aide (F1): every key of every screen, in French."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("Partout", (
        ("F1", "cette aide"),
        ("Ctrl+P", "palette des commandes (toutes les actions)"),
        ("F9", "statistiques d'activité (rôle responsable)"),
        ("Ctrl+Q", "quitter (tout est déjà enregistré)"),
    )),
    ("Accueil — dossiers", (
        ("(taper)", "recherche instantanée dans tous les statuts : nom, prénom, téléphone, "
                    "n° de dossier"),
        ("↑ ↓  PgPréc PgSuiv", "choisir un dossier"),
        ("Entrée / clic", "ouvrir le dossier"),
        ("Ctrl+N", "nouvel entretien (selon le rôle : accueil téléphonique ou évaluation)"),
        ("Ctrl+T / Ctrl+E", "nouvel accueil téléphonique / nouvelle évaluation"),
        ("Ctrl+R", "reprendre l'entretien du dossier choisi"),
        ("F5 / Maj+F5", "filtre de statut suivant / précédent (restreint aussi la recherche)"),
    )),
    ("Entretien", (
        ("Entrée", "valider la réponse ; ligne vide : accepter la valeur proposée"),
        ("o / n", "oui / non, sans Entrée"),
        ("1 … 9", "choix numéroté, sans Entrée (avec 10 choix ou plus : « 1 » puis Entrée)"),
        ("1 3 Entrée", "plusieurs choix"),
        ("F2", "aide de la question"),
        ("F3", "je ne sais pas / à compléter"),
        ("F4", "note libre sur le dossier"),
        ("↑ ↓ puis Entrée", "choisir une réponse précédente et la modifier (ou clic)"),
        ("Ctrl+X", "supprimer l'élément choisi (un enfant saisi par erreur)"),
        ("Échap", "annuler ; sinon revenir à la question précédente"),
        ("F6", "afficher / masquer le panneau fiche et orientation"),
        ("F7", "afficher / masquer les motifs de l'orientation (ou clic sur une aide)"),
        ("F8", "montants estimés par OpenFisca-France (extension « openfisca »)"),
        ("F10", "terminer l'entretien et voir le dossier"),
    )),
    ("Dossier", (
        ("← →  1 … 6", "onglets : résumé, réponses, orientation, simulation, rencontres, "
                       "historique (aussi Ctrl+PgPréc / Ctrl+PgSuiv)"),
        ("↑ ↓  PgPréc PgSuiv", "faire défiler l'onglet"),
        ("F7", "motifs de l'orientation en plein écran (↑ ↓ PgPréc PgSuiv, Échap)"),
        ("c", "continuer l'entretien"),
        ("v", "continuer avec l'évaluation (ce qui est connu n'est pas redemandé)"),
        ("r", "ajouter une rencontre"),
        ("s", "changer le statut (envoyer en commission, clore…)"),
        ("d", "enregistrer la décision de la commission"),
        ("a", "abandon"),
        ("n", "note"),
        ("x", "exporter la synthèse pour la commission"),
        ("Échap", "revenir à l'accueil (liste des dossiers)"),
    )),
)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape", "close", "Fermer"), Binding("f1", "close", "Fermer")]

    def compose(self) -> ComposeResult:
        table = Table(show_header=False, box=None, padding=(0, 1), expand=True)
        table.add_column("Touche", style="bold", no_wrap=True)
        table.add_column("Action")
        for screen, keys in KEYS:
            table.add_row(f"[reverse] {screen} [/reverse]", "")
            for key, action in keys:
                table.add_row(key, action)
        with VerticalScroll(classes="dialog", id="help-dialog"):
            yield Static("Aide — toutes les touches (Échap pour fermer)", classes="dialog-title")
            yield Static(table, id="help-keys")

    def action_close(self) -> None:
        self.dismiss()
