"""CLI subcommands: ``export`` (commission summary of one dossier) and ``stats`` (activity)."""

from __future__ import annotations

import argparse
import gc
import sys
from datetime import date
from pathlib import Path

from intake_assistant.app.access import open_for
from intake_assistant.app.reporting import (
    CSV_BOM,
    EXPORT_FORMATS,
    STATS_TABLES,
    default_start,
    statistics,
    stats_as_json,
    stats_as_text,
    table_as_csv,
    write_table_csv,
)
from intake_assistant.app.stores import StoreError


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"date invalide : « {text} » (AAAA-MM-JJ)") from None


def _min_group(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"nombre entier supérieur à 0 attendu : « {text} »")
    return int(text)


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="DOSSIER",
                        help="dossier de la base (sinon $INTAKE_ASSISTANT_DB, "
                             "sinon le dossier de données de l'utilisateur)")
    parser.add_argument("--today", type=_day, metavar="AAAA-MM-JJ",
                        help="date du jour à retenir (par défaut : aujourd'hui)")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("export", help="fiche de synthèse d'un dossier pour la commission")
    p.add_argument("dossier_id", metavar="ID")
    p.add_argument("--format", choices=EXPORT_FORMATS, default="pdf",
                   help="pdf (impression), md (courriel) ou json (autres outils)")
    p.add_argument("-o", "--output", metavar="FICHIER",
                   help="fichier à écrire (par défaut : ID-commission.pdf, ou la sortie "
                        "standard pour md et json)")
    p.add_argument("--agent", help="qui exporte, inscrit au registre des exports du dossier "
                                   "(par défaut : l'utilisateur du système)")
    p.add_argument("--estimer", action="store_true",
                   help="ajouter les montants estimés par OpenFisca-France (extension "
                        "« openfisca »)")
    _add_common(p)
    p.set_defaults(func=cmd_export)

    p = subparsers.add_parser("stats", help="statistiques d'activité (seuls des agrégats sortent)")
    p.add_argument("--from", dest="date_from", type=_day, metavar="AAAA-MM-JJ",
                   help="premiers contacts à partir de cette date (par défaut : les 12 derniers "
                        "mois, mois en cours compris)")
    p.add_argument("--to", dest="date_to", type=_day, metavar="AAAA-MM-JJ",
                   help="premiers contacts jusqu'à cette date (par défaut : aujourd'hui)")
    p.add_argument("--format", choices=("text", "csv", "json"), default="text")
    p.add_argument("--table", choices=STATS_TABLES, action="append", metavar="NOM",
                   help="une table seulement (répétable) : " + ", ".join(STATS_TABLES))
    p.add_argument("-o", "--output", metavar="FICHIER_OU_DOSSIER",
                   help="fichier (text, json, csv avec --table) ou dossier (csv : un fichier par "
                        "table)")
    p.add_argument("--seuil", dest="min_group", type=_min_group, default=5, metavar="N",
                   help="effectif en dessous duquel un groupe est affiché « < N » (défaut : 5)")
    _add_common(p)
    p.set_defaults(func=cmd_stats)


def cmd_export(args: argparse.Namespace) -> int:
    from intake_assistant.app.dossiers import export_summary

    agent = args.agent or _system_user()
    try:
        estimate = bool(getattr(args, "estimer", False))
        try:
            result = export_summary(open_for(args.db, "export_dossier"), args.dossier_id,
                                    args.format, args.output, today=args.today, agent=agent,
                                    estimate=estimate)
        finally:
            if estimate:
                from intake_assistant.app.estimates import shared_service

                shared_service().close()
    except StoreError as exc:
        print(f"Erreur : {exc.message}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"Erreur : écriture impossible de {args.output} ({exc.strerror}).", file=sys.stderr)
        return 1
    if isinstance(result, Path):
        print(f"Fiche pour la commission écrite dans {result}.", file=sys.stderr)
    else:
        sys.stdout.write(result)
    return 0


def _system_user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return ""


def _progress(done: int, total: int) -> None:
    print(f"\rPréparation des statistiques : {done} / {total} dossiers…", end="",
          file=sys.stderr, flush=True)


def cmd_stats(args: argparse.Namespace) -> int:
    today = args.today or date.today()
    end = args.date_to or today
    start = args.date_from or default_start(end)
    if start > end:
        print("Erreur : la date de début (--from) est après la date de fin (--to).",
              file=sys.stderr)
        return 2
    if args.format == "csv" and not args.table and not args.output:
        print("Erreur : en CSV, indiquez un dossier avec -o (un fichier par table) ou une table "
              "avec --table.", file=sys.stderr)
        return 2
    # Reading a year of records makes hundreds of thousands of tuples and strings, none of
    # them in a cycle: the collector's passes over them were a sixth of a warm run at 200,000
    # dossiers. It is off meanwhile, and back as it was (`main` may be called in a process
    # that goes on).
    collecting = gc.isenabled()
    gc.disable()
    try:
        store = open_for(args.db, "statistiques")
        result = statistics(store, date_from=start, date_to=end, today=today,
                            min_group=args.min_group,
                            progress=_progress if sys.stderr.isatty() else None)
    except StoreError as exc:
        print(f"Erreur : {exc.message}", file=sys.stderr)
        return 1
    finally:
        if collecting:
            gc.enable()
    if sys.stderr.isatty():
        print("\r\033[K", end="", file=sys.stderr)
    try:
        _write_stats(args, result)
    except OSError as exc:
        print(f"Erreur : écriture impossible de {args.output} ({exc.strerror}).", file=sys.stderr)
        return 1
    return 0


def _write_stats(args: argparse.Namespace, result: dict) -> None:
    names = args.table
    if args.format == "csv":
        tables = [result["tables"][n] for n in (names or STATS_TABLES)]
        output = Path(args.output) if args.output else None
        if output is not None and (output.is_dir() or not names or len(names) > 1):
            output.mkdir(parents=True, exist_ok=True)
            for t in tables:
                write_table_csv(output / f"{t['name']}.csv", t)
            print(f"{len(tables)} fichier(s) CSV écrit(s) dans {output}.", file=sys.stderr)
        elif output is not None:
            write_table_csv(output, tables[0])
        else:  # a BOM on stdout too: the output is meant for "> fichier.csv"
            text = CSV_BOM + "\r\n".join(table_as_csv(t) for t in tables)
            sys.stdout.buffer.write(text.encode())
        return
    text = stats_as_json(result, names) if args.format == "json" else stats_as_text(result, names)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
