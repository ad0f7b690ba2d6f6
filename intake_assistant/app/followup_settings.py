"""What the follow-up reads from the data files: the partners list (``partenaires.yaml``) and
the dated parameters in force on a day (waiting thresholds, repayment tolerance, ceilings)."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from intake_assistant.core.datadir import data_dir
from intake_assistant.core.followup import delays as delay_rules
from intake_assistant.core.followup.partners import FILE_NAME, Partners, load_partners
from intake_assistant.orientation.build import default_policy


@lru_cache(maxsize=4)
def _partners_cached(path: str, mtime: float) -> Partners:
    aids = {aid.id for aid in default_policy().aids}
    return load_partners(path, aids)


def partners(path: str | Path | None = None) -> Partners:
    """The partners list beside the questionnaires, checked like ``intake-assistant check``
    does (a broken file raises ``FindingsError``); re-read when the file changes."""
    target = Path(path) if path else data_dir() / FILE_NAME
    try:
        mtime = target.stat().st_mtime
    except OSError:
        mtime = 0.0
    return _partners_cached(str(target), mtime)


def parameter(pid: str, day: date) -> Any:
    """A parameter's value in force on ``day``."""
    return default_policy().parameters[pid].at(day).value


def thresholds(day: date) -> delay_rules.Thresholds:
    """The waiting thresholds in force on ``day`` (suivi.relance_jours, suivi.alerte_jours)."""
    return delay_rules.Thresholds(int(parameter("suivi.relance_jours", day)),
                                  int(parameter("suivi.alerte_jours", day)))


def repayment_tolerance(day: date) -> int:
    return int(parameter("suivi.tolerance_remboursement_jours", day))
