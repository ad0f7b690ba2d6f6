"""Load YAML safely while remembering where every mapping, list and key came from.

Authors edit questionnaires by hand, so every error must point at ``file:line:col``. The loader
builds ordinary dicts and lists (subclasses, so JSON Schema validation works on them) that carry the
1-based line and column of themselves and of each of their keys.

Every YAML file the app reads (questionnaires, dictionary, policy, answer files) is untrusted and
goes through here: safe constructors only, a bounded size (``MAX_BYTES``), aliases that may not
blow the document up (« billion laughs »: at most ``MAX_EXPANSION`` times its own size once
expanded, never recursive), finite numbers only (no ``.nan``, ``.inf``, ``1e309``) and integers of
at most ``MAX_INT_DIGITS`` digits. Each refusal names the file and line.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

MAX_BYTES = 4_000_000
MAX_EXPANSION = 10  # expanded nodes <= MAX_EXPANSION x written nodes + MAX_EXPANSION_FLOOR
MAX_EXPANSION_FLOOR = 10_000
MAX_DEPTH = 100
MAX_INT_DIGITS = 30


@dataclass(frozen=True)
class Location:
    path: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


class LocDict(dict):
    """A dict that knows its own location and the location of each key and value."""

    loc: Location
    key_locs: dict[str, Location]
    value_locs: dict[str, Location]


class LocList(list):
    loc: Location
    item_locs: list[Location]


class YamlSyntaxError(ValueError):
    def __init__(self, location: Location, message: str) -> None:
        super().__init__(f"{location}: {message}")
        self.location = location
        self.message = message


def _loc(path: str, node: yaml.Node) -> Location:
    return Location(path, node.start_mark.line + 1, node.start_mark.column + 1)


# The C parser (libyaml) is about three times faster; the constructors stay the safe ones.
_SafeBase = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LocatingLoader(_SafeBase):  # type: ignore[misc, valid-type]
    """Safe loader whose containers record their source positions."""

    source_path = "<yaml>"

    def construct_yaml_map(self, node: yaml.MappingNode) -> Any:
        data = LocDict()
        data.loc = _loc(self.source_path, node)
        data.key_locs = {}
        data.value_locs = {}
        yield data
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool) and key is not None:
                raise yaml.constructor.ConstructorError(
                    None, None, "clé de type non pris en charge", key_node.start_mark
                )
            key = str(key) if not isinstance(key, str) else key
            if key in data:
                raise yaml.constructor.ConstructorError(
                    None, None, f"clé « {key} » en double dans ce bloc", key_node.start_mark
                )
            data[key] = self.construct_object(value_node, deep=True)
            data.key_locs[key] = _loc(self.source_path, key_node)
            data.value_locs[key] = _loc(self.source_path, value_node)

    def construct_yaml_seq(self, node: yaml.SequenceNode) -> Any:
        data = LocList()
        data.loc = _loc(self.source_path, node)
        data.item_locs = [_loc(self.source_path, child) for child in node.value]
        yield data
        data.extend(self.construct_object(child, deep=True) for child in node.value)

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        # Keep dates as the ISO text the author wrote: answers store dates as strings.
        return self.construct_scalar(node)

    def construct_yaml_int(self, node: yaml.ScalarNode) -> Any:
        digits = re.sub(r"[^0-9a-fA-F]", "", str(node.value))
        if len(digits) > MAX_INT_DIGITS:
            raise yaml.constructor.ConstructorError(
                None, None, f"nombre « {str(node.value)[:12]}… » trop long ({len(digits)} "
                f"chiffres, {MAX_INT_DIGITS} au plus)", node.start_mark)
        return super().construct_yaml_int(node)

    def construct_yaml_float(self, node: yaml.ScalarNode) -> Any:
        value = super().construct_yaml_float(node)
        if not math.isfinite(value):
            raise yaml.constructor.ConstructorError(
                None, None, f"nombre non fini « {node.value} » refusé (écrivez un nombre)",
                node.start_mark)
        return value


_LocatingLoader.add_constructor("tag:yaml.org,2002:map", _LocatingLoader.construct_yaml_map)
_LocatingLoader.add_constructor("tag:yaml.org,2002:seq", _LocatingLoader.construct_yaml_seq)
_LocatingLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", _LocatingLoader.construct_yaml_timestamp
)
_LocatingLoader.add_constructor("tag:yaml.org,2002:int", _LocatingLoader.construct_yaml_int)
_LocatingLoader.add_constructor("tag:yaml.org,2002:float", _LocatingLoader.construct_yaml_float)


class _TooBig(Exception):
    pass


def _check_expansion(data: Any) -> None:
    """Refuse a document whose aliases expand it beyond bounds, or make it recursive."""
    distinct: dict[int, int] = {}  # id -> expanded size (memo: shared parts counted once here)
    in_progress: set[int] = set()

    def size(node: Any, depth: int) -> int:
        if not isinstance(node, dict | list):
            return 1
        key = id(node)
        if key in distinct:
            return distinct[key]
        if key in in_progress:
            raise _TooBig("alias récursif (un bloc se contient lui-même)")
        if depth > MAX_DEPTH:
            raise _TooBig(f"document trop imbriqué ({MAX_DEPTH} niveaux au plus)")
        in_progress.add(key)
        children = [*node.keys(), *node.values()] if isinstance(node, dict) else node
        total = 1 + sum(size(child, depth + 1) for child in children)
        in_progress.discard(key)
        distinct[key] = total
        return total

    expanded = size(data, 0)
    written = sum(1 + len(node) for node in _containers(data))
    if expanded > MAX_EXPANSION * written + MAX_EXPANSION_FLOOR:
        raise _TooBig(f"les alias multiplient la taille du document (« billion laughs ») : "
                      f"{expanded} éléments une fois développés")


def _containers(data: Any) -> list[Any]:
    seen: dict[int, Any] = {}
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict | list) and id(node) not in seen:
            seen[id(node)] = node
            stack.extend(node.values() if isinstance(node, dict) else node)
    return list(seen.values())


def _first_alias(text: str, path: str) -> Location:
    match = re.search(r"(?m)(?:^|[\s\[{,:-])\*[^\s,\]}]+", text)
    if match is None:
        return Location(path, 1, 1)
    start = match.start() + (0 if text[match.start()] == "*" else 1)
    line = text.count("\n", 0, start) + 1
    return Location(path, line, start - (text.rfind("\n", 0, start) + 1) + 1)


def load_text(text: str, path: str = "<yaml>") -> Any:
    """Parse YAML text with source locations; raise YamlSyntaxError with file:line:col."""
    if len(text) > MAX_BYTES:
        raise YamlSyntaxError(Location(path, 1, 1), f"fichier trop gros ({len(text)} caractères, "
                              f"{MAX_BYTES} au plus)")
    loader_cls = type("_Loader", (_LocatingLoader,), {"source_path": path})
    loader = loader_cls(text)
    try:
        data = loader.get_single_data()
        if "*" in text:
            _check_expansion(data)
        return data
    except _TooBig as exc:
        raise YamlSyntaxError(_first_alias(text, path), str(exc)) from None
    except RecursionError:
        raise YamlSyntaxError(Location(path, 1, 1), "document trop imbriqué") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark is not None and "end of stream" in (exc.problem or ""):
            mark = exc.context_mark  # an unclosed quote: point where it was opened
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "erreur de syntaxe"
        raise YamlSyntaxError(Location(path, line, col), _french_problem(problem)) from exc
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(Location(path, 1, 1), str(exc)) from exc
    finally:
        loader.dispose()


def load_file(path: str | Path) -> Any:
    path = Path(path)
    with open(path, "rb") as handle:
        data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise YamlSyntaxError(Location(str(path), 1, 1),
                              f"fichier trop gros (plus de {MAX_BYTES} octets)")
    return load_text(decode_utf8(data, str(path)), str(path))


def decode_utf8(data: bytes, path: str) -> str:
    """Text of a file, or a French error naming the line of the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise YamlSyntaxError(Location(path, line, col),
                              "le fichier n'est pas en UTF-8 (enregistrez-le en UTF-8)") from None


