"""CLI subcommands on dossiers: list, show, purge, forget, demo-data (each takes --db PATH).

They go through the application layer (app/stores.py, app/privacy.py), never the store itself.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from intake_assistant.app.access import open_guarded, require
from intake_assistant.app.stores import (
    StoreError,
    add_demo_dossiers,
    corrupt_dossiers,
    list_dossiers,
    stream_dossiers,
)
from intake_assistant.core import lifecycle

if TYPE_CHECKING:
    from intake_assistant.app import privacy
    from intake_assistant.store import DossierStore, IndexEntry


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
    p.add_argument("--delete-exports", action="store_true",
                   help="supprimer aussi les fichiers exportés de ces dossiers encore présents")
    p.set_defaults(func=cmd_purge)

    p = subparsers.add_parser("forget", help="effacer entièrement une personne (RGPD)")
    _add_db(p)
    p.add_argument("dossier_id", metavar="ID")
    p.add_argument("--yes", action="store_true", help="ne pas demander de confirmation")
    p.add_argument("--delete-exports", action="store_true",
                   help="supprimer aussi les fichiers exportés de ce dossier encore présents")
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
    for dossier_id, path in sorted(corrupt_dossiers(store).items()):
        print(f"Attention : le dossier {dossier_id} est illisible ou endommagé ({path}) ; il "
              "n'est pas listé.", file=sys.stderr)


def _name(entry: IndexEntry) -> str:
    return " ".join(part for part in (entry.prenom, entry.nom) if part) or "(sans nom)"


def _print_entries(entries: list[IndexEntry]) -> None:
    from intake_assistant.core.display import terminal_safe as safe

    for e in entries:
        print(f"{e.id}  {safe(_name(e))[:28]:<28}  {safe(e.telephone or '')[:17]:<17}  "
              f"{safe(e.commune or '')[:18]:<18}  {lifecycle.label(e.status):<15}  "
              f"{safe(e.agent or '')[:18]:<18}  dernier contact {e.last_contact}")


@_run
def cmd_list(args: argparse.Namespace, store: DossierStore) -> int:
    filters = {"status": args.status, "search": args.search, "agent": args.agent,
               "date_from": args.date_from, "date_to": args.date_to}
    if args.format == "json":  # streamed: flat memory whatever the number of dossiers
        _print_json(stream_dossiers(store, **filters))
    else:
        entries = list_dossiers(store, **filters)
        _print_entries(entries)
        print(f"{len(entries)} dossier(s).")
    _warn_corrupt(store)
    return 0


def _print_json(entries: Iterable[IndexEntry]) -> None:
    """The JSON array written entry by entry, byte for byte as `json.dumps(indent=2)` writes
    the whole list: each value through the C encoder, keys and indentation laid out once
    (200,000 entries: the pure-Python indenting encoder would take most of the time)."""
    write = sys.stdout.write
    encode = json.JSONEncoder(ensure_ascii=False).encode
    write("[")
    count = 0
    heads: list[tuple[str, str]] = []
    for entry in entries:
        if not heads:  # the entry's fields, in order, with their indented key
            heads = [(f.name, f'\n    {encode(f.name)}: ') for f in dataclasses.fields(entry)]
        body = ",".join(head + encode(getattr(entry, name)) for name, head in heads)
        write(("," if count else "") + "\n  {" + body + "\n  }")
        count += 1
    write("\n]\n" if count else "]\n")


def _text_report(report: privacy.AccessReport) -> str:
    doc, delays = report.dossier, report.delays
    lines = [f"Dossier {doc['id']} — statut : {lifecycle.label(doc['status'])}",
             f"Créé le {doc['created_at']} par {doc.get('created_by')} ; "
             f"agent en charge : {doc.get('agent')} ; modifié le {doc.get('updated_at')}",
             "", "Réponses :"]
    from intake_assistant.core.display import terminal_safe

    lines += [f"  {key} : {terminal_safe(json.dumps(value, ensure_ascii=False))}"
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
    for name, rows in sorted(doc["tables"].items()):
        lines += ["", f"Table {name} :"]
        lines += [f"  {r['at']} ({r['agent']}) n° {r['id']} : "
                  f"{json.dumps(r['data'], ensure_ascii=False)}" for r in rows] or ["  vide"]
    if report.records:
        lines += ["", "Enregistrements rattachés :"]
        lines += [f"  {r['kind']} {r['id']} : {json.dumps(r['doc'], ensure_ascii=False)}"
                  for r in report.records]
    lines += ["", "Exports (fichiers remis ou imprimés) :"]
    lines += [f"  {e['at']} ({e['agent']}) {e['format']} : {e['path'] or 'sortie standard'}"
              for e in doc["exports"]] or ["  aucun"]
    if doc["draft"]:
        lines += ["", f"Texte en cours de saisie : {doc['draft']['text']}"]
    lines += ["", f"Saisies de l'entretien : {len(doc['events'])} (détail avec --format json)"]
    return "\n".join(lines)


@_run
def cmd_show(args: argparse.Namespace, store: DossierStore) -> int:
    require(store.identity, "droit_acces")  # type: ignore[attr-defined]  # a GuardedStore
    from intake_assistant.app import privacy  # only for this command

    report = privacy.right_of_access(store, args.dossier_id)
    if args.format == "json":
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        print(_text_report(report))
    return 0


def _print_files(report: privacy.ErasureReport, *, dry_run: bool = False) -> None:
    deleted = [f for f in report.files if f.state == "deleted"]
    if deleted:
        print(f"{len(deleted)} fichier(s) exporté(s) supprimé(s) :")
        for f in deleted:
            print(f"  {f.path}")
    if report.to_destroy:
        verb = "seraient à détruire" if dry_run else "restent à détruire"
        print(f"Attention : {len(report.to_destroy)} export(s) de ces données {verb} "
              "(clé USB, courriel, impression...) :")
        for f in report.to_destroy:
            where = f.path or "sortie standard (copie faite à ce moment-là)"
            print(f"  {f.record['at'][:10]}  {f.record['format']}  {where}  "
                  f"(par {f.record['agent'] or 'agent inconnu'})")


@_run
def cmd_purge(args: argparse.Namespace, store: DossierStore) -> int:
    from intake_assistant.app import privacy  # only for this command

    report = privacy.purge(store, inactive_days=args.inactive_days, dry_run=args.dry_run,
                           delete_exports=args.delete_exports)
    entries = [e.entry for e in report.erased if e.entry is not None]
    if args.dry_run:
        print(f"{len(entries)} dossier(s) sans contact depuis plus de {args.inactive_days} jours "
              "seraient supprimés :")
    else:
        print(f"{len(entries)} dossier(s) sans contact depuis plus de {args.inactive_days} jours "
              "supprimés :")
    _print_entries(entries)
    _print_files(report, dry_run=args.dry_run)
    _warn_corrupt(store)
    return 0


@_run
def cmd_forget(args: argparse.Namespace, store: DossierStore) -> int:
    dossier_id = args.dossier_id
    from intake_assistant.app import privacy  # only for this command

    who = privacy.who(store, dossier_id)
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
    report = privacy.forget(store, dossier_id, delete_exports=args.delete_exports)
    if report.to_destroy:
        print(f"Dossier {dossier_id} effacé de la base : plus aucune donnée n'y est conservée sur "
              "cette personne.")
    else:
        print(f"Dossier {dossier_id} effacé : plus aucune donnée n'est conservée sur cette "
              "personne.")
    _print_files(report)
    return 0


@_run
def cmd_demo_data(args: argparse.Namespace, store: DossierStore) -> int:
    now = datetime.now().astimezone()
    ids = add_demo_dossiers(store, args.count, seed=args.seed, now=now)
    print(f"{len(ids)} dossier(s) fictif(s) créé(s) dans {store.location}.")
    return 0
