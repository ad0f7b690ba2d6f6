"""Activity statistics of the unit: the tables the unit lead gives the board and the funders.

Every table counts the dossiers whose first contact falls in the period (a cohort), except the
"same period a year before" figures, read from the dossiers of the year before. Only aggregates
come out: no name, and the small-group rule of ``tables.py``.

``compute_stats`` takes dossier documents (evaluating each orientation: ~0.4 ms a dossier);
``store_stats`` goes through the record cache (``cache.py``) and is what the CLI and the UI call.
"""

from __future__ import annotations

import json
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from itertools import compress
from typing import Any

from intake_assistant.core.fields import load_fields
from intake_assistant.core.french import normalize_text
from intake_assistant.core.lifecycle import label as status_label
from intake_assistant.core.statuses import Status
from intake_assistant.orientation.policy import Policy
from intake_assistant.store import DossierStore

from .cache import Progress, records_and_days
from .records import CODE_STATUSES, OPEN_STATUSES, RECORD_FIELDS, build_record
from .tables import (
    AGE_LABELS,
    HOUSEHOLD_LABELS,
    NOT_GIVEN,
    STATUS_LABELS,
    column,
    count_cell,
    derived_cell,
    median,
    month_label,
    percentile_90,
    table,
)

TABLE_NAMES = ("demandes_par_mois", "type_projet", "type_menage", "tranche_age", "commune",
               "parcours", "orientations", "montants", "decisions_par_aide", "motifs", "delais",
               "attente")
WAIT_THRESHOLDS = (30, 60, 90)
Record = Mapping[str, Any]
# Inside `aggregate` a record is read by position (RECORD_FIELDS order): a cache row as it
# comes, a record dict made a tuple once; 100,000 records read by name cost a third more.
Row = Any
# The cohort is then turned into columns, one tuple per field (`zip`, in C): each table counts
# a column or a pair of columns with Counter and compress, C loops instead of one Python step
# per record and table (60,000 records, twelve tables).
Columns = list[tuple[Any, ...]]
_F = {name: i for i, name in enumerate(RECORD_FIELDS)}
(_CREATED, _STATUS, _STAGE, _DECISION, _GRANTED, _REFUSED, _ABANDONED, _SINCE, _COMMUNE,
 _ASKED, _AWARDED, _ORIENTATION, _AIDS) = (
    _F[n] for n in ("created", "status", "stage", "decision", "granted_ever", "refused_ever",
                    "abandoned", "since", "commune", "montant_demande", "montant_accorde",
                    "orientation", "aids"))


def _positional(record: Any) -> Row:
    if type(record) is tuple:  # a cache row, the usual case: no abstract-class check
        return record
    return tuple(record[n] for n in RECORD_FIELDS) if isinstance(record, Mapping) else record


def _default_policy() -> Policy:
    from intake_assistant.orientation.build import default_policy

    return default_policy()


def compute_stats(dossiers: Iterable[dict], *, date_from: date | None, date_to: date | None,
                  today: date, min_group: int = 5, policy: Policy | None = None) -> dict:
    """Statistics of dossier documents (see the module docstring); ``min_group`` 0 shows all."""
    policy = policy or _default_policy()
    records = [build_record(d, policy) for d in dossiers]
    return aggregate(records, date_from=date_from, date_to=date_to, today=today,
                     min_group=min_group, policy=policy)


def store_stats(store: DossierStore, *, date_from: date | None, date_to: date | None, today: date,
                min_group: int = 5, policy: Policy | None = None,
                progress: Progress | None = None) -> dict:
    """Statistics of every dossier of the store, through the record cache."""
    policy = policy or _default_policy()
    # Only the records the tables use: first contacts from a year before the period to its
    # end (the "a year before" columns); ten years of dossiers are not all parsed.
    low = year_before(date_from).isoformat() if date_from else None
    high = (date_to or today).isoformat() if date_from else None
    # whole records for the period only: the year before needs only the first-contact days
    records, days = records_and_days(store, policy, progress, created_from=low,
                                     created_to=high,
                                     whole_from=date_from.isoformat() if date_from else None)
    return aggregate(records, date_from=date_from, date_to=date_to, today=today,
                     min_group=min_group, policy=policy, created_days=days)


