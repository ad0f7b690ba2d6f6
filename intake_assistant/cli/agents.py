"""``agents`` subcommands: who may use the application, under which role (the responsable's)."""

from __future__ import annotations

import argparse
import json
import sys

from intake_assistant.app.access import AccessDenied, open_guarded, require
from intake_assistant.app.agents import (
    ROLES,
    StoreError,
    add_agent,
    disable_agent,
    list_agents,
)


def register(subparsers: argparse._SubParsersAction) -> None:
    agents = subparsers.add_parser("agents", help="agents et rôles (réservé au responsable)")
    commands = agents.add_subparsers(dest="agents_command", metavar="ACTION", required=True)

    p = commands.add_parser("add", help="ajouter un agent (ou changer son nom, son rôle)")
    p.add_argument("login", metavar="LOGIN",
                   help="identifiant de connexion : rôle PostgreSQL, ou utilisateur du poste")
    p.add_argument("--nom", required=True, metavar="« Prénom Nom »")
    p.add_argument("--role", required=True, choices=tuple(ROLES))
    p.add_argument("--db", metavar="BASE", help="dossier du magasin ou adresse postgresql://…")
    p.set_defaults(func=cmd_add)

    p = commands.add_parser("list", help="lister les agents")
    p.add_argument("--db", metavar="BASE", help="dossier du magasin ou adresse postgresql://…")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=cmd_list)

    p = commands.add_parser("disable", help="désactiver un agent (il ne peut plus rien ouvrir)")
    p.add_argument("login", metavar="LOGIN")
    p.add_argument("--db", metavar="BASE", help="dossier du magasin ou adresse postgresql://…")
    p.set_defaults(func=cmd_disable)


def _guarded(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    store = open_guarded(args.db)
    require(store.identity, "agents")
    return store


def _fail(exc: StoreError) -> int:
    print(f"Erreur : {exc.message}", file=sys.stderr)
    return 1


def cmd_add(args: argparse.Namespace) -> int:
    try:
        store = _guarded(args)
        agent, created = add_agent(store.inner, args.login, args.nom, args.role)
    except (StoreError, AccessDenied) as exc:
        return _fail(exc)
    print(f"Agent {agent.name} ({agent.login}) enregistré : rôle {agent.role_label}.")
    if created:
        print(f"Rôle de connexion PostgreSQL « {agent.login} » créé sans mot de passe : "
              "l'informatique du CCAS lui donne son authentification (mot de passe, "
              "certificat ou Kerberos).")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    try:
        store = _guarded(args)
        agents = list_agents(store.inner)
    except (StoreError, AccessDenied) as exc:
        return _fail(exc)
    if args.format == "json":
        print(json.dumps([a.to_record() for a in agents], ensure_ascii=False, indent=2))
        return 0
    for a in agents:
        state = "actif" if a.active else "désactivé"
        print(f"{a.login:<20}  {a.name[:30]:<30}  {a.role_label:<18}  {state}")
    print(f"{len(agents)} agent(s).")
    return 0


def cmd_disable(args: argparse.Namespace) -> int:
    try:
        store = _guarded(args)
        if args.login == store.identity.login:
            raise AccessDenied("Vous ne pouvez pas désactiver votre propre compte.")
        agent = disable_agent(store.inner, args.login)
    except (StoreError, AccessDenied) as exc:
        return _fail(exc)
    print(f"Agent {agent.name} ({agent.login}) désactivé : il ne peut plus ouvrir de dossier.")
    return 0
