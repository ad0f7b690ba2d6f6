"""CLI subcommands from the evaluation to the commission's decision: ``assess`` (written
assessment), ``propose`` (aids proposed), ``referent``, ``documents`` (checklist), ``session``
(commission sessions and their PDF), ``decide`` (per-aid decisions) and ``letter``.

Each goes through the application layer (app/casework.py) as the authenticated agent. Exit codes
as ``cli.common``: 0 done, 1 refused (French message on stderr), 2 usage.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from intake_assistant.app import casework as cw
from intake_assistant.app.access import open_guarded
from intake_assistant.cli.common import EXIT_OK, EXIT_REFUSED, EXIT_USAGE, iso_date
from intake_assistant.core import french, lifecycle
from intake_assistant.core.display import terminal_safe as safe


def _common(parser: argparse.ArgumentParser, today: bool = True) -> None:
    parser.add_argument("--db", metavar="DOSSIER",
                        help="dossier de la base (sinon $INTAKE_ASSISTANT_DB, sinon le dossier "
                             "de données de l'utilisateur)")
    if today:
        parser.add_argument("--today", type=iso_date, metavar="AAAA-MM-JJ",
                            help="date du jour à retenir (par défaut : aujourd'hui)")


def _run(func: Callable[[argparse.Namespace, Any], int]) -> Callable[[argparse.Namespace], int]:
    def wrapper(args: argparse.Namespace) -> int:
        try:
            return func(args, open_guarded(args.db))
        except cw.StoreError as exc:
            print(f"Erreur : {exc.message}", file=sys.stderr)
            return EXIT_REFUSED
        except OSError as exc:
            print(f"Erreur : écriture impossible ({exc.strerror or exc}).", file=sys.stderr)
            return EXIT_REFUSED
    return wrapper


def _amount(text: str) -> float:
    try:
        return float(french.parse_money(text))
    except french.ParseError as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


def _months(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"durée en mois attendue : « {text} »")
    return int(text)


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("assess", help="écrire ou lire l'évaluation sociale d'un dossier")
    p.add_argument("dossier_id", metavar="ID")
    p.add_argument("--fichier", metavar="FICHIER",
                   help="texte de l'évaluation (UTF-8) ; « - » : l'entrée standard")
    p.add_argument("--texte", help="texte de l'évaluation, en ligne de commande")
    _common(p, today=False)
    p.set_defaults(func=_run(cmd_assess))

    p = subparsers.add_parser("propose", help="proposer des aides à la commission (montant, "
                                              "durée, mensualité simulée, argumentaire)")
    p.add_argument("dossier_id", metavar="ID")
    p.add_argument("--aide", nargs="+", action="append", metavar="VALEUR",
                   help="aide proposée : AIDE MONTANT [DURÉE_MOIS] (répétable : une subvention "
                        "et un prêt)")
    p.add_argument("--arguments", default=None, help="argumentaire pour la commission")
    _common(p)
    p.set_defaults(func=_run(cmd_propose))

    p = subparsers.add_parser("referent", help="voir ou changer le travailleur social référent")
    p.add_argument("dossier_id", metavar="ID")
    p.add_argument("login", nargs="?", metavar="IDENTIFIANT",
                   help="le travailleur social à qui confier le dossier")
    _common(p, today=False)
    p.set_defaults(func=_run(cmd_referent))

    p = subparsers.add_parser("documents", help="pièces justificatives du dossier : établir la "
                                                "liste, noter les pièces reçues, l'imprimer")
    p.add_argument("dossier_id", metavar="ID")
    p.add_argument("--etablir", action="store_true",
                   help="établir ou mettre à jour la liste (aides proposées, type de projet)")
    p.add_argument("--recue", action="append", default=[], metavar="PIÈCE",
                   help="pièce reçue : numéro dans la liste ou début du libellé (répétable)")
    p.add_argument("--demandee", action="append", default=[], metavar="PIÈCE",
                   help="pièce de nouveau attendue")
    p.add_argument("--sans-objet", dest="sans_objet", action="append", default=[],
                   metavar="PIÈCE", help="pièce sans objet pour ce dossier")
    p.add_argument("--ajouter", action="append", default=[], metavar="LIBELLÉ",
                   help="ajouter une pièce à la liste")
    p.add_argument("--date", type=iso_date, metavar="AAAA-MM-JJ",
                   help="date de réception (par défaut : aujourd'hui)")
    p.add_argument("--pdf", metavar="FICHIER", help="écrire la liste à remettre à la personne")
    _common(p)
    p.set_defaults(func=_run(cmd_documents))

    p = subparsers.add_parser("session", help="séances de la commission : créer, ordre du jour, "
                                              "document de séance")
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    q = sub.add_parser("list", help="les séances, la plus récente d'abord")
    _common(q, today=False)
    q = sub.add_parser("create", help="créer une séance")
    q.add_argument("day", type=iso_date, metavar="AAAA-MM-JJ")
    q.add_argument("--heure", help="heure (par défaut : celle de commission.yaml)")
    q.add_argument("--lieu", help="lieu (par défaut : celui de commission.yaml)")
    _common(q, today=False)
    q = sub.add_parser("show", help="l'ordre du jour d'une séance")
    q.add_argument("session_id", metavar="SÉANCE")
    _common(q, today=False)
    for name, what in (("add", "inscrire des dossiers à l'ordre du jour"),
                       ("remove", "retirer des dossiers de l'ordre du jour")):
        q = sub.add_parser(name, help=what)
        q.add_argument("session_id", metavar="SÉANCE")
        q.add_argument("dossier_ids", nargs="+", metavar="ID")
        _common(q)
    q = sub.add_parser("pdf", help="le document de séance : ordre du jour et fiche de chaque "
                                   "dossier")
    q.add_argument("session_id", metavar="SÉANCE")
    q.add_argument("-o", "--output", metavar="FICHIER")
    _common(q)
    p.set_defaults(func=_run(cmd_session))

    p = subparsers.add_parser("decide", help="enregistrer la décision de la commission, aide "
                                             "par aide (date : celle de la séance)")
    p.add_argument("session_id", nargs="?", metavar="SÉANCE")
    p.add_argument("dossier_id", nargs="?", metavar="ID")
    p.add_argument("--accorde", nargs="+", action="append", default=[],
                   metavar="VALEUR",
                   help="aide accordée : AIDE MONTANT [DURÉE_MOIS [TAUX_%%]]")
    p.add_argument("--refuse", nargs=2, action="append", default=[], metavar=("AIDE", "MOTIF"),
                   help="aide refusée, avec un motif de commission.yaml")
    p.add_argument("--ajourne", nargs=2, action="append", default=[],
                   metavar=("AIDE", "MOTIF"), help="aide ajournée, avec un motif")
    p.add_argument("--conditions", nargs=2, action="append", default=[],
                   metavar=("AIDE", "TEXTE"), help="conditions posées pour une aide accordée")
    p.add_argument("--commentaire", nargs=2, action="append", default=[],
                   metavar=("AIDE", "TEXTE"), help="commentaire sur la décision d'une aide")
    p.add_argument("--motifs", action="store_true", help="lister les motifs et les aides")
    _common(p)
    p.set_defaults(func=cmd_decide_entry)

    p = subparsers.add_parser("letter", help="écrire un courrier depuis un modèle (PDF), gardé "
                                             "dans l'historique du dossier")
    p.add_argument("dossier_id", nargs="?", metavar="ID")
    p.add_argument("template", nargs="?", metavar="MODÈLE")
    p.add_argument("-o", "--output", metavar="FICHIER")
    p.add_argument("--rdv-date", dest="rdv_date", type=iso_date, metavar="AAAA-MM-JJ",
                   help="date du rendez-vous (convocation)")
    p.add_argument("--rdv-heure", dest="rdv_time", metavar="HH:MM")
    p.add_argument("--rdv-lieu", dest="rdv_place", metavar="LIEU")
    p.add_argument("--champs", action="store_true", help="les champs {{ … }} des modèles")
    _common(p)
    p.set_defaults(func=cmd_letter)


def _today(args: argparse.Namespace) -> date:
    return getattr(args, "today", None) or date.today()


def _who(store: Any) -> str:
    return str(store.identity.login)


# -- assess -------------------------------------------------------------------------------------
def cmd_assess(args: argparse.Namespace, store: Any) -> int:
    if args.fichier is None and args.texte is None:
        doc = store.load(args.dossier_id)
        print(doc.get("evaluation_sociale") or "(évaluation sociale à rédiger)")
        return EXIT_OK
    if args.fichier == "-":
        text = sys.stdin.read(cw.MAX_ASSESSMENT + 1)
    elif args.fichier is not None:
        text = Path(args.fichier).read_bytes()[: cw.MAX_ASSESSMENT * 4 + 1].decode(
            "utf-8", errors="replace")
    else:
        text = args.texte
    cw.write_assessment(store, args.dossier_id, text, agent=_who(store))
    print(f"Évaluation sociale enregistrée pour le dossier {args.dossier_id} "
          f"({len(text.strip())} caractères).")
    return EXIT_OK


# -- propose --------------------------------------------------------------------------------------
def _print_proposal(view: cw.ProposalView | None) -> None:
    if view is None:
        print("Aucune proposition.")
        return
    for line in view.lines:
        months = f"{line.duree_mois} mois" if line.duree_mois else "non remboursable"
        instalment = "" if line.mensualite is None else \
            f", mensualité {french.format_money(line.mensualite, 2)}"
        print(f"  {line.name} : {french.format_money(line.montant)}, {months}{instalment}")
    if view.rav_after is not None:
        print(f"  Reste à vivre après les remboursements : "
              f"{french.format_number(view.rav_after, 2)} € par jour et par UC "
              f"(plancher {french.format_number(view.floor, 2)} €)")
    print(f"  Argumentaire : {safe(view.arguments) or '—'}")
    for warning in view.warnings:
        print(f"Attention : {warning}")


def cmd_propose(args: argparse.Namespace, store: Any) -> int:
    if not args.aide:
        _print_proposal(cw.proposal_view(store.load(args.dossier_id), _today(args)))
        return EXIT_OK
    items = []
    try:
        for spec in args.aide:
            if len(spec) not in (2, 3):
                raise argparse.ArgumentTypeError("--aide AIDE MONTANT [DURÉE_MOIS]")
            items.append({"aid": spec[0], "montant": _amount(spec[1]),
                          "duree_mois": _months(spec[2]) if len(spec) == 3 else None})
    except argparse.ArgumentTypeError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return EXIT_USAGE
    previous = store.load(args.dossier_id).get("proposition") or {}
    arguments = args.arguments if args.arguments is not None else \
        str(previous.get("arguments") or "")
    _, view = cw.set_proposal(store, args.dossier_id, items, arguments, agent=_who(store),
                              today=_today(args))
    print(f"Proposition enregistrée pour le dossier {args.dossier_id} :")
    _print_proposal(view)
    return EXIT_OK


# -- referent -------------------------------------------------------------------------------------
def cmd_referent(args: argparse.Namespace, store: Any) -> int:
    if args.login:
        doc = cw.set_referent(store, args.dossier_id, args.login, agent=_who(store))
        print(f"Dossier {args.dossier_id} confié à {cw.agent_name(store, doc.get('agent'))}.")
        return EXIT_OK
    doc = store.load(args.dossier_id)
    print(f"Référent : {cw.agent_name(store, doc.get('agent'))}")
    for at, old, new in cw.referent_history(store, doc):
        print(f"  {french.format_datetime(at)} : {old} → {new}")
    return EXIT_OK


# -- documents -----------------------------------------------------------------------------------
def _print_checklist(view: cw.ChecklistView) -> None:
    marks = {"recue": "[x]", "demandee": "[ ]", "sans_objet": "[-]"}
    for n, row in enumerate(view.active, 1):
        data = row["data"]
        state = data.get("etat", "demandee")
        when = data.get({"recue": "recue_le", "demandee": "demandee_le",
                         "sans_objet": "sans_objet_le"}.get(state, "")) or ""
        label = {"recue": "reçue", "demandee": "demandée", "sans_objet": "sans objet"}[state]
        print(f"{n:>3}. {marks[state]} {safe(str(data.get('libelle')))}  ({label}"
              f"{' le ' + french.format_date(when) if when else ''})")
    if not view.active:
        print("Liste des pièces non établie (documents ID --etablir).")
    elif view.complete:
        print("Dossier complet.")
    else:
        print(f"Dossier incomplet : {len(view.missing)} pièce(s) manquante(s).")


def cmd_documents(args: argparse.Namespace, store: Any) -> int:
    who, today = _who(store), _today(args)
    view = None
    if args.etablir:
        view = cw.build_checklist(store, args.dossier_id, agent=who, today=today)
    for label in args.ajouter:
        view = cw.add_document(store, args.dossier_id, label, agent=who, today=today)
    for state, refs in (("recue", args.recue), ("demandee", args.demandee),
                        ("sans_objet", args.sans_objet)):
        for ref in refs:
            view = cw.mark_document(store, args.dossier_id, ref, state, agent=who,
                                    day=args.date or today)
    if args.pdf:
        path = cw.documents_pdf(store, args.dossier_id, args.pdf, agent=who, today=today)
        print(f"Liste des pièces écrite : {path}")
    _print_checklist(view or cw.checklist_view(store.load(args.dossier_id)))
    return EXIT_OK


# -- sessions ------------------------------------------------------------------------------------
def _session_line(s: Any) -> str:
    return (f"{s.id}  {french.format_date(s.date)} à {s.time}  {safe(s.place)}  "
            f"({len(s.agenda)} dossier(s))")


def cmd_session(args: argparse.Namespace, store: Any) -> int:
    action = args.action
    if action == "list":
        sessions = cw.list_sessions(store)
        for s in sessions:
            print(_session_line(s))
        if not sessions:
            print("Aucune séance (session create AAAA-MM-JJ).")
        return EXIT_OK
    if action == "create":
        s = cw.create_session(store, day=args.day, time=args.heure, place=args.lieu)
        print(f"Séance créée : {_session_line(s)}")
        return EXIT_OK
    if action == "show":
        view = cw.session_view(store, args.session_id)
        print(_session_line(view.session))
        for n, e in enumerate(view.entries, 1):
            pieces = {None: "pièces : liste non établie", True: "complet",
                      False: "incomplet"}[e.complete]
            decided = ", ".join(f"{d['aid']} : {lifecycle.label(d['decision']).lower()}"
                                for d in e.decided) or "à décider"
            print(f"{n:>3}. {e.dossier_id}  {safe(e.name)[:28]:<28} {e.project[:24]:<24} "
                  f"{lifecycle.label(e.status) if e.status else '':<14} {pieces:<10} {decided}")
        return EXIT_OK
    if action in ("add", "remove"):
        for dossier_id in args.dossier_ids:
            if action == "add":
                s, warnings = cw.add_to_session(store, args.session_id, dossier_id,
                                                agent=_who(store), today=_today(args))
                print(f"{dossier_id} inscrit à la séance du {french.format_date(s.date)}.")
                for warning in warnings:
                    print(f"  Attention : {warning}")
            else:
                s = cw.remove_from_session(store, args.session_id, dossier_id)
                print(f"{dossier_id} retiré de la séance du {french.format_date(s.date)}.")
        return EXIT_OK
    path = cw.session_pdf(store, args.session_id, args.output, agent=_who(store),
                          today=_today(args))
    print(f"Document de séance écrit : {path}")
    return EXIT_OK


# -- decide ----------------------------------------------------------------------------------------
def _decision_items(args: argparse.Namespace) -> list[dict[str, Any]]:
    items: dict[str, dict[str, Any]] = {}
    for spec in args.accorde:
        if not 2 <= len(spec) <= 4:
            raise argparse.ArgumentTypeError("--accorde AIDE MONTANT [DURÉE_MOIS [TAUX_%]]")
        item: dict[str, Any] = {"aid": spec[0], "decision": "accorde",
                                "montant": _amount(spec[1])}
        if len(spec) >= 3:
            item["duree_mois"] = _months(spec[2])
        if len(spec) == 4:
            try:
                item["taux_annuel"] = float(french.parse_number(spec[3])) / 100
            except french.ParseError as exc:
                raise argparse.ArgumentTypeError(exc.message) from None
        items[spec[0]] = item
    for decision, specs in (("refuse", args.refuse), ("ajourne", args.ajourne)):
        for aid, reason in specs:
            items[aid] = {"aid": aid, "decision": decision, "motif": reason}
    for key, specs in (("conditions", args.conditions), ("commentaire", args.commentaire)):
        for aid, text in specs:
            if aid not in items:
                raise argparse.ArgumentTypeError(f"--{key} {aid} : aucune décision sur cette "
                                                 "aide dans la commande")
            items[aid][key] = text
    return list(items.values())


def cmd_decide_entry(args: argparse.Namespace) -> int:
    """The lists and the usage errors need no store."""
    if args.motifs:
        print("Aides : " + ", ".join(f"{aid} ({t.name})" for aid, t in cw.terms().items()))
        for decision, title in (("refuse", "Motifs de refus"),
                                ("ajourne", "Motifs d'ajournement")):
            print(f"{title} :")
            for rid, label in cw.reasons(decision):
                print(f"  {rid:<24} {label}")
        return EXIT_OK
    if not (args.session_id and args.dossier_id):
        print("Erreur : indiquez la séance et le dossier (decide SÉANCE ID …), ou --motifs.",
              file=sys.stderr)
        return EXIT_USAGE
    try:
        args.items = _decision_items(args)
    except argparse.ArgumentTypeError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return EXIT_USAGE
    return _run(cmd_decide)(args)


def cmd_decide(args: argparse.Namespace, store: Any) -> int:
    items = args.items
    doc = cw.decide(store, args.session_id, args.dossier_id, items, agent=_who(store),
                    today=_today(args))
    commission = doc.get("commission") or {}
    print(f"Décision du {french.format_date(commission.get('date', ''))} enregistrée pour le "
          f"dossier {args.dossier_id} : {lifecycle.label(doc['status'])}.")
    for d in cw.session_decisions(doc, args.session_id):
        terms = ""
        if d["decision"] == "accorde":
            terms = f" {french.format_money(d['montant'])}"
            if d.get("duree_mois"):
                terms += f" sur {d['duree_mois']} mois"
            if d.get("mensualite") is not None:
                terms += f", mensualité {french.format_money(d['mensualite'], 2)}"
        else:
            terms = f" — {d.get('motif_label')}"
        print(f"  {d['aid']} : {lifecycle.label(d['decision']).lower()}{terms}")
    return EXIT_OK


# -- letters ---------------------------------------------------------------------------------------
def cmd_letter(args: argparse.Namespace) -> int:
    if args.champs:
        from intake_assistant.core.casework.letters import placeholders_text

        print(placeholders_text())
        return EXIT_OK
    if not args.dossier_id:
        print("Erreur : indiquez le dossier (letter ID [MODÈLE]) ou --champs.", file=sys.stderr)
        return EXIT_USAGE
    return _run(_letter)(args)


def _letter(args: argparse.Namespace, store: Any) -> int:
    today = _today(args)
    if not args.template:
        print("Modèles :")
        for choice in cw.letter_choices(store, args.dossier_id, today=today):
            state = f"  (pas encore : {choice.missing})" if choice.missing else ""
            print(f"  {choice.template.id:<26} {choice.template.title}{state}")
        sent = cw.letters_sent(store.load(args.dossier_id))
        if sent:
            print("Courriers envoyés :")
            for s in sent:
                print(f"  {french.format_date(s['date'])}  {s['titre']}  par "
                      f"{cw.agent_name(store, s.get('agent'))}  ({s.get('fichier')})")
        return EXIT_OK
    appointment = None
    if args.rdv_date:
        appointment = {"date": french.format_date(args.rdv_date),
                       "heure": args.rdv_time or "", "lieu": args.rdv_place or ""}
    result = cw.write_letter(store, args.dossier_id, args.template, args.output,
                             agent=_who(store), today=today, appointment=appointment)
    print(f"Courrier écrit : {result.path} — {result.subject}")
    return EXIT_OK
