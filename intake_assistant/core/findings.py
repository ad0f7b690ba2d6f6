"""Problems found in authored files, and the one catalogue of their codes and French texts.

A finding prints as ``path:line:col: severity CODE: message (how to fix)``. ``CODES`` says what each
code means (shown by ``intake-assistant check --codes``); ``MESSAGES`` holds every message the
core's checks write, by a stable key, with ``{placeholders}`` (like pyxform's ``errors.py``): a
wording is changed in one place, and a test can name the message it expects. The severity comes
from the code: ``E-`` is an error (the file is refused), ``W-`` a warning.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from intake_assistant.core.yamlsource import Location

# code -> what it means, for authors (the orientation's checks use the same codes).
CODES: Mapping[str, str] = {
    "E-FILE": "fichier introuvable, illisible ou trop gros",
    "E-YAML": "syntaxe YAML (ou alias et tailles hors limites)",
    "E-SCHEMA": "le fichier ne suit pas son format (clé inconnue, mauvais type, trop long…)",
    "E-EXPR": "expression illisible, interdite ou qui échouerait à l'exécution",
    "E-DUP": "identifiant déjà utilisé",
    "E-REF": "nom inconnu : ni une question, ni une valeur calculée, ni un paramètre",
    "E-CYCLE": "valeurs qui dépendent les unes des autres",
    "E-ORDER": "condition sur une question posée après",
    "E-UNREACHABLE": "question ou section jamais posée",
    "E-CHOICE": "choix absents, en double ou sans libellé",
    "E-JSONSCHEMA": "fragment JSON Schema invalide",
    "E-TYPE": "type contraire au dictionnaire des données, ou type inconnu",
    "E-REPEAT": "question répétée mal formée (questions, nombre d'éléments)",
    "E-DEFAULT": "valeur par défaut sur un montant du budget (Entrée l'enregistrerait sans "
                 "qu'il soit dit)",
    "W-MESSAGE": "message pour un mot-clé JSON Schema qui n'est pas vérifié",
    "W-UNREACHABLE": "condition d'aide jamais vraie ou toujours vraie",
    "W-UNUSED": "paramètre utilisé nulle part",
    "W-AIDE": "aide du dictionnaire absente du catalogue",
    "W-REVALORISATION": "montant légal dont la dernière valeur date de plus que sa période de "
                        "revalorisation",
}

# key -> (code, message template). The text ends with how to fix, in parentheses.
MESSAGES: Mapping[str, tuple[str, str]] = {
    # files and YAML
    "file.missing": ("E-FILE", "fichier introuvable (vérifiez le chemin)"),
    "file.unreadable": ("E-FILE", "lecture impossible : {reason}"),
    "yaml.syntax": ("E-YAML", "{problem}"),
    "schema.not_mapping": ("E-SCHEMA", "le fichier doit être un bloc clé: valeur"),
    "schema.format": ("E-SCHEMA", "{where} : {reason}"),
    # ids and references
    "dup.question": ("E-DUP", "identifiant « {id} » déjà utilisé ligne {line} "
                              "(renommez l'une des deux questions)"),
    "dup.section": ("E-DUP", "section « {id} » en double (renommez-la)"),
    "dup.section_question": ("E-DUP", "la question « {id} » porte l'identifiant d'une section "
                                      "(renommez l'une des deux)"),
    "dup.computed": ("E-DUP", "la valeur calculée « {id} » porte l'identifiant "
                              "d'une question (renommez-la)"),
    "ref.unknown": ("E-REF", "{what} : « {name} » n'est ni une question, ni une valeur calculée, "
                             "ni un paramètre{hint}"),
    "order.later": ("E-ORDER", "show_if de « {id} » dépend de « {name} », posée après ou en même "
                               "temps (déplacez la question ou la condition)"),
    "cycle": ("E-CYCLE", "dépendance circulaire : {path} (cassez le cycle)"),
    "unreachable.false": ("E-UNREACHABLE", "{what} n'est jamais posée : sa condition est "
                                           "toujours fausse (corrigez show_if)"),
    "unreachable.value": ("E-UNREACHABLE", "{what} : « {name} » ne vaut jamais « {literal} » "
                                           "(valeurs possibles : {values})"),
    # expressions and templates
    "expr.invalid": ("E-EXPR", "expression « {source} » : {reason}"),
    "expr.template": ("E-EXPR", "texte « {text} » : {reason}"),
    "expr.runtime": ("E-EXPR", "{what} : « {source} » échouerait pendant l'entretien : {reason}, "
                               "essayée sur des réponses d'exemple (corrigez l'expression)"),
    # question types
    "type.unknown": ("E-TYPE", "type « {type} » inconnu (types possibles : {types})"),
    "type.dictionary": ("E-TYPE", "« {id} » est de type {expected} dans le dictionnaire des "
                                  "données, pas {type} (retirez « type: » ou changez "
                                  "l'identifiant)"),
    "type.key": ("E-TYPE", "« {name} » n'a pas de sens pour une question de type {type} "
                           "(retirez-la)"),
    "choice.none": ("E-CHOICE", "« {id} » n'a aucun choix (ajoutez choices:)"),
    "choice.dup": ("E-CHOICE", "choix « {value} » en double dans « {id} »"),
    "choice.label": ("E-CHOICE", "choix « {value} » sans libellé (ajoutez label:)"),
    "repeat.empty": ("E-REPEAT", "la question répétée « {id} » n'a aucune question "
                                 "(ajoutez questions:)"),
    "repeat.count_unknown": ("E-REPEAT", "count_from de « {id} » : « {name} » n'est pas une "
                                         "question de type integer du questionnaire (corrigez "
                                         "le nom)"),
    "repeat.count_later": ("E-REPEAT", "count_from de « {id} » : « {name} » est posée après "
                                       "(déplacez-la avant)"),
    "repeat.count_bound": ("E-REPEAT", "count_from de « {id} » : « {name} » doit avoir un "
                                       "maximum d'au plus {max} (ajoutez schema: {{maximum: …}})"),
    "default.budget": ("E-DEFAULT", "« {id} » est un montant du budget (compté 0 quand il "
                                    "n'est pas demandé) : il doit être dit, « 0 » ou « aucun » "
                                    "compris (retirez {option}:)"),
    "jsonschema.invalid": ("E-JSONSCHEMA", "schéma de « {id} » invalide : {reason}"),
    # the partners list (partenaires.yaml)
    "partner.aid": ("E-REF", "partenaire « {id} » : aide « {aid} » absente du catalogue "
                             "aides.yaml (aides possibles : {known})"),
    "message.keyword": ("W-MESSAGE", "message pour « {keyword} », qui n'est pas un mot-clé "
                                     "JSON Schema vérifié (corrigez la clé)"),
}


@dataclass(frozen=True, order=True)
class Finding:
    path: str
    line: int
    col: int
    severity: str  # "error" | "warning"
    code: str
    message: str

    @classmethod
    def at(
        cls, loc: Location | None, severity: str, code: str, message: str, path: str = ""
    ) -> Finding:
        if code not in CODES:
            raise KeyError(f"finding code {code!r} is not in the catalogue")
        if loc is None:
            return cls(path, 1, 1, severity, code, message)
        return cls(loc.path, loc.line, loc.col, severity, code, message)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.severity} {self.code}: {self.message}"


def severity_of(code: str) -> str:
    return "warning" if code.startswith("W-") else "error"


def finding(loc: Location | None, key: str, file: str = "", **params: Any) -> Finding:
    """The catalogue's message ``key`` at ``loc``, its placeholders filled from ``params``."""
    code, template = MESSAGES[key]
    return Finding.at(loc, severity_of(code), code, template.format(**params), file)


def codes_text() -> str:
    """The catalogue as authors read it (``check --codes``)."""
    return "\n".join(f"{code:<14} {meaning}" for code, meaning in CODES.items())


def errors_of(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "error"]


class FindingsError(ValueError):
    """Raised by loaders when a file has errors; carries every finding.

    A ValueError, so that every place that reports bad input to staff reports this one too.
    """

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings
        super().__init__("\n".join(str(f) for f in findings))

    @property
    def message(self) -> str:
        """A short French summary for a screen: the first findings, and where to see them all."""
        shown = [str(f) for f in self.findings[:3]]
        more = len(self.findings) - len(shown)
        tail = [f"… et {more} autre(s)."] if more > 0 else []
        return "\n".join(["Fichiers de paramétrage à corriger :", *shown, *tail,
                          "Lancez « intake-assistant check » pour la liste complète."])
