"""Texts of the dossier screen that need no running app."""

from __future__ import annotations

from intake_assistant.tui.screens.dossier import _audit_texts
from intake_assistant.workflow import load_questionnaire_by_name


def test_audit_rows_read_like_answers() -> None:
    q = load_questionnaire_by_name("evaluation")
    assert _audit_texts(q, {"id": "loyer", "old": 400, "new": 420}) == (
        "Loyer (reste à payer après aide au logement)", "400 €", "420 €")
    assert _audit_texts(q, {"id": "logement", "old": "heberge", "new": "locataire_social"}) == (
        "Logement", "Hébergé(e)", "Locataire (logement social)")
    assert _audit_texts(q, {"id": "enfants", "old": [{}], "new": [{"age": 6}]}) == (
        "Enfants à charge", "1 élément(s) (?)", "1 élément(s) (6)")
    assert _audit_texts(q, {"id": "ficp", "old": False, "new": None, "unknown": True})[2] == (
        "à compléter")
    assert _audit_texts(q, {"id": "champ_local", "old": 1, "new": 2}) == ("champ_local", "1", "2")
