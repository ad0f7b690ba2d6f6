"""What is kept with a dossier without being its content (no revision change): the text typed
but not sent (`intake.drafts`, readable by its author only), the marker of an interview in
progress (`intake.interviews`, to resume after a crash), and the register of exports."""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import cast

from intake_assistant.core.timeutil import iso, local_now

from ..api import Draft, InterruptedInterview
from ..errors import InvalidValueError
from .checks import check_json, parse_id
from .documents import to_json
from .leases import HOST
from .writing import Writing

DRAFT_MAX_CHARS = 10_000


class Interviews(Writing):
    def save_draft(self, dossier_id: str, draft: Draft | None, *, token: str) -> None:
        parse_id(dossier_id)
        if draft is not None:
            path, text = draft.get("path"), draft.get("text")
            if not isinstance(path, str) or not isinstance(text, str):
                raise InvalidValueError("Un brouillon indique la question et le texte saisi.")
            if len(text) > DRAFT_MAX_CHARS:
                raise InvalidValueError(
                    f"Texte saisi trop long ({len(text)} caractères, {DRAFT_MAX_CHARS} au plus)."
                )
            check_json(text, "le brouillon")
        with self._tx() as conn:
            lease = self._holder(conn, dossier_id, token, "l'enregistrement du texte saisi")
            conn.execute("DELETE FROM intake.drafts WHERE dossier_id = %s", (dossier_id,))
            if draft is not None:
                stored = {"path": draft["path"], "text": draft["text"], "at": iso(local_now()),
                          "agent": str(lease["agent"] or "")}
                conn.execute("INSERT INTO intake.drafts (dossier_id, draft) VALUES (%s, %s)",
                             (dossier_id, to_json(stored)))

    def begin_interview(self, dossier_id: str, questionnaire: str, *, token: str) -> None:
        parse_id(dossier_id)
        with self._tx() as conn:
            lease = self._holder(conn, dossier_id, token, "l'ouverture de l'entretien")
            conn.execute("DELETE FROM intake.interviews WHERE dossier_id = %s", (dossier_id,))
            conn.execute("INSERT INTO intake.interviews (dossier_id, questionnaire, agent, host, "
                         "since) VALUES (%s, %s, %s, %s, %s)",
                         (dossier_id, questionnaire, str(lease["agent"] or ""), HOST,
                          iso(local_now())))

    def end_interview(self, dossier_id: str, *, token: str) -> None:
        parse_id(dossier_id)
        with self._tx() as conn:
            self._holder(conn, dossier_id, token, "la fin de l'entretien")
            conn.execute("DELETE FROM intake.interviews WHERE dossier_id = %s", (dossier_id,))
            conn.execute("DELETE FROM intake.drafts WHERE dossier_id = %s", (dossier_id,))

    def interrupted_interviews(self, agent: str) -> builtins.list[InterruptedInterview]:
        with self._db() as conn:
            rows = conn.execute(
                "SELECT i.dossier_id, i.questionnaire, i.agent, i.host, i.since, f.draft "
                "FROM intake.interviews i LEFT JOIN intake.drafts f "
                "ON f.dossier_id = i.dossier_id LEFT JOIN intake.leases l "
                "ON l.dossier_id = i.dossier_id AND "
                "(intake.lease_is_live(l.expires_at, l.backend_pid) OR l.token = ANY(%s)) "
                "WHERE i.agent = %s AND l.dossier_id IS NULL "
                "ORDER BY i.since, i.dossier_id", (list(self._held.values()), agent)).fetchall()
        return [cast(InterruptedInterview, dict(r)) for r in rows]

    def register_export(
        self, dossier_id: str, *, path: str | None, fmt: str, agent: str,
        now: datetime | None = None,
    ) -> None:
        row = {"at": iso(local_now(now)), "agent": agent,
               "path": None if path is None else str(path), "format": fmt}
        self._update(dossier_id, lambda doc: ({}, {"exports": [row]}), lease_free=False)
