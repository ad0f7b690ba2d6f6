"""Subcommand ``config``: the settings in force and where each comes from (option, environment
variable, settings file with its line, default); ``--init`` writes a commented settings file."""

from __future__ import annotations

import argparse
import json
import os
import sys

from intake_assistant.cli.common import EXIT_OK, EXIT_REFUSED


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "config",
        help="réglages en vigueur et d'où vient chacun (fichier, environnement, option)",
        description="Affiche les réglages en vigueur (magasin de dossiers, questionnaires, CCAS, "
        "thème, mode d'affichage, touches) et d'où vient chacun : option de la ligne de "
        "commande, variable d'environnement, fichier de réglages (avec la ligne) ou défaut. "
        "Code de sortie : 1 si le fichier de réglages est refusé.",
    )
    p.add_argument("--init", action="store_true",
                   help="créer un fichier de réglages commenté (s'il n'existe pas)")
    p.add_argument("--chemin", action="store_true",
                   help="n'afficher que le chemin du fichier de réglages")
    p.add_argument("--touches", action="store_true", help="lister toutes les touches en vigueur")
    p.add_argument("--format", choices=("text", "json"), default="text")
    add_display_options(p)
    p.set_defaults(func=run_config)


def add_display_options(p: argparse.ArgumentParser) -> None:
    """Options that override a setting, shared by ``tui`` and ``config``."""
    p.add_argument("--db", metavar="DOSSIER", help="magasin de dossiers (dossier ou postgresql://…)")
    p.add_argument("--ascii", action="store_true",
                   help="affichage simple, sans symboles ni blocs (vieux terminaux)")
    p.add_argument("--theme", metavar="NOM", help="thème des couleurs (textual-dark, …)")


def options_of(args: argparse.Namespace) -> dict[str, object]:
    """The command line's values by setting name, for ``load_settings``."""
    return {"store": getattr(args, "db", None),
            "display.mode": "ascii" if getattr(args, "ascii", False) else None,
            "display.theme": getattr(args, "theme", None),
            "_flags": {"store": "--db", "display.mode": "--ascii", "display.theme": "--theme"}}


def load_for(args: argparse.Namespace):  # -> Settings (typed in app.settings)
    """Settings for this command line, the keymap and the theme checked too; SettingsError."""
    from intake_assistant.app.settings import SettingsError, load_settings

    settings = load_settings(options_of(args))
    messages = keymap_problems(settings) if settings.keys else []
    if not settings.where("display.theme").startswith("défaut"):  # Textual loaded only then
        messages += theme_problems(settings)
    if messages:
        raise SettingsError(messages)
    return settings


def keymap_problems(settings) -> list[str]:  # noqa: ANN001 (Settings)
    from intake_assistant.tui.keymap import problems

    where = {a: settings.key_source(a).removeprefix("fichier ") for a in settings.keys}
    return problems(settings.keys, where)


def theme_problems(settings) -> list[str]:  # noqa: ANN001 (Settings)
    from textual.theme import BUILTIN_THEMES

    theme = settings.get("display.theme")
    if theme in BUILTIN_THEMES:
        return []
    source = settings.where("display.theme").removeprefix("fichier ")
    return [f"{source}: thème « {theme} » inconnu (thèmes : {', '.join(sorted(BUILTIN_THEMES))})"]


def run_config(args: argparse.Namespace) -> int:
    from intake_assistant.app.settings import (
        LABELS,
        SAMPLE,
        SettingsError,
        ccas_defaults,
        settings_path,
    )

    path = settings_path()
    if args.chemin:
        print(path)
        return EXIT_OK
    if args.init:
        if path.exists():
            print(f"{path} existe déjà : il n'est pas modifié.", file=sys.stderr)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "x", encoding="utf-8") as handle:
                handle.write(SAMPLE)
            print(f"Fichier de réglages créé : {path}", file=sys.stderr)
    try:
        settings = load_for(args)
    except SettingsError as exc:
        print("\n".join(exc.messages), file=sys.stderr)
        print(f"Fichier de réglages refusé : corrigez {path}.", file=sys.stderr)
        return EXIT_REFUSED
    from intake_assistant.tui.keymap import effective, keys_label, rows

    if args.format == "json":
        doc = {"fichier": str(path), "existe": settings.exists,
               "réglages": {name: {"valeur": settings.get(name), "source": settings.where(name)}
                            for name in LABELS},
               "touches": effective(settings.keys)}
        print(json.dumps(doc, ensure_ascii=False, indent=2))
        return EXIT_OK
    state = "" if settings.exists else " (absent : valeurs par défaut ; --init en crée un modèle)"
    print(f"Fichier de réglages : {path}{state}")
    print()
    width = max(len(label) for label in LABELS.values())
    header = ccas_defaults()
    for name, label in LABELS.items():
        value = str(settings.get(name))
        if not value and name in header:  # the default: what ccas.yaml says
            value = header[name]
        value = value.replace("\n", " / ") or "—"
        print(f"{label:<{width}}  {value}")
        print(f"{'':<{width}}  ({name} ; {settings.where(name)})")
    if args.touches:
        print()
        print("Touches :")
        for screen, keys, label, action in rows(settings.keys):
            origin = "  ← " + settings.key_source(action) if action in settings.keys else ""
            print(f"  {screen:<20} {keys:<22} {label} [{action}]{origin}")
    elif settings.keys:
        print()
        print("Touches changées par le fichier :")
        for action in settings.keys:
            keys = effective(settings.keys).get(action, "")
            print(f"  {action:<28} {keys_label(keys)}  ({settings.key_source(action)})")
    if os.environ.get("INTAKE_ASSISTANT_DATA") is None and not settings.exists:
        print()
        print("Pour garder une copie modifiée des questionnaires hors du programme : copiez le "
              "dossier des questionnaires dans le dossier des réglages (sous-dossier "
              "« questionnaires ») ou indiquez-le dans le fichier (clé questionnaires).")
    return EXIT_OK
