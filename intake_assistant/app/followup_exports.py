"""Files and figures of the follow-up: the partner bank file (PDF, JSON), the appointments'
``.ics``, the answer delays per body, the funders' figures.

Every file naming a person is entered in the export register of each dossier it comes from
(``register_export``), like the commission summary, so that erasing the person lists it; a file
that cannot be registered is removed again.
"""

from __future__ import annotations

import os
from contextlib import suppress
from datetime import date, datetime
from pathlib import Path
from typing import Any

from intake_assistant.core.fields import load_fields
from intake_assistant.core.followup import delays as delay_rules
from intake_assistant.core.followup import funders as funder_rules
from intake_assistant.core.french import format_date
from intake_assistant.orientation.build import default_policy
from intake_assistant.store import DossierStore, StoreError

from .access import require
from .followup_index import all_appointments, loan_files, request_facts
from .followup_settings import partners, thresholds

BANK_FORMATS = ("pdf", "json")


class ExportError(StoreError, ValueError):
    """A file that cannot be made (French message)."""


def _check_right(store: DossierStore, action: str) -> None:
    identity = getattr(store, "identity", None)
    if identity is not None and not callable(identity):
        require(identity, action)


def _write_private(path: Path, data: bytes) -> None:
    """Readable by its owner only, like the store (it names a person)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _registered(store: DossierStore, dossier_ids: list[str], path: Path | None, fmt: str,
                agent: str) -> None:
    try:
        for dossier_id in dossier_ids:
            store.register_export(dossier_id, path=str(path.resolve()) if path else None,
                                  fmt=fmt, agent=agent)
    except StoreError:
        if path is not None:
            with suppress(OSError):
                path.unlink()
        raise


# -- the partner bank file ---------------------------------------------------------------------
def bank_file(store: DossierStore, dossier_id: str, request_id: str, today: date
              ) -> dict[str, Any]:
    """The bank file's data for one request sent to a bank."""
    from intake_assistant.reports.bankfile import build_bank_file, documents_for

    from .followup import REQUESTS, _row

    doc = store.load(dossier_id)
    row = _row(doc, REQUESTS, request_id)
    data: dict[str, Any] = dict(row["data"])
    listing = partners()
    partner = listing.by_id.get(str(data.get("partenaire")))
    if partner is None or not partner.is_bank:
        raise ExportError(f"La demande n° {request_id} n'est pas adressée à une banque de la "
                          "liste des partenaires : pas de dossier bancaire.")
    policy = default_policy()
    try:
        bring: tuple[str, ...] = policy.aid("microcredit_personnel").bring
    except KeyError:
        bring = ()
    data["pieces"] = documents_for(data.get("pieces") or (), partner.pieces, bring)
    data["id"] = row["id"]
    bank = {"nom": partner.nom, "contact": partner.contact.lines(),
            "criteres": partner.criteres}
    return build_bank_file(doc, data, bank, policy, today)


def export_bank_file(store: DossierStore, dossier_id: str, request_id: str, fmt: str,
                     output: str | Path | None = None, *, today: date | None = None,
                     agent: str = "") -> Path | str:
    """The file to send the bank (pdf, json), entered in the dossier's export register.
    Without ``output``: the JSON text, or ``ID-banque.pdf`` in the current folder."""
    from intake_assistant.reports.bankfile import render

    _check_right(store, "export_dossier")
    if fmt not in BANK_FORMATS:
        raise ExportError(f"Format inconnu : « {fmt} » (pdf ou json).")
    content = render(bank_file(store, dossier_id, request_id, today or date.today()), fmt)
    if output is None and isinstance(content, str):
        _registered(store, [dossier_id], None, fmt, agent)
        return content
    path = Path(output) if output else Path(f"{dossier_id}-banque.{fmt}")
    _write_private(path, content.encode("utf-8") if isinstance(content, str) else content)
    _registered(store, [dossier_id], path, f"banque-{fmt}", agent)
    return path


# -- the appointments' calendar ----------------------------------------------------------------
def export_ics(store: DossierStore, output: str | Path, *, date_from: date,
               date_to: date | None = None, agent_filter: str | None = None, agent: str = "",
               now: datetime | None = None) -> tuple[Path, int]:
    """The appointments from ``date_from`` (to ``date_to``), of one agent or all, as an
    ``.ics`` file; returns the path and how many events it holds."""
    from intake_assistant.reports.ics import calendar_bytes

    chosen = [a for a in all_appointments(store)
              if a.day >= date_from and (date_to is None or a.day <= date_to)
              and (agent_filter is None or a.agent == agent_filter)]
    chosen.sort(key=lambda a: (a.day, a.start))
    path = Path(output)
    _write_private(path, calendar_bytes(chosen, now=now))
    _registered(store, sorted({a.dossier_id for a in chosen}), path, "ics", agent)
    return path, len(chosen)


# -- figures -----------------------------------------------------------------------------------
def _range_text(date_from: date | None, date_to: date | None) -> str:
    if date_from and date_to:
        return f"demandes envoyées du {format_date(date_from)} au {format_date(date_to)}"
    if date_from:
        return f"demandes envoyées depuis le {format_date(date_from)}"
    if date_to:
        return f"demandes envoyées jusqu'au {format_date(date_to)}"
    return "toutes les demandes"


def delay_statistics(store: DossierStore, today: date, *, period: str | None = None,
                     date_from: date | None = None, date_to: date | None = None
                     ) -> dict[str, Any]:
    """Answer delays per body (and period): the evidence for the board and the Département."""
    from intake_assistant.reports.followup_tables import delays_table

    _check_right(store, "statistiques")
    if period is not None and period not in delay_rules.PERIODS:
        raise ExportError(f"Période : {', '.join(delay_rules.PERIODS)}.")
    rows = delay_rules.delay_stats(request_facts(store), today, period=period,
                                   date_from=date_from, date_to=date_to)
    limits = thresholds(today)
    return delays_table(rows, period=period, title_range=_range_text(date_from, date_to),
                        thresholds=(limits.remind_days, limits.alert_days))


def funder_figures(store: DossierStore, *, date_from: date | None = None,
                   date_to: date | None = None) -> list[dict[str, Any]]:
    """The funders' tables for the bank files sent in the period."""
    from intake_assistant.reports.followup_tables import funder_tables

    _check_right(store, "statistiques")
    banks = {p.id for p in partners().by_id.values() if p.is_bank}
    report = funder_rules.funder_report(loan_files(store, banks), date_from=date_from,
                                        date_to=date_to)
    field = load_fields().get("type_projet")
    labels = {c.value: c.label for c in field.choices} if field else {}
    title = _range_text(date_from, date_to).replace("demandes envoyées", "dossiers transmis")
    return funder_tables(report, labels, title)


def table_text(table: dict[str, Any]) -> str:
    """A figures table as French text (terminal, e-mail)."""
    from intake_assistant.reports.stats_text import table_text as render

    return render(table)


def table_csv_bytes(table: dict[str, Any]) -> bytes:
    """A figures table as CSV that French Excel opens (';', decimal comma, BOM)."""
    from intake_assistant.reports.csv_excel import BOM, table_csv

    return (BOM + table_csv(table)).encode("utf-8")
