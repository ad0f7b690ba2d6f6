"""The settings file (TOML, in the user config folder) and where each effective setting comes from.

Precedence, for each setting: a command-line option, then an environment variable, then the
settings file, then the default. The file is validated by ``schemas/settings.schema.json``; its
errors name the line (tomllib gives no positions, so keys are mapped to lines by a small scan of
the text, enough for the flat files people write by hand).
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs

from intake_assistant.core import datadir

if TYPE_CHECKING:
    import tomllib

    from intake_assistant.core.casework.settings import CcasSettings

APP_NAME = "intake-assistant"
FILE_NAME = "config.toml"
ENV_FILE = "INTAKE_ASSISTANT_CONFIG"
MAX_BYTES = 64 * 1024  # a settings file is a few lines; anything bigger is not one
DISPLAY_MODES = ("auto", "unicode", "ascii")
DEFAULT_THEME = "textual-dark"

# Setting -> environment variable (None: only the file and the options set it).
ENV = {
    "store": "INTAKE_ASSISTANT_DB",
    "questionnaires": datadir.ENV_VAR,
    "ccas.name": "INTAKE_ASSISTANT_CCAS_NAME",
    "ccas.address": "INTAKE_ASSISTANT_CCAS_ADDRESS",
    "display.theme": "INTAKE_ASSISTANT_THEME",
    "display.mode": "INTAKE_ASSISTANT_DISPLAY",
}
LABELS = {
    "store": "magasin de dossiers",
    "questionnaires": "dossier des questionnaires",
    "ccas.name": "nom du CCAS (courriers, PDF)",
    "ccas.address": "adresse du CCAS (courriers, PDF)",
    "display.theme": "thème",
    "display.mode": "mode d'affichage",
}

SAMPLE = '''\
# Réglages d'intake-assistant. Une clé absente garde sa valeur par défaut ;
# `intake-assistant config` montre les réglages en vigueur et d'où vient chacun.

# store = "D:/CCAS/dossiers"                 # ou "postgresql://agent@serveur/ccas"
# questionnaires = "D:/CCAS/questionnaires"  # la copie modifiée par le CCAS

[ccas]
# name = "CCAS de Reims"
# address = """11 rue Voltaire
# 51100 Reims"""

[display]
# theme = "textual-dark"      # ou textual-light, nord, gruvbox…
# mode = "auto"               # auto, unicode ou ascii (sans ▶ ✔ ni blocs)

[keys]
# "interview.unknown" = "f3, ctrl+z"
'''


class SettingsError(ValueError):
    """A settings file that cannot be used: every message names the file and the line."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class Value:
    value: Any
    source: str  # "option --db", "variable INTAKE_ASSISTANT_DB", "fichier …:3", "défaut"


@dataclass(frozen=True)
class Settings:
    path: Path
    exists: bool
    values: Mapping[str, Value]
    keys: Mapping[str, str] = field(default_factory=dict)  # action id -> "f3, ctrl+z"
    key_lines: Mapping[str, int] = field(default_factory=dict)

    def get(self, name: str) -> Any:
        return self.values[name].value

    def where(self, name: str) -> str:
        return self.values[name].source

    @property
    def ascii(self) -> bool:
        return self.get("display.mode") == "ascii"

    def key_source(self, action: str) -> str:
        line = self.key_lines.get(action)
        return f"fichier {self.path}:{line}" if line else f"fichier {self.path}"


def settings_path() -> Path:
    env = os.environ.get(ENV_FILE)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / FILE_NAME


def own_questionnaires_dir() -> Path:
    """The CCAS's edited copy, when it is kept in the settings folder (used if it exists)."""
    return settings_path().parent / "questionnaires"


# ----------------------------------------------------------------------------- reading the file
_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"""^\s*((?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+)(?:\s*\.\s*(?:"[^"]*"|'[^']*'|"""
                  r"""[A-Za-z0-9_-]+))*)\s*=""")
_PART = re.compile(r""""([^"]*)"|'([^']*)'|([A-Za-z0-9_-]+)""")


def _parts(dotted: str) -> list[str]:
    return [a or b or c for a, b, c in _PART.findall(dotted)]


def key_lines(text: str) -> dict[tuple[str, ...], int]:
    """Line (1-based) of each key path, tables included; lines inside multi-line strings skipped."""
    out: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    open_quote: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if open_quote is not None:
            if line.count(open_quote) % 2:
                open_quote = None
            continue
        header = _HEADER.match(line)
        if header:
            table = tuple(_parts(header.group(1)))
            out.setdefault(table, number)
            continue
        key = _KEY.match(line)
        if key:
            out.setdefault((*table, *_parts(key.group(1))), number)
            rest = line[key.end():]
            for quote in ('"""', "'''"):
                if rest.count(quote) % 2:
                    open_quote = quote
    return out


