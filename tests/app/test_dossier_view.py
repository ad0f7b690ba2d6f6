"""The dossier as the screens show it, built by the application layer."""

from __future__ import annotations

from intake_assistant.app.dossiers import _audit_line
from intake_assistant.app.questionnaires import load_questionnaire_by_name


def _texts(q, row):
    line = _audit_line(q, row)
    return line.label, line.old, line.new


def test_audit_rows_read_like_answers() -> None:
    q = load_questionnaire_by_name("evaluation")
    assert _texts(q, {"id": "loyer", "old": 400, "new": 420}) == (
        "Loyer (reste à payer après aide au logement)", "400 €", "420 €")
    assert _texts(q, {"id": "logement", "old": "heberge", "new": "locataire_social"}) == (
        "Logement", "Chez quelqu'un (hébergement)", "Locataire (logement social)")
    assert _texts(q, {"id": "enfants", "old": [{}], "new": [{"age": 6}]}) == (
        "Enfants à charge", "1 élément(s) (?)", "1 élément(s) (6)")
    assert _texts(q, {"id": "ficp", "old": False, "new": None, "unknown": True})[2] == (
        "à compléter")
    assert _texts(q, {"id": "champ_local", "old": 1, "new": 2}) == ("champ_local", "1", "2")
    assert _texts(q, {"id": "loyer", "old": None, "new": 420})[1] is None  # a first value
