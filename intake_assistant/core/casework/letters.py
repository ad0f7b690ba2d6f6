"""Letter templates the CCAS edits: Markdown with ``{{ placeholders }}`` and a YAML header.

A template file (``questionnaires/lettres/<id>.md``)::

    ---
    titre: Convocation à un entretien
    destinataire: personne          # or banque
    objet: "Rendez-vous du {{ rendez_vous.date }}"
    requiert: [rendez_vous]         # what the letter needs (see REQUIREMENTS)
    ---
    Madame, Monsieur, … {{ personne.nom_complet }} …

Only the placeholders of ``PLACEHOLDERS`` exist: ``intake-assistant check`` names any other one at
its line and column. A list placeholder alone on its line becomes a bulleted list; inline, its
items are joined with commas. A placeholder alone on its line that is empty removes the line, and
so does an empty one in a list item (« - conditions : {{ decision.conditions }} »).
Values are escaped, so a name can never add Markdown of its own. Nothing is evaluated.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from intake_assistant.core.findings import Finding, errors_of, finding
from intake_assistant.core.loader import schema_findings
from intake_assistant.core.yamlsource import Location, YamlSyntaxError, decode_utf8, load_text

MAX_BYTES = 64 * 1024
PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
Value = str | list[str]

# name -> (list-valued, what it is). The letters' whole vocabulary.
PLACEHOLDERS: dict[str, tuple[bool, str]] = {
    "date_du_jour": (False, "date du courrier"),
    "ccas.nom": (False, "nom du CCAS (ccas.yaml)"),
    "ccas.service": (False, "service"),
    "ccas.telephone": (False, "téléphone du service"),
    "ccas.courriel": (False, "courriel du service"),
    "ccas.ville": (False, "ville du CCAS"),
    "ccas.signataire": (False, "nom de la personne qui signe"),
    "ccas.qualite": (False, "qualité de la personne qui signe"),
    "banque.nom": (False, "banque partenaire"),
    "personne.nom": (False, "nom de la personne"),
    "personne.prenom": (False, "prénom"),
    "personne.nom_complet": (False, "prénom et nom"),
    "personne.commune": (False, "commune de résidence"),
    "dossier.numero": (False, "numéro du dossier"),
    "referent.nom": (False, "travailleur social référent (ou agent en charge)"),
    "projet.type": (False, "type de projet"),
    "projet.montant_demande": (False, "montant demandé"),
    "projet.cout": (False, "coût du projet"),
    "rendez_vous.date": (False, "date du rendez-vous"),
    "rendez_vous.heure": (False, "heure du rendez-vous"),
    "rendez_vous.lieu": (False, "lieu du rendez-vous"),
    "seance.date": (False, "date de la séance de la commission (date de la décision)"),
    "seance.lieu": (False, "lieu de la séance"),
    "pieces.a_fournir": (True, "pièces demandées (toutes, sauf sans objet)"),
    "pieces.manquantes": (True, "pièces demandées pas encore reçues"),
    "decision.aides_accordees": (True, "aides accordées : montant, durée, mensualité"),
    "decision.aides_refusees": (True, "aides refusées, avec le motif"),
    "decision.aides_ajournees": (True, "aides ajournées, avec le motif"),
    "decision.total_accorde": (False, "total accordé"),
    "decision.conditions": (False, "conditions posées par la commission"),
    "microcredit.montant": (False, "montant du microcrédit accordé"),
    "microcredit.duree": (False, "durée du microcrédit"),
    "microcredit.taux": (False, "taux annuel"),
    "microcredit.mensualite": (False, "mensualité"),
}
REQUIREMENTS = {
    "rendez_vous": "une date de rendez-vous",
    "seance": "une séance de la commission",
    "decision_accord": "une aide accordée par la commission",
    "decision_refus": "une aide refusée par la commission",
    "decision_ajournement": "une aide ajournée par la commission",
    "microcredit_accorde": "un microcrédit accordé par la commission",
}
# Letters that say what the commission decided: written by those who may record decisions.
DECISION_REQUIREMENTS = frozenset({"decision_accord", "decision_refus", "decision_ajournement",
                                   "microcredit_accorde"})
EMPTY_LIST = {"pieces.manquantes": "aucune pièce ne manque", "pieces.a_fournir": "aucune"}


@dataclass(frozen=True)
class Template:
    id: str
    title: str
    recipient: str  # personne | banque
    subject: str
    requires: tuple[str, ...]
    body: str
    path: str

    @property
    def about_decision(self) -> bool:
        return bool(DECISION_REQUIREMENTS & set(self.requires))


def _split(text: str, path: str) -> tuple[str, str, int] | Finding:
    """(front matter, body, first line of the body)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return finding(Location(path, 1, 1), "schema.format", path, where="(en-tête)",
                       reason="le modèle doit commencer par un en-tête entre deux lignes "
                              "« --- » (titre, destinataire, objet)")
    for i in range(1, len(lines)):
        if lines[i].strip() == "---":
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1:]), i + 2
    return finding(Location(path, 1, 1), "schema.format", path, where="(en-tête)",
                   reason="en-tête non fermé (ajoutez une ligne « --- » après l'en-tête)")


def _unknown(text: str, path: str, first_line: int, where: str) -> list[Finding]:
    out = []
    for lineno, line in enumerate(text.split("\n"), first_line):
        for match in PLACEHOLDER.finditer(line):
            name = match.group(1)
            if name not in PLACEHOLDERS:
                close = [p for p in PLACEHOLDERS if p.split(".")[-1] == name.split(".")[-1]]
                hint = f" ; vouliez-vous dire « {close[0]} » ?" if close else ""
                out.append(finding(Location(path, lineno, match.start() + 1), "schema.format",
                                   path, where=where,
                                   reason=f"champ inconnu « {{{{ {name} }}}} »{hint} (champs "
                                          "possibles : intake-assistant letter --champs)"))
        rest = PLACEHOLDER.sub("", line)
        if "{{" in rest or "}}" in rest:
            out.append(finding(Location(path, lineno, 1), "schema.format", path, where=where,
                               reason="accolades {{ … }} mal fermées"))
    return out