def year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def aggregate(records: Iterable[Record], *, date_from: date | None, date_to: date | None,
              today: date, min_group: int = 5, policy: Policy | None = None,
              created_days: Iterable[str] | None = None) -> dict:
    """The tables of `records`; `created_days`, when given, are the first-contact days of
    every record (the year before included) and `records` need only cover the period."""
    policy = policy or _default_policy()
    rows = [_positional(r) for r in records]
    end = date_to or today
    created = sorted(created_days if created_days is not None
                     else (r[_CREATED] for r in rows))
    start = date_from or (date.fromisoformat(created[0]) if created else end)
    low, high = start.isoformat(), end.isoformat()
    cohort = [r for r in rows if low <= r[_CREATED] <= high]
    prev_count = _count_between(created, year_before(start), year_before(end))
    cols: Columns = list(zip(*cohort, strict=True)) or [() for _ in RECORD_FIELDS]
    decided = [row for value in cols[_AIDS] for row in _aid_list(value)]  # for both tables
    tables = [
        _monthly(created, start, end, len(cohort), prev_count, min_group),
        _breakdown("type_projet", "Demandes par type de projet", "Type de projet", cols,
                   "type_projet", _choice_labels("type_projet"), min_group, by_count=True),
        _breakdown("type_menage", "Demandes par type de ménage", "Type de ménage", cols,
                   "household", HOUSEHOLD_LABELS, min_group),
        _breakdown("tranche_age", "Demandes par tranche d'âge (au premier contact)",
                   "Tranche d'âge", cols, "age_band", AGE_LABELS, min_group),
        _communes(cols, min_group),
        _funnel(cols, min_group),
        _orientations(cols, policy, min_group),
        _amounts(cols, min_group),
        _aid_decisions(decided, policy, min_group),
        _reasons(decided, min_group),
        _delays(cols, min_group),
        _waiting(cols, today, min_group),
    ]
    return {
        "period": {"from": low, "to": high},
        "year_before": {"from": year_before(start).isoformat(),
                        "to": year_before(end).isoformat()},
        "generated_on": today.isoformat(),
        "min_group": min_group,
        "summary": {
            "requests": count_cell(len(cohort), min_group),
            "requests_year_before": count_cell(prev_count, min_group),
            "growth": _growth(len(cohort), prev_count, min_group),
        },
        "tables": {t["name"]: t for t in tables},
    }


def _count_between(sorted_days: list[str], low: date, high: date) -> int:
    return bisect_right(sorted_days, high.isoformat()) - bisect_left(sorted_days, low.isoformat())


def _months(start: date, end: date) -> list[tuple[date, date]]:
    """(first, last) day of each calendar month of [start, end], clipped to the period."""
    out = []
    first = start.replace(day=1)
    while first <= end:
        following = (first + timedelta(days=32)).replace(day=1)
        out.append((max(first, start), min(following - timedelta(days=1), end)))
        first = following
    return out


def _growth(now: int, before: int, min_group: int) -> float | None:
    if not before or (min_group > 0 and (now < min_group or before < min_group)):
        return None
    return (now - before) / before


def _monthly(created: list[str], start: date, end: date, total: int, prev_total: int,
             min_group: int) -> dict:
    rows = []
    for low, high in _months(start, end):
        now = _count_between(created, low, high)
        before = _count_between(created, year_before(low), year_before(high))
        rows.append({"mois": month_label(low.isoformat()[:7]),
                     "demandes": count_cell(now, min_group),
                     "un_an_avant": count_cell(before, min_group),
                     "evolution": _growth(now, before, min_group)})
    rows.append({"mois": "Total de la période", "demandes": count_cell(total, min_group),
                 "un_an_avant": count_cell(prev_total, min_group),
                 "evolution": _growth(total, prev_total, min_group)})
    return table("demandes_par_mois", "Demandes par mois (premiers contacts)", [
        column("mois", "Mois", "text"), column("demandes", "Demandes"),
        column("un_an_avant", "Même mois un an avant"), column("evolution", "Évolution", "growth"),
    ], rows, "Évolution : par rapport à la même période un an avant.")


