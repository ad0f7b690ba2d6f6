"""The ``tui`` subcommand (also what runs when no subcommand is given)."""

from __future__ import annotations

import argparse
from datetime import date


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("tui", help="ouvrir l'application (accueil, entretien, dossiers)")
    p.add_argument("--db", metavar="DOSSIER", help="dossier du stockage des dossiers")
    p.add_argument("--agent", metavar="NOM", help="nom de l'agent (sinon celui mémorisé)")
    p.add_argument("--role", choices=("accueil", "travailleur_social"),
                   help="rôle de l'agent (sinon celui mémorisé)")
    p.add_argument("--nouveau", metavar="QUESTIONNAIRE", nargs="?", const="",
                   help="ouvrir tout de suite un nouvel entretien (par défaut : celui du rôle)")
    p.add_argument("--ascii", action="store_true",
                   help="affichage simple, sans symboles ni blocs (vieux terminaux, PuTTY)")
    p.add_argument("--theme", metavar="NOM", help="thème des couleurs (textual-dark, …)")
    p.add_argument("--date", metavar="AAAA-MM-JJ", help=argparse.SUPPRESS)  # demos, tests
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from intake_assistant.tui import latency

    latency.starting()  # no collector passes until the first screen is up (tui/latency.py)
    from intake_assistant.tui.app import IntakeApp

    today = date.fromisoformat(args.date) if args.date else None
    app = IntakeApp(db=args.db, agent=args.agent, role=args.role, today=today,
                    settings=getattr(args, "settings", None))
    if args.nouveau is not None:
        app.start = args.nouveau or app.default_questionnaire()
    else:
        app.open_store_early()  # the dossier list comes up sooner (an interview loads its own)
    app.run()
    return 0