def parse_template(data: bytes, path: str, template_id: str) -> tuple[Template | None,
                                                                         list[Finding]]:
    if len(data) > MAX_BYTES:
        return None, [finding(Location(path, 1, 1), "file.unreadable", path,
                              reason=f"modèle trop gros (plus de {MAX_BYTES} octets)")]
    try:
        text = decode_utf8(data, path)
    except YamlSyntaxError as exc:
        return None, [finding(exc.location, "yaml.syntax", path, problem=exc.message)]
    parts = _split(text.replace("\r\n", "\n"), path)
    if isinstance(parts, Finding):
        return None, [parts]
    head, body, body_line = parts
    try:
        meta = load_text(head, path)
    except YamlSyntaxError as exc:
        loc = Location(path, exc.location.line + 1, exc.location.col)
        return None, [finding(loc, "yaml.syntax", path, problem=exc.message)]
    if not isinstance(meta, dict):
        return None, [finding(Location(path, 2, 1), "schema.not_mapping", path)]
    findings = [Finding(f.path, f.line + 1, f.col, f.severity, f.code, f.message)
                for f in schema_findings(meta, "lettre", path)]  # +1: the opening « --- »
    if not errors_of(findings):
        subject_line = next((i for i, line in enumerate(head.split("\n"), 2)
                             if line.startswith("objet")), 2)
        findings += _unknown(str(meta["objet"]), path, subject_line, "objet")
    findings += _unknown(body, path, body_line, "texte")
    if not body.strip():
        findings.append(finding(Location(path, body_line, 1), "schema.format", path,
                                where="texte", reason="le modèle n'a pas de texte"))
    if errors_of(findings):
        return None, findings
    return Template(template_id, meta["titre"], meta["destinataire"], meta["objet"],
                    tuple(meta.get("requiert") or ()), body, path), findings


def read_template(path: Path) -> tuple[Template | None, list[Finding]]:
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        return None, [finding(None, "file.unreadable", str(path), reason=exc.strerror or exc)]
    return parse_template(data, str(path), path.stem)


def template_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.md") if p.is_file()) if folder.is_dir() else []


def read_templates(folder: Path) -> tuple[dict[str, Template], list[Finding]]:
    templates, findings = {}, []
    for path in template_files(folder):
        template, found = read_template(path)
        findings += found
        if template is not None:
            templates[template.id] = template
    return templates, findings


# -- filling -----------------------------------------------------------------------------------
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&!])")
_LINE_START = re.compile(r"^(\d+)([.)])|^([-+=])")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def escape(text: str) -> str:
    """A value as literal Markdown text (a name with « * » or « < » stays a name; « 12. » or
    « - » at the start of a line does not start a list); control characters are dropped."""
    flat = " ".join(_CONTROL.sub(" ", str(text)).split())
    flat = _MD_SPECIAL.sub(r"\\\1", flat)
    return _LINE_START.sub(lambda m: f"{m.group(1)}\\{m.group(2)}" if m.group(1)
                           else f"\\{m.group(3)}", flat)


def _value(values: Mapping[str, Value], name: str) -> Value:
    value = values.get(name, "")
    return value if isinstance(value, list) else str(value)


def fill_line(line: str, values: Mapping[str, Value]) -> str:
    """One line with its placeholders replaced (lists joined by commas), escaped."""
    def one(match: re.Match[str]) -> str:
        value = _value(values, match.group(1))
        return escape(", ".join(value) if isinstance(value, list) else value)

    return PLACEHOLDER.sub(one, line)


def fill_subject(template: Template, values: Mapping[str, Value]) -> str:
    """The subject as plain text (not Markdown)."""
    def one(match: re.Match[str]) -> str:
        value = _value(values, match.group(1))
        return ", ".join(value) if isinstance(value, list) else value

    return " ".join(PLACEHOLDER.sub(one, template.subject).split())


def fill(template: Template, values: Mapping[str, Value]) -> str:
    """The letter's Markdown body."""
    out: list[str] = []
    for line in template.body.split("\n"):
        alone = PLACEHOLDER.fullmatch(line.strip())
        if alone:
            name = alone.group(1)
            value = _value(values, name)
            if PLACEHOLDERS.get(name, (False, ""))[0]:
                items = value if isinstance(value, list) else [value] if value else []
                if not items and name in EMPTY_LIST:
                    items = [EMPTY_LIST[name]]
                out += [f"- {escape(item)}" for item in items]
                continue
            if not str(value).strip():
                continue  # an empty optional paragraph (conditions…) leaves no blank line
        names = PLACEHOLDER.findall(line)
        if line.lstrip().startswith("- ") and names and not any(
                str(_value(values, n)).strip() and _value(values, n) != [] for n in names):
            continue  # a list item about nothing (no conditions…) is left out
        out.append(fill_line(line, values))
    text = "\n".join(out)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def placeholders_text() -> str:
    """The vocabulary as authors read it (``letter --champs``)."""
    width = max(len(n) for n in PLACEHOLDERS) + 6
    lines = [f"{'{{ ' + name + ' }}':<{width}} {'(liste) ' if is_list else ''}{what}"
             for name, (is_list, what) in PLACEHOLDERS.items()]
    return "\n".join(lines)
