"""Subcommands of the core: ``check`` (authoring linter) and ``interview`` (headless runner)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from intake_assistant.core.datadir import data_dir
from intake_assistant.core.findings import Finding


def register(subparsers: argparse._SubParsersAction) -> None:
    check = subparsers.add_parser(
        "check",
        help="vérifier les questionnaires, le catalogue des aides et les paramètres",
        description="Vérifie les fichiers YAML (syntaxe, format, identifiants, références, cycles, "
        "questions inaccessibles, expressions). Code de sortie : 0 si aucune erreur, 1 sinon.",
    )
    check.add_argument(
        "paths",
        nargs="*",
        metavar="CHEMIN",
        help="fichiers ou dossiers (défaut : les questionnaires livrés)",
    )
    check.set_defaults(func=run_check)

    interview = subparsers.add_parser(
        "interview",
        help="dérouler un questionnaire sans interface, à partir d'un fichier de réponses",
        description="Pose les questions une à une avec les réponses d'un fichier YAML ou JSON "
        "(textes tapés comme par une personne, ou valeurs), affiche le déroulé et écrit "
        "le dossier.",
    )
    interview.add_argument("questionnaire", help="identifiant ou chemin du questionnaire")
    interview.add_argument(
        "--answers",
        required=True,
        metavar="FICHIER",
        help="réponses : identifiant → texte tapé ou valeur",
    )
    interview.add_argument("--output", metavar="DOSSIER.json", help="où écrire le dossier JSON")
    interview.add_argument("--db", metavar="CHEMIN", help="enregistrer dans ce magasin de dossiers")
    interview.add_argument("--dossier", metavar="ID", help="continuer ce dossier du magasin")
    interview.add_argument("--agent", default="", help="nom de l'agent")
    interview.add_argument(
        "--date", metavar="AAAA-MM-JJ", help="date de l'entretien (défaut : aujourd'hui)"
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


def lint_paths(paths: list[Path]) -> list[Finding]:
    """Lint each file by its kind (data dictionary, policy files, or questionnaire)."""
    from intake_assistant.app.questionnaires import policy_names
    from intake_assistant.core.fields import load_fields
    from intake_assistant.core.linter import LintContext, lint_questionnaire
    from intake_assistant.core.yamlsource import YamlSyntaxError

    findings: list[Finding] = []
    policy_done = False
    folder = paths[0].parent if paths else data_dir()
    try:
        local = folder / "champs.yaml"  # a folder's own dictionary, else the shipped one
        fields = load_fields(local if local.exists() else None)
    except YamlSyntaxError as exc:  # reported below when champs.yaml is linted; lint the rest
        fields = {}
        policy_done = True  # the policy's names come from the dictionary: wait for its fix
        if not any(p.name == "champs.yaml" for p in paths):
            findings.append(Finding.at(exc.location, "error", "E-YAML", exc.message))
    context = LintContext(fields=fields)
    computed, parameters = policy_names(folder)
    context.computed, context.parameters = computed, parameters
    policy_files = {"parametres.yaml", "aides.yaml", "calculs.yaml"}
    for path in paths:
        if not path.exists():
            findings.append(Finding(str(path), 1, 1, "error", "E-FILE", "fichier introuvable"))
        elif path.name == "champs.yaml":
            findings += _lint_fields(path)
        elif path.name in policy_files:
            if not policy_done:
                findings += _lint_policy(path.parent, set(context.fields) | computed)
                policy_done = True
        else:
            findings += lint_questionnaire(path, context)
    return sorted(set(findings))


def _lint_fields(path: Path) -> list[Finding]:
    from intake_assistant.core.validation import check_schema
    from intake_assistant.core.yamlsource import YamlSyntaxError, load_file

    try:
        doc = load_file(path)
    except YamlSyntaxError as exc:
        return [Finding.at(exc.location, "error", "E-YAML", exc.message)]
    out = []
    for fid, spec in (doc.get("champs") or {}).items():
        loc = doc["champs"].key_locs.get(fid)
        reason = check_schema(dict(spec.get("schema") or {}))
        if reason:
            out.append(
                Finding.at(loc, "error", "E-JSONSCHEMA", f"schéma de « {fid} » invalide : {reason}")
            )
    return out


def _lint_policy(folder: Path, known_ids: set[str]) -> list[Finding]:
    try:
        from intake_assistant.orientation.lint import lint_catalogue
    except ModuleNotFoundError:
        return []
    return list(lint_catalogue(folder / "aides.yaml", folder / "parametres.yaml", known_ids))


def run_check(args: argparse.Namespace) -> int:
    paths = _collect(args.paths)
    if not paths:
        print("Aucun fichier YAML à vérifier.", file=sys.stderr)
        return 2
    findings = lint_paths(paths)
    for f in findings:
        print(f)
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    print(
        f"{len(paths)} fichier(s) vérifié(s) : {errors} erreur(s), {warnings} avertissement(s).",
        file=sys.stderr,
    )
    return 1 if errors else 0


# ----------------------------------------------------------------------------- interview
def read_mapping(path: str) -> dict[str, Any]:
    """A YAML or JSON mapping of answer ids, from a file or ``-`` (standard input)."""
    import yaml

    text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    data = yaml.safe_load(text) if text.strip() else {}
    if isinstance(data, dict) and "answers" in data and isinstance(data["answers"], dict):
        data = data["answers"]
    if not isinstance(data, dict):
        raise ValueError("le fichier doit associer des identifiants à des réponses")
    return data


def run_interview(args: argparse.Namespace) -> int:
    from intake_assistant.cli.headless import run_headless

    return run_headless(args)
