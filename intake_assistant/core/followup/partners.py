"""The partners list the CCAS edits (``partenaires.yaml``): banks, bodies and associations a
dossier's requests go to, with their contact details and the aids each one handles.

Loading is linting: the file is checked against ``schemas/partenaires.schema.json`` and every
aid it names must be in the catalogue (``aides.yaml``); what ``intake-assistant check`` rejects,
``load_partners`` refuses (``FindingsError``, each problem at file:line:col).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from intake_assistant.core.findings import Finding, FindingsError, errors_of, finding
from intake_assistant.core.loader import schema_findings
from intake_assistant.core.yamlsource import LocDict, YamlSyntaxError, load_file

FILE_NAME = "partenaires.yaml"
KINDS = {"banque": "banque", "organisme": "organisme public", "association": "association",
         "service": "service social"}


@dataclass(frozen=True)
class Contact:
    interlocuteur: str = ""
    telephone: str = ""
    courriel: str = ""
    adresse: str = ""

    def lines(self) -> list[str]:
        return [text for text in (self.interlocuteur, self.adresse, self.telephone,
                                  self.courriel) if text]


@dataclass(frozen=True)
class Partner:
    id: str
    nom: str
    kind: str
    aides: tuple[str, ...] = ()
    contact: Contact = field(default_factory=Contact)
    criteres: str = ""
    pieces: tuple[str, ...] = ()  # what the partner asks to receive
    delai_annonce_jours: int | None = None  # the answer delay the partner commits to
    actif: bool = True

    @property
    def is_bank(self) -> bool:
        return self.kind == "banque"


@dataclass(frozen=True)
class Partners:
    by_id: Mapping[str, Partner]
    path: str

    def get(self, partner_id: str) -> Partner:
        try:
            return self.by_id[partner_id]
        except KeyError:
            known = ", ".join(sorted(self.by_id)) or "aucun"
            raise ValueError(
                f"Partenaire inconnu : « {partner_id} » (partenaires de {self.path} : {known})."
            ) from None

    def active(self, *, aid: str | None = None, banks: bool | None = None) -> list[Partner]:
        """Active partners, by name; only those handling ``aid`` and/or only banks."""
        out = [p for p in self.by_id.values() if p.actif
               and (aid is None or aid in p.aides)
               and (banks is None or p.is_bank == banks)]
        return sorted(out, key=lambda p: p.nom.casefold())

    def name(self, partner_id: str) -> str:
        """The partner's name, or its id when it was removed from the list since."""
        partner = self.by_id.get(partner_id)
        return partner.nom if partner else partner_id


def lint_partners(path: str | Path, known_aids: Collection[str] | None = None) -> list[Finding]:
    """Every problem of the partners file (syntax, format, unknown aids)."""
    return _read(Path(path), known_aids)[1]


def load_partners(path: str | Path, known_aids: Collection[str] | None = None) -> Partners:
    partners, findings = _read(Path(path), known_aids)
    errors = errors_of(findings)
    if errors or partners is None:
        raise FindingsError(errors or findings)
    return partners


def _read(path: Path, known_aids: Collection[str] | None
          ) -> tuple[Partners | None, list[Finding]]:
    try:
        doc = load_file(path)
    except FileNotFoundError:
        return None, [finding(None, "file.missing", str(path))]
    except YamlSyntaxError as exc:
        return None, [finding(exc.location, "yaml.syntax", str(path), problem=exc.message)]
    except OSError as exc:
        return None, [finding(None, "file.unreadable", str(path), reason=exc.strerror)]
    if not isinstance(doc, Mapping):
        return None, [finding(None, "schema.not_mapping", str(path))]
    findings = schema_findings(doc, "partenaires", str(path))
    if findings:
        return None, findings
    block: Any = doc["partenaires"]
    out: dict[str, Partner] = {}
    for pid, spec in block.items():
        for i, aid in enumerate(spec.get("aides") or ()):
            if known_aids is not None and aid not in known_aids:
                items = getattr(spec["aides"], "item_locs", None)
                loc = items[i] if items and i < len(items) else _loc(spec, "aides")
                findings.append(finding(loc, "partner.aid", str(path),
                                        id=pid, aid=aid,
                                        known=", ".join(sorted(known_aids))))
        contact = spec.get("contact") or {}
        out[pid] = Partner(
            id=pid, nom=spec["nom"], kind=spec["type"], aides=tuple(spec.get("aides") or ()),
            contact=Contact(**{k: str(v) for k, v in contact.items()}),
            criteres=str(spec.get("criteres") or ""), pieces=tuple(spec.get("pieces") or ()),
            delai_annonce_jours=spec.get("delai_annonce_jours"),
            actif=bool(spec.get("actif", True)))
    return Partners(out, str(path)), findings


def _loc(node: Any, key: str) -> Any:
    return node.key_locs.get(key) if isinstance(node, LocDict) else getattr(node, "loc", None)
