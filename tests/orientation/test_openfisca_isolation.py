"""OpenFisca-France (AGPL) stays in its worker: no other module imports it, or the worker."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "intake_assistant"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
    return out


def test_only_the_worker_imports_openfisca():
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE).as_posix()
        modules = imported_modules(path)
        if relative.startswith("openfisca_worker/"):
            continue
        assert not any(m.split(".")[0] in ("openfisca_core", "openfisca_france")
                       for m in modules), relative
        assert not any(m.startswith("intake_assistant.openfisca_worker") for m in modules), \
            relative


def test_the_app_starts_without_loading_openfisca():
    code = ("import sys, intake_assistant.cli, intake_assistant.app.estimates, "
            "intake_assistant.tui.app; "
            "print(any(m.startswith('openfisca') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, cwd=PACKAGE.parent)
    assert out.stdout.strip() == "False", out.stderr
