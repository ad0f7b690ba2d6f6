"""Benchmark of the legal-aid orientation and of the OpenFisca estimates, run by hand.

    python bench/orientation.py            # evaluation of every persona; estimates if installed

Measured in the same run: one orientation (20 aids, legal formulas, reasons rendered) against a
baseline of the computed values alone (``compute``), median with min and max over 200 runs; then,
with the ``openfisca`` extra, the first estimate (worker start-up, OpenFisca loaded) and the next
ones (one household each), through the application's service as the CLI and the TUI use it.
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run by hand from a checkout
    sys.path.insert(0, str(REPO))

import yaml  # noqa: E402

from intake_assistant.orientation.build import load_policy  # noqa: E402
from intake_assistant.orientation.compute import compute  # noqa: E402
from intake_assistant.orientation.evaluate import evaluate  # noqa: E402

DAY = date(2026, 11, 26)


def timed(func, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        out.append(time.perf_counter() - start)
    return out


def describe(name: str, values: list[float], baseline: float | None = None) -> None:
    med = statistics.median(values)
    ratio = f" ; × {med / baseline:.1f} la base" if baseline else ""
    print(f"{name:<44} médiane {med * 1000:7.2f} ms (min {min(values) * 1000:.2f}, "
          f"max {max(values) * 1000:.2f}){ratio}")


def main() -> int:
    policy = load_policy()
    personas = yaml.safe_load((REPO / "tests/fixtures/personas.yaml").read_text("utf-8"))
    answers = [p["answers"] for p in personas["personas"]]
    evaluate(answers[0], policy, DAY)
    base = timed(lambda: [compute(a, policy, DAY) for a in answers], 200)
    full = timed(lambda: [evaluate(a, policy, DAY) for a in answers], 200)
    per = len(answers)
    describe("base : valeurs calculées (par foyer)", [v / per for v in base])
    describe("orientation complète (par foyer)", [v / per for v in full],
             statistics.median(base) / per)

    from intake_assistant.app.estimates import EstimateService, extra_installed

    if not extra_installed():
        print("Estimations OpenFisca : extension non installée (pip install '.[openfisca]').")
        return 0
    service = EstimateService()
    try:
        first = timed(lambda: service.estimate(answers[0], DAY), 1)
        later = []
        for index, a in enumerate(answers[1:] * 2):
            changed = {**a, "energie": 1 + index}  # a new household each time: no cache
            later += timed(lambda changed=changed: service.estimate(changed, DAY), 1)
        print(f"{'première estimation (démarrage du calcul)':<44} {first[0]:7.2f} s")
        describe("estimations suivantes (par foyer)", later)
    finally:
        service.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
