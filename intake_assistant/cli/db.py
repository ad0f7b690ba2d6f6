"""``db`` subcommands: the PostgreSQL database of a team (init, upgrade, status, copy)."""

from __future__ import annotations

import argparse
import sys

from intake_assistant.app.database import (
    StoreError,
    copy_store,
    database_status,
    init_database,
    upgrade_database,
)

_URL_HELP = ("adresse de la base : postgresql://utilisateur@serveur/base "
             "(sinon $INTAKE_ASSISTANT_DB)")


def register(subparsers: argparse._SubParsersAction) -> None:
    db = subparsers.add_parser("db", help="base PostgreSQL d'une équipe (plusieurs postes)")
    commands = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)

    p = commands.add_parser("init", help="créer le schéma, les groupes de rôles et leurs droits")
    p.add_argument("--db", metavar="URL", help=_URL_HELP)
    p.set_defaults(func=cmd_init)

    p = commands.add_parser("upgrade", help="mettre le schéma à jour après une mise à jour")
    p.add_argument("--db", metavar="URL", help=_URL_HELP)
    p.set_defaults(func=cmd_upgrade)

    p = commands.add_parser("status", help="version du schéma de la base")
    p.add_argument("--db", metavar="URL", help=_URL_HELP)
    p.set_defaults(func=cmd_status)

    p = commands.add_parser(
        "copy", help="copier les dossiers d'un poste dans la base, puis tout vérifier")
    p.add_argument("--from", dest="source", required=True, metavar="CHEMIN",
                   help="dossier du magasin sur le poste (TinyDB)")
    p.add_argument("--to", dest="target", required=True, metavar="URL",
                   help="base PostgreSQL vide : postgresql://utilisateur@serveur/base")
    p.set_defaults(func=cmd_copy)


def _url(args: argparse.Namespace) -> str:
    import os

    url = args.db or os.environ.get("INTAKE_ASSISTANT_DB") or ""
    if not url:
        raise StoreError("Indiquez la base : --db postgresql://utilisateur@serveur/base.")
    return url


def _fail(exc: StoreError) -> int:
    print(f"Erreur : {exc.message}", file=sys.stderr)
    return 1


def _print_schema(report, verb: str) -> None:  # type: ignore[no-untyped-def]
    if report.applied:
        print(f"Base {report.location} {verb} : schéma en version {report.version} "
              f"(étapes appliquées : {', '.join(report.applied)}).")
    else:
        print(f"Base {report.location} déjà à jour : schéma en version {report.version}.")
    if report.reception_changed:
        print("Les réponses visibles par l'accueil suivent désormais les questions de l'accueil "
              "téléphonique.")


def cmd_init(args: argparse.Namespace) -> int:
    try:
        report = init_database(_url(args))
    except StoreError as exc:
        return _fail(exc)
    _print_schema(report, "initialisée")
    groups = report.groups
    print("Groupes de rôles PostgreSQL (chaque agent est membre de celui de son rôle) : "
          + ", ".join(f"{role} → {name}" for role, name in groups.items()) + ".")
    print("Ensuite : intake-assistant agents add LOGIN --nom « Prénom Nom » --role ROLE "
          f"--db {report.location}")
    return 0


def cmd_upgrade(args: argparse.Namespace) -> int:
    try:
        report = upgrade_database(_url(args))
    except StoreError as exc:
        return _fail(exc)
    _print_schema(report, "mise à jour")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    try:
        version, expected = database_status(_url(args))
    except StoreError as exc:
        return _fail(exc)
    if version is None:
        print(f"Base non initialisée (cette application attend le schéma en version "
              f"{expected}) : intake-assistant db init.")
        return 1
    state = ("à jour" if version == expected else
             "à mettre à jour (intake-assistant db upgrade)" if version < expected else
             "plus récent que cette application (mettez-la à jour)")
    print(f"Schéma en version {version} ; cette application attend la version {expected} : "
          f"{state}.")
    return 0 if version == expected else 1


def cmd_copy(args: argparse.Namespace) -> int:
    def progress(step: str, count: int) -> None:
        print(f"  {step} : {count} dossier(s)…", file=sys.stderr, flush=True)

    try:
        report = copy_store(args.source, args.target, progress=progress)
    except StoreError as exc:
        return _fail(exc)
    print(f"{report.copied} dossier(s) copié(s) de {report.source} vers {report.target} ; "
          f"{report.checked} relu(s) identique(s) (contenu vérifié par empreinte SHA-256).")
    for dossier_id, path in sorted(report.unreadable.items()):
        print(f"Attention : le dossier {dossier_id} est illisible ({path}) : il n'a pas été "
              "copié.", file=sys.stderr)
    for label, ids in (("absent(s) de la base après la copie", report.missing),
                       ("en trop dans la base", report.extra),
                       ("différent(s) de l'original", report.different)):
        if ids:
            print(f"Erreur : {len(ids)} dossier(s) {label} : {', '.join(ids[:20])}"
                  + ("…" if len(ids) > 20 else ""), file=sys.stderr)
    if report.ok:
        print("Copie vérifiée : rien n'a été perdu. Le magasin d'origine n'a pas été modifié.")
        return 0
    print("La copie n'est pas complète : gardez le magasin d'origine et corrigez avant "
          "d'utiliser la base.", file=sys.stderr)
    return 1
