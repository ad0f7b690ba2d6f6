"""Waiting times of requests sent to partners and bodies, and their statistics as evidence.

A request is *open* from the day it was sent until the day its answer came. Its waiting time is
counted in calendar days (what a person waiting for a decision lives). Over the « relance »
threshold it is flagged yellow, over the « alerte » threshold red (parametres.yaml, dated).

Statistics per body (and per period of the sending date): requests sent, answered, still
waiting, median and 90th percentile of the answer delay. The percentile is the *nearest rank*
one: the smallest delay such that at least 90 % of the answers came within it, so the sentence
« 9 réponses sur 10 en moins de N jours » is literally true of the figures shown.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class WaitLevel(StrEnum):
    OK = "ok"
    RELANCE = "relance"  # over the first threshold: time to send a reminder
    ALERTE = "alerte"  # over the second: the delay itself is a problem to report

    @property
    def label(self) -> str:
        return {"ok": "dans les délais", "relance": "à relancer",
                "alerte": "attente anormale"}[self.value]


@dataclass(frozen=True)
class Thresholds:
    remind_days: int
    alert_days: int

    def __post_init__(self) -> None:
        if not 0 < self.remind_days <= self.alert_days:
            raise ValueError(
                f"Seuils d'attente incohérents : relance à {self.remind_days} j, alerte à "
                f"{self.alert_days} j (la relance doit venir avant l'alerte)."
            )


def waiting_days(sent: date, today: date, answered: date | None = None) -> int:
    """Days from sending to the answer (or to today while it is awaited); never negative."""
    end = answered or today
    return max(0, (end - sent).days)


def wait_level(days: int, thresholds: Thresholds) -> WaitLevel:
    if days >= thresholds.alert_days:
        return WaitLevel.ALERTE
    if days >= thresholds.remind_days:
        return WaitLevel.RELANCE
    return WaitLevel.OK


def check_answer_date(sent: date, answered: date, today: date) -> None:
    """An answer cannot come before the request was sent, nor in the future."""
    if answered < sent:
        raise ValueError(
            f"La réponse ({answered:%d/%m/%Y}) ne peut pas précéder l'envoi de la demande "
            f"({sent:%d/%m/%Y})."
        )
    if answered > today:
        raise ValueError(f"La date de réponse ({answered:%d/%m/%Y}) est dans le futur.")


def median(values: Sequence[float]) -> float | None:
    """The middle value (mean of the two middle ones for an even count); None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[mid])
    return (ordered[mid - 1] + ordered[mid]) / 2


def percentile(values: Sequence[float], pct: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least ``pct`` % of values at or
    below it; None when empty."""
    if not values:
        return None
    if not 0 < pct <= 100:
        raise ValueError("percentile between 0 (excluded) and 100")
    ordered = sorted(values)
    rank = math.ceil(pct / 100 * len(ordered))
    return float(ordered[max(rank, 1) - 1])


@dataclass(frozen=True)
class RequestFacts:
    """What the statistics need of one request (the application layer gathers them)."""

    body: str  # the partner's name as shown (or its id)
    sent: date
    answered: date | None = None
    aid: str | None = None
    outcome: str | None = None


@dataclass(frozen=True)
class BodyDelays:
    body: str
    period: str | None  # "2026", "2026-T3", "2026-09"; None for the whole range
    sent: int
    answered: int
    waiting: int
    median_days: float | None
    p90_days: float | None
    longest_wait_days: int | None  # the oldest request still waiting, in days


def period_key(day: date, period: str) -> str:
    """The period a day belongs to: ``annee`` (2026), ``trimestre`` (2026-T3), ``mois``
    (2026-09)."""
    if period == "annee":
        return f"{day.year}"
    if period == "trimestre":
        return f"{day.year}-T{(day.month - 1) // 3 + 1}"
    if period == "mois":
        return f"{day.year}-{day.month:02d}"
    raise ValueError(f"Période inconnue : « {period} » (annee, trimestre ou mois).")


PERIODS = ("annee", "trimestre", "mois")


def delay_stats(requests: Iterable[RequestFacts], today: date, *, period: str | None = None,
                date_from: date | None = None, date_to: date | None = None) -> list[BodyDelays]:
    """Per body (and per period of the sending date when ``period`` is given), for the
    requests sent between ``date_from`` and ``date_to`` (included); sorted by body then
    period. An answer's delay counts in the period its request was sent."""
    groups: dict[tuple[str, str | None], list[RequestFacts]] = {}
    for r in requests:
        if (date_from and r.sent < date_from) or (date_to and r.sent > date_to):
            continue
        key = (r.body, period_key(r.sent, period) if period else None)
        groups.setdefault(key, []).append(r)
    out = []
    for (body, when), rows in sorted(groups.items(), key=lambda item: (item[0][0].casefold(),
                                                                        item[0][1] or "")):
        delays = [waiting_days(r.sent, today, r.answered) for r in rows if r.answered]
        waits = [waiting_days(r.sent, today) for r in rows if r.answered is None]
        out.append(BodyDelays(body, when, len(rows), len(delays), len(waits), median(delays),
                              percentile(delays, 90), max(waits) if waits else None))
    return out