def _choice_labels(field_id: str) -> dict[str, str]:
    field = load_fields().get(field_id)
    return {c.value: c.label for c in field.choices} if field else {}


def _group_rows(groups: Mapping[str, int], granted: Mapping[str, int],
                labels: Mapping[str, str], total: int, min_group: int, by_count: bool
                ) -> list[dict[str, Any]]:
    """One row per group: ``groups`` its size, ``granted`` how many were granted."""
    keys = [k for k in labels if k in groups] + sorted(k for k in groups if k not in labels
                                                      and k != "")
    if by_count:
        keys.sort(key=lambda k: -groups[k])
    if "" in groups:
        keys.append("")
    rows = []
    for key in keys:
        size = groups[key]
        rows.append({"groupe": labels.get(key, key) if key else NOT_GIVEN,
                     "demandes": count_cell(size, min_group),
                     "part": derived_cell(size / total if total else None, size, min_group),
                     "accordes": count_cell(granted.get(key, 0), min_group)})
    return rows


def _group_columns(label: str) -> list[dict[str, str]]:
    return [column("groupe", label, "text"), column("demandes", "Demandes"),
            column("part", "Part", "share"), column("accordes", "Accordés")]


def _breakdown(name: str, title: str, label: str, cols: Columns, key: str,
               labels: Mapping[str, str], min_group: int, by_count: bool = False) -> dict:
    values = [value or "" for value in cols[_F[key]]]
    groups, granted = Counter(values), Counter(compress(values, cols[_GRANTED]))
    return table(name, title, _group_columns(label),
                 _group_rows(groups, granted, labels, len(values), min_group, by_count))


def _communes(cols: Columns, min_group: int) -> dict:
    """Grouped without case or accents ("reims" is Reims), shown with the most common spelling."""
    # a few hundred spellings among 100,000 records: counted per spelling, then grouped
    names = cols[_COMMUNE]
    per_name: Counter[Any] = Counter(names)
    granted_by_name: Counter[Any] = Counter(compress(names, cols[_GRANTED]))
    groups: Counter[str] = Counter()
    granted: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for name, n in per_name.items():
        key = normalize_text(name) if name else ""
        groups[key] += n
        granted[key] += granted_by_name[name]
        if name:
            spellings[key][name] += n
    labels = {key: spellings[key].most_common(1)[0][0] for key in spellings}
    keys = sorted((k for k in groups if k), key=lambda k: (-groups[k], labels[k]))
    ordered = {k: labels[k] for k in keys}
    return table("commune", "Demandes par commune de résidence", _group_columns("Commune"),
                 _group_rows(groups, granted, ordered, len(names), min_group, by_count=False))


def _funnel(cols: Columns, min_group: int) -> dict:
    total = len(cols[_STAGE])
    stages: Counter[Any] = Counter(cols[_STAGE])
    granted, refused = sum(map(bool, cols[_GRANTED])), sum(map(bool, cols[_REFUSED]))
    adjourned = cols[_STATUS].count(Status.AJOURNE)
    abandoned = sum(map(bool, cols[_ABANDONED]))

    def reached(step: int) -> int:
        return sum(n for stage, n in stages.items() if stage >= step)

    steps = (
        ("Premiers contacts", total),
        ("Évaluations", reached(1)),
        ("Instructions", reached(2)),
        ("Passages en commission", reached(3)),
        ("Accordés", granted),
        ("Refusés", refused),
        ("Ajournés (en attente d'une nouvelle commission)", adjourned),
        ("Abandons", abandoned),
    )
    rows = [{"etape": name, "dossiers": count_cell(n, min_group),
             "part": derived_cell(n / total if total else None, n, min_group)}
            for name, n in steps]
    return table("parcours", "Parcours des demandes", [
        column("etape", "Étape", "text"), column("dossiers", "Dossiers"),
        column("part", "Part des premiers contacts", "share"),
    ], rows, "Chaque dossier compte à chaque étape qu'il a atteinte.")


