"""Whether the phone intakes a list shows were left before their end: their answers are replayed
in the questionnaire (~10 ms each: every computed value at every event), for the rows shown
only, and remembered per dossier version, in memory and across runs (`intake_cache`). Kept apart
from `app.home` because it needs the questionnaire engine: the home list is painted first, and
this second pass follows (`with_intakes_checked`)."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import date

from intake_assistant.core.statuses import Status
from intake_assistant.store import DossierStore, IndexEntry, StoreError

from . import intake_cache
from .access import GuardedStore
from .home import HomeListing
from .interviews import make_interview
from .questionnaires import load_questionnaire_by_name

# Intakes checked for completeness per listing (the most recent first): bounds the cost on a
# store where hundreds of phone intakes wait.
MAX_CHECKED = 80


def with_intakes_checked(store: DossierStore, listing: HomeListing,
                         today: date | None = None) -> HomeListing:
    """The listing with its phone intakes told finished or not (the second, slower pass)."""
    if listing.complete:
        return listing
    finished = intakes_finished(store, [row.entry for row in listing.rows], today)
    rows = [replace(row, intake_finished=finished.get(row.id)) for row in listing.rows]
    return replace(listing, rows=rows, complete=True)


# dossier id -> (version, finished): a dossier is replayed again only once it has changed.
_finished_cache: dict[str, tuple[str, bool]] = {}
_cache_lock = threading.Lock()


def intakes_finished(store: DossierStore, entries: list[IndexEntry],
                      today: date | None) -> dict[str, bool]:
    # Completeness says nothing of the content: it is read from the store itself, without an
    # entry in the access log of every dossier the list merely shows.
    raw = store.inner if isinstance(store, GuardedStore) else store
    out: dict[str, bool] = {}
    waiting = [e for e in entries if e.status == Status.PREMIER_CONTACT][:MAX_CHECKED]
    misses = []
    for entry in waiting:
        with _cache_lock:
            hit = _finished_cache.get(entry.id)
        if hit is not None and hit[0] == entry.version:
            out[entry.id] = hit[1]
        else:
            misses.append(entry)
    kept = intake_cache.known(raw, {e.id: e.version for e in misses})  # told at an earlier run
    told: dict[str, tuple[str, bool]] = {}
    for entry in misses:
        done = kept.get(entry.id)
        if done is None:
            try:
                done = intake_finished(raw, entry.id, today)
            except (StoreError, OSError, ValueError, KeyError):
                continue  # unreadable: the store names it elsewhere (corrupt_files)
            told[entry.id] = (entry.version, done)
        with _cache_lock:
            _finished_cache[entry.id] = (entry.version, done)
        out[entry.id] = done
    intake_cache.remember(raw, told)
    return out


def intake_finished(store: DossierStore, dossier_id: str, today: date | None = None) -> bool:
    """Whether the dossier's last interview reached its end (every question that applies was
    answered or marked « ne sait pas »)."""
    doc = store.load(dossier_id)
    names = doc.get("questionnaires") or ["accueil_telephonique"]
    questionnaire = load_questionnaire_by_name(names[-1])
    interview = make_interview(questionnaire, answers=doc.get("answers"),
                               unknown=doc.get("unknown", ()), history=doc.get("events", ()),
                               today=today)
    return interview.finished
