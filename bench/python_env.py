"""The environment of a measured process: Python as on an installed machine.

An installed application has its bytecode: pip compiles it at install, and a checkout writes it
in ``__pycache__`` at its first run. A machine where ``PYTHONDONTWRITEBYTECODE`` is set (this
project's development and CI machines are) would make every measured start compile the source of
the ~200 modules it imports again — a cost no user pays twice — while the bare Textual app, whose
bytecode pip wrote, would not. So the harness compiles the package once and lets the measured
processes read that bytecode, subject and baseline alike.
"""

from __future__ import annotations

import compileall
import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def measured_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("INTAKE_ASSISTANT_DB", None)
    return env


def compile_package() -> None:
    """Bytecode of the package, as an installation has it (quick when it is up to date)."""
    compileall.compile_dir(REPO / "intake_assistant", quiet=1)
