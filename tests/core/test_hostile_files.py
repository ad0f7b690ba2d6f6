"""Questionnaires and answer files are untrusted: what a tester threw at them (issue 11).

Load = lint (what ``check`` rejects, the app refuses with the same message), bounded YAML (alias
bombs, size), numbers that are not numbers, control characters, unknown and duplicate keys, and one
French message style with documented exit codes: 0 ok, 1 refused input, 2 usage.
"""

from __future__ import annotations

import json
import shutil
import time

import pytest

from intake_assistant.cli import main
from intake_assistant.core.datadir import data_dir
from intake_assistant.core.findings import FindingsError
from intake_assistant.core.linter import load_questionnaire

from .conftest import FIXTURES

BROKEN = FIXTURES / "broken"
BOMB = """a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""
SMALL = """id: petit
title: Petit
audience: accueil
version: 1
sections:
  - id: s
    title: S
    questions:
      - id: nom
        text: Quel est votre nom ?
      - id: autres_personnes
        text: Combien d'autres personnes ?
"""


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- load = lint
@pytest.mark.parametrize("name", sorted(p.name for p in BROKEN.glob("*.yaml")))
def test_load_refuses_what_check_rejects_with_the_same_messages(name, capsys) -> None:
    path = BROKEN / name
    assert main(["check", str(path)]) == 1
    reported = [line for line in capsys.readouterr().out.splitlines() if " error " in line]
    with pytest.raises(FindingsError) as exc:
        load_questionnaire(path)
    assert [str(f) for f in exc.value.findings] == reported


@pytest.mark.parametrize("name", ["duplicate_id.yaml", "later_reference.yaml", "unreachable.yaml",
                                  "unknown_reference.yaml"])
def test_an_interview_on_a_broken_questionnaire_is_refused_before_any_question(
        name, tmp_path, capsys) -> None:
    answers = write(tmp_path, "a.yaml", "nom: Martin\n")
    assert main(["interview", str(BROKEN / name), "--answers", str(answers)]) == 1
    captured = capsys.readouterr()
    assert f"{BROKEN / name}:" in captured.err and "?" not in captured.out


def test_a_bad_template_is_refused_at_load_not_after_the_first_answer(tmp_path) -> None:
    path = write(tmp_path, "q.yaml", SMALL.replace("Combien d'autres personnes ?",
                                                   "Combien {nom + } ?"))
    with pytest.raises(FindingsError) as exc:
        load_questionnaire(path)
    (finding,) = exc.value.findings
    assert (finding.line, finding.code) == (12, "E-EXPR")


def test_a_look_alike_name_is_refused_with_did_you_mean(tmp_path) -> None:
    path = write(tmp_path, "q.yaml", SMALL + "        show_if: nomm == 'x'\n")
    with pytest.raises(FindingsError) as exc:
        load_questionnaire(path)
    assert "vouliez-vous dire « nom »" in exc.value.findings[0].message


def test_a_question_named_like_its_section_is_refused(tmp_path) -> None:
    path = write(tmp_path, "q.yaml", SMALL.replace("  - id: s\n", "  - id: nom\n"))
    with pytest.raises(FindingsError) as exc:
        load_questionnaire(path)
    assert [(f.line, f.code) for f in exc.value.findings] == [(9, "E-DUP")]


@pytest.mark.parametrize("expression", ["len(nom * 100000000000) > 3", "age(nom) > 18",
                                        "nom - 1 > 0", "nom + 1 == 2"])
def test_an_expression_that_can_only_fail_is_refused_at_lint(tmp_path, expression) -> None:
    path = write(tmp_path, "q.yaml", SMALL + f"        show_if: {expression}\n")
    with pytest.raises(FindingsError) as exc:
        load_questionnaire(path)
    (finding,) = exc.value.findings
    assert finding.code == "E-EXPR" and "échouerait pendant l'entretien" in finding.message


def test_a_run_time_expression_error_is_visible_never_a_silent_skip(tmp_path, capsys) -> None:
    # 100 / (autres_personnes - 2) fails only when the answer is 2: found at run time.
    path = write(tmp_path, "q.yaml", SMALL + """      - id: commune_residence
        text: Dans quelle commune ?
        show_if: 100 / (autres_personnes - 2) > 1
