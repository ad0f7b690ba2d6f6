"""The content changes every backend makes to a dossier document, as pure functions (one
place for both backends): given the document read under the lease, what changes and which rows
(events, audit) go with it. Each backend checks its revision and writes them its own way."""

from __future__ import annotations

from typing import Any

from .audit import answer_changes


def answer_change(doc: dict[str, Any], answer_id: str, value: Any, *, unknown: bool,
                  questionnaire: str | None, raw: str | None, agent: str,
                  at: str) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
    """One answer set (or marked unknown): the document fields to update and the rows to add."""
    answers, unknowns = dict(doc["answers"]), [u for u in doc["unknown"] if u != answer_id]
    if unknown:
        answers.pop(answer_id, None)
        unknowns.append(answer_id)
    else:
        answers[answer_id] = value
    fields: dict[str, Any] = {"answers": answers, "unknown": unknowns}
    if questionnaire and questionnaire not in doc["questionnaires"]:
        fields["questionnaires"] = [*doc["questionnaires"], questionnaire]
    seq = max((int(e.get("seq") or 0) for e in doc["events"]), default=0) + 1
    event = {"seq": seq, "at": at, "agent": agent, "questionnaire": questionnaire,
             "type": "unknown" if unknown else "answer", "id": answer_id,
             "raw": raw, "value": None if unknown else value}
    audit = answer_changes(doc["answers"], doc["unknown"], answers, unknowns, agent=agent, at=at)
    return fields, {"events": [event], "audit": audit}


def status_change(doc: dict[str, Any], status: str, *, agent: str, note: str | None,
                  at: str) -> dict[str, Any]:
    """A status change (already checked as a transition): the document fields to update."""
    change = {"status": status, "at": at, "agent": agent}
    if note:
        change["note"] = note
    return {"status": status, "status_history": [*doc["status_history"], change]}
