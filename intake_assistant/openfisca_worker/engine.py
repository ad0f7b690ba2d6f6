"""Run OpenFisca-France on situations (imported only inside the worker process)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from intake_assistant.openfisca_worker.situation import build_situation, read_estimates

_OUTPUTS = ("rsa", "ppa", "aide_logement", "asf", "cmu_c", "css_participation_forfaitaire")
_ENTITIES = ("individus", "familles", "foyers_fiscaux", "menages")
_ROLES = ("parents", "enfants", "declarants", "personnes_a_charge", "personne_de_reference",
          "conjoint", "autres")


def _prefixed(situation: dict[str, Any], prefix: str) -> dict[str, Any]:
    """The same situation with every id prefixed, so that several fit in one simulation."""
    out: dict[str, Any] = {}
    for entity in _ENTITIES:
        out[entity] = {}
        for eid, spec in situation[entity].items():
            spec = dict(spec)
            for role in _ROLES:
                if role in spec:
                    spec[role] = [prefix + pid for pid in spec[role]]
            out[entity][prefix + eid] = spec
    return out


class Engine:
    """The tax-benefit system, loaded once per worker (a few seconds)."""

    def __init__(self) -> None:
        from openfisca_core.simulation_builder import SimulationBuilder
        from openfisca_france import FranceTaxBenefitSystem

        self._builder = SimulationBuilder
        self.system = FranceTaxBenefitSystem()
        try:
            from importlib.metadata import version

            self.version = version("openfisca-france")
        except Exception:  # noqa: BLE001 - the version is informative only
            self.version = "?"

    def estimate(self, answers: Mapping[str, Any], day: date) -> dict[str, Any]:
        return self.estimate_many([answers], day)[0]

    def estimate_many(self, households: Sequence[Mapping[str, Any]], day: date
                      ) -> list[dict[str, Any]]:
        """Several households in one vectorised simulation (the bench: seconds, not minutes)."""
        month = f"{day.year:04d}-{day.month:02d}"
        merged: dict[str, Any] = {entity: {} for entity in _ENTITIES}
        asked: list[dict[str, bool]] = []
        for index, answers in enumerate(households):
            situation = build_situation(answers, day)
            famille = situation["familles"]["famille"]
            asked.append({v: famille.get(v) == {month: None} for v in _OUTPUTS})
            for variable in _OUTPUTS:  # every famille gets every output: computed for all
                famille.setdefault(variable, {month: None})
            for entity, items in _prefixed(situation, f"h{index}_").items():
                merged[entity].update(items)
        for spec in merged["familles"].values():  # the other adults' familles too
            for variable in _OUTPUTS:
                if variable not in spec:
                    spec[variable] = {month: None}
        simulation = self._builder().build_from_entities(self.system, merged)
        order = list(merged["familles"])
        columns = {v: simulation.calculate(v, month) for v in _OUTPUTS}
        out = []
        for index, answers in enumerate(households):
            row = order.index(f"h{index}_famille")
            values = {v: float(columns[v][row]) for v in _OUTPUTS if asked[index][v]}
            out.append(read_estimates(values, answers))
        return out
