"""Estimated amounts of the legal aids by OpenFisca-France, asked to a worker process.

OpenFisca-France is an optional extra (``pip install 'intake-assistant[openfisca]'``) under the
AGPL: this module never imports it. It starts ``python -m intake_assistant.openfisca_worker`` the
first time an estimate is asked for (OpenFisca takes a few seconds to load, then about a second per
household), talks to it in JSON lines, and keeps it for the next estimates. Without the extra, or
when the worker fails, every call says so plainly in French; nothing else of the application waits
on it or depends on it.
"""

from __future__ import annotations

import importlib.util
import json
import queue
import subprocess
import sys
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from intake_assistant.core.french import format_money

ESTIMATED_AIDS = ("rsa", "prime_activite", "aide_logement", "css", "asf")
NOT_INSTALLED = ("Estimations OpenFisca indisponibles : l'extension n'est pas installée "
                 "(pip install 'intake-assistant[openfisca]').")
START_TIMEOUT = 120.0  # loading OpenFisca-France on a slow machine
ESTIMATE_TIMEOUT = 60.0
_CACHE_SIZE = 64


@dataclass(frozen=True)
class Estimates:
    """OpenFisca's answer for one household, or why there is none (``message``)."""

    ok: bool
    by_aid: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    message: str = ""
    version: str = ""

    def text(self, aid: str) -> str | None:
        """« montant estimé : 58 €/mois, selon OpenFisca-France » for an estimated aid."""
        est = self.by_aid.get(aid) if self.ok else None
        if est is None:
            return None
        source = f"selon OpenFisca-France {self.version}".rstrip()
        if est.get("percue"):
            return None  # already received: nothing to estimate
        if aid == "css":
            if est.get("gratuite"):
                return f"estimation : CSS sans participation, {source}"
            if est.get("eligible"):
                return (f"estimation : CSS avec participation de "
                        f"{format_money(est.get('participation', 0))}/mois, {source}")
            return f"estimation : pas de CSS, {source}"
        amount = float(est.get("montant") or 0)
        if amount <= 0:
            return f"montant estimé : aucun droit, {source}"
        return f"montant estimé : {format_money(round(amount))}/mois, {source}"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ok": self.ok, "openfisca_france": self.version or None,
                               "estimates": {k: dict(v) for k, v in self.by_aid.items()}}
        if self.message:
            out["message"] = self.message
        return out


def extra_installed() -> bool:
    """Whether OpenFisca-France can be imported by the worker (found, not imported here)."""
    return importlib.util.find_spec("openfisca_france") is not None


def _clean(answers: Mapping[str, Any], unknown: set[str]) -> dict[str, Any]:
    """The answers that can go to the worker: known, JSON values."""
    return {k: v for k, v in answers.items() if k not in unknown and v is not None}


class EstimateService:
    """One lazily started worker process, shared by the callers of one application process."""

    def __init__(self, python: str | None = None) -> None:
        self._python = python or sys.executable
        self._process: subprocess.Popen[str] | None = None
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._lock = threading.Lock()
        self._version = ""
        self._broken = ""  # why the worker cannot be used (kept: do not restart it each time)
        self._next_id = 0
        self._cache: OrderedDict[str, Estimates] = OrderedDict()

    # -- public ------------------------------------------------------------------------------
    def cached(self, answers: Mapping[str, Any], day: date, unknown: set[str] | None = None
               ) -> Estimates | None:
        """The estimate already computed for these answers, without waiting (for live screens)."""
        return self._cache.get(self._key(_clean(answers, unknown or set()), day))

    def estimate(self, answers: Mapping[str, Any], day: date,
                 unknown: set[str] | None = None) -> Estimates:
        """OpenFisca's estimates for the household (blocks: call it off the UI thread)."""
        clean = _clean(answers, unknown or set())
        key = self._key(clean, day)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        with self._lock:
            result = self._ask(clean, day)
        if result.ok:
            self._cache[key] = result
            while len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)
        return result

    def close(self) -> None:
        with self._lock:
            process, self._process = self._process, None
        if process is not None and process.poll() is None:
            try:
                process.stdin.close()  # type: ignore[union-attr]
                process.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                process.kill()

    # -- worker ------------------------------------------------------------------------------
    @staticmethod
    def _key(answers: Mapping[str, Any], day: date) -> str:
        return json.dumps([answers, day.isoformat()], sort_keys=True, default=str)

    def _start(self) -> str:
        """Start the worker; '' when ready, else the French reason."""
        if not extra_installed():
            return NOT_INSTALLED
        try:
            self._process = subprocess.Popen(
                [self._python, "-m", "intake_assistant.openfisca_worker"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                text=True, encoding="utf-8", bufsize=1)
        except OSError as exc:
            return f"Estimations OpenFisca indisponibles : le calcul n'a pas pu démarrer ({exc})."
        self._lines = queue.Queue()
        threading.Thread(target=self._pump, args=(self._process, self._lines),
                         daemon=True).start()
        ready = self._read(START_TIMEOUT)
        if ready is None or not ready.get("ready"):
            reason = (ready or {}).get("error") or "le calcul ne répond pas"
            self._stop()
            return f"Estimations OpenFisca indisponibles : {reason}."
        self._version = str(ready.get("openfisca_france") or "")
        return ""

    @staticmethod
    def _pump(process: subprocess.Popen[str], lines: queue.Queue[str | None]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)
        lines.put(None)  # the worker ended

    def _read(self, timeout: float) -> dict[str, Any] | None:
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            return None
        if line is None:
            return None
        try:
            doc = json.loads(line)
        except json.JSONDecodeError:
            return None
        return doc if isinstance(doc, dict) else None

    def _stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
        self._process = None

    def _ask(self, answers: dict[str, Any], day: date) -> Estimates:
        if self._broken:
            return Estimates(False, message=self._broken)
        if self._process is None or self._process.poll() is not None:
            reason = self._start()
            if reason:
                self._broken = reason
                return Estimates(False, message=reason)
        self._next_id += 1
        request = {"id": self._next_id, "answers": answers, "date": day.isoformat()}
        try:
            assert self._process is not None and self._process.stdin is not None
            self._process.stdin.write(json.dumps(request, ensure_ascii=False, default=str) + "\n")
            self._process.stdin.flush()
        except OSError:
            self._stop()
            return Estimates(False, message="Estimations OpenFisca indisponibles : le calcul "
                             "s'est arrêté (nouvel essai à la prochaine demande).")
        while True:
            doc = self._read(ESTIMATE_TIMEOUT)
            if doc is None:
                self._stop()
                return Estimates(False, message="Estimations OpenFisca indisponibles : pas de "
                                 "réponse du calcul (nouvel essai à la prochaine demande).")
            if doc.get("id") in (self._next_id, None):
                break
        if "error" in doc:
            return Estimates(False, message=f"Estimation OpenFisca impossible : {doc['error']}.")
        return Estimates(True, doc.get("estimates") or {}, version=self._version)


_SHARED: EstimateService | None = None


def shared_service() -> EstimateService:
    """The process-wide service (one worker for the CLI command or the TUI session)."""
    global _SHARED
    if _SHARED is None:
        _SHARED = EstimateService()
    return _SHARED
