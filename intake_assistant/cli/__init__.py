"""Command-line entry point.

Each area of the tool registers its own subcommands (``register(subparsers)`` in its ``commands``
module), so this file only assembles them. Running without a subcommand starts the TUI.

A command imports only its own module (``COMMANDS``): `list --search` at 200,000 dossiers must
answer in 0.3 s, process start included, so it must not import the TUI, the reports or the
orientation engine. The full parser (every module) is built only for the global help or an
unknown command.
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
    "intake_assistant.cli.casework",
    "intake_assistant.cli.followup",
    "intake_assistant.cli.config",
)

# Which module registers each subcommand (tests/cli checks it against the full parser).
COMMANDS = {
    "check": "intake_assistant.cli.check", "interview": "intake_assistant.cli.check",
    "orient": "intake_assistant.cli.orient", "simulate": "intake_assistant.cli.orient",
    "list": "intake_assistant.cli.dossiers", "show": "intake_assistant.cli.dossiers",
    "purge": "intake_assistant.cli.dossiers", "forget": "intake_assistant.cli.dossiers",
    "demo-data": "intake_assistant.cli.dossiers",
    "export": "intake_assistant.cli.reports", "stats": "intake_assistant.cli.reports",
    "tui": "intake_assistant.cli.tui", "db": "intake_assistant.cli.db",
    "agents": "intake_assistant.cli.agents", "config": "intake_assistant.cli.config",
    **dict.fromkeys(("assess", "propose", "referent", "documents", "session", "decide", "letter"),
                    "intake_assistant.cli.casework"),
    **dict.fromkeys(("partners", "request", "remind", "answer", "bank-report", "bankfile",
                     "appointment", "callback", "agenda", "ics", "followup", "repayment",
                     "delays", "funders"), "intake_assistant.cli.followup"),
}


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


def build_parser(modules: Sequence[str] = COMMAND_MODULES) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="intake-assistant",
        description="Assistant d'accueil et d'orientation — unité aide au projet du CCAS. "
        "Sans commande : ouvre l'application (options --db, --agent, --role).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}",
                        help="afficher la version et quitter")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMANDE")
    for name in modules:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:  # a real import error inside an existing module
                raise
            continue
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    first = next((a for a in argv if not a.startswith("-")), None)
    if first is not None and first in COMMANDS:
        parser = build_parser([COMMANDS[first]])
    elif {"-h", "--help", "--version"} & set(argv) or _looks_like_a_command(argv, first):
        parser = build_parser()  # the global help, or an unknown command to report
    else:
        # No subcommand: open the TUI (the default for staff), passing options such as --db.
        argv = ["tui", *argv]
        parser = build_parser([COMMANDS["tui"]])
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    if args.command != "config" and not _apply_settings(args):  # config reports them itself
        return 1
    if args.command != "check":  # `check` validates every file in full, always
        from intake_assistant.app.validation_memo import install

        install()
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


def _looks_like_a_command(argv: list[str], first: str | None) -> bool:
    """A first word that is no option's value: an unknown command, not the TUI's options."""
    if first is None:
        return False
    position = argv.index(first)
    return position == 0 or not argv[position - 1].startswith("-") or "=" in argv[position - 1]


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

