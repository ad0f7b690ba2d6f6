"""The JSON of the backend's files, through orjson when it is installed: a dossier file (~10 KB)
parses in a third of the time of the standard library and is written in a fifteenth, on the save
of every answer and on every bulk read (statistics rebuild, index check).

What is written and what is read stay exactly as with the standard library alone:
- written: the same bytes (compact, UTF-8; floats may be spelt ``1e-7`` for ``1e-07``, the same
  number). What orjson will not write (an integer beyond 64 bits, a key that is not text…)
  goes to the standard library, which writes it or refuses it as before. NaN and infinities,
  which orjson would write as null, never get this far: the store's arguments are refused by
  `store.checks.check_json` first;
- read: what orjson refuses (NaN or an infinity, a byte-order mark, lone surrogates, bytes that
  are not UTF-8, damage) goes to the standard library, which accepts it or says where it is
  damaged (position, encoding) as before; a file holding a run of 19 digits or more goes there
  at once, as orjson would turn an integer beyond 64 bits into a float.
"""

from __future__ import annotations

import json
from typing import Any

try:
    import orjson
except ImportError:  # a platform without its wheels: the standard library alone
    orjson = None  # type: ignore[assignment]

# orjson hands datetimes and dataclasses to `default` (None: refused, then the standard library
# refuses them as it always did) instead of writing them itself.
_OPTIONS = (0 if orjson is None
            else orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS)
# A run of 19 digits is found as a run of 19 '#' once every digit is spelt '#' (and '#' itself
# a space): translate and find are a few microseconds for a dossier, a regular expression ~100.
_DIGITS_AS_HASH = bytes(0x23 if 0x30 <= b <= 0x39 else 0x20 if b == 0x23 else b
                        for b in range(256))
_LONG_RUN = b"#" * 19


def dumps(data: Any) -> bytes:
    if orjson is not None:
        try:
            return orjson.dumps(data, option=_OPTIONS)
        except orjson.JSONEncodeError:
            pass  # the standard library writes it or says why not
    return json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode(
        "utf-8")


def loads(raw: bytes) -> Any:
    if orjson is not None and raw.translate(_DIGITS_AS_HASH).find(_LONG_RUN) < 0:
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass  # the standard library accepts it, or reports the damage as it always did
    return json.loads(raw)
