"""The OpenFisca worker: one JSON request per line on stdin, one JSON answer per line on stdout.

Request: ``{"id": 1, "answers": {...}, "date": "2026-11-26"}``; answer: ``{"id": 1, "estimates":
{...}, "openfisca_france": "176.1.8"}`` or ``{"id": 1, "error": "message en français"}``. The
first line written is ``{"ready": true, ...}`` once OpenFisca is loaded (or ``{"ready": false,
"error": ...}``).
"""

from __future__ import annotations

import json
import sys
from datetime import date

MAX_LINE = 1_000_000  # an answers file is small: refuse anything absurd


def _write(doc: dict) -> None:
    sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def main() -> int:
    try:
        from intake_assistant.openfisca_worker.engine import Engine

        engine = Engine()
    except ModuleNotFoundError as exc:
        _write({"ready": False, "error": f"OpenFisca-France n'est pas installé ({exc.name})"})
        return 1
    _write({"ready": True, "openfisca_france": engine.version})
    for line in sys.stdin:
        if len(line) > MAX_LINE:
            _write({"id": None, "error": "requête trop longue"})
            continue
        try:
            request = json.loads(line)
            day = date.fromisoformat(request["date"])
            answers = request["answers"]
            if not isinstance(answers, dict):
                raise TypeError("answers")
        except (ValueError, KeyError, TypeError):
            _write({"id": None, "error": "requête illisible (JSON : id, answers, date)"})
            continue
        try:
            estimates = engine.estimate(answers, day)
        except Exception as exc:  # noqa: BLE001 - reported to the application, never fatal
            _write({"id": request.get("id"), "error": f"calcul OpenFisca impossible : {exc}"})
            continue
        _write({"id": request.get("id"), "estimates": estimates,
                "openfisca_france": engine.version})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