def _orientations(cols: Columns, policy: Policy, min_group: int) -> dict:
    counts = [Counter() for _ in policy.aids]
    # a few hundred distinct lines of letters among 100,000 records: each counted once
    for letters, n in Counter(cols[_ORIENTATION]).items():
        for i, code in enumerate(letters[:len(counts)]):
            counts[i][code] += n
    rows = []
    for aid, counter in zip(policy.aids, counts, strict=True):
        row: dict[str, Any] = {"aide": aid.name}
        for code, status in CODE_STATUSES.items():
            row[status] = count_cell(counter[code], min_group)
        row["proposee"] = count_cell(counter["E"] + counter["V"], min_group)
        rows.append(row)
    return table("orientations", "Orientations proposées par aide",
                 [column("aide", "Aide", "text")]
                 + [column(status, label) for status, label in STATUS_LABELS.items()]
                 + [column("proposee", "Éligible ou à vérifier")],
                 rows, "Orientation calculée au jour de la dernière saisie des réponses.")


def _amount_row(label: str, values: list[float], min_group: int) -> dict[str, Any]:
    n = len(values)
    return {"montant": label, "dossiers": count_cell(n, min_group),
            "total": derived_cell(float(sum(values)), n, min_group),
            "mediane": derived_cell(median(values), n, min_group)}


def _amounts(cols: Columns, min_group: int) -> dict:
    asked = [value for value in cols[_ASKED] if value is not None]
    granted = [value for decision, value in zip(cols[_DECISION], cols[_AWARDED], strict=True)
               if decision == Status.ACCORDE and value is not None]
    return table("montants", "Montants demandés et accordés", [
        column("montant", "Montant", "text"), column("dossiers", "Dossiers"),
        column("total", "Total", "money"), column("mediane", "Médiane", "money"),
    ], [_amount_row("Montant demandé", asked, min_group),
        _amount_row("Montant accordé", granted, min_group)])


def aid_rows(record: Row) -> list[list[Any]]:
    """The per-aid decisions of a record (by position): a list in a fresh record, JSON text
    in the cache."""
    return _aid_list(record[_AIDS])


def _aid_list(rows: Any) -> list[list[Any]]:
    if isinstance(rows, str):
        rows = json.loads(rows) if rows != "[]" else []
    return rows if isinstance(rows, list) else []


def _aid_decisions(decided: list[list[Any]], policy: Policy, min_group: int) -> dict:
    """Per aid: how many the commission granted (and how much), refused, adjourned
    (``decided``: the per-aid decisions of the cohort's records, ``aid_rows``)."""
    by_aid: dict[str, list[list[Any]]] = defaultdict(list)
    for row in decided:
        by_aid[str(row[0])].append(row)
    names = {a.id: a.name for a in policy.aids}
    rows = []
    for aid in [a.id for a in policy.aids if a.id in by_aid] + sorted(
            a for a in by_aid if a not in names):
        rows_ = by_aid[aid]
        granted = [float(x[2]) for x in rows_ if x[1] == Status.ACCORDE and x[2] is not None]
        n_granted = sum(1 for x in rows_ if x[1] == Status.ACCORDE)
        rows.append({"aide": names.get(aid, aid),
                     "accordees": count_cell(n_granted, min_group),
                     "montant_total": derived_cell(float(sum(granted)), len(granted), min_group),
                     "montant_median": derived_cell(median(granted), len(granted), min_group),
                     "refusees": count_cell(sum(1 for x in rows_ if x[1] == Status.REFUSE),
                                            min_group),
                     "ajournees": count_cell(sum(1 for x in rows_ if x[1] == Status.AJOURNE),
                                             min_group)})
    return table("decisions_par_aide", "Décisions de la commission par aide", [
        column("aide", "Aide", "text"), column("accordees", "Accordées"),
        column("montant_total", "Montant accordé", "money"),
        column("montant_median", "Montant médian", "money"),
        column("refusees", "Refusées"), column("ajournees", "Ajournées"),
    ], rows, "Décision en vigueur sur chaque aide (la dernière prise) ; une subvention et un prêt "
             "du même dossier comptent chacun pour leur aide.")


