"""Issue 16: a command imports only what it uses (`list --search` ≤ 0.3 s at 200,000 dossiers,
process start included), and the CLI reaches the reports through the application layer."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from intake_assistant.app import reporting
from intake_assistant.cli import COMMAND_MODULES, COMMANDS, build_parser
from intake_assistant.reports import commission, csv_excel, stats


def test_every_subcommand_is_mapped_to_the_module_that_registers_it() -> None:
    found: dict[str, str] = {}
    for module in COMMAND_MODULES:
        parser = build_parser([module])
        action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        found.update({name: module for name in action.choices})
    assert found == COMMANDS


def test_the_facade_names_the_reports_choices() -> None:
    assert reporting.EXPORT_FORMATS == commission.FORMATS
    assert reporting.STATS_TABLES == stats.TABLE_NAMES
    assert reporting.CSV_BOM == csv_excel.BOM


def _modules_loaded(args: list[str], tmp_path: Path) -> set[str]:
    code = ("import sys, json, runpy\n"
            f"sys.argv = ['intake-assistant', *{args!r}]\n"
            "try:\n    runpy.run_module('intake_assistant', run_name='__main__')\n"
            "except SystemExit:\n    pass\n"
            "sys.stderr.write('\\nMODULES ' + json.dumps(sorted(sys.modules)))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, env={"INTAKE_ASSISTANT_DB": str(tmp_path / "base"),
                                            "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    line = done.stderr.rsplit("MODULES ", 1)[-1]
    return set(json.loads(line))


def test_list_search_imports_neither_the_tui_nor_the_reports(tmp_path: Path) -> None:
    loaded = _modules_loaded(["list", "--search", "martin"], tmp_path)
    assert "intake_assistant.cli.dossiers" in loaded
    heavy = {m for m in loaded if m.split(".")[0] == "textual"
             or m.split(".")[0] == "jsonschema"  # ~0.1 s of imports: nothing is validated
             or m.startswith(("intake_assistant.reports", "intake_assistant.orientation",
                              "intake_assistant.tui", "intake_assistant.cli.reports",
                              "intake_assistant.app.privacy", "intake_assistant.core.loader"))}
    assert heavy == set()


def test_stats_with_its_data_files_known_valid_imports_no_jsonschema(tmp_path: Path) -> None:
    """The first run validates the data files (and the dictionary's JSON Schema fragments) and
    remembers them; the next ones, on the same files, need no jsonschema at all (~0.1 s)."""
    first = _modules_loaded(["stats", "--format", "json"], tmp_path)
    assert "jsonschema" in first  # nothing known yet: everything validated
    again = _modules_loaded(["stats", "--format", "json"], tmp_path)
    assert "intake_assistant.reports.stats" in again
    assert {m for m in again if m.split(".")[0] == "jsonschema"} == set()


def test_unknown_command_is_reported_with_the_full_list(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "intake_assistant", "lister"],
                          capture_output=True, text=True, timeout=120,
                          env={"INTAKE_ASSISTANT_DB": str(tmp_path / "base"),
                               "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 2
    assert "choix invalide" in done.stderr and "'list'" in done.stderr


def test_list_json_is_streamed_and_written_as_one_dump_would_be(tmp_path: Path, capsys,
                                                                monkeypatch) -> None:
    from intake_assistant.cli import main
    from intake_assistant.store import open_store
    from intake_assistant.store.tinydb import TinyDBStore

    store = open_store(tmp_path / "base")
    for name in ("Lefèvre", "Martin", "Le Gall"):
        store.create_dossier(agent="a", answers={"nom": name})
    expected = json.dumps([e.to_dict() for e in store.list()], ensure_ascii=False, indent=2)

    def whole_list(self, **filters):
        raise AssertionError("the JSON listing must not ask for the whole list at once")

    monkeypatch.setattr(TinyDBStore, "list", whole_list)
    assert main(["list", "--db", str(tmp_path / "base"), "--format", "json"]) == 0
    assert capsys.readouterr().out == expected + "\n"
    assert main(["list", "--db", str(tmp_path / "base"), "--format", "json",
                 "--search", "personne"]) == 0
    assert capsys.readouterr().out == "[]\n"


def test_the_tui_launch_path_imports_nothing_the_home_list_does_not_use(tmp_path: Path) -> None:
    """Launch → list ≤ 1.5× a bare Textual app (issue 16): the settings file's TOML parser (no
    file here), babel (dates need none), secrets/hashlib (tokens are os.urandom) and the data
    files' validation (~25 ms of imports in all) stay out of the path to the first list."""
    from intake_assistant.store import open_store

    db = tmp_path / "base"
    open_store(db).create_dossier(agent="a", answers={"nom": "Martin"})
    code = ("import sys, json\n"
            "from intake_assistant.cli import build_parser, COMMANDS, _apply_settings\n"
            "args = build_parser([COMMANDS['tui']]).parse_args(['tui', '--db', sys.argv[1]])\n"
            "assert _apply_settings(args)\n"
            "import intake_assistant.tui.app, intake_assistant.tui.screens.home\n"
            "from intake_assistant.app.signin import sign_in\n"
            "from intake_assistant.app.home import home_listing\n"
            "from intake_assistant.tui import text\n"
            "listing = home_listing(sign_in(args.db).store, search=None, status=None)\n"
            "assert [text.day(r.entry.updated_at) for r in listing.rows]\n"
            "print(json.dumps(sorted(sys.modules)))\n")
    done = subprocess.run([sys.executable, "-c", code, str(db)], capture_output=True, text=True,
                          timeout=120, check=True, env={"HOME": str(tmp_path),
                                                        "PATH": "/usr/bin:/bin"})
    loaded = set(json.loads(done.stdout))
    assert "intake_assistant.tui.screens.home" in loaded
    unused = {m for m in loaded if m.split(".")[0] in {
        "tomllib", "babel", "secrets", "hashlib", "hmac", "jsonschema", "yaml"}}
    assert unused == set()
