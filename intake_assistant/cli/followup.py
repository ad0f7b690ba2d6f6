"""CLI subcommands of the follow-up: requests to partners and their answers, the bank file and
the bank's reports, appointments, call-backs and the agenda with its ``.ics``, the avance
remboursable, the delay statistics and the funders' figures, the partners list.

Each goes through the application layer as the authenticated agent (app/access.py); exit codes
as elsewhere: 0 done, 1 refused (with a French message), 2 usage.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from intake_assistant.app import followup as fu
from intake_assistant.app import followup_exports as fx
from intake_assistant.app import followup_index as fi
from intake_assistant.app.access import open_guarded
from intake_assistant.app.followup_settings import partners
from intake_assistant.app.stores import StoreError
from intake_assistant.cli.common import EXIT_OK, EXIT_REFUSED, iso_date
from intake_assistant.core import french
from intake_assistant.core.display import terminal_safe as safe
from intake_assistant.core.findings import FindingsError


# -- argument types ----------------------------------------------------------------------------
def _money(text: str) -> float:
    try:
        return float(french.parse_money(text))
    except french.ParseError as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


def _months(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 120:
        raise argparse.ArgumentTypeError(f"durée en mois attendue (1 à 120) : « {text} »")
    return int(text)


def _rate(text: str) -> float:
    """« 4 % », « 4 » or « 0,04 »: an annual rate as a fraction."""
    raw = text.strip().rstrip("%").strip()
    try:
        value = float(french.parse_number(raw))
    except french.ParseError:
        raise argparse.ArgumentTypeError(f"taux illisible : « {text} » (par exemple 4 %)") \
            from None
    value = value / 100 if text.strip().endswith("%") or value >= 1 else value
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"taux impossible : « {text} »")
    return value


def _add_db(p: argparse.ArgumentParser, today: bool = True) -> None:
    p.add_argument("--db", metavar="DOSSIER",
                   help="dossier de la base (sinon $INTAKE_ASSISTANT_DB, sinon le dossier de "
                        "données de l'utilisateur)")
    if today:
        p.add_argument("--today", type=iso_date, metavar="AAAA-MM-JJ",
                       help="date du jour à retenir (par défaut : aujourd'hui)")


def _run(func: Callable[[argparse.Namespace, Any, date], int]
         ) -> Callable[[argparse.Namespace], int]:
    def wrapper(args: argparse.Namespace) -> int:
        try:
            store = open_guarded(args.db)
            return func(args, store, getattr(args, "today", None) or date.today())
        except (StoreError, FindingsError) as exc:
            print(f"Erreur : {getattr(exc, 'message', str(exc))}", file=sys.stderr)
            return EXIT_REFUSED
        except ValueError as exc:  # a rule of the core, already in French
            print(f"Erreur : {exc}", file=sys.stderr)
            return EXIT_REFUSED
        except OSError as exc:
            print(f"Erreur : fichier impossible à écrire ({exc.strerror}) : {exc.filename}",
                  file=sys.stderr)
            return EXIT_REFUSED
    return wrapper


# -- the commands -------------------------------------------------------------------------------
def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("partners", help="liste des partenaires (partenaires.yaml)")
    p.add_argument("--aid", metavar="AIDE", help="seulement ceux qui instruisent cette aide")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=cmd_partners)

    p = subparsers.add_parser("request", help="demande adressée à un partenaire ou un organisme")
    _add_db(p)
    p.add_argument("dossier_id", metavar="ID")
    p.add_argument("--to", dest="partner", required=True, metavar="PARTENAIRE",
                   help="identifiant du partenaire (intake-assistant partners)")
    p.add_argument("--aid", metavar="AIDE", help="aide demandée (identifiant du catalogue)")
    p.add_argument("--subject", required=True, metavar="TEXTE", help="objet de la demande")
    p.add_argument("--sent", type=iso_date, metavar="AAAA-MM-JJ",
                   help="date d'envoi (par défaut : aujourd'hui)")
    p.add_argument("--piece", action="append", default=[], metavar="PIÈCE",
                   help="pièce envoyée (répétable ; par défaut : celles que demande le "
                        "partenaire)")
    p.set_defaults(func=cmd_request)

    p = subparsers.add_parser("remind", help="relance d'une demande restée sans réponse")
    _add_db(p)
    p.add_argument("dossier_id", metavar="ID")
    p.add_argument("row_id", metavar="N_DEMANDE")
    p.add_argument("--date", type=iso_date, metavar="AAAA-MM-JJ")
    p.set_defaults(func=cmd_remind)

    p = subparsers.add_parser("answer", help="réponse d'un partenaire, décision de la banque")
    _add_db(p)
    p.add_argument("dossier_id", metavar="ID")
    p.add_argument("row_id", metavar="N_DEMANDE")
    p.add_argument("--outcome", required=True, choices=tuple(fu.OUTCOMES))
    p.add_argument("--date", type=iso_date, metavar="AAAA-MM-JJ",
                   help="date de la réponse (par défaut : aujourd'hui)")
    p.add_argument("--amount", type=_money, metavar="EUROS", help="montant accordé")
    p.add_argument("--months", type=_months, metavar="MOIS", help="durée du prêt")
    p.add_argument("--rate", type=_rate, metavar="TAUX", help="taux annuel (4 % ou 0,04)")
    p.add_argument("--signed", type=iso_date, metavar="AAAA-MM-JJ", help="date de signature")
    p.add_argument("--reference", default="", metavar="RÉF")
    p.add_argument("--reason", default="", metavar="TEXTE", help="motif (d'un refus)")
    p.set_defaults(func=cmd_answer)

    p = subparsers.add_parser("bank-report",
                              help="ce que la banque signale sur un microcrédit accordé")
    _add_db(p)
    p.add_argument("dossier_id", metavar="ID")
    p.add_argument("row_id", metavar="N_DEMANDE")
    p.add_argument("--kind", choices=tuple(fu.INCIDENTS),
                   help="impayé ou remboursement anticipé")
    p.add_argument("--end", action="store_true", help="fin de l'accompagnement")
    p.add_argument("--date", type=iso_date, metavar="AAAA-MM-JJ")
    p.add_argument("--amount", type=_money, metavar="EUROS")
    p.add_argument("--note", default="")
    p.set_defaults(func=cmd_bank_report)

    p = subparsers.add_parser("bankfile", help="dossier à envoyer à la banque (PDF ou JSON)")
    _add_db(p)
    p.add_argument("dossier_id", metavar="ID")
    p.add_argument("row_id", metavar="N_DEMANDE", help="la demande adressée à la banque")
    p.add_argument("--format", choices=fx.BANK_FORMATS, default="pdf")
    p.add_argument("-o", "--output", metavar="FICHIER",
                   help="fichier (par défaut : ID-banque.pdf, ou la sortie standard en json)")
    p.set_defaults(func=cmd_bankfile)

    p = subparsers.add_parser("appointment", help="prendre ou renseigner un rendez-vous")
    _add_db(p)
    p.add_argument("dossier_id", metavar="ID")
    p.add_argument("--date", type=iso_date, metavar="AAAA-MM-JJ")
    p.add_argument("--time", metavar="HEURE", help="9h30, 14:00…")
    p.add_argument("--minutes", type=int, default=45)
    p.add_argument("--place", default=fu.DEFAULT_PLACE, metavar="LIEU")
    p.add_argument("--with", dest="with_whom", default="demandeur",
                   choices=("demandeur", "partenaire", "les_deux"))
    p.add_argument("--partner", metavar="PARTENAIRE")
    p.add_argument("--subject", default="", metavar="OBJET")
    p.add_argument("--first", action="store_true", help="premier entretien (fin d'accueil)")
    p.add_argument("--record", metavar="N_RDV", help="renseigner ce rendez-vous (avec --state)")
    p.add_argument("--state", choices=("honore", "manque", "annule"))
    p.add_argument("--note", default="")
    p.set_defaults(func=cmd_appointment)

    p = subparsers.add_parser("callback", help="personne à rappeler (ou rappel fait)")
    _add_db(p)
    p.add_argument("dossier_id", metavar="ID")
    p.add_argument("--date", type=iso_date, metavar="AAAA-MM-JJ")
    p.add_argument("--reason", default="", metavar="MOTIF")
    p.add_argument("--done", metavar="N_RAPPEL", help="ce rappel est fait")
    p.set_defaults(func=cmd_callback)

    p = subparsers.add_parser("agenda", help="rendez-vous du jour, rappels, demandes à relancer")
    _add_db(p)
    p.add_argument("--date", type=iso_date, metavar="AAAA-MM-JJ")
    p.add_argument("--agent", help="seulement les rendez-vous de cet agent")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=cmd_agenda)

    p = subparsers.add_parser("ics", help="rendez-vous au format .ics (Outlook, agenda)")
    _add_db(p)
    p.add_argument("-o", "--output", required=True, metavar="FICHIER.ics")
    p.add_argument("--from", dest="date_from", type=iso_date, metavar="AAAA-MM-JJ",
                   help="à partir de (par défaut : aujourd'hui)")
    p.add_argument("--to", dest="date_to", type=iso_date, metavar="AAAA-MM-JJ")
    p.add_argument("--agent", help="seulement les rendez-vous de cet agent")
    p.set_defaults(func=cmd_ics)

    p = subparsers.add_parser("followup", help="suivi d'un dossier : demandes, rendez-vous, "
                                               "remboursement")
    _add_db(p)
    p.add_argument("dossier_id", metavar="ID")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=cmd_followup)

    p = subparsers.add_parser("repayment", help="avance remboursable : échéancier, versements, "
                                                "rééchelonnement")
    _add_db(p)
    p.add_argument("dossier_id", metavar="ID")
    action = p.add_mutually_exclusive_group()
    action.add_argument("--open", action="store_true", help="établir l'échéancier")
    action.add_argument("--pay", metavar="N_AVANCE", help="versement reçu (avec --amount)")
    action.add_argument("--reschedule", metavar="N_AVANCE",
                        help="rééchelonner (avec --months et --first-due)")
    p.add_argument("--amount", type=_money, metavar="EUROS")
    p.add_argument("--months", type=_months, metavar="MOIS")
    p.add_argument("--first-due", type=iso_date, metavar="AAAA-MM-JJ")
    p.add_argument("--decided", type=iso_date, metavar="AAAA-MM-JJ")
    p.add_argument("--date", type=iso_date, metavar="AAAA-MM-JJ")
    p.set_defaults(func=cmd_repayment)

    p = subparsers.add_parser("delays", help="délais de réponse par organisme (médiane, 90e "
                                             "centile)")
    _add_db(p)
    p.add_argument("--from", dest="date_from", type=iso_date, metavar="AAAA-MM-JJ")
    p.add_argument("--to", dest="date_to", type=iso_date, metavar="AAAA-MM-JJ")
    p.add_argument("--period", choices=("annee", "trimestre", "mois"))
    p.add_argument("--format", choices=("text", "csv", "json"), default="text")
    p.add_argument("-o", "--output", metavar="FICHIER")
    p.set_defaults(func=cmd_delays)

    p = subparsers.add_parser("funders", help="chiffres du microcrédit accompagné pour les "
                                              "financeurs")
    _add_db(p)
    p.add_argument("--from", dest="date_from", type=iso_date, metavar="AAAA-MM-JJ")
    p.add_argument("--to", dest="date_to", type=iso_date, metavar="AAAA-MM-JJ")
    p.add_argument("--format", choices=("text", "csv", "json"), default="text")
    p.add_argument("-o", "--output", metavar="FICHIER_OU_DOSSIER",
                   help="fichier (text, json) ou dossier (csv : un fichier par tableau)")
    p.set_defaults(func=cmd_funders)


def cmd_partners(args: argparse.Namespace) -> int:
    try:
        listing = partners()
    except FindingsError as exc:
        print(exc.message, file=sys.stderr)
        return EXIT_REFUSED
    chosen = listing.active(aid=args.aid)
    if args.format == "json":
        print(json.dumps([{"id": p.id, "nom": p.nom, "type": p.kind, "aides": list(p.aides),
                           "contact": p.contact.lines(), "criteres": p.criteres,
                           "delai_annonce_jours": p.delai_annonce_jours} for p in chosen],
                         ensure_ascii=False, indent=2))
        return EXIT_OK
    for p in chosen:
        print(f"{p.id:<22} {p.nom}")
        print(f"{'':<22} {p.kind} · aides : {', '.join(p.aides) or '—'}")
        for line in p.contact.lines():
            print(f"{'':<22} {line}")
    print(f"{len(chosen)} partenaire(s) ({listing.path}).")
    return EXIT_OK


@_run
def cmd_request(args: argparse.Namespace, store: Any, today: date) -> int:
    _, row = fu.send_request(store, args.dossier_id, partner=args.partner, aid=args.aid,
                             subject=args.subject, sent=args.sent or today, agent=store.agent,
                             documents=args.piece, today=today)
    print(f"Demande n° {row['id']} à {row['data']['organisme']} enregistrée "
          f"(envoyée le {french.format_date(row['data']['envoyee_le'])}).")
    return EXIT_OK


@_run
def cmd_remind(args: argparse.Namespace, store: Any, today: date) -> int:
    fu.remind_request(store, args.dossier_id, args.row_id, day=args.date or today,
                      agent=store.agent, today=today)
    print(f"Relance de la demande n° {args.row_id} enregistrée.")
    return EXIT_OK


@_run
def cmd_answer(args: argparse.Namespace, store: Any, today: date) -> int:
    fu.record_answer(store, args.dossier_id, args.row_id, day=args.date or today,
                     outcome=args.outcome, amount=args.amount, reference=args.reference,
                     reason=args.reason, months=args.months, rate=args.rate, signed=args.signed,
                     agent=store.agent, today=today)
    line = next(r for r in fu.followup_view(store, args.dossier_id, today).requests
                if r.row["id"] == args.row_id)
    print(f"Réponse enregistrée : {fu.OUTCOMES[args.outcome]}, après "
          f"{line.waiting_days} jours d'attente.")
    return EXIT_OK


@_run
def cmd_bank_report(args: argparse.Namespace, store: Any, today: date) -> int:
    if args.end:
        fu.end_accompaniment(store, args.dossier_id, args.row_id, day=args.date or today,
                             agent=store.agent)
        print("Fin de l'accompagnement enregistrée.")
        return EXIT_OK
    if not args.kind:
        print("Erreur : indiquez --kind (impaye, remboursement_anticipe, autre) ou --end.",
              file=sys.stderr)
        return EXIT_REFUSED
    fu.record_bank_report(store, args.dossier_id, args.row_id, day=args.date or today,
                          kind=args.kind, amount=args.amount, note=args.note, agent=store.agent)
    print(f"Signalement enregistré : {fu.INCIDENTS[args.kind]}.")
    return EXIT_OK


@_run
def cmd_bankfile(args: argparse.Namespace, store: Any, today: date) -> int:
    result = fx.export_bank_file(store, args.dossier_id, args.row_id, args.format,
                                 args.output, today=today, agent=store.agent)
    if isinstance(result, Path):
        print(f"Dossier pour la banque écrit : {result}")
    else:
        sys.stdout.write(result)
    return EXIT_OK


@_run
def cmd_appointment(args: argparse.Namespace, store: Any, today: date) -> int:
    if args.record:
        if not args.state:
            print("Erreur : indiquez --state (honore, manque ou annule).", file=sys.stderr)
            return EXIT_REFUSED
        fu.record_appointment(store, args.dossier_id, args.record, state=args.state,
                              note=args.note, agent=store.agent, today=today)
        print(f"Rendez-vous n° {args.record} : {args.state.replace('honore', 'honoré')}"
              .replace("manque", "manqué").replace("annule", "annulé") + ".")
        return EXIT_OK
    if not args.date or not args.time:
        print("Erreur : indiquez --date et --time du rendez-vous.", file=sys.stderr)
        return EXIT_REFUSED
    if args.first:
        booking = fu.book_first_interview(store, args.dossier_id, day=args.date, at=args.time,
                                          place=args.place, agent=store.agent, today=today)
    else:
        booking = fu.book_appointment(store, args.dossier_id, day=args.date, at=args.time,
                                      minutes=args.minutes, place=args.place,
                                      with_whom=args.with_whom, partner=args.partner,
                                      subject=args.subject, agent=store.agent, today=today)
    data = booking.row["data"]
    print(f"Rendez-vous n° {booking.row['id']} le {french.format_date(data['date'])} à "
          f"{data['heure'].replace(':', ' h ')} — {data['objet']} ({data['lieu']}).")
    for other in booking.overlaps:
        print(f"Attention : {other.who_booked} a déjà un rendez-vous à "
              f"{other.start:%H:%M} ({safe(other.person)}, {other.dossier_id}).",
              file=sys.stderr)
    return EXIT_OK


@_run
def cmd_callback(args: argparse.Namespace, store: Any, today: date) -> int:
    if args.done:
        fu.callback_done(store, args.dossier_id, args.done, day=args.date or today,
                         agent=store.agent)
        print(f"Rappel n° {args.done} fait.")
        return EXIT_OK
    _, row = fu.add_callback(store, args.dossier_id, due=args.date or today, reason=args.reason,
                             agent=store.agent)
    print(f"Rappel n° {row['id']} noté pour le {french.format_date(row['data']['le'])}.")
    return EXIT_OK


def _agenda_json(a: fi.Agenda) -> dict[str, Any]:
    def appt(x: Any) -> dict[str, Any]:
        return {"dossier": x.dossier_id, "rdv": x.row_id, "date": x.day.isoformat(),
                "heure": x.start.strftime("%H:%M"), "duree_min": x.minutes, "lieu": x.place,
                "personne": x.person, "objet": x.subject, "avec": x.with_whom,
                "partenaire": x.partner, "etat": x.state.value, "agent": x.who_booked}
    return {"date": a.day.isoformat(), "rendez_vous": [appt(x) for x in a.appointments],
            "a_renseigner": [appt(x) for x in a.to_record],
            "rappels": [{"dossier": c.dossier_id, "rappel": c.row_id, "le": c.due.isoformat(),
                         "motif": c.reason, "personne": c.person, "telephone": c.telephone}
                        for c in a.callbacks],
            "demandes_a_relancer": [{"dossier": w.dossier_id, "demande": w.row_id,
                                     "organisme": w.body, "envoyee_le": w.sent.isoformat(),
                                     "jours": w.days, "niveau": w.level.value}
                                    for w in a.waiting],
            "a_venir": [appt(x) for x in a.upcoming]}


@_run
def cmd_agenda(args: argparse.Namespace, store: Any, today: date) -> int:
    day = args.date or today
    a = fi.agenda(store, day, agent=args.agent)
    if args.format == "json":
        print(json.dumps(_agenda_json(a), ensure_ascii=False, indent=2))
        return EXIT_OK
    print(f"Agenda du {french.format_date_long(day)} — {a.summary()}")
    sections = (
        ("Rendez-vous", [f"{x.start:%H:%M}  {safe(x.person)[:24]:<24} {x.dossier_id}  "
                         f"{safe(x.subject)} — {safe(x.place)} ({safe(x.who_booked)})"
                         + ("" if x.state.value == "prevu" else f" [{x.state.label}]")
                         for x in a.appointments]),
        ("Rappels à faire", [f"{french.format_date(c.due)}  {safe(c.person)[:24]:<24} "
                             f"{c.telephone or '—':<16} {c.dossier_id}  {safe(c.reason)}"
                             for c in a.callbacks]),
        ("Demandes à relancer", [f"{w.days:>4} j  {'ALERTE ' if w.level.value == 'alerte' else ''}"
                                 f"{safe(w.body)} — {safe(w.person)} {w.dossier_id} "
                                 f"(demande n° {w.row_id})" for w in a.waiting]),
        ("Rendez-vous passés à renseigner", [
            f"{french.format_date(x.day)} {x.start:%H:%M}  {safe(x.person)} {x.dossier_id} "
            f"(n° {x.row_id})" for x in a.to_record]),
        ("À venir (14 jours)", [f"{french.format_date(x.day)} {x.start:%H:%M}  "
                                f"{safe(x.person)[:24]:<24} {safe(x.subject)}"
                                for x in a.upcoming]),
    )
    for title, lines in sections:
        print(f"\n{title} :")
        print("\n".join(f"  {line}" for line in lines) if lines else "  aucun")
    return EXIT_OK


@_run
def cmd_ics(args: argparse.Namespace, store: Any, today: date) -> int:
    path, count = fx.export_ics(store, args.output, date_from=args.date_from or today,
                                date_to=args.date_to, agent_filter=args.agent,
                                agent=store.agent)
    print(f"{count} rendez-vous écrits dans {path} (à importer dans Outlook ou l'agenda).")
    return EXIT_OK


def _view_json(view: fu.FollowupView) -> dict[str, Any]:
    return {
        "dossier": view.dossier["id"],
        "seuils": {"relance_jours": view.thresholds.remind_days,
                   "alerte_jours": view.thresholds.alert_days},
        "demandes": [{"n": r.row["id"], **r.data, "attente_jours": r.waiting_days,
                      "niveau": r.level.value} for r in view.requests],
        "rendez_vous": [{"n": r["id"], **r["data"]} for r in view.appointments],
        "rappels": [{"n": r["id"], **r["data"]} for r in view.callbacks],
        "avances": [{"n": row["id"], **row["data"], "etat": s.state.value,
                     "verse": s.paid_cents / 100, "reste_du": s.remaining_cents / 100,
                     "impayes": len(s.missed),
                     "echeances": [{"n": line.instalment.number,
                                    "le": line.instalment.due.isoformat(),
                                    "montant": line.instalment.amount_cents / 100,
                                    "paye": line.paid_cents / 100, "etat": line.state.value}
                                   for line in s.lines]}
                    for row, s in view.advances],
    }


def _money_text(cents: int) -> str:
    return french.format_money(cents / 100, 2)


@_run
def cmd_followup(args: argparse.Namespace, store: Any, today: date) -> int:
    view = fu.followup_view(store, args.dossier_id, today)
    if args.format == "json":
        print(json.dumps(_view_json(view), ensure_ascii=False, indent=2))
        return EXIT_OK
    t = view.thresholds
    print(f"Suivi du dossier {view.dossier['id']} (relance à {t.remind_days} j, alerte à "
          f"{t.alert_days} j)")
    print("\nDemandes aux partenaires :")
    for r in view.requests:
        d = r.data
        state = (f"réponse le {french.format_date(d['repondu_le'])} : "
                 f"{fu.OUTCOMES.get(d['resultat'], d['resultat'])}"
                 + (f", {french.format_money(d['montant'])}" if d.get("montant") else "")
                 if r.answered else f"en attente — {r.level.label}")
        print(f"  n° {r.row['id']}  {safe(d['organisme'])} — {safe(d['objet'])}")
        print(f"        envoyée le {french.format_date(d['envoyee_le'])}, {r.waiting_days} j ; "
              f"{state}" + (f" ; {len(d['relances'])} relance(s)" if d.get("relances") else ""))
    if not view.requests:
        print("  aucune")
    print("\nRendez-vous :")
    for row in view.appointments:
        d = row["data"]
        print(f"  n° {row['id']}  {french.format_date(d['date'])} {d['heure']}  "
              f"{safe(d['objet'])} — {safe(d['lieu'])} [{d['etat']}]")
    if not view.appointments:
        print("  aucun")
    for row, s in view.advances:
        print(f"\nAvance remboursable n° {row['id']} : {_money_text(s.amount_cents)}, "
              f"{s.state.label} ; versé {_money_text(s.paid_cents)}, reste dû "
              f"{_money_text(s.remaining_cents)}"
              + (f" ; {s.reschedulings} rééchelonnement(s)" if s.reschedulings else ""))
        for line in s.lines:
            print(f"  {line.instalment.number:>3}. {french.format_date(line.instalment.due)}  "
                  f"{_money_text(line.instalment.amount_cents):>12}  {line.state.label}")
    return EXIT_OK


@_run
def cmd_repayment(args: argparse.Namespace, store: Any, today: date) -> int:
    if args.open:
        if not args.first_due:
            print("Erreur : indiquez --first-due (date de la première échéance).",
                  file=sys.stderr)
            return EXIT_REFUSED
        _, row = fu.open_advance(store, args.dossier_id, first_due=args.first_due,
                                 amount=args.amount, months=args.months, decided=args.decided,
                                 agent=store.agent)
        print(f"Échéancier n° {row['id']} établi : {french.format_money(row['data']['montant'])}"
              f" sur {row['data']['duree_mois']} mois.")
    elif args.pay:
        if args.amount is None:
            print("Erreur : indiquez --amount (montant versé).", file=sys.stderr)
            return EXIT_REFUSED
        fu.record_payment(store, args.dossier_id, args.pay, day=args.date or today,
                          amount=args.amount, agent=store.agent, today=today)
        print("Versement enregistré.")
    elif args.reschedule:
        if not args.months or not args.first_due:
            print("Erreur : indiquez --months et --first-due.", file=sys.stderr)
            return EXIT_REFUSED
        fu.reschedule_advance(store, args.dossier_id, args.reschedule, day=args.date or today,
                              months=args.months, first_due=args.first_due, agent=store.agent,
                              today=today)
        print("Rééchelonnement enregistré.")
    view = fu.followup_view(store, args.dossier_id, today)
    for row, s in view.advances:
        due = s.next_due
        print(f"Avance n° {row['id']} : {s.state.label} ; reste dû "
              f"{_money_text(s.remaining_cents)}"
              + (f" ; {len(s.missed)} échéance(s) impayée(s) "
                 f"({_money_text(s.overdue_cents)})" if s.missed else "")
              + (f" ; prochaine échéance le {french.format_date(due.instalment.due)}"
                 if due else ""))
    if not view.advances:
        print("Aucune avance remboursable dans ce dossier.")
    return EXIT_OK


def _write_tables(tables: list[dict[str, Any]], fmt: str, output: str | None) -> None:
    table_csv_bytes, table_text = fx.table_csv_bytes, fx.table_text
    if fmt == "json":
        text = json.dumps(tables if len(tables) > 1 else tables[0], ensure_ascii=False,
                          indent=2) + "\n"
    elif fmt == "csv" and output and (len(tables) > 1 or Path(output).is_dir()):
        folder = Path(output)
        folder.mkdir(parents=True, exist_ok=True)
        for t in tables:
            (folder / f"{t['name']}.csv").write_bytes(table_csv_bytes(t))
        print(f"{len(tables)} fichier(s) CSV écrits dans {folder}.")
        return
    elif fmt == "csv":
        data = table_csv_bytes(tables[0])
        if output:
            Path(output).write_bytes(data)
            print(f"Écrit : {output}")
        else:
            sys.stdout.write(data.decode("utf-8-sig"))
        return
    else:
        text = "\n".join(table_text(t) for t in tables)
    if output:
        Path(output).write_text(text, encoding="utf-8")
        print(f"Écrit : {output}")
    else:
        sys.stdout.write(text)


@_run
def cmd_delays(args: argparse.Namespace, store: Any, today: date) -> int:
    table = fx.delay_statistics(store, today, period=args.period, date_from=args.date_from,
                                date_to=args.date_to)
    _write_tables([table], args.format, args.output)
    return EXIT_OK


@_run
def cmd_funders(args: argparse.Namespace, store: Any, today: date) -> int:
    tables = fx.funder_figures(store, date_from=args.date_from, date_to=args.date_to)
    _write_tables(tables, args.format, args.output)
    return EXIT_OK
