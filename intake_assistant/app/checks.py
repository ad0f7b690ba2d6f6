"""Checking the data files (``intake-assistant check``): each file by its kind, against the data
of its own folder (the shipped data for what it lacks). The loaders run the same checks, so what
this reports as an error the application refuses to load."""

from __future__ import annotations

from pathlib import Path

from intake_assistant.core.fields import lint_fields
from intake_assistant.core.findings import Finding, FindingsError, codes_text, finding
from intake_assistant.core.linter import context_for, lint_questionnaire
from intake_assistant.orientation.lint import lint_catalogue

POLICY_FILES = frozenset({"parametres.yaml", "aides.yaml", "calculs.yaml"})

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


def _lint_partners(path: Path) -> list[Finding]:
    """The partners list, its aids checked against the catalogue of its folder (else the
    shipped one)."""
    from intake_assistant.core.followup.partners import lint_partners

    return lint_partners(path, _aid_ids(path.parent))


def _aid_ids(folder: Path) -> set[str] | None:
    from intake_assistant.core.datadir import data_dir
    from intake_assistant.core.yamlsource import YamlSyntaxError, load_file

    for candidate in (folder / "aides.yaml", data_dir() / "aides.yaml"):
        try:
            doc = load_file(candidate)
        except (OSError, YamlSyntaxError):
            continue
        aids = doc.get("aides") if isinstance(doc, dict) else None
        if isinstance(aids, list):
            return {str(a["id"]) for a in aids if isinstance(a, dict) and "id" in a}
    return None
