"""The index's log of changes: which dossiers changed, in commit order, whoever wrote.

Its table and triggers belong to the index's schema (index.py creates them); the search table
(search_table.py) reads it to stay current. Here so that both read one definition without
importing each other (the index imports the search table only when a search needs it).
"""

from __future__ import annotations

LOG_KEPT = 20000  # rows of `changes` kept (the triggers prune older ones)

# Which dossiers changed, in commit order, whoever wrote (this version's code or another): what
# keeps a process's in-memory search table current (search_table.py). A deletion (an erasure)
# removes its id from the log and logs an anonymous row, '' (readers then take a new snapshot):
# no trace of an erased dossier stays. The last LOG_KEPT rows are kept.
CHANGE_LOG = (
    "CREATE TABLE IF NOT EXISTS changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS changes_id ON changes (id)",
    "CREATE TRIGGER IF NOT EXISTS entries_inserted AFTER INSERT ON entries "
    "BEGIN INSERT INTO changes (id) VALUES (new.id); END",
    "CREATE TRIGGER IF NOT EXISTS entries_updated AFTER UPDATE ON entries "
    "BEGIN INSERT INTO changes (id) VALUES (new.id); END",
    "CREATE TRIGGER IF NOT EXISTS entries_deleted AFTER DELETE ON entries "
    "BEGIN DELETE FROM changes WHERE id = old.id; INSERT INTO changes (id) VALUES (''); END",
    "CREATE TRIGGER IF NOT EXISTS changes_pruned AFTER INSERT ON changes "
    f"BEGIN DELETE FROM changes WHERE seq <= new.seq - {LOG_KEPT}; END",
)
