"""Reading the TUI's screen as a person does: the dossier rows of the list, the question being
asked (the lines just above the answer box), what is in the answer box."""

from __future__ import annotations

import re
import unicodedata

# An id as listed; a too-narrow column cuts it (« D-2026-000 »): still a row on screen.
DOSSIER_ID = re.compile(r"D-\d{4}-\d+")
FULL_ID_DIGITS = 6
_BORDER = "▔" * 10


def squash(text: str) -> str:
    return " ".join(text.split())


def fold(text: str) -> str:
    """Casefold and strip accents (to compare a typed name with a shown one)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return squash("".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def dossier_rows(lines: list[str]) -> list[str]:
    """Ids of the dossier rows shown (a list row starts with its id)."""
    found = []
    for line in lines:
        match = DOSSIER_ID.match(line.strip())
        if match:
            found.append(match.group(0))
    return found


def truncated(ids: list[str]) -> bool:
    return any(len(i.rsplit("-", 1)[1]) < FULL_ID_DIGITS for i in ids)


def listing(expected: set[str], enough: int = 3):
    """Predicate: the list shows only ``expected`` dossiers, all of them or at least ``enough``
    (a small screen shows a few rows); a cut id counts when it starts an expected one."""
    def check(lines: list[str]) -> bool:
        shown = dossier_rows(lines)
        if len(shown) < min(len(expected), enough):
            return False
        return all(any(e.startswith(i) for e in expected) for i in shown)

    return check


def list_shown(lines: list[str]) -> bool:
    """The home list: at least two dossier rows (an interview or a dossier shows one id only)."""
    return len(dossier_rows(lines)) >= 2


def _left(line: str) -> str:
    """The main column of a row, without the side panel (after its │ border)."""
    return line.split("│", 1)[0]


def answer_box(lines: list[str]) -> int | None:
    """Row of the top border of the lowest input box (the answer box of an interview)."""
    for row in range(len(lines) - 1, -1, -1):
        if _BORDER in _left(lines[row]):
            return row
    return None


def question_block(lines: list[str]) -> str:
    """The text just above the answer box, up to the last answer echoed or the section rule."""
    top = answer_box(lines)
    if top is None:
        return ""
    parts: list[str] = []
    for row in range(top - 1, max(-1, top - 8), -1):
        text = _left(lines[row])
        if "➜" in text or "────" in text:
            break
        parts.append(text.replace("▊", " "))
    return squash(" ".join(reversed(parts)))


def answer_text(lines: list[str]) -> str:
    """What the answer box shows (typed text, or its placeholder)."""
    top = answer_box(lines)
    if top is None or top + 1 >= len(lines):
        return ""
    return squash(_left(lines[top + 1]).replace("▊", " ").replace("▎", " "))


def asking(question: str, typed: str = ""):
    """Predicate: ``question`` is the one asked and the answer box no longer holds ``typed``."""
    wanted = squash(question)

    def check(lines: list[str]) -> bool:
        if wanted not in question_block(lines):
            return False
        # A short answer could be part of the box's placeholder: only longer ones are checked.
        return len(typed) < 3 or squash(typed) not in answer_text(lines)

    return check


def not_asking(question: str):
    wanted = squash(question)
    return lambda lines: answer_box(lines) is not None and wanted not in question_block(lines)


def quick_reply(lines: list[str], key: str) -> bool:
    """Whether a one-key reply ``key`` is offered under the question (« 1 Seul(e) », « o oui »)."""
    return re.search(rf"(^|\s){re.escape(key)} \S", question_block(lines)) is not None


def echoed(typed: str):
    tail = squash(typed)[-20:]
    return lambda lines: tail in answer_text(lines)
