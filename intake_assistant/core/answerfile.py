"""Answer files (``interview --answers``, ``orient``, ``simulate``): read safely, keys checked.

A file maps answer ids to values (typed text or values), either at its top level or under
``answers:`` (a dossier document, which may also list ``unknown:`` ids). YAML goes through the
bounded, safe loader of ``yamlsource``; JSON through ``json`` with duplicate keys and ``NaN`` /
``Infinity`` refused. Every problem is an ``AnswerFileError`` whose French message names the file
(and the line when known).
"""

from __future__ import annotations

import difflib
import json
import sys
from collections.abc import Iterable, Mapping
from typing import Any

from intake_assistant.core.yamlsource import (
    MAX_BYTES,
    LocDict,
    YamlSyntaxError,
    decode_utf8,
    load_text,
)


class AnswerFileError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _read_bytes(path: str) -> bytes:
    try:
        if path == "-":
            stream = getattr(sys.stdin, "buffer", None)  # a text stream when replaced (tests)
            data = (stream.read(MAX_BYTES + 1) if stream is not None
                    else sys.stdin.read(MAX_BYTES + 1).encode("utf-8"))
        else:
            with open(path, "rb") as handle:
                data = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise AnswerFileError(f"{path} : fichier introuvable.") from None
    except OSError as exc:
        raise AnswerFileError(f"{path} : lecture impossible ({exc.strerror}).") from None
    if len(data) > MAX_BYTES:
        raise AnswerFileError(f"{path} : fichier trop gros (plus de {MAX_BYTES} octets).")
    return data


def _json_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise AnswerFileError(f"clé « {key} » en double")
        out[key] = value
    return out


def _no_constant(name: str) -> Any:
    raise AnswerFileError(f"nombre non fini « {name} » refusé (écrivez un nombre)")


def parse_document(text: str, path: str) -> Any:
    """A JSON or YAML document; errors are French and name ``path`` (and the line)."""
    if text.lstrip().startswith(("{", "[")):
        try:
            return json.loads(text, object_pairs_hook=_json_pairs, parse_constant=_no_constant)
        except json.JSONDecodeError as exc:
            raise AnswerFileError(f"{path}:{exc.lineno}:{exc.colno} : JSON invalide "
                                  f"({exc.msg}).") from None
        except AnswerFileError as exc:
            raise AnswerFileError(f"{path} : {exc.message}.") from None
        except (ValueError, RecursionError):  # an integer of thousands of digits, deep nesting
            raise AnswerFileError(f"{path} : nombre trop long ou document trop imbriqué.") from None
    try:
        return load_text(text, path)
    except YamlSyntaxError as exc:
        raise AnswerFileError(f"{exc.location} : {exc.message}.") from None


def read_answer_file(path: str) -> tuple[dict[str, Any], list[str]]:
    """(answers, unknown ids) from a file of answers or a dossier document, or ``-`` (stdin)."""
    shown = "entrée standard" if path == "-" else path
    try:
        text = decode_utf8(_read_bytes(path), shown)
    except YamlSyntaxError as exc:
        raise AnswerFileError(f"{exc.location} : {exc.message}.") from None
    data = parse_document(text, shown) if text.strip() else {}
    data = {} if data is None else data
    unknown: list[str] = []
    if isinstance(data, Mapping) and isinstance(data.get("answers"), Mapping):
        raw_unknown = data.get("unknown") or []
        if not isinstance(raw_unknown, list):
            raise AnswerFileError(f"{shown} : « unknown » doit être une liste d'identifiants.")
        unknown = [str(u) for u in raw_unknown]
        data = data["answers"]
    if not isinstance(data, Mapping):
        raise AnswerFileError(f"{shown} : le fichier doit associer des identifiants à des "
                              "réponses (identifiant: valeur).")
    return (data if isinstance(data, dict) else dict(data)), unknown


def line_of(answers: Mapping[str, Any], key: str) -> int | None:
    locs = getattr(answers, "key_locs", None)
    if isinstance(answers, LocDict) and locs and key in locs:
        return locs[key].line
    return None


def unknown_keys(answers: Mapping[str, Any], known: Iterable[str]) -> list[str]:
    """A French sentence per key no one knows, with « did you mean » when a known id is close."""
    known = sorted(set(known))
    lines = []
    for key in answers:
        if key in known:
            continue
        close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.75)
        hint = f" — vouliez-vous dire « {close[0]} » ?" if close else ""
        line = line_of(answers, key)
        where = f" (ligne {line})" if line else ""
        lines.append(f"Identifiant inconnu « {key} »{where}{hint or '.'}")
    return lines
