"""Load YAML safely while remembering where every mapping, list and key came from.

Authors edit questionnaires by hand, so every error must point at ``file:line:col``. The loader
builds ordinary dicts and lists (subclasses, so JSON Schema validation works on them) that carry the
1-based line and column of themselves and of each of their keys.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


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

    def construct_yaml_map(self, node: yaml.MappingNode):  # type: ignore[override]
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

    def construct_yaml_seq(self, node: yaml.SequenceNode):  # type: ignore[override]
        data = LocList()
        data.loc = _loc(self.source_path, node)
        data.item_locs = [_loc(self.source_path, child) for child in node.value]
        yield data
        data.extend(self.construct_object(child, deep=True) for child in node.value)

    def construct_yaml_timestamp(self, node: yaml.ScalarNode):  # type: ignore[override]
        # Keep dates as the ISO text the author wrote: answers store dates as strings.
        return self.construct_scalar(node)


_LocatingLoader.add_constructor("tag:yaml.org,2002:map", _LocatingLoader.construct_yaml_map)
_LocatingLoader.add_constructor("tag:yaml.org,2002:seq", _LocatingLoader.construct_yaml_seq)
_LocatingLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", _LocatingLoader.construct_yaml_timestamp
)


def load_text(text: str, path: str = "<yaml>") -> Any:
    """Parse YAML text with source locations; raise YamlSyntaxError with file:line:col."""
    loader_cls = type("_Loader", (_LocatingLoader,), {"source_path": path})
    loader = loader_cls(text)
    try:
        return loader.get_single_data()
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
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise YamlSyntaxError(Location(str(path), 1, 1), "le fichier n'est pas en UTF-8") from exc
    return load_text(text, str(path))


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
