"""Compiled closures compute exactly what the reference tree walk computes.

Expressions are compiled once to closures (``core/expressions.py``); the former evaluator, a walk
over the checked tree, is kept in ``tests/expression_walker.py`` as the reference. On random
expressions of the whole language (operators, Kleene logic on missing answers, functions, item
scopes, subscripts) and random environments, both give the same value — or the same error, with
the same French message, offset and kind.
"""

from __future__ import annotations

import math
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake_assistant.core.expressions import (
    _ARITY,
    EvaluationError,
    ExpressionError,
    compile_expression,
    evaluator,
)

from .expression_walker import walk

TODAY = date(2026, 11, 26)
NAMES = ["a", "b", "c", "txt", "flag", "liste", "enfants", "d", "absent", "foyer.nb", "foyer"]

values = st.one_of(
    st.integers(-1000, 1000), st.floats(-1e6, 1e6, allow_nan=False), st.booleans(), st.none(),
    st.sampled_from(["", "oui", "Reims", "1988-03-15", "2026-11-26", "x"]),
)
lists = st.lists(values, max_size=4)
children = st.lists(st.fixed_dictionaries({"age": st.integers(0, 25)},
                                          optional={"ok": st.booleans()}), max_size=4)
envs = st.fixed_dictionaries(
    {},
    optional={
        "a": values, "b": values, "c": st.integers(-5, 5), "txt": st.text(max_size=5),
        "flag": st.booleans(), "liste": lists, "enfants": children,
        "d": st.sampled_from(["1990-01-01", "2000-02-29", "bad"]),
        "foyer.nb": st.integers(0, 6), "foyer": st.fixed_dictionaries({"nb": st.integers(0, 3)}),
    },
)

literals = st.one_of(
    st.integers(-50, 50).map(str), st.sampled_from(["0", "0.5", "2.675", "True", "False", "None",
                                                    "'x'", "'Reims'", "''", "[]", "[1, 2]"]),
)
atoms = st.one_of(literals, st.sampled_from(NAMES))
BINARY = ["+", "-", "*", "/", "//", "%"]
COMPARE = ["==", "!=", "<", "<=", ">", ">=", "in", "not in"]
PLAIN_FUNCTIONS = sorted(set(_ARITY) - {"count", "sum_over", "today"})


def _combine(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    def call(draw_name: str, args: list[str]) -> str:
        low, high = _ARITY[draw_name]
        count = max(low, min(len(args), high if high is not None else len(args)))
        return f"{draw_name}({', '.join(args[:count])})"

    return st.one_of(
        st.tuples(inner, st.sampled_from(BINARY), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(inner, st.sampled_from(COMPARE), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(inner, inner, inner).map(lambda t: f"({t[0]} < {t[1]} <= {t[2]})"),
        st.tuples(inner, st.sampled_from(["and", "or"]), inner).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(st.sampled_from(["not ", "-", "+"]), inner).map(lambda t: f"({t[0]}{t[1]})"),
        st.tuples(inner, inner, inner).map(lambda t: f"({t[0]} if {t[1]} else {t[2]})"),
        st.tuples(inner, st.sampled_from(["0", "-1", "2", "'nb'", "'age'"])).map(
            lambda t: f"{t[0]}[{t[1]}]"),
        st.lists(inner, max_size=3).map(lambda xs: f"[{', '.join(xs)}]"),
        st.tuples(st.sampled_from(PLAIN_FUNCTIONS), st.lists(inner, min_size=3, max_size=3)).map(
            lambda t: call(*t)),
        st.tuples(st.sampled_from(["count", "sum_over"]), st.sampled_from(["enfants", "liste"]),
                  inner).map(lambda t: f"{t[0]}({t[1]}, {t[2]})"),
        st.sampled_from(["count(enfants)", "today()", "age(d)", "count(enfants, age >= 14)",
                         "sum_over(enfants, age)", "coalesce(absent, a, 0)", "answered(absent)"]),
    )


expressions = st.recursive(atoms, _combine, max_leaves=12)


def _outcome(run):
    try:
        return ("value", run())
    except EvaluationError as exc:
        return ("error", exc.message, exc.offset, exc.kind)
    except (TypeError, ValueError) as exc:  # raised the same way by both (e.g. a formatter)
        return ("raised", type(exc).__name__)


def _same(first, second) -> bool:
    if first[0] == second[0] == "value":
        a, b = first[1], second[1]
        if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
            return True
        return type(a) is type(b) and a == b
    return first == second


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions, envs)
def test_closures_compute_what_the_tree_walk_computes(source, env) -> None:
    try:
        expr = compile_expression(source)
    except ExpressionError:
        return  # refused at compile time: nothing is evaluated
    compiled = _outcome(lambda: expr.evaluate(env, TODAY))
    walked = _outcome(lambda: walk(expr, env, TODAY))
    assert _same(compiled, walked), (source, env, compiled, walked)
    shared = evaluator(env, TODAY)  # one context for several evaluations (statistics records)
    for _ in range(2):
        assert _same(_outcome(lambda: shared(expr)), walked), (source, env)


def test_the_generator_reaches_every_part_of_the_language() -> None:
    """Guard against a vacuous property: the strategy does produce errors, Missing and values."""
    from intake_assistant.core.expressions import Missing

    seen = set()

    @settings(max_examples=400, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(expressions, envs)
    def probe(source, env):
        try:
            expr = compile_expression(source)
        except ExpressionError:
            seen.add("refused")
            return
        outcome = _outcome(lambda: expr.evaluate(env, TODAY))
        if outcome[0] == "value":
            seen.add("missing" if isinstance(outcome[1], Missing) else "value")
        else:
            seen.add(outcome[0])

    probe()
    assert {"value", "missing", "error"} <= seen, seen


CHAINS = ["a + b * 1 - c + len(liste)", "1 + (0.5 if flag else 0) + 0.5 * c - max(c, 0)",
          "a + txt * 2 + b", "b - a + (1 // c) + absent", "c + max(a, 1) - 2 * 1 + b",
          "c * 10 + a + b - 7 + count(enfants, age + c > 3) + sum_over(enfants, age + c)",
          "foyer.nb + c - a + min(c, 2)", "a + 0.1 + 1e308 + 1e308 - b"]
CHAIN_ENVS = [{}, {"a": 2, "b": 3.5, "c": 2, "liste": [1], "flag": True},
              {"a": 10 ** 400, "b": 10 ** 400, "c": -1}, {"a": "x", "b": 1, "c": 0},
              {"a": True, "b": None, "c": 3, "txt": "t"}, {"a": 1e308, "b": float("inf"), "c": 1},
              {"a": 1, "c": 0, "enfants": [{"age": 2}, {"age": 9}], "foyer.nb": 2},
              {"a": 2 ** 1000, "b": -(2 ** 1000), "c": 5, "txt": ""}]


def test_sums_of_terms_that_are_not_all_names_step_as_the_tree_walk() -> None:
    """``a + f(x) - …`` reads each term once the sum before it is done (the loop without the
    all-names short cut): same values, Missing and errors (message, offset, kind) as the walk,
    with big integers, infinities, booleans, text and item scopes."""
    for source in CHAINS:
        expr = compile_expression(source)
        for env in CHAIN_ENVS:
            walked = _outcome(lambda e=expr, v=env: walk(e, v, TODAY))
            compiled = _outcome(lambda e=expr, v=env: e.evaluate(v, TODAY))
            shared = _outcome(lambda e=expr, v=env: evaluator(v, TODAY)(e))
            assert _same(compiled, walked) and _same(shared, walked), (source, env)
