"""The settings file: effective values and their sources, French errors naming the line, the
questionnaires folder a CCAS keeps outside the package, `config` and `check` saying so."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from intake_assistant.app.settings import (
    SettingsError,
    automatic_ascii,
    key_lines,
    load_settings,
    settings_path,
)
from intake_assistant.cli import main
from intake_assistant.core.datadir import shipped_dir

GOOD = '''\
# Réglages du CCAS
store = "dossiers"

questionnaires = "~/ccas-questionnaires"

[ccas]
name = "CCAS de Reims"
address = """11 rue Voltaire
51100 Reims"""

[display]
theme = "nord"
mode = "ascii"

[keys]
"interview.unknown" = "f3, ctrl+z"
'''


def write(text: str) -> Path:
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_without_a_file_every_value_is_a_default() -> None:
    settings = load_settings(environ={"TERM": "xterm-256color", "LANG": "fr_FR.UTF-8"})
    assert not settings.exists
    assert settings.get("display.mode") == "unicode"
    assert settings.get("questionnaires") == str(shipped_dir())
    assert all(settings.where(name).startswith(("défaut", "automatique"))
               for name in settings.values)


def test_values_come_from_the_file_with_their_line() -> None:
    path = write(GOOD)
    settings = load_settings(environ={"LANG": "fr_FR.UTF-8"})
    assert settings.get("store") == str(path.parent / "dossiers")  # relative: beside the file
    assert settings.where("store") == f"fichier {path}:2"
    assert settings.get("questionnaires") == str(Path.home() / "ccas-questionnaires")
    assert settings.where("questionnaires") == f"fichier {path}:4"
    assert settings.get("ccas.address") == "11 rue Voltaire\n51100 Reims"
    assert settings.where("display.theme") == f"fichier {path}:12"
    assert settings.ascii
    assert settings.keys == {"interview.unknown": "f3, ctrl+z"}
    assert settings.key_source("interview.unknown") == f"fichier {path}:16"


def test_option_beats_environment_beats_file() -> None:
    write(GOOD)
    env = {"INTAKE_ASSISTANT_DB": "/srv/env", "INTAKE_ASSISTANT_THEME": "gruvbox",
           "LANG": "fr_FR.UTF-8"}
    settings = load_settings({"store": "/srv/option", "_flags": {"store": "--db"}}, environ=env)
    assert (settings.get("store"), settings.where("store")) == ("/srv/option", "option --db")
    assert (settings.get("display.theme"), settings.where("display.theme")) == (
        "gruvbox", "variable INTAKE_ASSISTANT_THEME")


@pytest.mark.parametrize(("text", "expected"), [
    ('[display]\ntheme = "nord"\ncolour = "red"\n',
     ":3: réglage « display.colour » : clé inconnue"),
    ('store = "x"\n\n[display]\nmode = "fancy"\n',
     ":4: réglage « display.mode » : valeur « fancy » non admise"),
    ('[ccas]\nname = 12\n', ":2: réglage « ccas.name » : un texte est attendu, pas « 12 »"),
    ('store = "x"\nquestionnaire = "y"\n', ":2: réglage « questionnaire » : clé inconnue"),
    ('[display]\ntheme = nord\n', ":2:9: valeur invalide"),
    ('store "x"\n', ":1:7: « = » attendu après la clé"),
])
def test_a_refused_file_names_the_line(text: str, expected: str) -> None:
    path = write(text)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert f"{path}{expected}" in str(caught.value)


def test_key_lines_skip_multiline_strings() -> None:
    text = 'a = """\nb = 1\n"""\n[t]\n"x.y" = 2\nc.d = 3\n'
    assert key_lines(text) == {("a",): 1, ("t",): 4, ("t", "x.y"): 5, ("t", "c", "d"): 6}


def test_automatic_plain_mode() -> None:
    assert automatic_ascii({"TERM": "linux", "LANG": "fr_FR.UTF-8"}) == "TERM=linux"
    assert automatic_ascii({"TERM": "xterm", "LANG": "fr_FR.ISO-8859-15"})
    assert automatic_ascii({"TERM": "xterm-256color", "LANG": "fr_FR.UTF-8"}) is None


def test_a_bad_keymap_is_refused_by_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    path = write('[keys]\n"interview.unknow" = "f3"\n"home.resume" = "ctrl+ù"\n')
    assert main(["check"]) == 1
    err = capsys.readouterr().err
    assert f"{path}:2: touches : action « interview.unknow » inconnue" in err
    assert f"{path}:3: touches : « ctrl+ù » n'est pas un nom de touche" in err
    assert main(["config"]) == 1


def test_an_unknown_theme_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    path = write('[display]\ntheme = "arc-en-ciel"\n')
    assert main(["config"]) == 1
    assert f"{path}:2: thème « arc-en-ciel » inconnu" in capsys.readouterr().err


def test_config_shows_each_source(capsys: pytest.CaptureFixture[str],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(GOOD)
    monkeypatch.setenv("INTAKE_ASSISTANT_CCAS_NAME", "CCAS d'Épernay")
    assert main(["config", "--theme", "monokai", "--touches"]) == 0
    out = capsys.readouterr().out
    assert f"Fichier de réglages : {path}\n" in out
    assert "CCAS d'Épernay\n" in out and "(ccas.name ; variable INTAKE_ASSISTANT_CCAS_NAME)" in out
    assert "(display.theme ; option --theme)" in out
    assert f"(store ; fichier {path}:2)" in out
    assert "11 rue Voltaire / 51100 Reims" in out
    assert "F3 / Ctrl+Z" in out and f"[interview.unknown]  ← fichier {path}:16" in out


def test_config_init_writes_a_valid_commented_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "--init"]) == 0
    assert settings_path().is_file()
    assert main(["config"]) == 0  # the model itself is accepted
    assert main(["config", "--init"]) == 0  # never overwritten
    assert "existe déjà" in capsys.readouterr().err


def test_the_ccas_own_questionnaires_are_used_and_shown(
        capsys: pytest.CaptureFixture[str]) -> None:
    own = settings_path().parent / "questionnaires"
    shutil.copytree(shipped_dir(), own)
    assert main(["check"]) == 0
    err = capsys.readouterr().err
    assert f"Questionnaires : {own} (dossier des réglages (copie du CCAS))" in err
    # Edited there, and the application follows it (here: broken, so refused).
    (own / "evaluation.yaml").write_text("title: [\n", encoding="utf-8")
    assert main(["check"]) == 1
    assert "evaluation.yaml" in capsys.readouterr().out


def test_the_questionnaires_folder_named_by_the_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "CCAS" / "questionnaires"
    shutil.copytree(shipped_dir(), folder)
    path = write(f'questionnaires = "{folder.as_posix()}"\n')
    assert main(["check"]) == 0
    assert f"Questionnaires : {folder} (fichier {path}:1)" in capsys.readouterr().err


def test_letters_and_pdfs_carry_the_ccas_name_and_address(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pypdf import PdfReader

    from intake_assistant.store.tinydb import TinyDBStore

    write('[ccas]\nname = "CCAS de Reims"\naddress = """11 rue Voltaire\n51100 Reims"""\n')
    store = TinyDBStore.open(tmp_path / "db")
    doc = store.create_dossier(agent="Nadia Benali", questionnaire="evaluation",
                               answers={"nom": "Martin", "prenom": "Julie"})
    assert main(["export", doc["id"], "--format", "md", "--db", str(store.root)]) == 0
    out = capsys.readouterr().out
    assert "*CCAS de Reims — unité aide au projet*" in out
    assert "11 rue Voltaire — 51100 Reims" in out
    pdf = tmp_path / "fiche.pdf"
    assert main(["export", doc["id"], "-o", str(pdf), "--db", str(store.root)]) == 0
    text = PdfReader(pdf).pages[0].extract_text()
    assert "CCAS de Reims" in text and "51100 Reims" in text


def test_the_ccas_header_is_ccas_yaml_where_the_settings_file_says_nothing() -> None:
    from intake_assistant.app import settings
    from intake_assistant.core.casework.settings import load_ccas

    shipped = load_ccas()
    settings.install(load_settings())  # no settings file
    assert settings.ccas_header() == shipped
    assert settings.issuer() == {"name": shipped.name, "address": "\n".join(shipped.address)}


def test_the_settings_file_name_and_address_win_in_letters_too() -> None:
    from intake_assistant.app import settings
    from intake_assistant.core.casework.settings import load_ccas

    write('[ccas]\nname = "CCAS de Reims"\naddress = """11 rue Voltaire\n51100 Reims"""\n')
    settings.install(load_settings())
    header = settings.ccas_header()
    assert header.name == "CCAS de Reims"
    assert header.address == ("11 rue Voltaire", "51100 Reims")
    assert header.signatory == load_ccas().signatory  # the rest still from ccas.yaml
