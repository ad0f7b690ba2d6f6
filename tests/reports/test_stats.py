"""Figures of the statistics on the hand-made activity of conftest.py, each one known."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from intake_assistant.orientation.evaluate import evaluate
from intake_assistant.reports.records import answers_day, build_record
from intake_assistant.reports.stats import aggregate, compute_stats, year_before
from intake_assistant.reports.stats_text import stats_json, stats_text
from tests.reports.conftest import NAME, PERIOD, TODAY


def stats(dossiers, policy, min_group=0):
    return compute_stats(dossiers, date_from=PERIOD[0], date_to=PERIOD[1], today=TODAY,
                         min_group=min_group, policy=policy)


def rows(result, name, key):
    return {r[key]: r for r in result["tables"][name]["rows"]}


def test_requests_per_month_and_growth(dossiers, policy):
    r = stats(dossiers, policy)
    assert r["summary"] == {"requests": 9, "requests_year_before": 6, "growth": 0.5}
    months = rows(r, "demandes_par_mois", "mois")
    assert [m["demandes"] for m in months.values()] == [3, 2, 1, 1, 1, 1, 9]
    assert months["janvier 2026"]["un_an_avant"] == 5
    assert months["janvier 2026"]["evolution"] == pytest.approx(-0.4)
    assert months["février 2026"]["evolution"] == pytest.approx(1.0)
    assert months["mars 2026"]["evolution"] is None  # nothing a year before
    assert months["Total de la période"]["evolution"] == pytest.approx(0.5)


def test_breakdowns(dossiers, policy):
    r = stats(dossiers, policy)
    projects = rows(r, "type_projet", "groupe")
    assert projects["Permis B"]["demandes"] == 6
    assert projects["Permis B"]["part"] == pytest.approx(6 / 9)
    assert projects["Permis B"]["accordes"] == 2
    assert projects["Électroménager"]["demandes"] == 3
    assert list(projects) == ["Permis B", "Électroménager"]  # most requested first
    households = rows(r, "type_menage", "groupe")
    assert households["Personne seule sans enfant"]["demandes"] == 6
    assert households["Couple avec enfant(s)"]["demandes"] == 3
    ages = rows(r, "tranche_age", "groupe")
    assert ages["25 à 34 ans"]["demandes"] == 6 and ages["45 à 54 ans"]["demandes"] == 3
    communes = rows(r, "commune", "groupe")
    assert {k: v["demandes"] for k, v in communes.items()} == {"Reims": 6, "Tinqueux": 3}


def test_funnel(dossiers, policy):
    funnel = rows(stats(dossiers, policy), "parcours", "etape")
    counts = {k: v["dossiers"] for k, v in funnel.items()}
    assert counts == {"Premiers contacts": 9, "Évaluations": 7, "Instructions": 4,
                      "Passages en commission": 3, "Accordés": 2, "Refusés": 1,
                      "Ajournés (en attente d'une nouvelle commission)": 0, "Abandons": 1}
    assert funnel["Évaluations"]["part"] == pytest.approx(7 / 9)


def test_amounts(dossiers, policy):
    amounts = rows(stats(dossiers, policy), "montants", "montant")
    assert amounts["Montant demandé"] == {"montant": "Montant demandé", "dossiers": 9,
                                          "total": 7800.0, "mediane": 900.0}
    assert amounts["Montant accordé"] == {"montant": "Montant accordé", "dossiers": 2,
                                          "total": 2200.0, "mediane": 1100.0}


def test_delays_median_and_90th_percentile(dossiers, policy):
    delays = rows(stats(dossiers, policy), "delais", "etape")
    first = delays["Premier contact → évaluation"]
    assert (first["dossiers"], first["mediane"], first["centile_90"]) == (7, 7.0, 14.0)
    second = delays["Évaluation → commission"]
    assert (second["mediane"], second["centile_90"]) == (37.0, pytest.approx(38.6))
    third = delays["Commission → décision"]
    assert (third["mediane"], third["centile_90"]) == (12.0, pytest.approx(18.4))
    assert delays["Premier contact → décision"]["mediane"] == 59.0


def test_waiting_dossiers(dossiers, policy):
    waiting = rows(stats(dossiers, policy), "attente", "statut")
    def line(label):
        row = waiting[label]
        return [row["en_cours"], row["plus_30_jours"], row["plus_60_jours"], row["plus_90_jours"]]
    assert line("À évaluer") == [2, 2, 1, 1]
    assert line("En évaluation") == [2, 1, 1, 1]
    assert line("En instruction") == [1, 1, 1, 0]  # 90 days is not "more than 90"
    assert line("Total des dossiers en cours") == [5, 4, 3, 2]


def test_orientations_match_the_full_evaluation(dossiers, policy):
    r = stats(dossiers, policy)
    in_period = [d for d in dossiers if "2026-01-01" <= d["created_at"][:10] <= "2026-06-30"]
    expected = {aid.name: Counter() for aid in policy.aids}
    for d in in_period:
        result = evaluate(d["answers"], policy, answers_day(d), d["unknown"])
        for s in result.suggestions:
            expected[s.name][s.status] += 1
    for name, row in rows(r, "orientations", "aide").items():
        assert row["eligible"] + row["to_check"] + row["not_eligible"] == 9
        assert (row["eligible"], row["to_check"], row["not_eligible"]) == (
            expected[name]["eligible"], expected[name]["to_check"],
            expected[name]["not_eligible"])
        assert row["proposee"] == row["eligible"] + row["to_check"]


def test_small_groups_are_masked(dossiers, policy):
    r = stats(dossiers, policy, min_group=5)
    assert r["summary"] == {"requests": 9, "requests_year_before": 6, "growth": 0.5}
    months = rows(r, "demandes_par_mois", "mois")
    assert months["janvier 2026"]["demandes"] == "< 5"
    assert months["janvier 2026"]["un_an_avant"] == 5
    assert months["janvier 2026"]["evolution"] is None  # would reveal the hidden count
    projects = rows(r, "type_projet", "groupe")
    assert projects["Électroménager"] == {"groupe": "Électroménager", "demandes": "< 5",
                                          "part": None, "accordes": 0}
    assert projects["Permis B"]["accordes"] == "< 5"
    amounts = rows(r, "montants", "montant")
    assert amounts["Montant accordé"] == {"montant": "Montant accordé", "dossiers": "< 5",
                                          "total": None, "mediane": None}
    delays = rows(r, "delais", "etape")
    assert delays["Commission → décision"]["mediane"] is None
    assert delays["Premier contact → évaluation"]["mediane"] == 7.0
    assert rows(r, "attente", "statut")["Total des dossiers en cours"]["plus_30_jours"] == "< 5"
    # zero reveals nobody
    assert rows(r, "parcours", "etape")["Ajournés (en attente d'une nouvelle commission)"][
        "dossiers"] == 0


def test_no_name_leaves_the_tool(dossiers, policy):
    r = stats(dossiers, policy, min_group=5)
    for text in (stats_json(r), stats_text(r)):
        assert NAME not in text and "Test" not in text and "06 12" not in text
    record = build_record(dossiers[0], policy)
    assert NAME not in json.dumps(record, ensure_ascii=False)
    assert "date_naissance" not in record and "1996" not in json.dumps(record)


def test_default_period_starts_at_the_first_dossier(dossiers, policy):
    r = compute_stats(dossiers, date_from=None, date_to=None, today=TODAY, min_group=0,
                      policy=policy)
    assert r["period"] == {"from": "2024-03-01", "to": "2026-06-30"}
    assert r["summary"]["requests"] == 16


def test_aggregate_of_nothing(policy):
    r = aggregate([], date_from=PERIOD[0], date_to=PERIOD[1], today=TODAY, policy=policy)
    assert r["summary"] == {"requests": 0, "requests_year_before": 0, "growth": None}
    assert rows(r, "montants", "montant")["Montant demandé"]["mediane"] is None


def test_year_before_of_29_february():
    from datetime import date

    assert year_before(date(2028, 2, 29)) == date(2027, 2, 28)
