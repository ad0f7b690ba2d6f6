"""The files' JSON through orjson: the same values read, the same bytes written, and whatever
orjson refuses decided by the standard library as before (json_codec.py)."""

from __future__ import annotations

import json
import math
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intake_assistant.store import open_store
from intake_assistant.store.errors import CorruptDossierError, InvalidValueError
from intake_assistant.store.tinydb import json_codec
from intake_assistant.store.tinydb.dossier_file import parse_document


def test_orjson_is_the_codec() -> None:
    assert json_codec.orjson is not None  # a dependency: without it the tests below prove little


def reference_dumps(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


finite = st.floats(allow_nan=False, allow_infinity=False)
values = st.recursive(
    st.none() | st.booleans() | st.integers() | finite | st.text(),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=30)


@settings(max_examples=400, deadline=None)
@given(values)
def test_what_is_written_reads_back_as_the_standard_library_reads_it(value: object) -> None:
    written = json_codec.dumps(value)
    assert json.loads(written) == json.loads(reference_dumps(value))  # the same value
    assert json_codec.loads(written) == json.loads(written)
    assert repr(json_codec.loads(written)) == repr(json.loads(written))  # types too (int/float)


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=60) | values.map(reference_dumps).map(lambda b: b[: len(b) // 2]))
def test_any_bytes_are_read_or_refused_as_the_standard_library_does(raw: bytes) -> None:
    try:
        expected: object = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        with pytest.raises(type(exc)):
            json_codec.loads(raw)
        return
    got = json_codec.loads(raw)
    assert repr(got) == repr(expected)  # the same value and types (NaN reads as 'nan' both)


def test_the_bytes_of_a_dossier_are_those_of_the_standard_library() -> None:
    doc = {"dossier": {"1": {"id": "D-2026-000001", "answers": {"nom": "Lefèvre", "loyer": 450.5,
                                                                 "enfants": [{"age": 7}]}}},
           "events": {"1": {"at": "2026-12-01T10:00:00+01:00", "note": "« ok »\n"}}}
    assert json_codec.dumps(doc) == reference_dumps(doc)


@pytest.mark.parametrize("text", [b"123456789012345678901234567890", b"-9223372036854775809",
                                  b'{"montant": 18446744073709551616}'])
def test_integers_beyond_64_bits_stay_integers(text: bytes) -> None:
    assert json_codec.loads(text) == json.loads(text)
    assert repr(json_codec.loads(text)) == repr(json.loads(text))  # not turned into a float
    value = json.loads(text)
    assert json_codec.dumps(value) == reference_dumps(value)  # written as the library writes it


def test_what_orjson_refuses_goes_to_the_standard_library() -> None:
    assert json_codec.loads(b"\xef\xbb\xbf{}") == {}  # a byte-order mark
    assert math.isinf(json_codec.loads(b"1e400"))
    assert json_codec.loads(b'"\\ud800"') == "\ud800"
    assert json_codec.dumps({1: "a"}) == b'{"1":"a"}'  # a key that is not text
    with pytest.raises(TypeError):
        json_codec.dumps({"quand": datetime(2026, 12, 1)})  # never written as orjson would


def test_nan_is_refused_before_any_file_is_written(tmp_path: Path) -> None:
    """orjson would write NaN as null: the store's check refuses it first, nothing changes."""
    store = open_store(tmp_path / "base")
    dossier_id = store.create_dossier(agent="a", answers={"nom": "Martin"})["id"]
    before = store.load(dossier_id)
    for value in (float("nan"), float("inf"), {"x": [float("-inf")]}):
        with pytest.raises(InvalidValueError, match="impossible à enregistrer"):
            store.save_answer(dossier_id, "loyer", value, agent="a")
    assert store.load(dossier_id) == before


def test_a_damaged_file_is_reported_as_before(tmp_path: Path) -> None:
    path = tmp_path / "D-2026-000001.json"
    with pytest.raises(CorruptDossierError, match="JSON invalide, position 11"):
        parse_document(b'{"dossier":', path)
    with pytest.raises(CorruptDossierError, match="encodage invalide"):
        parse_document(b'{"dossier": "\xff"}', path)