def _reasons(decided: list[list[Any]], min_group: int) -> dict:
    counts: Counter[tuple[str, str]] = Counter()
    for row in decided:
        if row[1] in (Status.REFUSE, Status.AJOURNE):
            counts[(str(row[1]), str(row[4] or row[3] or NOT_GIVEN))] += 1
    kinds = {Status.REFUSE.value: "Refus", Status.AJOURNE.value: "Ajournement"}
    rows = [{"decision": kinds[k], "motif": label, "aides": count_cell(n, min_group)}
            for (k, label), n in sorted(counts.items(), key=lambda p: (p[0][0] != "refuse",
                                                                      -p[1], p[0][1]))]
    return table("motifs", "Motifs de refus et d'ajournement", [
        column("decision", "Décision", "text"), column("motif", "Motif", "text"),
        column("aides", "Aides concernées"),
    ], rows, "Un dossier dont deux aides sont refusées pour le même motif compte deux fois.")


_DELAYS = (("Premier contact → évaluation", "created", "evaluation"),
           ("Évaluation → commission", "evaluation", "commission"),
           ("Commission → décision", "commission", "decided"),
           ("Premier contact → décision", "created", "decided"))


class _Days(dict[str, int]):
    """ISO day -> day number, each day parsed once (a few thousand days, 100,000 records)."""

    def __missing__(self, iso: str) -> int:
        number = self[iso] = date.fromisoformat(iso).toordinal()
        return number


def _delays(cols: Columns, min_group: int) -> dict:
    rows = []
    day = _Days()
    for label, first_step, second_step in _DELAYS:
        days = sorted(day[b] - day[a] for a, b in zip(cols[_F[first_step]],
                                                      cols[_F[second_step]], strict=True)
                      if a and b and b >= a)
        rows.append({"etape": label, "dossiers": count_cell(len(days), min_group),
                     "mediane": derived_cell(median(days), len(days), min_group),
                     "centile_90": derived_cell(percentile_90(days), len(days), min_group)})
    return table("delais", "Délais entre les étapes (jours calendaires)", [
        column("etape", "Étapes", "text"), column("dossiers", "Dossiers"),
        column("mediane", "Médiane", "days"), column("centile_90", "90e centile", "days"),
    ], rows)


def _waiting(cols: Columns, today: date, min_group: int) -> dict:
    rows = []
    all_waits: list[int] = []
    day, now = _Days(), today.toordinal()
    by_status: dict[Any, list[int]] = defaultdict(list)
    # a few thousand (status, day) pairs among 100,000 records: each day parsed once
    for (status, since), n in Counter(zip(cols[_STATUS], cols[_SINCE], strict=True)).items():
        if status in OPEN_STATUSES:
            by_status[status] += [now - day[since]] * n
    for status in OPEN_STATUSES:
        waits = by_status.get(status, [])
        all_waits += waits
        rows.append(_wait_row(status_label(status), waits, min_group))
    rows.append(_wait_row("Total des dossiers en cours", all_waits, min_group))
    return table("attente", f"Dossiers en cours au {today.strftime('%d/%m/%Y')} : "
                 "temps passé dans le statut actuel", [
                     column("statut", "Statut", "text"), column("en_cours", "En cours"),
                     *(column(f"plus_{d}_jours", f"Plus de {d} jours")
                       for d in WAIT_THRESHOLDS),
                 ], rows)


def _wait_row(label: str, waits: list[int], min_group: int) -> dict[str, Any]:
    row: dict[str, Any] = {"statut": label, "en_cours": count_cell(len(waits), min_group)}
    for days in WAIT_THRESHOLDS:
        row[f"plus_{days}_jours"] = count_cell(sum(1 for w in waits if w > days), min_group)
    return row


def default_start(end: date) -> date:
    """First day of the month eleven months before ``end``: twelve calendar months."""
    months = end.year * 12 + end.month - 1 - 11
    return date(months // 12, months % 12 + 1, 1)
