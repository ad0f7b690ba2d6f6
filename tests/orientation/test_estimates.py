"""The OpenFisca estimates service: lazy worker process, JSON lines, plain French messages."""

from __future__ import annotations

import importlib.util
import json
import os
import stat
import subprocess
import sys
import textwrap
from datetime import date

import pytest

from intake_assistant.app import estimates as estimates_module
from intake_assistant.app.estimates import NOT_INSTALLED, Estimates, EstimateService

from .conftest import TODAY, persona

HAS_EXTRA = importlib.util.find_spec("openfisca_france") is not None


def fake_python(tmp_path, body: str) -> str:
    """An executable standing for ``python -m intake_assistant.openfisca_worker``."""
    if sys.platform == "win32":
        pytest.skip("lanceur factice écrit en shell (#!/bin/sh) : POSIX seulement")
    worker = tmp_path / "fake_worker.py"
    worker.write_text(textwrap.dedent(body), encoding="utf-8")
    launcher = tmp_path / "python"
    launcher.write_text(f"#!/bin/sh\nexec {sys.executable} {worker}\n", encoding="utf-8")
    launcher.chmod(launcher.stat().st_mode | stat.S_IXUSR)
    return str(launcher)


ECHO = """
    import json, sys
    print(json.dumps({"ready": True, "openfisca_france": "9.9.9"}), flush=True)
    for line in sys.stdin:
        req = json.loads(line)
        n = req["answers"].get("revenus_activite", 0)
        est = {"prime_activite": {"montant": 58.4, "eligible": True},
               "rsa": {"montant": 0.0, "eligible": False},
               "css": {"gratuite": False, "participation": 14.0, "montant": 14.0,
                       "eligible": True},
               "aide_logement": {"montant": 250, "percue": True, "eligible": True},
               "asf": {"montant": n, "eligible": n > 0}}
        print(json.dumps({"id": req["id"], "estimates": est}), flush=True)
"""


def test_without_the_extra_says_so(monkeypatch):
    monkeypatch.setattr(estimates_module, "extra_installed", lambda: False)
    service = EstimateService()
    result = service.estimate({"revenus_activite": 1000}, TODAY)
    assert not result.ok and result.message == NOT_INSTALLED
    assert "pip install 'intake-assistant[openfisca]'" in result.message
    assert result.text("rsa") is None
    assert service._process is None  # nothing was started


def test_protocol_texts_and_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(estimates_module, "extra_installed", lambda: True)
    service = EstimateService(python=fake_python(tmp_path, ECHO))
    try:
        first = service.estimate({"revenus_activite": 1000}, TODAY)
        assert first.ok and first.version == "9.9.9"
        assert first.text("prime_activite") == \
            "montant estimé : 58 €/mois, selon OpenFisca-France 9.9.9"
        assert first.text("rsa") == "montant estimé : aucun droit, selon OpenFisca-France 9.9.9"
        assert first.text("css") == ("estimation : CSS avec participation de 14 €/mois, selon "
                                     "OpenFisca-France 9.9.9")
        assert first.text("aide_logement") is None  # already received
        assert service.cached({"revenus_activite": 1000}, TODAY) == first
        assert service.cached({"revenus_activite": 1001}, TODAY) is None
        assert service.estimate({"revenus_activite": 7}, TODAY).by_aid["asf"]["montant"] == 7
        # an unknown answer is not sent
        assert service.estimate({"revenus_activite": 7, "loyer": 3}, TODAY,
                                {"loyer"}) == service.cached({"revenus_activite": 7}, TODAY)
    finally:
        service.close()


def test_a_worker_that_dies_is_reported_and_restarted(tmp_path, monkeypatch):
    monkeypatch.setattr(estimates_module, "extra_installed", lambda: True)
    flag = tmp_path / "died_once"
    body = f"""
        import json, os, sys
        print(json.dumps({{"ready": True}}), flush=True)
        for line in sys.stdin:
            if not os.path.exists({str(flag)!r}):
                open({str(flag)!r}, "w").close()
                sys.exit(3)
            req = json.loads(line)
            print(json.dumps({{"id": req["id"], "estimates": {{}}}}), flush=True)
    """
    service = EstimateService(python=fake_python(tmp_path, body))
    try:
        failed = service.estimate({"a": 1}, TODAY)
        assert not failed.ok and "nouvel essai" in failed.message
        assert service.estimate({"a": 1}, TODAY).ok
    finally:
        service.close()


