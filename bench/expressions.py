"""Benchmark of the expression language: evaluations per second and the cost of one statistics
record, compiled closures against the former tree walk, interleaved in the same run.

    python bench/expressions.py              # median, min and max of 9 runs
    python bench/expressions.py --runs 15

Subjects: every expression of the shipped policy (computed values, aid gates) and questionnaires
(show_if, computed, checks), evaluated on the personas' answers; ``reports.records.build_record``
on persona dossiers (what a cold statistics build costs per dossier). Each run measures, one after
the other: the former evaluator (the tree walk kept in tests/core/expression_walker.py as the
reference), the compiled closures, and two floors — a plain Python loop of the same count, and
reading + parsing a dossier's JSON file from disk (what a cold build does anyway).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run by hand from a checkout
    sys.path.insert(0, str(REPO))

import yaml  # noqa: E402

sys.path.insert(0, str(REPO / "tests"))
from core.expression_walker import walk  # noqa: E402

from intake_assistant.app.questionnaires import available_questionnaires  # noqa: E402
from intake_assistant.core.expressions import Expression  # noqa: E402
from intake_assistant.orientation.build import default_policy  # noqa: E402
from intake_assistant.orientation.compute import build_env  # noqa: E402
from intake_assistant.reports.records import build_record  # noqa: E402

TODAY = date(2026, 11, 26)


def _expressions(policy):
    out = [c.expression for c in policy.calculs.values()]
    out += [g.fails_when for aid in policy.aids for g in aid.gates]
    for questionnaire in available_questionnaires():
        out += list(questionnaire.computed.values())
        for q in questionnaire.all_questions():
            out += [e for e in (q.show_if, q.default_expression) if e is not None]
            out += [c.expression for c in (*q.warn_if, *q.valid_if)]
    return out


def _interleaved(subjects: dict, runs: int) -> dict[str, list[float]]:
    """Each run times every subject once, in turn: load on the machine hits them alike."""
    for fn in subjects.values():
        fn()  # warm caches
    times: dict[str, list[float]] = {name: [] for name in subjects}
    for _ in range(runs):
        for name, fn in subjects.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return times


def _walking(fn):
    """``fn`` with Expression.evaluate replaced by the former tree walk."""
    def run() -> None:
        compiled = Expression.evaluate
        Expression.evaluate = lambda self, env, today=None: walk(self, env, today)
        try:
            fn()
        finally:
            Expression.evaluate = compiled
    return run


def _line(name: str, times: list[float], unit_count: int, unit: str) -> str:
    med, low, high = statistics.median(times), min(times), max(times)
    return (f"{name:<38} {unit_count / med:>12,.0f} {unit}/s   median {med * 1000:8.2f} ms  "
            f"(min {low * 1000:.2f}, max {high * 1000:.2f})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--repeat", type=int, default=20, help="passes over the set per run")
    args = parser.parse_args()
    policy = default_policy()
    personas = yaml.safe_load((REPO / "tests/fixtures/personas.yaml").read_text())["personas"]
    envs = [build_env(p["answers"], policy, TODAY)[0] for p in personas]
    exprs = _expressions(policy)
    repeat = args.repeat
    count = len(exprs) * len(envs) * repeat

    def evaluate_all() -> None:
        for _ in range(repeat):
            for env in envs:
                for e in exprs:
                    e.evaluate(env, TODAY)

    def walk_all() -> None:
        for _ in range(repeat):
            for env in envs:
                for e in exprs:
                    walk(e, env, TODAY)

    def floor() -> None:  # the same number of dict lookups and additions in plain Python
        for _ in range(repeat):
            for env in envs:
                total = 0
                for _ in exprs:
                    total += len(env)

    dossiers = [{"id": f"D-{i}", "created_at": "2026-11-20T10:00:00+01:00",
                 "status": "en_evaluation", "answers": p["answers"],
                 "status_history": [{"status": "premier_contact",
                                     "at": "2026-11-20T10:00:00+01:00", "agent": "A"}]}
                for i, p in enumerate(personas)]
    folder = Path(tempfile.mkdtemp(prefix="bench-expr-"))
    files = []
    for d in dossiers:
        path = folder / f"{d['id']}.json"
        path.write_text(json.dumps({"_default": {"1": d}}, ensure_ascii=False))
        files.append(path)

    n_records = len(dossiers) * repeat

    def records() -> None:
        for _ in range(repeat):
            for d in dossiers:
                build_record(d, policy)

    def read_files() -> None:
        for _ in range(repeat):
            for path in files:
                json.loads(path.read_text(encoding="utf-8"))

    runs = args.runs
    print(f"{len(exprs)} expressions × {len(envs)} personas × {repeat} = {count} evaluations "
          f"per run; {n_records} records per run; {runs} runs, subjects interleaved")
    t = _interleaved({"walk": walk_all, "closures": evaluate_all, "floor": floor,
                      "records_walk": _walking(records), "records": records,
                      "read": read_files}, runs)
    print(_line("expressions, tree walk (before)", t["walk"], count, "eval"))
    print(_line("expressions, closures (now)", t["closures"], count, "eval"))
    print(_line("floor: Python loop, same count", t["floor"], count, "iter"))
    print(_line("record, tree walk (before)", t["records_walk"], n_records, "rec"))
    print(_line("record, closures (now)", t["records"], n_records, "rec"))
    print(_line("floor: read + parse a dossier file", t["read"], n_records, "file"))
    med = {k: statistics.median(v) for k, v in t.items()}
    print(f"closures: {med['walk'] / med['closures']:.2f}× faster per evaluation "
          f"({med['closures'] / count * 1e6:.2f} µs, was {med['walk'] / count * 1e6:.2f} µs); "
          f"a record {med['records'] / n_records * 1e6:.0f} µs, was "
          f"{med['records_walk'] / n_records * 1e6:.0f} µs "
          f"({med['records_walk'] / med['records']:.2f}×); a record is "
          f"{med['records'] / med['read']:.1f}× reading its file")
    return 0


if __name__ == "__main__":
    sys.exit(main())
