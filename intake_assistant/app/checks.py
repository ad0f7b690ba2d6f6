"""Checking the data files (``intake-assistant check``): each file by its kind, against the data
of its own folder (the shipped data for what it lacks). The loaders run the same checks, so what
this reports as an error the application refuses to load."""

from __future__ import annotations

from pathlib import Path

from intake_assistant.core.casework import letters
from intake_assistant.core.casework import settings as casework_settings
from intake_assistant.core.fields import lint_fields
from intake_assistant.core.findings import Finding, FindingsError, codes_text, finding
from intake_assistant.core.linter import context_for, lint_questionnaire
from intake_assistant.orientation.lint import lint_catalogue

POLICY_FILES = frozenset({"parametres.yaml", "aides.yaml", "calculs.yaml"})
CASEWORK_FILES = casework_settings.FILES

__all__ = ["POLICY_FILES", "codes_text", "lint_paths"]


def lint_paths(paths: list[Path]) -> list[Finding]:
    """Every finding of these files: data dictionary, policy files (once per folder) or
    questionnaires."""
    findings: list[Finding] = []
    policy_done: set[Path] = set()
    for path in paths:
        folder = path.parent
        if not path.exists():
            findings.append(finding(None, "file.missing", str(path)))
        elif path.name == "champs.yaml":
            findings += lint_fields(path)[1]
        elif path.name == "partenaires.yaml":
            findings += _lint_partners(path)
        elif path.name in CASEWORK_FILES or path.suffix == ".md":
            findings += _lint_casework(path)
        elif path.name in POLICY_FILES:
            if folder not in policy_done:
                policy_done.add(folder)
                findings += _lint_policy(folder)
        else:
            try:
                context = context_for(folder)
            except FindingsError as exc:  # the dictionary itself is broken: name it once
                findings += exc.findings
                continue
            findings += lint_questionnaire(path, context)
    return sorted(set(findings))


def _lint_policy(folder: Path) -> list[Finding]:
    try:
        context = context_for(folder)
    except FindingsError:
        return []  # the policy's names come from the dictionary: reported on champs.yaml
    known = set(context.fields) | context.computed
    return list(lint_catalogue(folder / "aides.yaml", folder / "parametres.yaml", known))


def _catalogue_aids(folder: Path) -> dict[str, str] | None:
    """Aid ids of the folder's catalogue (the shipped one when it has none), None if unreadable
    (the catalogue's own check reports it)."""
    from intake_assistant.core.yamlsource import YamlSyntaxError, load_file

    path = folder / "aides.yaml"
    if not path.exists():
        from intake_assistant.core.datadir import data_dir

        path = data_dir() / "aides.yaml"
    try:
        doc = load_file(path)
    except (OSError, YamlSyntaxError):
        return None
    aids = doc.get("aides") if isinstance(doc, dict) else None
    if not isinstance(aids, list):
        return None
    return {str(a.get("id")): str(a.get("kind")) for a in aids if isinstance(a, dict)}


def _project_types(folder: Path) -> frozenset[str] | None:
    path = folder / "champs.yaml"
    if not path.exists():
        from intake_assistant.core.datadir import data_dir

        path = data_dir() / "champs.yaml"
    fields, found = lint_fields(path)
    field = (fields or {}).get("type_projet")
    return frozenset(c.value for c in field.choices) if field else None


def _lint_casework(path: Path) -> list[Finding]:
    """commission.yaml (its aids in the catalogue), documents.yaml (its project types in the
    dictionary), ccas.yaml, and the letter templates (no unknown placeholder)."""
    folder = path.parent
    if path.suffix == ".md":
        return letters.read_template(path)[1]
    if path.name == casework_settings.COMMISSION_FILE:
        return casework_settings.read_commission(path, _catalogue_aids(folder))[1]
    if path.name == casework_settings.DOCUMENTS_FILE:
        return casework_settings.read_documents(path, _project_types(folder))[1]
    return casework_settings.read_ccas(path)[1]


def _lint_partners(path: Path) -> list[Finding]:
    """The partners list, its aids checked against the catalogue of its folder (else the
    shipped one)."""
    from intake_assistant.core.followup.partners import lint_partners

    return lint_partners(path, _aid_ids(path.parent))


def _aid_ids(folder: Path) -> set[str] | None:
    aids = _catalogue_aids(folder)
    return set(aids) if aids is not None else None
