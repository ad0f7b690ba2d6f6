"""Subcommands ``orient`` (suggested orientation) and ``simulate`` (loan table)."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import Any

from intake_assistant.cli.common import EXIT_OK, EXIT_REFUSED, iso_date
from intake_assistant.core.fields import coerce_and_validate, load_fields
from intake_assistant.core.findings import FindingsError
from intake_assistant.core.french import ParseError, parse_money


class InputError(Exception):
    """Bad input file or option; ``message`` is French and names the field."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FICHIER",
                        help="réponses (JSON ou YAML : identifiant → valeur), un dossier, ou - "
                        "pour l'entrée standard")
    parser.add_argument("--set", action="append", default=[], metavar="ID=VALEUR",
                        help="remplacer une réponse (simulation « et si… ») ; ID= la retire")
    parser.add_argument("--inconnu", action="append", default=[], metavar="ID",
                        help="réponse marquée « ne sait pas » (traitée comme manquante)")
    parser.add_argument("--parametres", metavar="CHEMIN", help="fichier des paramètres")
    parser.add_argument("--aides", metavar="CHEMIN", help="catalogue des aides")
    parser.add_argument("--calculs", metavar="CHEMIN", help="fichier des valeurs calculées")
    parser.add_argument("--date", type=iso_date, metavar="AAAA-MM-JJ",
                        help="date de l'entretien (défaut : aujourd'hui)")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="format de sortie (défaut : text)")


def register(subparsers: argparse._SubParsersAction) -> None:
    orient = subparsers.add_parser(
        "orient", help="suggérer les orientations à partir des réponses",
        description="Calcule le budget (reste à vivre, taux d'endettement, mensualité) et "
        "propose une orientation pour chaque aide du catalogue, avec ses raisons. Code de "
        "sortie : 0 si tout est lu, 1 si le fichier ou une réponse est refusé, 2 pour une "
        "erreur d'utilisation.")
    _common(orient)
    orient.add_argument("--estimer", action="store_true",
                        help="ajouter les montants estimés par OpenFisca-France (RSA, prime "
                        "d'activité, aide au logement, CSS, ASF ; extension « openfisca »)")
    orient.set_defaults(func=run_orient)

    sim = subparsers.add_parser(
        "simulate", help="tableau de remboursement du prêt selon la durée",
        description="Mensualité, coût total et reste à vivre après remboursement pour chaque "
        "durée du microcrédit et de l'avance remboursable du CCAS. Codes de sortie comme "
        "orient : 0, 1 (entrée refusée), 2 (utilisation).")
    _common(sim)
    sim.add_argument("--montant", metavar="MONTANT",
                     help="montant à simuler (défaut : le montant demandé)")
    sim.set_defaults(func=run_simulate)


# ----------------------------------------------------------------------------- input
def read_document(path: str) -> tuple[dict[str, Any], list[str]]:
    """Answers and unknown ids from a file of answers or a dossier document (JSON or YAML), read
    through the bounded safe loader; unknown ids are named (with « did you mean »)."""
    from intake_assistant.core.answerfile import AnswerFileError, read_answer_file, unknown_keys

    try:
        answers, unknown = read_answer_file(path)
    except AnswerFileError as exc:
        raise InputError(exc.message) from None
    from intake_assistant.app.orienting import known_answer_ids

    problems = unknown_keys(answers, known_answer_ids())
    if problems:
        raise InputError("\n".join(f"{path} : {line}" for line in problems))
    return {str(k): v for k, v in answers.items()}, unknown


def apply_overrides(answers: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    """``id=value`` overrides: French-typed text, JSON for lists; ``id=`` removes the answer."""
    out = dict(answers)
    for item in overrides:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise InputError(f"--set « {item} » : écrivez identifiant=valeur")
        if value == "":
            out.pop(key, None)
        elif value.lstrip().startswith(("[", "{")):
            from intake_assistant.core.answerfile import AnswerFileError, parse_document

            try:
                out[key] = parse_document(value, f"--set {key}")
            except AnswerFileError as exc:
                raise InputError(exc.message) from None
        else:
            out[key] = value
    return out


def prepare(args: argparse.Namespace) -> tuple[dict[str, Any], list[str], date]:
    today = args.date or date.today()
    answers, unknown = read_document(args.file)
    answers = apply_overrides(answers, args.set)
    answers, errors = coerce_and_validate(answers, today=today)
    if errors:
        fields = load_fields()
        lines = []
        for fid, message in errors:
            label = fields[fid].label if fid in fields else fid
            lines.append(f"Réponse invalide — {label} ({fid}) : {message}")
        raise InputError("\n".join(lines))
    return answers, unknown + list(args.inconnu), today


def _policy(args: argparse.Namespace):
    from intake_assistant.app.orienting import load_policy

    return load_policy(args.parametres, args.aides, args.calculs)


def _run(args: argparse.Namespace, body) -> int:
    try:
        answers, unknown, today = prepare(args)
        policy = _policy(args)
        print(body(answers, unknown, today, policy), end="")
    except InputError as exc:
        print(exc.message, file=sys.stderr)
        return EXIT_REFUSED
    except FindingsError as exc:
        print("La politique d'orientation contient des erreurs :", file=sys.stderr)
        for finding in exc.findings:
            print(f"  {finding}", file=sys.stderr)
        return EXIT_REFUSED
    return EXIT_OK


# ----------------------------------------------------------------------------- commands
def run_orient(args: argparse.Namespace) -> int:
    from intake_assistant.app.orienting import orientation_report

    def body(answers, unknown, today, policy) -> str:
        return orientation_report(answers, unknown, today, policy, args.format,
                                  estimate=getattr(args, "estimer", False))

    return _run(args, body)


def run_simulate(args: argparse.Namespace) -> int:
    from intake_assistant.app.orienting import SimulationError, simulation_report

    def body(answers, unknown, today, policy) -> str:
        montant = None
        if args.montant is not None:
            try:
                montant = parse_money(args.montant)
            except ParseError as exc:
                raise InputError(f"--montant : {exc.message}") from None
        try:
            return simulation_report(answers, unknown, today, policy, montant, args.format)
        except SimulationError as exc:
            raise InputError(exc.message) from None

    return _run(args, body)
