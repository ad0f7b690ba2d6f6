"""Run OpenFisca-France on one situation (imported only inside the worker process)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from intake_assistant.openfisca_worker.situation import build_situation, read_estimates


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
        situation = build_situation(answers, day)
        simulation = self._builder().build_from_entities(self.system, situation)
        month = f"{day.year:04d}-{day.month:02d}"
        famille = situation["familles"]["famille"]
        values: dict[str, float] = {}
        for variable in ("rsa", "ppa", "aide_logement", "asf", "cmu_c",
                         "css_participation_forfaitaire"):
            if variable in famille and famille[variable] == {month: None}:
                values[variable] = float(simulation.calculate(variable, month)[0])
        return read_estimates(values, answers)
