"""Our statuses against OpenFisca-France's eligibility on the regression bench (issue 12).

The stored results (tests/fixtures/openfisca_bench.yaml) run everywhere; the recomputation runs
where the ``openfisca`` extra is installed (CI installs it) and proves the fixture is OpenFisca's.
"""

from __future__ import annotations

import importlib.util
from datetime import date

import pytest
import yaml

from intake_assistant.orientation.evaluate import evaluate

from .openfisca_bench import COMPARED, FIXTURE, HOUSEHOLDS

STORED = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
DAY = date.fromisoformat(STORED["date"])


def _cells(policy):
    """(household, aid, our status, OpenFisca eligible) for every comparable cell."""
    out = []
    for h in STORED["households"]:
        result = evaluate(h["answers"], policy, DAY)
        for aid in COMPARED:
            of = h["openfisca"][aid]
            if of.get("percue"):  # already received: nothing to compare
                continue
            out.append((h["id"], aid, result.suggestion(aid).status, bool(of["eligible"])))
    return out


def test_bench_is_ours_and_large_enough():
    assert len(STORED["households"]) >= 30
    assert [h["id"] for h in STORED["households"]] == [h["id"] for h in HOUSEHOLDS]
    for stored, case in zip(STORED["households"], HOUSEHOLDS, strict=True):
        assert stored["answers"] == case["answers"], "fixture out of date: regenerate it"
        assert stored["answers"]["commune_residence"] == "Reims"


def test_no_right_ruled_out_that_openfisca_finds(policy):
    ruled_out = [(hid, aid) for hid, aid, status, eligible in _cells(policy)
                 if eligible and status == "not_eligible"]
    assert ruled_out == []


def test_at_least_95_percent_of_cells_agree(policy):
    cells = _cells(policy)
    agree = sum((status != "not_eligible") == eligible for _, _, status, eligible in cells)
    assert len(cells) >= 150
    assert agree / len(cells) >= 0.95, f"{agree}/{len(cells)}"


@pytest.mark.skipif(importlib.util.find_spec("openfisca_france") is None,
                    reason="extension openfisca non installée (pip install '.[openfisca]')")
def test_stored_results_are_openfiscas():
    from .openfisca_bench import openfisca_results

    fresh = openfisca_results()
    for h in STORED["households"]:
        for aid in COMPARED:
            stored, now = h["openfisca"][aid], fresh["results"][h["id"]][aid]
            assert now["eligible"] == stored["eligible"], (h["id"], aid)
            assert now["montant"] == pytest.approx(stored["montant"], abs=1), (h["id"], aid)
