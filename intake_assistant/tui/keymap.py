"""Every key of the application as data: an action id, its default keys, what it does.

The settings file's ``[keys]`` table remaps any action (``"interview.unknown" = "f3, ctrl+k"``);
Textual applies it to the bindings that carry the same id (``App.set_keymap``), so footers show
the keys in force, and the help screen lists them from here. Each F-key has a Ctrl alternative:
VS Code's terminal keeps F1, F5, F6, Ctrl+P… for itself, PuTTY and some SSH terminals send F-keys
differently, and F3 is fragile on a few. Pure data (no Textual widgets): the command line checks a
keymap without starting the interface.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Action:
    id: str
    keys: str  # default, comma-separated: "f3,ctrl+n"
    label: str  # French, for the help screen and `intake-assistant config`
    screen: str  # where it works, French


SCREENS = ("Partout", "Accueil — Dossiers", "Entretien", "Dossier", "Statistiques",
           "Commission", "Décision", "Pièces", "Évaluation écrite")

ACTIONS: tuple[Action, ...] = (
    Action("app.help", "f1,ctrl+o", "toutes les touches (cet écran)", "Partout"),
    Action("app.command_palette", "ctrl+p,ctrl+l", "palette de commandes", "Partout"),
    Action("app.statistics", "f9,ctrl+y", "statistiques d'activité", "Partout"),
    Action("app.quit", "ctrl+q", "quitter l'application", "Partout"),
    Action("home.new_default", "ctrl+n", "nouvel entretien (celui du rôle)",
           "Accueil — Dossiers"),
    Action("home.new_phone", "ctrl+t", "nouvel accueil téléphonique", "Accueil — Dossiers"),
    Action("home.new_evaluation", "ctrl+e", "nouvelle évaluation", "Accueil — Dossiers"),
    Action("home.resume", "ctrl+r", "reprendre l'entretien en cours", "Accueil — Dossiers"),
    Action("home.open", "enter", "ouvrir le dossier choisi", "Accueil — Dossiers"),
    Action("home.next_filter", "f5,ctrl+g", "filtre suivant", "Accueil — Dossiers"),
    Action("home.previous_filter", "shift+f5", "filtre précédent", "Accueil — Dossiers"),
    Action("home.commission", "f11,ctrl+k", "commission : séances, ordres du jour, décisions",
           "Accueil — Dossiers"),
    # F6 and F11 both work from the home screen: the agenda is everyone's, the commission the
    # social workers' (a merge of two branches gave both F6; F11 is the commission's now).
    Action("home.agenda", "f6,ctrl+b", "agenda du jour : rendez-vous, rappels, demandes à relancer",
           "Accueil — Dossiers"),
    Action("interview.question_help", "f2,ctrl+g", "aide de la question", "Entretien"),
    # Not Ctrl+N: that is « new interview » on the home screen, pressed by habit right after a
    # restart that resumed an interrupted interview (seen driving the app through tmux).
    Action("interview.unknown", "f3,ctrl+d", "« je ne sais pas » / à compléter", "Entretien"),
    Action("interview.note", "f4,ctrl+b", "note libre sur le dossier", "Entretien"),
    Action("interview.toggle_panel", "f6,ctrl+t", "panneau fiche et orientation", "Entretien"),
    Action("interview.toggle_reasons", "f7,ctrl+r", "motifs de l'orientation", "Entretien"),
    Action("interview.estimate", "f8,ctrl+f", "montants estimés (OpenFisca)", "Entretien"),
    Action("interview.remove_item", "ctrl+x", "supprimer l'élément répété", "Entretien"),
    Action("interview.escape", "escape",
           "question précédente (encore : plus loin ; à la première, quitter)", "Entretien"),
    Action("interview.current", "f12,ctrl+down", "revenir à la question en cours", "Entretien"),
    Action("interview.jump", "f5,ctrl+up", "aller à une réponse (quelques lettres)", "Entretien"),
    Action("interview.finish", "f10,ctrl+s", "terminer l'entretien", "Entretien"),
    Action("dossier.back", "escape", "retour à l'accueil", "Dossier"),
    Action("dossier.reasons", "f7,ctrl+r", "motifs de l'orientation en plein écran", "Dossier"),
    Action("dossier.continue", "c", "continuer l'entretien", "Dossier"),
    Action("dossier.evaluation", "v", "évaluation", "Dossier"),
    Action("dossier.meeting", "r", "rencontre", "Dossier"),
    Action("dossier.status", "s", "statut", "Dossier"),
    Action("dossier.decision", "d", "décision de la commission", "Dossier"),
    Action("dossier.abandon", "a", "abandon", "Dossier"),
    Action("dossier.note", "n", "note", "Dossier"),
    Action("dossier.export", "x", "export pour la commission", "Dossier"),
    Action("dossier.assessment", "e", "écrire l'évaluation sociale", "Dossier"),
    Action("dossier.proposal", "p", "proposer des aides à la commission", "Dossier"),
    Action("dossier.documents", "j", "pièces justificatives", "Dossier"),
    Action("dossier.letter", "l", "écrire un courrier", "Dossier"),
    Action("dossier.referent", "t", "changer de référent", "Dossier"),
    Action("dossier.followup", "u", "suivi : demandes aux partenaires, rendez-vous, remboursement",
           "Dossier"),
    Action("statistics.close", "escape", "retour", "Statistiques"),
    Action("statistics.next_period", "p", "période suivante", "Statistiques"),
    Action("statistics.reload", "r", "recalculer", "Statistiques"),
    Action("commission.back", "escape", "retour", "Commission"),
    Action("commission.new_session", "n", "nouvelle séance", "Commission"),
    Action("commission.add", "a", "inscrire un dossier à l'ordre du jour", "Commission"),
    Action("commission.remove", "x", "retirer le dossier de l'ordre du jour", "Commission"),
    Action("commission.decide", "d", "décision sur le dossier choisi", "Commission"),
    Action("commission.pdf", "p", "document de séance (PDF)", "Commission"),
    Action("commission.open", "enter", "ouvrir le dossier choisi", "Commission"),
    Action("commission.move_down", "plus", "descendre le dossier dans l'ordre du jour",
           "Commission"),
    Action("commission.move_up", "minus", "monter le dossier dans l'ordre du jour",
           "Commission"),
    Action("decision.grant", "a", "accorder l'aide choisie", "Décision"),
    Action("decision.refuse", "r", "refuser l'aide choisie (motif)", "Décision"),
    Action("decision.adjourn", "j", "ajourner l'aide choisie (motif)", "Décision"),
    Action("decision.clear", "e", "effacer la décision sur l'aide choisie", "Décision"),
    Action("decision.save", "ctrl+s", "enregistrer la décision", "Décision"),
    Action("decision.cancel", "escape", "annuler", "Décision"),
    Action("documents.back", "escape", "retour", "Pièces"),
    Action("documents.build", "b", "établir ou mettre à jour la liste", "Pièces"),
    Action("documents.received", "r", "pièce reçue", "Pièces"),
    Action("documents.requested", "d", "pièce à fournir", "Pièces"),
    Action("documents.not_applicable", "s", "pièce sans objet", "Pièces"),
    Action("documents.add", "a", "ajouter une pièce", "Pièces"),
    Action("documents.print", "i", "imprimer la liste pour la personne (PDF)", "Pièces"),
    Action("assessment.save", "ctrl+s", "enregistrer l'évaluation", "Évaluation écrite"),
    Action("assessment.close", "escape", "enregistrer et fermer", "Évaluation écrite"),
)
BY_ID: Mapping[str, Action] = {a.id: a for a in ACTIONS}

_NAMED = {"enter", "escape", "tab", "space", "backspace", "delete", "insert", "home", "end",
          "pageup", "pagedown", "up", "down", "left", "right", "minus", "plus", "question_mark",
          "exclamation_mark", "full_stop", "comma", "slash", "backslash", "underscore",
          "asterisk", "colon", "semicolon", "equals_sign", "number_sign"}
_KEY = re.compile(r"^(?:(?:ctrl|shift|alt|meta|super)\+)*(?:f(?:[1-9]|1[0-9]|2[0-4])|[a-z0-9]|"
                  + "|".join(sorted(_NAMED)) + r")$")
_FRENCH = {"ctrl": "Ctrl", "shift": "Maj", "alt": "Alt", "meta": "Méta", "super": "Super",
           "enter": "Entrée", "escape": "Échap", "tab": "Tab", "space": "Espace",
           "backspace": "Retour arrière", "delete": "Suppr", "insert": "Inser",
           "home": "Début", "end": "Fin", "pageup": "Page préc.", "pagedown": "Page suiv.",
           "up": "↑", "down": "↓", "left": "←", "right": "→"}


def split_keys(keys: str) -> list[str]:
    return [k.strip().lower() for k in keys.split(",") if k.strip()]


def problems(keys: Mapping[str, Any], where: Mapping[str, str] | None = None) -> list[str]:
    """French messages for a ``[keys]`` table: unknown action ids, unknown key names. ``where``:
    action id -> "file:line" to name in each message."""
    out = []
    for action, value in keys.items():
        place = (where or {}).get(action, "réglages")
        if action not in BY_ID:
            close = difflib.get_close_matches(action, list(BY_ID), n=1, cutoff=0.75)
            hint = f" (vouliez-vous dire « {close[0]} » ?)" if close else \
                " (`intake-assistant config --touches` liste les actions)"
            out.append(f"{place}: touches : action « {action} » inconnue{hint}")
            continue
        names = split_keys(str(value))
        if not names:
            out.append(f"{place}: touches : aucune touche pour « {action} »")
        bad = [k for k in names if not _KEY.match(k)]
        if bad:
            out.append(f"{place}: touches : « {', '.join(bad)} » n'est pas un nom de touche "
                       "(exemples : f3, ctrl+n, shift+f5, escape, enter, x)")
    return out


def effective(overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """Action id -> keys in force (comma-separated, normalised)."""
    merged = {a.id: a.keys for a in ACTIONS}
    for action, value in (overrides or {}).items():
        if action in merged:
            merged[action] = ",".join(split_keys(str(value)))
    return merged


def key_label(key: str, plain: bool = False) -> str:
    """One key in French: ``ctrl+n`` -> ``Ctrl+N``, ``escape`` -> ``Échap``."""
    *mods, name = key.split("+")
    # A letter alone stays lower case (« x », not Maj+X); F-keys and Ctrl+letter as printed.
    word = _FRENCH.get(name) or (name if len(name) == 1 and not mods else
                                 name.upper() if len(name) <= 3 else name)
    if plain:
        word = {"↑": "Haut", "↓": "Bas", "←": "Gauche", "→": "Droite"}.get(word, word)
    return "+".join([*(_FRENCH.get(m, m) for m in mods), word])


def keys_label(keys: str, plain: bool = False) -> str:
    return " / ".join(key_label(k, plain) for k in split_keys(keys))


def rows(overrides: Mapping[str, str] | None = None,
         screens: Iterable[str] = SCREENS) -> list[tuple[str, str, str, str]]:
    """(screen, keys in French, what it does, id) for the help screen and `config --touches`."""
    keys = effective(overrides)
    wanted = list(screens)
    return [(a.screen, keys_label(keys[a.id]), a.label, a.id)
            for screen in wanted for a in ACTIONS if a.screen == screen]


def key_of(app: Any, action: str) -> str:
    """The first key in force for ``action`` on this app, in French (« F3 », « Ctrl+N »): for the
    texts that name a key, so they follow a remapped keymap."""
    overrides = getattr(app, "key_overrides", None) or {}
    keys = split_keys(effective(overrides)[action])
    return key_label(keys[0]) if keys else "—"
