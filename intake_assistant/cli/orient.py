"""Subcommands ``orient`` (suggested orientation) and ``simulate`` (loan table)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from intake_assistant.core.fields import coerce_and_validate, load_fields
from intake_assistant.core.findings import FindingsError
from intake_assistant.core.french import ParseError, parse_money


class InputError(Exception):
    """Bad input file or option; ``message`` is French and names the field."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"date invalide « {text} » (format AAAA-MM-JJ)") from None


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
    parser.add_argument("--date", type=_iso_date, metavar="AAAA-MM-JJ",
                        help="date de l'entretien (défaut : aujourd'hui)")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="format de sortie (défaut : text)")


def register(subparsers: argparse._SubParsersAction) -> None:
    orient = subparsers.add_parser(
        "orient", help="suggérer les orientations à partir des réponses",
        description="Calcule le budget (reste à vivre, taux d'endettement, mensualité) et "
        "propose une orientation pour chaque aide du catalogue, avec ses raisons.")
    _common(orient)
    orient.add_argument("--estimer", action="store_true",
                        help="ajouter les montants estimés par OpenFisca-France (RSA, prime "
                        "d'activité, aide au logement, CSS, ASF ; extension « openfisca »)")
    orient.set_defaults(func=run_orient)

    sim = subparsers.add_parser(
        "simulate", help="tableau de remboursement du prêt selon la durée",
        description="Mensualité, coût total et reste à vivre après remboursement pour chaque "
        "durée du microcrédit et de l'avance remboursable du CCAS.")
    _common(sim)
    sim.add_argument("--montant", metavar="MONTANT",
                     help="montant à simuler (défaut : le montant demandé)")
    sim.set_defaults(func=run_simulate)


# ----------------------------------------------------------------------------- input
def read_document(path: str) -> tuple[dict[str, Any], list[str]]:
    """Answers and unknown ids from a file of answers or a dossier document (JSON or YAML)."""
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"Lecture impossible de « {path} » : {exc.strerror}") from None
    except UnicodeDecodeError:
        raise InputError(f"« {path} » n'est pas un fichier texte UTF-8") from None
    try:
        data = json.loads(text) if text.lstrip().startswith(("{", "[")) else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise InputError(f"« {path} » n'est ni du JSON ni du YAML valide ({exc})") from None
    data = {} if data is None else data
    unknown: list[str] = []
    if isinstance(data, dict) and isinstance(data.get("answers"), dict):
        unknown = [str(u) for u in data.get("unknown") or []]
        data = data["answers"]
    if not isinstance(data, dict):
        raise InputError("Le fichier doit associer des identifiants à des réponses.")
    return {str(k): v for k, v in data.items()}, unknown


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
            try:
                out[key] = json.loads(value)
            except json.JSONDecodeError:
                raise InputError(f"--set {key} : liste JSON invalide") from None
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
    from intake_assistant.orientation.build import load_policy

    return load_policy(args.parametres, args.aides, args.calculs)


def _run(args: argparse.Namespace, body) -> int:
    try:
        answers, unknown, today = prepare(args)
        policy = _policy(args)
        print(body(answers, unknown, today, policy), end="")
    except InputError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    except FindingsError as exc:
        print("La politique d'orientation contient des erreurs :", file=sys.stderr)
        for finding in exc.findings:
            print(f"  {finding}", file=sys.stderr)
        return 1
    return 0


# ----------------------------------------------------------------------------- commands
def run_orient(args: argparse.Namespace) -> int:
    from intake_assistant.orientation.evaluate import evaluate
    from intake_assistant.orientation.report import orientation_text

    def body(answers, unknown, today, policy) -> str:
        result = evaluate(answers, policy, today, unknown)
        estimates = None
        if getattr(args, "estimer", False):
            from intake_assistant.app.estimates import shared_service

            service = shared_service()
            try:
                estimates = service.estimate(answers, today, set(unknown))
            finally:
                service.close()
        if args.format == "json":
            doc = result.to_json()
            if estimates is not None:
                doc["estimates"] = estimates.to_json()
            return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
        texts = None
        if estimates is not None:
            texts = {aid: t for aid in estimates.by_aid if (t := estimates.text(aid))}
        return orientation_text(result, policy, today, texts,
                                estimates.message if estimates is not None else "")

    return _run(args, body)


def run_simulate(args: argparse.Namespace) -> int:
    from intake_assistant.orientation.compute import compute, round_half_up
    from intake_assistant.orientation.report import simulation_text
    from intake_assistant.orientation.simulate import SimulationError, simulate

    def body(answers, unknown, today, policy) -> str:
        montant = None
        if args.montant is not None:
            try:
                montant = parse_money(args.montant)
            except ParseError as exc:
                raise InputError(f"--montant : {exc.message}") from None
        try:
            rows = simulate(answers, policy, montant, today, unknown)
        except SimulationError as exc:
            raise InputError(exc.message) from None
        if args.format == "json":
            rav = compute(answers, policy, today, unknown).get("rav_jour_uc")
            doc = {"rav_jour_uc": None if rav is None or not isinstance(rav, int | float)
                   else round_half_up(rav), "rows": [r.to_json() for r in rows]}
            return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
        return simulation_text(rows, policy, compute(answers, policy, today, unknown))

    return _run(args, body)