def test_a_worker_that_cannot_load_openfisca(tmp_path, monkeypatch):
    monkeypatch.setattr(estimates_module, "extra_installed", lambda: True)
    body = """
        import json
        print(json.dumps({"ready": False, "error": "OpenFisca-France n'est pas installé"}))
    """
    service = EstimateService(python=fake_python(tmp_path, body))
    result = service.estimate({}, TODAY)
    assert not result.ok
    assert result.message == ("Estimations OpenFisca indisponibles : OpenFisca-France n'est pas "
                              "installé.")
    assert service.estimate({}, TODAY).message == result.message  # not restarted each time


def test_worker_without_openfisca_says_so():
    if HAS_EXTRA:
        pytest.skip("extension openfisca installée : le cas « non installé » ne se produit pas")
    out = subprocess.run([sys.executable, "-m", "intake_assistant.openfisca_worker"],
                         input="", capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PYTHONPATH": os.getcwd()})
    first = json.loads(out.stdout.splitlines()[0])
    assert first["ready"] is False and "OpenFisca-France n'est pas installé" in first["error"]


@pytest.mark.skipif(not HAS_EXTRA, reason="extension openfisca non installée")
def test_real_worker_estimates_a_persona():
    service = EstimateService()
    try:
        result = service.estimate(persona("martin_permis")["answers"], TODAY)
        assert result.ok, result.message
        assert result.by_aid["prime_activite"]["montant"] == pytest.approx(347.47, abs=1)
        assert result.by_aid["css"]["eligible"] and not result.by_aid["css"]["gratuite"]
        proc = subprocess.run(
            [sys.executable, "-m", "intake_assistant.openfisca_worker"],
            input="pas du json\n" + json.dumps({"id": 4, "answers": {}, "date": "2026-11-20"})
            + "\n", capture_output=True, text=True, timeout=300)
        lines = [json.loads(line) for line in proc.stdout.splitlines()]
        assert lines[0]["ready"] is True
        assert lines[1] == {"id": None, "error": "requête illisible (JSON : id, answers, date)"}
        assert lines[2]["id"] == 4 and "estimates" in lines[2]
    finally:
        service.close()


def test_estimates_json_shape():
    est = Estimates(True, {"rsa": {"montant": 0.0, "eligible": False}}, version="1")
    assert est.to_json() == {"ok": True, "openfisca_france": "1",
                             "estimates": {"rsa": {"montant": 0.0, "eligible": False}}}
    assert Estimates(False, message="x").to_json()["message"] == "x"
    assert date(2026, 11, 26) == TODAY


def test_commission_summary_shows_the_estimates_first(policy):
    from intake_assistant.reports.commission import build_summary, render

    dossier = {"id": "D-2026-000001", "created_at": "2026-11-20T10:00:00+01:00",
               "status": "en_evaluation", "answers": persona("martin_permis")["answers"],
               "events": [{"type": "answer", "at": "2026-11-24T10:00:00+01:00"}]}
    text = "montant estimé : 347 €/mois, selon OpenFisca-France 176.1.8"
    summary = build_summary(dossier, policy, TODAY, {"prime_activite": text})
    ppa = next(s for s in summary["orientation"]["suggestions"] if s["aid"] == "prime_activite")
    assert ppa["reasons"][0] == "Montant estimé : 347 €/mois, selon OpenFisca-France 176.1.8"
    assert summary["orientation"]["date"] == "2026-11-24"  # the interview's day
    assert summary["orientation"]["parameters"]["rsa.montant_forfaitaire"]["value"] == 651.69
    assert "Montant estimé : 347 €/mois" in render(summary, "md")
    plain = build_summary(dossier, policy, TODAY)
    assert all(s["estimate"] is None for s in plain["orientation"]["suggestions"])
