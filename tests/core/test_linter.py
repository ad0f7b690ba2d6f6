"""The authoring linter: every broken fixture gives the right code at the right line."""

from __future__ import annotations

import pytest

from intake_assistant.cli import main
from intake_assistant.core.linter import lint_questionnaire

from .conftest import FIXTURES

BROKEN = FIXTURES / "broken"

CASES = [
    ("duplicate_id.yaml", "E-DUP", 11),
    ("unknown_reference.yaml", "E-REF", 13),
    ("cycle.yaml", "E-CYCLE", 6),
    ("unsafe_expression.yaml", "E-EXPR", 13),
    ("invalid_schema.yaml", "E-JSONSCHEMA", 12),
    ("yaml_syntax.yaml", "E-YAML", 10),
    ("later_reference.yaml", "E-ORDER", 11),
    ("unreachable.yaml", "E-UNREACHABLE", 13),
    ("unreachable.yaml", "E-UNREACHABLE", 16),
    ("unknown_key.yaml", "E-SCHEMA", 9),
    ("type_conflict.yaml", "E-TYPE", 9),
    ("type_conflict.yaml", "E-CHOICE", 16),  # at the choices themselves
]


@pytest.mark.parametrize(("filename", "code", "line"), CASES)
def test_each_broken_file_reports_its_code_at_its_line(filename, code, line, capsys) -> None:
    status = main(["check", str(BROKEN / filename)])
    out = capsys.readouterr().out.splitlines()
    assert status == 1
    expected_prefix = f"{BROKEN / filename}:{line}:"
    assert any(o.startswith(expected_prefix) and f"error {code}:" in o for o in out), out


def test_cycle_names_the_ids_in_it(capsys) -> None:
    main(["check", str(BROKEN / "cycle.yaml")])
    assert "a → b → a" in capsys.readouterr().out


def test_shipped_files_are_clean(capsys) -> None:
    assert main(["check"]) == 0
    assert capsys.readouterr().out == ""


def test_usage_error_exits_2() -> None:
    with pytest.raises(SystemExit) as exc:
        main(["check", "--nope"])
    assert exc.value.code == 2


def test_expression_offset_points_into_the_line() -> None:
    from intake_assistant.core.linter import LintContext

    findings = lint_questionnaire(BROKEN / "unsafe_expression.yaml", LintContext())
    (finding,) = [f for f in findings if f.code == "E-EXPR"]
    assert (finding.line, finding.col) == (13, 18)


def test_references_to_parameters_and_computed_values_are_known(tmp_path) -> None:
    from intake_assistant.core.fields import load_fields
    from intake_assistant.core.linter import LintContext

    source = """id: t
title: T
audience: accueil
version: 1
sections:
  - id: s
    title: S
    questions:
      - id: loyer
        text: "Loyer ? (plancher {rav.plancher_jour_uc}, UC {nb_uc})"
      - id: eau
        text: Eau ?
        show_if: reste_a_vivre < microcredit.montant_max
"""
    path = tmp_path / "t.yaml"
    path.write_text(source, encoding="utf-8")
    from intake_assistant.core.datadir import data_dir
    from intake_assistant.core.linter import context_for

    ctx = context_for(data_dir())
    assert lint_questionnaire(path, ctx) == []
    bare = LintContext(fields=load_fields())
    assert {f.code for f in lint_questionnaire(path, bare)} == {"E-REF"}


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("a: 1\n\tb: 2\n", 2, "tabulation interdite"),
        ("a: b: c\n", 1, "« : » inattendu"),
        ("id: x\nid: y\n", 2, "clé « id » en double"),
    ],
)
def test_yaml_syntax_errors_are_explained_in_french(tmp_path, capsys, text, line, message) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(text, encoding="utf-8")
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"{path}:{line}:") and "E-YAML" in out and message in out


def test_any_command_on_broken_policy_files_names_them_without_traceback(
    tmp_path, capsys, monkeypatch
) -> None:
    import shutil

    from intake_assistant.core.datadir import data_dir
    from intake_assistant.orientation import build

    broken = tmp_path / "q"
    shutil.copytree(data_dir(), broken)
    path = broken / "parametres.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "  rav.plancher_jour_uc:", "  rav.plancher_jour_ucx:"), encoding="utf-8")
    monkeypatch.setenv("INTAKE_ASSISTANT_DATA", str(broken))
    build.default_policy.cache_clear()
    try:
        assert main(["stats", "--db", str(tmp_path / "db")]) == 1
    finally:
        build.default_policy.cache_clear()
    err = capsys.readouterr().err
    import re

    assert re.search(r"aides\.yaml:\d+:\d+: error E-REF", err) and "intake-assistant check" in err


def test_broken_data_dictionary_is_one_finding(tmp_path, capsys) -> None:
    import shutil

    from intake_assistant.core.datadir import data_dir

    folder = tmp_path / "q"
    shutil.copytree(data_dir(), folder)
    (folder / "champs.yaml").write_text("version: 1\nchamps:\n  nom: {libelle: Nom\n")
    assert main(["check", str(folder)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [f"{folder / 'champs.yaml'}:4:1: error E-YAML: « , » ou « }} » attendu "
                   "(accolade non fermée ?)"]