""")
    answers = write(tmp_path, "a.yaml", "nom: Martin\nautres_personnes: 2\n"
                                        "commune_residence: Reims\n")
    out = tmp_path / "d.json"
    assert main(["interview", str(path), "--answers", str(answers), "--output", str(out)]) == 1
    captured = capsys.readouterr()
    assert "Division par zéro" in captured.err and "Erreur dans le questionnaire" in captured.err
    assert "? Dans quelle commune ?" in captured.out  # asked, not skipped
    assert json.loads(out.read_text())["answers"]["commune_residence"] == "Reims"


def test_check_outside_the_data_folder_uses_the_shipped_names(tmp_path, capsys) -> None:
    copy = tmp_path / "copie"
    copy.mkdir()
    shutil.copy(data_dir() / "evaluation.yaml", copy / "evaluation.yaml")
    shutil.copy(data_dir() / "accueil_telephonique.yaml", tmp_path / "accueil.yaml")
    assert main(["check", str(copy / "evaluation.yaml"), str(tmp_path / "accueil.yaml")]) == 0
    assert capsys.readouterr().out == ""


# ----------------------------------------------------------------------------- bounded YAML
def test_an_alias_bomb_in_a_questionnaire_is_refused_fast(tmp_path, capsys) -> None:
    path = write(tmp_path, "q.yaml", SMALL.replace("title: Petit\n",
                                                   "title: Petit\ndescription: x\n") + BOMB)
    start = time.perf_counter()
    assert main(["check", str(path)]) == 1
    assert time.perf_counter() - start < 5
    out = capsys.readouterr().out
    assert f"{path}:15:" in out and "billion laughs" in out and "E-YAML" in out


@pytest.mark.parametrize("command", [["interview", "accueil_telephonique", "--answers"],
                                     ["orient"], ["simulate"]])
def test_an_alias_bomb_in_an_answer_file_is_refused_fast(command, tmp_path, capsys) -> None:
    path = write(tmp_path, "a.yaml", BOMB)
    start = time.perf_counter()
    assert main([*command, str(path)]) == 1
    assert time.perf_counter() - start < 5
    err = capsys.readouterr().err
    assert f"{path}:2:" in err and "billion laughs" in err


def test_a_recursive_alias_is_refused(tmp_path, capsys) -> None:
    path = write(tmp_path, "a.yaml", "nom: &x [*x]\n")
    assert main(["orient", str(path)]) == 1
    assert "alias récursif" in capsys.readouterr().err


def test_a_huge_file_is_refused_before_it_is_parsed(tmp_path, capsys) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(SMALL.replace("Quel est votre nom ?", "x" * 5_000_000))
    assert main(["check", str(path)]) == 1
    assert "fichier trop gros" in capsys.readouterr().out


def test_a_long_question_text_is_refused_at_its_line(tmp_path) -> None:
    path = write(tmp_path, "q.yaml", SMALL.replace("Quel est votre nom ?", "x" * 3000))
    with pytest.raises(FindingsError) as exc:
        load_questionnaire(path)
    (finding,) = exc.value.findings
    assert (finding.line, finding.code) == (10, "E-SCHEMA") and "2000 au plus" in finding.message


# ----------------------------------------------------------------------------- numbers
@pytest.mark.parametrize(
    ("value", "message"),
    [(".nan", "nombre non fini"), ("-.inf", "nombre non fini"), ("1.0e+309", "nombre non fini"),
     ("9" * 100, "trop long"), ("9" * 5000, "trop long")],
)
def test_numbers_that_are_not_numbers_are_refused_in_answer_files(value, message, tmp_path,
                                                                  capsys) -> None:
    path = write(tmp_path, "a.yaml", f"nom: Martin\ncout_projet: {value}\n")
    assert main(["interview", "accueil_telephonique", "--answers", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}:2:" in err and message in err and "Traceback" not in err


@pytest.mark.parametrize("text", ['{"cout_projet": NaN}', '{"cout_projet": Infinity}',
                                  '{"cout_projet": 1' + "0" * 5000 + "}"])
def test_json_non_numbers_are_refused(text, tmp_path, capsys) -> None:
    path = write(tmp_path, "a.json", text)
    assert main(["orient", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"{path}") and ("non fini" in err or "trop long" in err), err


def test_a_gigantic_amount_is_refused_by_name(tmp_path, capsys) -> None:
    path = write(tmp_path, "a.yaml", f"cout_projet: {10**25}\nmontant_demande: 500\n")
    assert main(["simulate", str(path)]) == 1
    err = capsys.readouterr().err
    assert "cout_projet" in err


# ----------------------------------------------------------------------------- answers
def test_control_characters_in_an_answer_are_refused_naming_the_question(tmp_path,
                                                                         capsys) -> None:
    path = write(tmp_path, "a.json", json.dumps({"nom": "Mar\u001b[2Jtin"}))
    assert main(["interview", "accueil_telephonique", "--answers", str(path)]) == 1
    err = capsys.readouterr().err
    assert "« nom »" in err and "U+001B" in err


def test_unknown_keys_are_named_with_did_you_mean(tmp_path, capsys) -> None:
    path = write(tmp_path, "a.yaml", "nom: Martin\nprenomm: Julie\nzzz: 1\n"
                                     "enfants: [{agee: 3}]\n")
    assert main(["interview", "accueil_telephonique", "--answers", str(path)]) == 1
    err = capsys.readouterr().err
    assert "« prenomm » (ligne 2) — vouliez-vous dire « prenom » ?" in err
    assert "« zzz » (ligne 3)" in err
    assert "enfants, élément 1 : Identifiant inconnu « agee »" in err
    assert "vouliez-vous dire « age » ?" in err


@pytest.mark.parametrize(("name", "text", "where"),
                         [("a.yaml", "nom: Martin\nnom: Dupont\n", ":2:"),
                          ("a.json", '{"nom": "Martin", "nom": "Dupont"}', "en double")])
def test_duplicate_keys_are_refused(name, text, where, tmp_path, capsys) -> None:
    path = write(tmp_path, name, text)
    assert main(["interview", "accueil_telephonique", "--answers", str(path)]) == 1
    err = capsys.readouterr().err
    assert where in err and "« nom »" in err


def test_malformed_yaml_answers_get_a_french_message(tmp_path, capsys) -> None:
    path = write(tmp_path, "a.yaml", "nom: [Martin\n")
    assert main(["interview", "accueil_telephonique", "--answers", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"Erreur : {path}:") and "crochet non fermé" in err


def test_non_utf8_answers_get_a_french_message(tmp_path, capsys) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes("nom: Martin\nprenom: Hélène\n".encode("latin-1"))
    assert main(["interview", "accueil_telephonique", "--answers", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}:2:" in err and "n'est pas en UTF-8" in err


@pytest.mark.parametrize("command", [["interview", "accueil_telephonique", "--answers", "a.yaml"],
                                     ["orient", "a.yaml"]])
def test_an_impossible_date_is_a_usage_error_in_french(command, capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main([*command, "--date", "2020-02-31"])
    assert exc.value.code == 2
    assert "date invalide « 2020-02-31 »" in capsys.readouterr().err


def test_exit_codes_are_documented_in_the_help(capsys) -> None:
    for command in ("check", "interview", "orient"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        assert "Code de sortie" in capsys.readouterr().out.replace("\n", " ").replace("  ", " ")
