"""The orientation policy as loaded objects: parameters, computed values and the aids catalogue.

Everything is read from YAML a CCAS edits (``parametres.yaml``, ``calculs.yaml``, ``aides.yaml``)
and every expression is compiled once here, so that an evaluation is only tree walks.
``build.load_policy`` refuses a policy with errors (``FindingsError``, each at file:line:col);
``lint.py`` reports the same problems and more without refusing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
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
class DatedValue:
    """One value of a parameter, in force from ``start`` (None: a local value, always in force)."""

    start: date | None
    value: Any
    source: str

    def to_json(self) -> dict[str, Any]:
        return {"from": self.start.isoformat() if self.start else None, "value": self.value,
                "source": self.source}


@dataclass(frozen=True)
class Parameter:
    """A policy parameter: one local value, or legal values dated like OpenFisca's parameters.

    ``values`` is sorted by date; the value in force on a day is the last one started by then
    (the first one for a day before every start, so that an old dossier still evaluates).
    ``revaluation_months``: how often the law revalues it (``check`` warns when overdue).
    """

    id: str
    values: tuple[DatedValue, ...]
    label: str
    unit: str
    revaluation_months: int | None = None

    @property
    def dated(self) -> bool:
        return self.values[0].start is not None

    def at(self, day: date | None = None) -> DatedValue:
        day = day or date.today()
        chosen = self.values[0]
        for dv in self.values:
            if dv.start is None or dv.start <= day:
                chosen = dv
        return chosen

    @property
    def value(self) -> Any:
        """The value in force today."""
        return self.at().value

    @property
    def source(self) -> str:
        return self.at().source


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
    cited: tuple[str, ...] = ()  # legal parameters whose value, date and text the reason cites


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
    orient_to_template: Template | None = None  # "{organisme_payeur}": CAF or MSA


@dataclass(frozen=True)
class Policy:
    parameters: Mapping[str, Parameter]
    calculs: Mapping[str, Calcul]  # in evaluation order (dependencies first)
    aids: tuple[Aid, ...]
    paths: Mapping[str, str] = field(default_factory=dict)

    def parameter_env(self, day: date | None = None) -> dict[str, Any]:
        """Dotted parameter names -> values in force on ``day`` (default today), as the
        expression language looks them up."""
        day = day or date.today()
        return {pid: p.at(day).value for pid, p in self.parameters.items()}

    def parameter_values(self, ids: Any, day: date | None = None) -> dict[str, DatedValue]:
        """The dated value of each parameter of ``ids`` used on ``day`` (what an orientation
        records so that it stays explainable after a revaluation)."""
        return {pid: self.parameters[pid].at(day) for pid in ids if pid in self.parameters}

    def aid(self, aid_id: str) -> Aid:
        for aid in self.aids:
            if aid.id == aid_id:
                return aid
        raise KeyError(aid_id)
