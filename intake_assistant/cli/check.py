"""Subcommands of the core: ``check`` (authoring linter) and ``interview`` (headless runner).

Exit codes of the commands of this module, ``orient`` and ``simulate``: 0 success, 1 refused input
(a file with errors, an answer refused, a store error), 2 usage (unknown option, bad argument).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from intake_assistant.core.datadir import data_dir
from intake_assistant.core.findings import Finding, codes_text, finding

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2


def iso_date(text: str) -> Any:
    """An ``argparse`` type: a real calendar day written AAAA-MM-JJ (« 2020-02-31 » refused)."""
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"date invalide « {text} » (une date qui existe, au format AAAA-MM-JJ)") from None


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
        else:
            out.append(p)
    return out


POLICY_FILES = frozenset({"parametres.yaml", "aides.yaml", "calculs.yaml"})


def lint_paths(paths: list[Path]) -> list[Finding]:
    """Lint each file by its kind (data dictionary, policy files, or questionnaire); each file
    is checked against the data of its own folder (the shipped data for what it lacks)."""
    from intake_assistant.core.fields import lint_fields
    from intake_assistant.core.findings import FindingsError
    from intake_assistant.core.linter import context_for, lint_questionnaire

    findings: list[Finding] = []
    policy_done: set[Path] = set()
    for path in paths:
        folder = path.parent
        if not path.exists():
            findings.append(finding(None, "file.missing", str(path)))
        elif path.name == "champs.yaml":
            findings += lint_fields(path)[1]
        elif path.name in POLICY_FILES:
            if folder not in policy_done:
                policy_done.add(folder)
                findings += _lint_policy(folder)
        else:
            try:
                context = context_for(folder)
            except FindingsError as exc:  # the dictionary itself is broken: name it once
                findings += exc.findings
                continue
            findings += lint_questionnaire(path, context)
    return sorted(set(findings))


def _lint_policy(folder: Path) -> list[Finding]:
    from intake_assistant.core.findings import FindingsError
    from intake_assistant.core.linter import context_for
    from intake_assistant.orientation.lint import lint_catalogue

    try:
        context = context_for(folder)
    except FindingsError:
        return []  # the policy's names come from the dictionary: reported on champs.yaml
    known = set(context.fields) | context.computed
    return list(lint_catalogue(folder / "aides.yaml", folder / "parametres.yaml", known))


def run_check(args: argparse.Namespace) -> int:
    if args.codes:
        print(codes_text())
        return EXIT_OK
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
