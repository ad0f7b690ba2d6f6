"""``answers_env`` (every statistics record starts with it) gives what one loop over the data
dictionary's fields gives, key order included, whatever is answered, unknown or None."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import pytest

from intake_assistant.core.fields import load_fields
from intake_assistant.orientation.compute import _with_gaps, answers_env
from intake_assistant.store.demo_data import generate_dossiers


def reference(answers: Mapping[str, Any], unknown: Iterable[str]) -> dict[str, Any]:
    """The definition: answers neither None nor unknown, then each field in dictionary order
    given its absent value when neither answered nor unknown, or its items' gaps filled."""
    fields = load_fields()
    unknown = set(unknown)
    env = {k: v for k, v in answers.items() if v is not None and k not in unknown}
    for fid, field in fields.items():
        absent, children = field.absent_default, field.item
        if fid not in env and fid not in unknown and absent is not None:
            env[fid] = absent
        elif children and isinstance(env.get(fid), list):
            env[fid] = [_with_gaps(fid, children, item) for item in env[fid]]
    return env


def _variants(doc: dict[str, Any]) -> list[tuple[dict[str, Any], list[str]]]:
    answers = doc["answers"]
    names = list(answers)
    return [
        (answers, doc["unknown"]),
        (answers, []),
        (answers, names[:4]),
        (answers, ["enfants", "loyer", "revenus_activite"]),
        ({**answers, "loyer": None, "nom": None}, []),
        ({**answers, "enfants": [{"age": 3}, {}, "pas un objet"]}, []),
        ({k: v for k, v in answers.items() if k != "enfants"}, []),
        ({}, []),
        ({}, ["loyer"]),
    ]


@pytest.mark.parametrize("seed", [1, 2])
def test_answers_env_is_the_loop_over_the_fields(seed: int) -> None:
    docs = list(generate_dossiers(60, seed=seed, now=datetime(2026, 6, 30, 12).astimezone()))
    checked = 0
    for doc in docs:
        for answers, unknown in _variants(doc):
            expected = list(reference(answers, unknown).items())
            assert list(answers_env(answers, unknown).items()) == expected
            assert list(answers_env(answers, iter(unknown)).items()) == expected
            assert list(answers_env(answers, tuple(unknown),
                                    fields=load_fields()).items()) == expected
            checked += 1
    assert checked == 60 * 9
