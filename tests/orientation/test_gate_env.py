"""The lazy env of the statistics records (``compute.gate_env``) reads exactly what ``build_env``
computes, in any order of reading; the short-cut status of a record (``orientation_statuses``)
is the status of every gate evaluated (the rule of ``resolve_status``), on demo dossiers."""

from __future__ import annotations

import gc
import random
from datetime import date, datetime

from intake_assistant.core.expressions import (
    EvaluationError,
    compile_expression,
    evaluator,
    is_missing,
)
from intake_assistant.orientation.compute import build_env, gate_env, record_env
from intake_assistant.orientation.evaluate import resolve_status
from intake_assistant.orientation.policy import Calcul, Policy
from intake_assistant.reports.records import STATUS_CODES, answers_day, orientation_statuses
from intake_assistant.store.demo_data import generate_dossiers

DAY = date(2026, 6, 30)


def every_gate(answers, unknown, policy, day) -> str:
    """The statuses as before the short cut: every gate of every aid, on ``build_env``."""
    env, _, _ = build_env(dict(answers), policy, day, unknown)
    codes = []
    for aid in policy.aids:
        failed: set[str] = set()
        missing = False
        for gate in aid.gates:
            try:
                value = gate.fails_when.evaluate(env, day)
            except EvaluationError:
                missing = True
                continue
            if is_missing(value):
                missing = True
            elif value:
                failed.add(gate.status)
        codes.append(STATUS_CODES[resolve_status(failed, missing, aid.default_status)])
    return "".join(codes)


def demo(count: int, seed: int) -> list[dict]:
    docs = list(generate_dossiers(count, seed=seed,
                                  now=datetime(2026, 6, 30, 12, 0).astimezone()))
    rng = random.Random(seed)
    for doc in docs:
        if rng.random() < 0.3 and doc["answers"]:  # answers marked unknown too
            key = rng.choice(sorted(doc["answers"]))
            doc["answers"].pop(key)
            doc["unknown"] = [*doc["unknown"], key]
    return docs


def test_short_cut_statuses_equal_every_gate_on_demo_dossiers(policy):
    for doc in demo(400, seed=11):
        day = answers_day(doc)
        assert (orientation_statuses(doc["answers"], doc["unknown"], policy, day)
                == every_gate(doc["answers"], doc["unknown"], policy, day)), doc["id"]


def test_lazy_env_reads_what_build_env_computes_in_any_order(policy):
    rng = random.Random(5)
    reads = {cid: compile_expression(cid) for cid in policy.calculs}
    for doc in demo(120, seed=3):
        day = answers_day(doc)
        _, computed, _ = build_env(dict(doc["answers"]), policy, day, doc["unknown"])
        for lazy in (gate_env, record_env):
            env = lazy(doc["answers"], policy, day, doc["unknown"])
            order = list(policy.calculs)
            rng.shuffle(order)
            for cid in order:
                assert reads[cid].evaluate(env, day) == computed[cid], (doc["id"], cid)


def calc(cid: str, source: str, depends_on: tuple[str, ...] = ()) -> Calcul:
    return Calcul(cid, cid, "€", compile_expression(source), frozenset(depends_on))


def test_a_value_reading_a_later_one_in_an_item_scope_finds_none_as_in_build_env():
    # `early` reads `late` inside count(): no dependency (an item field may hold it), so in
    # build_env `early` is computed before `late` exists. Read `late` first: `early` still
    # does not see it.
    policy = Policy({}, {"early": calc("early", "count(enfants, late > 1)"),
                         "late": calc("late", "5")}, ())
    answers = {"enfants": [{"age": 3}]}
    _, computed, _ = build_env(answers, policy, DAY)
    env = gate_env(answers, policy, DAY)
    assert compile_expression("late").evaluate(env, DAY) == 5
    assert compile_expression("early").evaluate(env, DAY) == computed["early"]
    assert is_missing(computed["early"])


def test_answers_named_like_a_computed_value_read_as_in_build_env():
    policy = Policy({}, {"x": calc("x", "y + 1"), "y": calc("y", "2")}, ())
    answers = {"y": 40}  # imported data: build_env computes `x` from the answer, then `y`
    _, computed, _ = build_env(answers, policy, DAY)
    env = gate_env(answers, policy, DAY)
    assert compile_expression("x").evaluate(env, DAY) == computed["x"] == 41
    assert compile_expression("y").evaluate(env, DAY) == computed["y"] == 2


def test_a_long_chain_of_values_does_not_exhaust_the_stack():
    calculs = {"v0": calc("v0", "1")}
    for i in range(1, 400):
        calculs[f"v{i}"] = calc(f"v{i}", f"v{i - 1} + 1", (f"v{i - 1}",))
    policy = Policy({}, calculs, ())
    env = gate_env({}, policy, DAY)
    assert compile_expression("v399").evaluate(env, DAY) == 400


def test_one_context_reads_in_item_scopes_what_evaluate_reads():
    # `inner` is computed while `outer` is in the scope of an item (whose `age` field must not
    # reach `inner`); then run again from the top, in the same context.
    policy = Policy({}, {"age": calc("age", "years"),  # of an answer: not computed daily
                         "inner": calc("inner", "age + 1", ("age",)),
                         "outer": calc("outer", "count(enfants, inner > 30)", ("inner",))}, ())
    answers = {"years": 40, "enfants": [{"age": 3}, {"age": 8}]}
    _, computed, _ = build_env(answers, policy, DAY)
    env = record_env(answers, policy, DAY)
    run = evaluator(env, DAY)
    for source in ("outer", "inner", "count(enfants, age < 5)", "count(enfants, inner > age)"):
        expression = compile_expression(source)
        assert run(expression) == expression.evaluate(build_env(answers, policy, DAY)[0], DAY)
    assert computed["outer"] == 2 and computed["inner"] == 41


def test_records_leave_no_garbage_for_the_cycle_collector(policy):
    # Statistics workers pause the collector while they build records (reports/cache.py): a
    # record's lazy env, whose computed values reference it, must be freed by reference counts.
    docs = demo(60, seed=8)
    gc.collect()
    gc.disable()
    try:
        for doc in docs:
            orientation_statuses(doc["answers"], doc["unknown"], policy, answers_day(doc))
        assert gc.collect() == 0
    finally:
        gc.enable()
