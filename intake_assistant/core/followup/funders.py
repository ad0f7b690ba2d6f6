"""The figures the funders of accompanied microcredit ask for (Caisse des dépôts — Fonds de
cohésion sociale — and the Banque de France's observatory): loans by purpose with amount,
duration and rate; results per bank; refusals and their reasons; missed payments and early
repayments; distinct persons helped.

One ``LoanFile`` per bank file sent (a person may have several, to several banks). The period
selects the files *sent* in it; a loan counts as granted when the bank said yes, whenever.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from .delays import median


@dataclass(frozen=True)
class Incident:
    day: date
    kind: str  # impaye, remboursement_anticipe, autre
    amount: float | None = None


INCIDENT_KINDS = {"impaye": "échéance impayée", "remboursement_anticipe": "remboursement anticipé",
                  "autre": "autre événement"}


@dataclass(frozen=True)
class LoanFile:
    dossier_id: str
    person: str  # a key telling persons apart across their dossiers
    bank: str
    purpose: str | None
    sent: date
    outcome: str | None = None  # accorde, refuse; None while the bank has not answered
    decided: date | None = None
    amount: float | None = None
    months: int | None = None
    rate: float | None = None  # annual, as a fraction
    refusal_reason: str | None = None
    signed: date | None = None
    incidents: tuple[Incident, ...] = field(default_factory=tuple)
    ended: date | None = None  # end of the accompaniment


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


@dataclass(frozen=True)
class PurposeRow:
    purpose: str | None
    loans: int
    total_amount: float
    mean_amount: float | None
    median_amount: float | None
    mean_months: float | None
    mean_rate: float | None


@dataclass(frozen=True)
class BankRow:
    bank: str
    sent: int
    granted: int
    refused: int
    pending: int
    granted_amount: float

    @property
    def grant_rate(self) -> float | None:
        decided = self.granted + self.refused
        return self.granted / decided if decided else None


@dataclass
class FunderReport:
    date_from: date | None
    date_to: date | None
    files: int
    granted: int
    refused: int
    pending: int
    granted_amount: float
    by_purpose: list[PurposeRow]
    by_bank: list[BankRow]
    refusals: list[tuple[str, int]]  # reason, count, most frequent first
    loans_with_missed: int
    missed_payments: int
    early_repayments: int
    accompaniments_ended: int
    persons: int  # distinct persons with a bank file in the period
    persons_granted: int


def funder_report(files: Iterable[LoanFile], *, date_from: date | None = None,
                  date_to: date | None = None) -> FunderReport:
    chosen = [f for f in files
              if not (date_from and f.sent < date_from) and not (date_to and f.sent > date_to)]
    granted = [f for f in chosen if f.outcome == "accorde"]
    refused = [f for f in chosen if f.outcome == "refuse"]
    purposes: dict[str | None, list[LoanFile]] = {}
    for f in granted:
        purposes.setdefault(f.purpose, []).append(f)
    by_purpose = []
    for purpose, rows in sorted(purposes.items(), key=lambda kv: (-len(kv[1]), kv[0] or "")):
        amounts = [f.amount for f in rows if f.amount is not None]
        by_purpose.append(PurposeRow(
            purpose, len(rows), sum(amounts), _mean(amounts), median(amounts),
            _mean([float(f.months) for f in rows if f.months is not None]),
            _mean([f.rate for f in rows if f.rate is not None])))
    banks: dict[str, list[LoanFile]] = {}
    for f in chosen:
        banks.setdefault(f.bank, []).append(f)
    by_bank = [BankRow(bank, len(rows), sum(f.outcome == "accorde" for f in rows),
                       sum(f.outcome == "refuse" for f in rows),
                       sum(f.outcome is None for f in rows),
                       sum(f.amount or 0 for f in rows if f.outcome == "accorde"))
               for bank, rows in sorted(banks.items(), key=lambda kv: kv[0].casefold())]
    reasons: dict[str, int] = {}
    for f in refused:
        reason = (f.refusal_reason or "").strip() or "motif non communiqué"
        reasons[reason] = reasons.get(reason, 0) + 1
    missed = [sum(i.kind == "impaye" for i in f.incidents) for f in granted]
    return FunderReport(
        date_from, date_to, len(chosen), len(granted), len(refused),
        sum(f.outcome is None for f in chosen), sum(f.amount or 0 for f in granted),
        by_purpose, by_bank, sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])),
        sum(1 for n in missed if n), sum(missed),
        sum(any(i.kind == "remboursement_anticipe" for i in f.incidents) for f in granted),
        sum(f.ended is not None for f in granted),
        len({f.person for f in chosen}), len({f.person for f in granted}))
