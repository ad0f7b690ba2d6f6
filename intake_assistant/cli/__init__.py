"""Command-line entry point.

Each area of the tool registers its own subcommands (``register(subparsers)`` in its ``commands``
module), so this file only assembles them. Running without a subcommand starts the TUI.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from intake_assistant import __version__

# Modules exposing ``register(subparsers) -> None``; each subparser sets ``func(args) -> int``.
COMMAND_MODULES = (
    "intake_assistant.cli.check",
    "intake_assistant.cli.orient",
    "intake_assistant.cli.dossiers",
    "intake_assistant.cli.reports",
    "intake_assistant.cli.tui",
    "intake_assistant.cli.db",
    "intake_assistant.cli.agents",
    "intake_assistant.cli.config",
)


# argparse's own words, in French: staff read these messages. argparse looks its translation
# function up at call time, so rebinding it is enough (no gettext catalogue to ship).
_ARGPARSE_FR = {
    "usage: ": "utilisation : ",
    "positional arguments": "arguments",
    "options": "options",
    "show this help message and exit": "afficher cette aide et quitter",
    "show program's version number and exit": "afficher la version et quitter",
    "%(prog)s: error: %(message)s\n": "%(prog)s : erreur : %(message)s\n",
    "the following arguments are required: %s": "arguments obligatoires manquants : %s",
    "unrecognized arguments: %s": "arguments non reconnus : %s",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "choix invalide : %(value)r (choix possibles : %(choices)s)"
    ),
    "expected one argument": "une valeur est attendue",
    "invalid %(type)s value: %(value)r": "valeur invalide : %(value)r",
    "argument %(argument_name)s: %(message)s": "argument %(argument_name)s : %(message)s",
}
argparse._ = lambda text: _ARGPARSE_FR.get(text, text)  # type: ignore[attr-defined]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="intake-assistant",
        description="Assistant d'accueil et d'orientation — unité aide au projet du CCAS. "
        "Sans commande : ouvre l'application (options --db, --agent, --role).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}",
                        help="afficher la version et quitter")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMANDE")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:  # a real import error inside an existing module
                raise
            continue
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    subcommands = set(_subcommand_names(parser))
    first = next((a for a in argv if not a.startswith("-")), None)
    if first not in subcommands and not {"-h", "--help", "--version"} & set(argv):
        # No subcommand: open the TUI (the default for staff), passing options such as --db.
        argv = ["tui", *argv]
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    if args.command != "config" and not _apply_settings(args):  # config reports them itself
        return 1
    try:
        return int(func(args) or 0)
    except BrokenPipeError:
        # Output piped into `head` or a closed pager: not an error for the user.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:
        from intake_assistant.core.findings import FindingsError
        from intake_assistant.core.yamlsource import YamlSyntaxError

        if not isinstance(exc, FindingsError | YamlSyntaxError):
            raise
        # Any command that loads a broken data file says where, not a traceback.
        print(str(exc), file=sys.stderr)
        print("Corrigez ces fichiers puis relancez (intake-assistant check les vérifie).",
              file=sys.stderr)
        return 1


def _apply_settings(args: argparse.Namespace) -> bool:
    """Read the settings file (and the environment, the options) for this command; False, after
    saying why and where, when the file is refused: what `config` rejects, no command uses."""
    from intake_assistant.app.settings import SettingsError, install
    from intake_assistant.cli.config import load_for

    try:
        settings = load_for(args)
    except SettingsError as exc:
        print("\n".join(exc.messages), file=sys.stderr)
        print("Fichier de réglages refusé : corrigez-le (intake-assistant config le vérifie).",
              file=sys.stderr)
        return False
    install(settings)
    # The store named by the file reaches every command through its --db (the option and the
    # environment variable still win: they are already in args.db / read by the store).
    if hasattr(args, "db") and not args.db and settings.where("store").startswith("fichier"):
        args.db = settings.get("store")
    args.settings = settings
    return True


def _subcommand_names(parser: argparse.ArgumentParser) -> list[str]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return list(action.choices)
    return []