# Parser messages (pure-Python and libyaml wordings) in French, with how to fix.
_PROBLEMS_FR = {
    "mapping values are not allowed": (
        "« : » inattendu (une valeur contenant « : » doit être entre guillemets)"
    ),
    "could not find expected ':'": "« : » attendu après la clé",
    "found character '\\t' that cannot start any token": (
        "tabulation interdite : indentez avec des espaces"
    ),
    "found a tab character": "tabulation interdite : indentez avec des espaces",
    "expected <block end>, but found '-'": "élément de liste mal indenté",
    "did not find expected '-' indicator": "élément de liste mal indenté",
    "did not find expected key": "clé attendue : vérifiez l'indentation",
    "found undefined alias": "alias non défini",
    "did not find expected ',' or '}'": "« , » ou « } » attendu (accolade non fermée ?)",
    "did not find expected ',' or ']'": "« , » ou « ] » attendu (crochet non fermé ?)",
    "found unexpected end of stream": (
        "fin de fichier inattendue (guillemet ou crochet non fermé ?)"
    ),
    "found unknown escape character": "caractère d'échappement inconnu (doublez la barre \\)",
    "found unconstructable recursive node": "alias récursif (un bloc se contient lui-même)",
}


def _french_problem(problem: str) -> str:
    if "«" in problem:  # raised by our own constructors, already in French
        return problem
    for english, french in _PROBLEMS_FR.items():
        if problem.startswith(english):
            return french
    return f"erreur de syntaxe YAML ({problem})"


def locate(root: Any, path: Iterable[str | int]) -> Location | None:
    """Best location for a JSON-pointer-like path into a located document."""
    node, best = root, getattr(root, "loc", None)
    for part in path:
        if isinstance(node, LocDict) and isinstance(part, str) and part in node:
            best = node.value_locs.get(part, best)
            node = node[part]
        elif isinstance(node, LocList) and isinstance(part, int) and 0 <= part < len(node):
            best = node.item_locs[part]
            node = node[part]
        else:
            break
    return best