def _line_of(lines: Mapping[tuple[str, ...], int], path: tuple[str, ...]) -> int | None:
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return None


_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_TOML_FR = {
    "Expected '=' after a key in a key/value pair": "« = » attendu après la clé",
    "Invalid value": "valeur invalide (un texte s'écrit entre guillemets)",
    "Cannot overwrite a value": "clé donnée deux fois",
    "Cannot declare": "table déclarée deux fois",
    "Unterminated string": "guillemet fermant manquant",
    "Invalid statement": "ligne incomprise (attendu : clé = valeur, ou [table])",
    "Illegal character": "caractère interdit",
}


def _toml_error(path: Path, exc: tomllib.TOMLDecodeError) -> str:
    raw = str(exc)
    where = _TOML_POSITION.search(raw)
    detail = _TOML_POSITION.sub("", raw)
    french = next((fr for en, fr in _TOML_FR.items() if detail.startswith(en)), None)
    text = french or f"syntaxe TOML invalide ({detail})"
    if where:
        return f"{path}:{where.group(1)}:{where.group(2)}: {text}"
    return f"{path}: {text}"


def read_file(path: Path) -> tuple[dict[str, Any], dict[tuple[str, ...], int]]:
    """The parsed and validated file (empty when absent) and the line of each key."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        return {}, {}
    except OSError as exc:
        raise SettingsError([f"{path}: fichier de réglages illisible ({exc.strerror})"]) from exc
    if len(data) > MAX_BYTES:
        raise SettingsError([f"{path}: fichier trop gros pour des réglages "
                             f"({MAX_BYTES // 1024} Kio au plus)"])
    try:
        text = data.decode("utf-8-sig")  # Windows' Notepad may add a BOM
    except UnicodeDecodeError as exc:
        raise SettingsError([f"{path}: le fichier doit être enregistré en UTF-8"]) from exc
    import tomllib  # here: most starts have no settings file (its regexes cost ~10 ms to import)

    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError([_toml_error(path, exc)]) from exc
    errors = sorted(_validator().iter_errors(doc), key=lambda e: list(e.path))
    if not errors:
        return doc, key_lines(text)
    # The French wording of the data files' schemas (imported only when something is wrong).
    from intake_assistant.core.loader import schema_message

    lines = key_lines(text)
    messages = []
    for err in errors:
        place = tuple(str(p) for p in err.absolute_path)
        if err.validator == "additionalProperties":  # the unknown key's own line
            extra = sorted(set(err.instance) - set(err.schema.get("properties", {})))
            place = (*place, extra[0]) if extra else place
        line = _line_of(lines, place)
        name = ".".join(place) or "(racine)"
        messages.append(f"{path}:{line or 1}: réglage « {name} » : {schema_message(err)}")
    raise SettingsError(messages)


@lru_cache(maxsize=1)
def _validator() -> Any:
    """The settings schema alone (jsonschema, not the questionnaire loader): every command
    reads the settings, and `list` must start fast."""
    from importlib import resources

    from jsonschema import Draft202012Validator

    text = resources.files("intake_assistant.schemas").joinpath("settings.schema.json")
    return Draft202012Validator(json.loads(text.read_text(encoding="utf-8")))


# ----------------------------------------------------------------------------- effective values
def _from_file(doc: Mapping[str, Any], name: str) -> Any:
    node: Any = doc
    for part in name.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def automatic_ascii(environ: Mapping[str, str] | None = None) -> str | None:
    """Why plain mode is needed on this terminal, or None: the Linux console, a locale without
    UTF-8, the legacy Windows console (not Windows Terminal, not VS Code)."""
    env = os.environ if environ is None else environ
    if env.get("TERM") == "linux":
        return "TERM=linux"
    locale = env.get("LC_ALL") or env.get("LC_CTYPE") or env.get("LANG") or ""
    if sys.platform != "win32" and locale and not re.search(r"utf-?8", locale, re.IGNORECASE):
        return f"langue sans UTF-8 ({locale})"
    if sys.platform == "win32" and not (env.get("WT_SESSION") or env.get("TERM_PROGRAM")):
        return "console Windows classique"
    return None


def load_settings(options: Mapping[str, Any] | None = None,
                  environ: Mapping[str, str] | None = None,
                  path: Path | None = None) -> Settings:
    """Effective settings. ``options``: the command line's values by setting name (None: not
    given), with ``_flags`` naming the option for each (``{"store": "--db"}``)."""
    env = os.environ if environ is None else environ
    options = dict(options or {})
    flags = options.pop("_flags", {})
    path = path or settings_path()
    doc, lines = read_file(path)
    values: dict[str, Value] = {}
    for name in LABELS:
        option = options.get(name)
        file_value = _from_file(doc, name)
        variable = ENV.get(name)
        if option not in (None, ""):
            values[name] = Value(option, f"option {flags.get(name, name)}")
        elif variable and env.get(variable):
            values[name] = Value(env[variable], f"variable {variable}")
        elif file_value is not None:
            line = _line_of(lines, tuple(name.split(".")))
            if name in ("store", "questionnaires"):
                file_value = _beside(path, file_value)
            values[name] = Value(file_value, f"fichier {path}:{line}")
        else:
            values[name] = _default(name)
    mode = values["display.mode"]
    if mode.value not in DISPLAY_MODES:
        raise SettingsError([f"{mode.source} : mode d'affichage « {mode.value} » inconnu "
                             f"(valeurs possibles : {', '.join(DISPLAY_MODES)})"])
    if mode.value == "auto":
        reason = automatic_ascii(env)
        values["display.mode"] = Value("ascii" if reason else "unicode",
                                       f"automatique ({reason})" if reason
                                       else "automatique (terminal Unicode)")
    keys = dict(doc.get("keys") or {})
    key_line = {action: _line_of(lines, ("keys", action)) or 1 for action in keys}
    return Settings(path=path, exists=path.exists(), values=values, keys=keys,
                    key_lines=key_line)


def _beside(settings_file: Path, value: str) -> str:
    """A folder written in the file: ``~`` expanded, a relative one taken from the file's folder
    (a URL is left as it is)."""
    if "://" in value:
        return value
    folder = Path(value).expanduser()
    return str(folder if folder.is_absolute() else settings_file.parent / folder)


def _default(name: str) -> Value:
    if name == "store":
        # The store's own default (store/location.py), without importing the store at start-up.
        folder = platformdirs.user_data_dir(APP_NAME, appauthor=False)
        return Value(folder, "défaut (dossier de données de l'utilisateur)")
    if name == "questionnaires":
        own = own_questionnaires_dir()
        if own.is_dir():
            return Value(str(own), "dossier des réglages (copie du CCAS)")
        return Value(str(datadir.shipped_dir()), "défaut (questionnaires livrés)")
    if name in ("ccas.name", "ccas.address"):  # shown from ccas.yaml by `config`
        return Value("", "défaut : ccas.yaml du dossier des questionnaires")
    if name == "display.theme":
        return Value(DEFAULT_THEME, "défaut")
    return Value("auto", "défaut")


# ----------------------------------------------------------------------------- in force
_current: Settings | None = None


def install(settings: Settings) -> None:
    """Make these the settings of the process: the questionnaires folder is handed to the core
    (the environment variable, read by the core itself, still wins)."""
    global _current
    _current = settings
    chosen = settings.values["questionnaires"]
    if chosen.source.startswith("variable"):
        datadir.use_folder(None)
    elif chosen.source.startswith("défaut (questionnaires livrés)"):
        datadir.use_folder(None)
    else:
        datadir.use_folder(Path(chosen.value), chosen.source)


def current() -> Settings:
    """The settings installed by the command line, else the file's (read once)."""
    global _current
    if _current is None:
        _current = load_settings()
    return _current


