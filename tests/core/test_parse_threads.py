"""Expressions parsed from several threads at once (the home list's intake check beside the
questionnaires loaded ahead of need, seen crashing the app in the benchmark): CPython's AST
constructor keeps its recursion depth per interpreter, not per thread, so a thread switch inside
a parse — a garbage collection running a finalizer that releases the interpreter lock — made
another thread's parse fail with « AST constructor recursion depth mismatch »
(python/cpython#106905). Without the lock of `parse_eval` this test fails (checked)."""

from __future__ import annotations

import gc
import threading
import time

from intake_assistant.core import expressions


class _YieldsWhenCollected:
    def __init__(self) -> None:
        self.me = self  # a cycle: freed by the collector, in the middle of whatever allocates

    def __del__(self) -> None:
        time.sleep(0)  # gives the interpreter lock to another thread


def test_expressions_compile_from_many_threads_at_once() -> None:
    sources = [f"(a + {i}) * (b - {i}) if c > {i} and not d else "
               f"min(e, f, {i}) + round(g / 3, 2)" for i in range(3000)]
    errors: list[BaseException] = []

    def work(part: list[str]) -> None:
        try:
            for source in part:
                for _ in range(3):
                    _YieldsWhenCollected()
                expressions.parse_eval(source)
        except BaseException as exc:  # noqa: BLE001 (collected, asserted below)
            errors.append(exc)

    thresholds = gc.get_threshold()
    gc.set_threshold(50, 1, 1)  # collections (and their finalizers) during the parses
    try:
        threads = [threading.Thread(target=work, args=(sources[i::4],)) for i in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        gc.set_threshold(*thresholds)
    assert errors == []
    env = {"a": 1, "b": 2, "c": 3, "d": False, "e": 5, "f": 6, "g": 7}
    assert expressions.compile_expression(sources[1]).evaluate(env) == (1 + 1) * (2 - 1)
