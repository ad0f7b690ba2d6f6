"""Subcommands ``check`` (authoring linter) and ``interview`` (headless runner); exit codes in
``cli.common``: 0 success, 1 refused input, 2 usage."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from intake_assistant.cli.common import EXIT_OK, EXIT_REFUSED, EXIT_USAGE, iso_date
from intake_assistant.core.datadir import data_dir, data_folder

__all__ = ["EXIT_OK", "EXIT_REFUSED", "EXIT_USAGE", "iso_date", "register"]


def register(subparsers: argparse._SubParsersAction) -> None:
    check = subparsers.add_parser(
        "check",
        help="vérifier les questionnaires, le catalogue des aides et les paramètres",
        description="Vérifie les fichiers YAML (syntaxe, format, identifiants, références, cycles, "
        "questions inaccessibles, expressions). Ce que check refuse, l'application refuse de le "
        "charger. Code de sortie : 0 si aucune erreur, 1 sinon, 2 pour une erreur d'utilisation.",
    )
    check.add_argument(
        "paths",
        nargs="*",
        metavar="CHEMIN",
        help="fichiers ou dossiers (défaut : les questionnaires livrés)",
    )
    check.add_argument("--codes", action="store_true", help="lister les codes d'erreur")
    check.set_defaults(func=run_check)

    interview = subparsers.add_parser(
        "interview",
        help="dérouler un questionnaire sans interface, à partir d'un fichier de réponses",
        description="Pose les questions une à une avec les réponses d'un fichier YAML ou JSON "
        "(textes tapés comme par une personne, ou valeurs), affiche le déroulé et écrit "
        "le dossier. Code de sortie : 0 si tout est accepté, 1 si une réponse ou le fichier est "
        "refusé, 2 pour une erreur d'utilisation.",
    )
    interview.add_argument("questionnaire", help="identifiant ou chemin du questionnaire")
    interview.add_argument(
        "--answers",
        required=True,
        metavar="FICHIER",
        help="réponses : identifiant → texte tapé ou valeur (- : entrée standard)",
    )
    interview.add_argument("--output", metavar="DOSSIER.json", help="où écrire le dossier JSON")
    interview.add_argument("--db", metavar="CHEMIN", help="enregistrer dans ce magasin de dossiers")
    interview.add_argument("--dossier", metavar="ID", help="continuer ce dossier du magasin")
    interview.add_argument("--agent", default="", help="nom de l'agent")
    interview.add_argument(
        "--date", type=iso_date, metavar="AAAA-MM-JJ",
        help="date de l'entretien (défaut : aujourd'hui)"
    )
    interview.add_argument("--quiet", action="store_true", help="n'afficher que les erreurs")
    interview.set_defaults(func=run_interview)


# ----------------------------------------------------------------------------- check
def _collect(paths: list[str]) -> list[Path]:
    out: list[Path] = []
    for raw in paths or [str(data_dir())]:
        p = Path(raw)
        if p.is_dir():
            out += sorted(x for x in p.iterdir() if x.suffix in (".yaml", ".yml"))
            out += sorted((p / "lettres").glob("*.md"))  # the letter templates
        else:
            out.append(p)
    return out


def run_check(args: argparse.Namespace) -> int:
    from intake_assistant.app.checks import codes_text, lint_paths

    if args.codes:
        print(codes_text())
        return EXIT_OK
    if not args.paths:
        # Which copy is in force: shipped, the CCAS's own (settings) or $INTAKE_ASSISTANT_DATA.
        folder = data_folder()
        print(f"Questionnaires : {folder.path} ({folder.source})", file=sys.stderr)
    paths = _collect(args.paths)
    if not paths:
        print("Aucun fichier YAML à vérifier.", file=sys.stderr)
        return EXIT_USAGE
    findings = lint_paths(paths)
    for f in findings:
        print(f)
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    print(
        f"{len(paths)} fichier(s) vérifié(s) : {errors} erreur(s), {warnings} avertissement(s).",
        file=sys.stderr,
    )
    return EXIT_REFUSED if errors else EXIT_OK


# ----------------------------------------------------------------------------- interview
def run_interview(args: argparse.Namespace) -> int:
    from intake_assistant.cli.headless import run_headless

    return run_headless(args)
