"""CLI subcommands of the store: list, show, purge, forget, demo-data (each takes --db PATH)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime
from typing import Any

from intake_assistant.app.access import open_guarded
from intake_assistant.core import lifecycle
from intake_assistant.store import (
    CorruptDossierError,
    DossierStore,
    IndexEntry,
    StoreError,
)
from intake_assistant.store.demo_data import generate_dossiers


def _add_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="DOSSIER",
                        help="dossier de la base (sinon $INTAKE_ASSISTANT_DB, "
                             "sinon le dossier de données de l'utilisateur)")


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"date invalide : « {text} » (AAAA-MM-JJ)") from None


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"nombre entier positif attendu : « {text} »")
    return value


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("list", help="lister et rechercher les dossiers")
    _add_db(p)
    p.add_argument("--status", choices=lifecycle.STATUSES, help="statut du dossier")
    p.add_argument("--search", metavar="TEXTE", help="nom, prénom, téléphone ou numéro de dossier")
    p.add_argument("--agent", help="agent en charge")
    p.add_argument("--from", dest="date_from", type=_day, metavar="AAAA-MM-JJ",
                   help="créés à partir de cette date")
    p.add_argument("--to", dest="date_to", type=_day, metavar="AAAA-MM-JJ",
                   help="créés jusqu'à cette date")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=cmd_list)

    p = subparsers.add_parser("show", help="afficher tout ce qui est conservé sur une personne")
    _add_db(p)
    p.add_argument("dossier_id", metavar="ID")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=cmd_show)

    p = subparsers.add_parser("purge", help="supprimer les dossiers sans contact depuis 2 ans")
    _add_db(p)
    p.add_argument("--inactive-days", type=_positive, default=730, metavar="JOURS")
    p.add_argument("--dry-run", action="store_true", help="lister sans supprimer")
    p.set_defaults(func=cmd_purge)

    p = subparsers.add_parser("forget", help="effacer entièrement une personne (RGPD)")
    _add_db(p)
    p.add_argument("dossier_id", metavar="ID")
    p.add_argument("--yes", action="store_true", help="ne pas demander de confirmation")
    p.set_defaults(func=cmd_forget)

    p = subparsers.add_parser("demo-data", help="créer des dossiers fictifs réalistes")
    _add_db(p)
    p.add_argument("--count", type=_positive, default=200, metavar="N")
    p.add_argument("--seed", type=int, default=1)
    p.set_defaults(func=cmd_demo_data)


def _run(func: Any) -> Any:
    def wrapper(args: argparse.Namespace) -> int:
        try:
            return func(args, open_guarded(args.db))  # as the authenticated agent
        except StoreError as exc:
            print(f"Erreur : {exc.message}", file=sys.stderr)
            return 1
    return wrapper


def _warn_corrupt(store: DossierStore) -> None:
    for dossier_id, path in sorted(store.corrupt_files().items()):
        print(f"Attention : le dossier {dossier_id} est illisible ({path}) ; il n'est pas listé.",
              file=sys.stderr)


def _name(entry: IndexEntry) -> str:
    return " ".join(part for part in (entry.prenom, entry.nom) if part) or "(sans nom)"


def _print_entries(entries: list[IndexEntry]) -> None:
    for e in entries:
        print(f"{e.id}  {_name(e)[:28]:<28}  {(e.telephone or '')[:17]:<17}  "
              f"{(e.commune or '')[:18]:<18}  {lifecycle.label(e.status):<15}  "
              f"{(e.agent or '')[:18]:<18}  dernier contact {e.last_contact}")


@_run
def cmd_list(args: argparse.Namespace, store: DossierStore) -> int:
    entries = store.list(status=args.status, search=args.search, agent=args.agent,
                         date_from=args.date_from, date_to=args.date_to)
    if args.format == "json":
        print(json.dumps([e.to_dict() for e in entries], ensure_ascii=False, indent=2))
    else:
        _print_entries(entries)
        print(f"{len(entries)} dossier(s).")
    _warn_corrupt(store)
    return 0


def _text_report(export: dict[str, Any]) -> str:
    doc, delays = export["dossier"], export["delais"]
    lines = [f"Dossier {doc['id']} — statut : {lifecycle.label(doc['status'])}",
             f"Créé le {doc['created_at']} par {doc.get('created_by')} ; "
             f"agent en charge : {doc.get('agent')} ; modifié le {doc.get('updated_at')}",
             "", "Réponses :"]
    lines += [f"  {key} : {json.dumps(value, ensure_ascii=False)}"
              for key, value in doc["answers"].items()]
    if doc["unknown"]:
        lines.append(f"  À compléter : {', '.join(doc['unknown'])}")
    lines += ["", "Historique des statuts :"]
    lines += [f"  {h['at']}  {lifecycle.label(h['status'])}  ({h.get('agent')})"
              + (f" — {h['note']}" if h.get("note") else "") for h in doc["status_history"]]
    steps = (("contact_evaluation", "premier contact → évaluation"),
             ("evaluation_commission", "évaluation → commission"),
             ("commission_decision", "commission → décision"),
             ("contact_decision", "premier contact → décision"))
    lines += ["", "Délais (jours) :"]
    lines += [f"  {label} : {delays[key] if delays[key] is not None else '—'}"
              for key, label in steps]
    lines.append(f"  dans le statut actuel : {delays['days_in_status']}")
    lines += ["", "Rencontres :"]
    lines += [f"  {m['date']}  {m['avec']}"
              + (f" ({m['partenaire']})" if m.get("partenaire") else "")
              + f" — {m.get('note', '')}" for m in doc["rencontres"]] or ["  aucune"]
    commission = doc.get("commission")
    if commission:
        amount = commission.get("montant_accorde")
        decision = lifecycle.label(commission["decision"])
        lines += ["", f"Commission du {commission['date']} : {decision}"
                  + (f", {amount} € accordés" if amount is not None else "")
                  + (f" — {commission['conditions']}" if commission.get("conditions") else "")]
    if doc.get("evaluation_sociale"):
        lines += ["", "Évaluation sociale :", f"  {doc['evaluation_sociale']}"]
    lines += ["", "Notes :"]
    lines += [f"  {n['at']} ({n['agent']}) : {n['text']}" for n in doc["notes"]] or ["  aucune"]
    lines += ["", "Journal des modifications :"]
    lines += [f"  {a['at']} ({a['agent']}) {a['id']} : {json.dumps(a['old'], ensure_ascii=False)}"
              f" → {json.dumps(a['new'], ensure_ascii=False)}"
              + (" (à compléter)" if a.get("unknown") else "") for a in doc["audit"]] or ["  vide"]
    lines += ["", f"Saisies de l'entretien : {len(doc['events'])} (détail avec --format json)"]
    return "\n".join(lines)


@_run
def cmd_show(args: argparse.Namespace, store: DossierStore) -> int:
    export = store.export(args.dossier_id)
    if args.format == "json":
        print(json.dumps(export, ensure_ascii=False, indent=2))
    else:
        print(_text_report(export))
    return 0


@_run
def cmd_purge(args: argparse.Namespace, store: DossierStore) -> int:
    entries = store.purge(inactive_days=args.inactive_days, dry_run=args.dry_run)
    if args.dry_run:
        print(f"{len(entries)} dossier(s) sans contact depuis plus de {args.inactive_days} jours "
              "seraient supprimés :")
    else:
        print(f"{len(entries)} dossier(s) sans contact depuis plus de {args.inactive_days} jours "
              "supprimés :")
    _print_entries(entries)
    _warn_corrupt(store)
    return 0


@_run
def cmd_forget(args: argparse.Namespace, store: DossierStore) -> int:
    dossier_id = args.dossier_id
    try:
        answers = store.load(dossier_id)["answers"]
        who = " ".join(str(answers[k]) for k in ("prenom", "nom") if answers.get(k)) or "(sans nom)"
    except CorruptDossierError:
        who = "la personne du dossier illisible"  # erasure must stay possible
    if not args.yes:
        prompt = (f"Effacer définitivement toutes les données de {who} ({dossier_id}) : dossier, "
                  "index et historique ? Tapez « oui » pour confirmer : ")
        try:
            reply = input(prompt)
        except EOFError:
            reply = ""
        if reply.strip().casefold() != "oui":
            print("Effacement annulé : rien n'a été supprimé.")
            return 1
    store.forget(dossier_id)
    print(f"Dossier {dossier_id} effacé : plus aucune donnée n'est conservée sur cette personne.")
    return 0


@_run
def cmd_demo_data(args: argparse.Namespace, store: DossierStore) -> int:
    now = datetime.now().astimezone()
    ids = store.import_dossiers(generate_dossiers(args.count, seed=args.seed, now=now))
    store.reindex()
    print(f"{len(ids)} dossier(s) fictif(s) créé(s) dans {store.location}.")
    return 0
