"""The wheel as a CCAS installs it: built, installed into a fresh virtual environment outside the
checkout, then run from there (version, check, the application on a real terminal).

Slow (about 30 s: a wheel build and an install with the dependencies) but part of the suite, so CI
runs it. Nothing of the checkout is reachable from the installed program: it runs from a temporary
folder, without PYTHONPATH, with its own config and data folders.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

import intake_assistant
from tests.platforms import POSIX_PTY

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _bin(env_dir: Path, name: str) -> Path:
    return env_dir / ("Scripts" if sys.platform == "win32" else "bin") / name


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Build the wheel, install it into a new venv; the program and an isolated environment."""
    base = tmp_path_factory.mktemp("installed")
    dist = base / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist),
                    str(ROOT)], check=True, cwd=base, timeout=300)
    wheels = list(dist.glob("intake_assistant-*.whl"))
    assert len(wheels) == 1, wheels
    env_dir = base / "venv"
    venv.create(env_dir, with_pip=True)
    subprocess.run([str(_bin(env_dir, "python")), "-m", "pip", "install", "-q", str(wheels[0])],
                   check=True, cwd=base, timeout=300)
    home = base / "home"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("INTAKE_ASSISTANT_", "PYTHON", "VIRTUAL_ENV", "XDG_"))}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / "config"),
               XDG_DATA_HOME=str(home / "data"), XDG_CACHE_HOME=str(home / "cache"),
               APPDATA=str(home / "appdata"), LOCALAPPDATA=str(home / "localappdata"),
               LANG="C.UTF-8", LC_ALL="C.UTF-8")
    return {"exe": _bin(env_dir, "intake-assistant"), "env": env, "cwd": base,
            "site": env_dir, "wheel": wheels[0]}


def _run(installed: dict[str, object], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(installed["exe"]), *args], capture_output=True, text=True,
                          env=installed["env"], cwd=installed["cwd"], timeout=120)  # type: ignore[arg-type]


def test_the_wheel_carries_the_data_files(installed: dict[str, object]) -> None:
    import zipfile

    names = set(zipfile.ZipFile(installed["wheel"]).namelist())  # type: ignore[arg-type]
    folder = ROOT / "questionnaires"
    shipped = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert shipped and {f"intake_assistant/_questionnaires/{n}" for n in shipped} <= names
    schemas = {p.name for p in (ROOT / "intake_assistant" / "schemas").glob("*.json")}
    assert {f"intake_assistant/schemas/{n}" for n in schemas} <= names


def test_version(installed: dict[str, object]) -> None:
    done = _run(installed, "--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"intake-assistant {intake_assistant.__version__}"


def test_check_finds_the_shipped_questionnaires(installed: dict[str, object]) -> None:
    done = _run(installed, "check")
    assert done.returncode == 0, done.stdout + done.stderr
    # Every data file: the YAML files and the letter templates.
    shipped = len(list((ROOT / "questionnaires").glob("*.yaml"))) + len(
        list((ROOT / "questionnaires" / "lettres").glob("*.md")))
    assert f"{shipped} fichier(s) vérifié(s) : 0 erreur(s)" in done.stderr
    # Which folder was checked: the installed copy, not the checkout.
    assert str(installed["site"]) in done.stderr and str(ROOT) not in done.stderr


@POSIX_PTY
def test_the_application_starts_on_a_terminal(installed: dict[str, object]) -> None:
    import getpass

    from tests.packaging.pty_screen import PtyScreen

    db = Path(str(installed["cwd"])) / "dossiers"
    # The OS account is registered as a reception agent (identity comes from the login).
    added = _run(installed, "agents", "add", getpass.getuser(), "--nom", "Agnès Durand",
                 "--role", "accueil", "--db", str(db))
    assert added.returncode == 0, added.stdout + added.stderr
    term = PtyScreen([str(installed["exe"]), "--db", str(db)], env=installed["env"],
                     cwd=installed["cwd"])  # type: ignore[arg-type]
    try:
        term.wait_for("Agent : Agnès Durand")  # the home screen, its agent recognised
        # The questionnaires were found: a new phone intake asks its first question.
        term.send("ctrl+n")
        term.wait_for("votre nom de famille")
    finally:
        status = term.close()
    assert status == 0, term.text()
