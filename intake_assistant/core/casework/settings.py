"""The CCAS's editable casework files, loaded and checked against their JSON Schema.

Each ``load_*`` raises ``FindingsError`` (file:line, in French) for a file that breaks its format,
and ``lint_*`` returns the same findings for ``intake-assistant check``: what check refuses, the
application refuses to load.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from intake_assistant.core.datadir import data_dir
from intake_assistant.core.findings import Finding, FindingsError, errors_of, finding
from intake_assistant.core.loader import schema_findings
from intake_assistant.core.yamlsource import YamlSyntaxError, load_file, locate

COMMISSION_FILE, DOCUMENTS_FILE, CCAS_FILE = "commission.yaml", "documents.yaml", "ccas.yaml"
LETTERS_DIR = "lettres"
FILES = frozenset({COMMISSION_FILE, DOCUMENTS_FILE, CCAS_FILE})


@dataclass(frozen=True)
class Reason:
    id: str
    label: str


@dataclass(frozen=True)
class CommissionSettings:
    aids: tuple[str, ...]  # catalogue ids the commission decides on, in display order
    place: str
    time: str
    refusal_reasons: tuple[Reason, ...]
    adjournment_reasons: tuple[Reason, ...]

    def reasons(self, decision: str) -> tuple[Reason, ...]:
        return self.refusal_reasons if decision == "refuse" else self.adjournment_reasons

    def reason_label(self, decision: str, reason_id: str) -> str | None:
        return next((r.label for r in self.reasons(decision) if r.id == reason_id), None)


@dataclass(frozen=True)
class ProjectDocuments:
    documents: tuple[str, ...]
    replaces: tuple[str, ...] = ()


@dataclass(frozen=True)
class DocumentSettings:
    common: tuple[str, ...] = ()
    equivalences: Mapping[str, str] = field(default_factory=dict)
    projects: Mapping[str, ProjectDocuments] = field(default_factory=dict)


@dataclass(frozen=True)
class CcasSettings:
    name: str
    service: str
    address: tuple[str, ...]
    phone: str
    email: str
    city: str
    signatory: str
    signatory_title: str
    bank_name: str
    bank_address: tuple[str, ...]


def _read(path: Path, schema: str) -> tuple[Any, list[Finding]]:
    try:
        doc = load_file(path)
    except FileNotFoundError:
        return None, [finding(None, "file.missing", str(path))]
    except OSError as exc:
        return None, [finding(None, "file.unreadable", str(path), reason=exc.strerror or exc)]
    except YamlSyntaxError as exc:
        return None, [finding(exc.location, "yaml.syntax", str(path), problem=exc.message)]
    if not isinstance(doc, dict):
        return None, [finding(getattr(doc, "loc", None), "schema.not_mapping", str(path))]
    return doc, schema_findings(doc, schema, str(path))


def _duplicates(doc: Any, key: str, path: str) -> list[Finding]:
    out, seen = [], set()
    for i, item in enumerate(doc.get(key) or ()):
        rid = item.get("id") if isinstance(item, dict) else None
        if rid in seen:
            out.append(finding(locate(doc, [key, i, "id"]), "schema.format", path,
                               where=f"{key}/{i}/id",
                               reason=f"motif « {rid} » en double (renommez l'un des deux)"))
        seen.add(rid)
    return out


# -- commission.yaml ------------------------------------------------------------------------
def read_commission(path: Path, catalogue_aids: Mapping[str, str] | None = None
                    ) -> tuple[CommissionSettings | None, list[Finding]]:
    """The settings and every finding; ``catalogue_aids`` (id -> kind) checks the aid ids."""
    doc, findings = _read(path, "commission")
    if doc is None or errors_of(findings):
        return None, findings
    findings += _duplicates(doc, "motifs_refus", str(path))
    findings += _duplicates(doc, "motifs_ajournement", str(path))
    if catalogue_aids is not None:
        for i, aid in enumerate(doc["aides"]):
            if aid not in catalogue_aids:
                findings.append(finding(locate(doc, ["aides", i]), "schema.format", str(path),
                                        where=f"aides/{i}",
                                        reason=f"aide « {aid} » absente du catalogue aides.yaml "
                                               "(corrigez l'identifiant)"))
    if errors_of(findings):
        return None, findings
    settings = CommissionSettings(
        tuple(doc["aides"]), str(doc.get("lieu") or "CCAS"), str(doc.get("heure") or "14:00"),
        tuple(Reason(r["id"], r["label"]) for r in doc["motifs_refus"]),
        tuple(Reason(r["id"], r["label"]) for r in doc["motifs_ajournement"]))
    return settings, findings


# -- documents.yaml -------------------------------------------------------------------------
def read_documents(path: Path, project_types: frozenset[str] | None = None
                   ) -> tuple[DocumentSettings | None, list[Finding]]:
    """``project_types``: the choices of type_projet (champs.yaml), to check the keys."""
    doc, findings = _read(path, "documents")
    if doc is None or errors_of(findings):
        return None, findings
    projects = doc.get("projets") or {}
    if project_types is not None:
        for key in projects:
            if key not in project_types:
                where = getattr(projects, "key_locs", {}).get(key)  # the key's own line
                findings.append(finding(where or locate(doc, ["projets", key]), "schema.format",
                                        str(path), where=f"projets/{key}",
                                        reason=f"type de projet « {key} » inconnu (types "
                                               f"possibles : {', '.join(sorted(project_types))})"))
    if errors_of(findings):
        return None, findings
    settings = DocumentSettings(
        tuple(doc.get("communes") or ()), dict(doc.get("equivalences") or {}),
        {k: ProjectDocuments(tuple(v["pieces"]), tuple(v.get("remplace") or ()))
         for k, v in projects.items()})
    return settings, findings


# -- ccas.yaml ------------------------------------------------------------------------------
def read_ccas(path: Path) -> tuple[CcasSettings | None, list[Finding]]:
    doc, findings = _read(path, "ccas")
    if doc is None or errors_of(findings):
        return None, findings
    bank = doc.get("banque") or {}
    return CcasSettings(
        doc["nom"], doc.get("service", ""), tuple(doc["adresse"]), doc.get("telephone", ""),
        doc.get("courriel", ""), doc["ville"], doc["signataire"]["nom"],
        doc["signataire"]["qualite"], bank.get("nom", ""), tuple(bank.get("adresse") or ()),
    ), findings


def _loaded(result: tuple[Any, list[Finding]]) -> Any:
    value, findings = result
    if value is None:
        raise FindingsError(errors_of(findings) or findings)
    return value


@lru_cache(maxsize=8)
def _cached(kind: str, path: Path, stamp: float, known: tuple[tuple[str, str], ...] | None
            ) -> Any:
    if kind == "commission":
        return _loaded(read_commission(path, dict(known) if known is not None else None))
    if kind == "documents":
        types = frozenset(k for k, _ in known) if known is not None else None
        return _loaded(read_documents(path, types))
    return _loaded(read_ccas(path))


def _path(name: str, folder: Path | None) -> Path:
    return (folder or data_dir()) / name


def _stamp(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return -1.0


def load_commission(folder: Path | None = None,
                    catalogue_aids: Mapping[str, str] | None = None) -> CommissionSettings:
    """commission.yaml of the data folder (re-read when the file changes); FindingsError when
    it breaks its format or names an aid absent from ``catalogue_aids`` (id -> kind)."""
    path = _path(COMMISSION_FILE, folder)
    known = tuple(sorted(catalogue_aids.items())) if catalogue_aids is not None else None
    return _cached("commission", path, _stamp(path), known)


def load_documents(folder: Path | None = None,
                   project_types: frozenset[str] | None = None) -> DocumentSettings:
    path = _path(DOCUMENTS_FILE, folder)
    known = tuple((t, "") for t in sorted(project_types)) if project_types is not None else None
    return _cached("documents", path, _stamp(path), known)


def load_ccas(folder: Path | None = None) -> CcasSettings:
    path = _path(CCAS_FILE, folder)
    return _cached("ccas", path, _stamp(path), None)


def letters_dir(folder: Path | None = None) -> Path:
    return (folder or data_dir()) / LETTERS_DIR