def ccas_header() -> CcasSettings:
    """The CCAS as letters and PDFs name it: `ccas.yaml` of the questionnaires folder (name,
    service, address, signatory, bank), where the settings file's ``[ccas]`` name and address,
    when set (file or environment), win: one place for an IT department to set them."""
    from dataclasses import replace

    from intake_assistant.core.casework.settings import load_ccas

    base = load_ccas()
    settings = current()
    changes: dict[str, Any] = {}
    if not settings.where("ccas.name").startswith("défaut"):
        changes["name"] = str(settings.get("ccas.name"))
    if not settings.where("ccas.address").startswith("défaut"):
        lines = str(settings.get("ccas.address")).splitlines()
        changes["address"] = tuple(line.strip() for line in lines if line.strip())
    return replace(base, **changes) if changes else base


def issuer() -> dict[str, str]:
    """Who signs the commission summary: the CCAS's name and address (see `ccas_header`)."""
    header = ccas_header()
    return {"name": header.name, "address": "\n".join(header.address)}


def in_use() -> tuple[str, str, str, bool]:
    """For the help screen: the questionnaires folder and where it comes from, the settings
    file, and whether that file remaps keys."""
    folder = datadir.data_folder()
    settings = _current
    path = settings.path if settings is not None else settings_path()
    exists = settings.exists if settings is not None else path.exists()
    shown = str(path) if exists else f"{path} (absent : valeurs par défaut)"
    return str(folder.path), folder.source, shown, bool(settings and settings.keys)


def ccas_defaults() -> dict[str, str]:
    """Name and address as ``ccas.yaml`` gives them (the default of the CCAS settings), if it is
    readable: what `config` shows when the settings leave them out."""
    from intake_assistant.core.casework.settings import load_ccas
    from intake_assistant.core.findings import FindingsError

    try:
        header = load_ccas()
    except (FindingsError, OSError):
        return {}
    return {"ccas.name": header.name, "ccas.address": "\n".join(header.address)}
