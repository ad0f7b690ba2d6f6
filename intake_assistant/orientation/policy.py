"""The orientation policy as loaded objects: parameters, computed values and the aids catalogue.

Everything is read from YAML a CCAS edits (``parametres.yaml``, ``calculs.yaml``, ``aides.yaml``)
and every expression is compiled once here, so that an evaluation is only tree walks.
``build.load_policy`` refuses a policy with errors (``FindingsError``, each at file:line:col);
``lint.py`` reports the same problems and more without refusing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from intake_assistant.core.expressions import Expression
from intake_assistant.core.statuses import AidStatus

STATUSES = tuple(s.value for s in AidStatus)  # the vocabulary of core/statuses.py
KIND_LABELS = {
    "pret_bancaire": "prêt bancaire",
    "pret_ccas": "prêt du CCAS",
    "subvention": "subvention",
    "droit_legal": "droit légal",
    "partenaire": "partenaire",
}


@dataclass(frozen=True)
class Parameter:
    id: str
    value: Any
    label: str
    unit: str
    source: str


@dataclass(frozen=True)
class Calcul:
    id: str
    label: str
    unit: str
    expression: Expression
    depends_on: frozenset[str]  # other computed ids it reads (ordering, cycles)


@dataclass(frozen=True)
class Template:
    """A reason text with ``{expr}`` placeholders, checked at load time."""

    source: str
    names: frozenset[str]


@dataclass(frozen=True)
class Gate:
    id: str
    label: str
    fails_when: Expression
    status: str  # "not_eligible" | "to_check"
    failed: Template
    met: Template
    parameters: tuple[str, ...]  # parameters it reads, directly or through computed values


@dataclass(frozen=True)
class Aid:
    id: str
    name: str
    kind: str
    orient_to: str
    bring: tuple[str, ...]
    default_status: str
    default_reason: Template | None
    gates: tuple[Gate, ...]
    parameters: tuple[str, ...]


@dataclass(frozen=True)
class Policy:
    parameters: Mapping[str, Parameter]
    calculs: Mapping[str, Calcul]  # in evaluation order (dependencies first)
    aids: tuple[Aid, ...]
    paths: Mapping[str, str] = field(default_factory=dict)

    def parameter_env(self) -> dict[str, Any]:
        """Dotted parameter names -> values, as the expression language looks them up."""
        return {pid: p.value for pid, p in self.parameters.items()}

    def aid(self, aid_id: str) -> Aid:
        for aid in self.aids:
            if aid.id == aid_id:
                return aid
        raise KeyError(aid_id)
