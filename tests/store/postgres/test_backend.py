"""PostgreSQL-specific behaviour: schema versions and migrations, search equal to the TinyDB
backend's and answered by the trigram indexes, dossiers written around the application, the copy
of a one-PC store. What every backend does is in the contract suite (tests/store/contract/),
which runs on PostgreSQL too."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import psycopg
import pytest

from intake_assistant.app.database import CopyReport, checksum, copy_store
from intake_assistant.store import CorruptDossierError
from intake_assistant.store.postgres import PostgresStore, SchemaError, latest_version
from intake_assistant.store.postgres.schema import upgrade
from intake_assistant.store.tinydb import TinyDBStore

from . import server

NOW = datetime(2026, 3, 2, 10, 30).astimezone()
PEOPLE = [("Lefèvre-D'Arc", "Zoé", "06 12 34 56 78"), ("LEFEBVRE", "Zoë", "+33 6 98 76 54 32"),
          ("Martin", "Julie", "07.11.22.33.44"), ("Martín", "José", "0611223344"),
          ("Nguyễn", "Thị Ánh", "06 00 00 00 01"), ("Öztürk", "Çağla", None)]
QUERIES = ["lefevre", "LEFÈVRE zoe", "zo", "martin", "martin julie", "jose martin", "nguyen anh",
           "ozturk", "cagla oz", "06 12", "0612345678", "+33 6 98", "06.11.22", "2026000003",
           "D-2026-000004", "2026", "d arc", "x", "julie zoé"]


# -- schema -------------------------------------------------------------------------------------
def test_schema_absent_behind_and_ahead_say_what_to_run() -> None:
    with server.scratch_database() as url:
        with pytest.raises(SchemaError, match=r"n'est pas initialisée : lancez « intake-assistant"
                                              r" db init"):
            PostgresStore(url)
        server.migrate(url)
        PostgresStore(url).close()
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("INSERT INTO intake.schema_version (version, name) VALUES (%s, 'futur')",
                         (latest_version() + 1,))
        with pytest.raises(SchemaError, match="plus récent que cette version de l'application"):
            PostgresStore(url)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("DELETE FROM intake.schema_version WHERE version >= %s",
                         (latest_version(),))
        with pytest.raises(SchemaError, match=r"lancez « intake-assistant db upgrade"):
            PostgresStore(url)


def test_a_database_of_the_first_schema_is_upgraded_in_place() -> None:
    with server.scratch_database() as url:
        with psycopg.connect(url, autocommit=True) as conn:
            upgrade(conn, target=1)
        first = PostgresStore(url, check_schema=False)  # as version 1 wrote its dossiers
        ids = [first.create_dossier(agent="a", answers={"nom": f"N{i}"}, now=NOW)["id"]
               for i in range(3)]
        first.close()
        with pytest.raises(SchemaError, match=r"en version 1, .* lancez « intake-assistant db "
                                              r"upgrade"):
            PostgresStore(url)
        server.migrate(url)
        store = PostgresStore(url)
        assert sorted(e.id for e in store.list()) == ids
        assert store.corrupt_files() == {} and _unchecked(url) == []
        store.save_answer(ids[0], "loyer", 420, agent="a")
        assert store.load(ids[0])["answers"] == {"nom": "N0", "loyer": 420}
        store.close()


# -- written around the application ---------------------------------------------------------
def _unchecked(url: str) -> list[str]:
    with psycopg.connect(url, autocommit=True) as conn:
        return [r[0] for r in conn.execute(
            "SELECT id FROM intake.dossiers WHERE NOT checked ORDER BY id")]


def _around(url: str, query: str, *params: object) -> None:
    """A write by another client than the application (psql, a script)."""
    with psycopg.connect(url, autocommit=True, application_name="psql") as conn:
        conn.execute(query, params)


def test_what_is_written_around_the_application_is_checked_until_reindexed(
        store: PostgresStore, pg_url: str) -> None:
    sound = store.create_dossier(agent="a", answers={"nom": "Sain"}, now=NOW)["id"]
    touched = store.create_dossier(agent="a", answers={"nom": "Retouché"}, now=NOW)["id"]
    store.add_note(touched, "écrit par l'application", agent="a")
    assert _unchecked(pg_url) == []  # the application's own writes are trusted
    _around(pg_url, "UPDATE intake.dossiers SET agent = 'b' WHERE id = %s", sound)
    _around(pg_url, "UPDATE intake.dossier_rows SET body = '{\"text\": \"x\"}' "
                    "WHERE dossier_id = %s AND tbl = 'notes'", touched)
    assert _unchecked(pg_url) == [sound, touched]
    assert sorted(e.id for e in store.list()) == [sound, touched]  # checked, and sound
    assert store.corrupt_files() == {}
    store.reindex()  # a role that reads everything trusts them again
    assert _unchecked(pg_url) == []
    _around(pg_url, "UPDATE intake.drafts SET draft = draft")  # no row: nothing marked
    _around(pg_url, "INSERT INTO intake.drafts (dossier_id, draft) VALUES (%s, '[1]')", touched)
    assert _unchecked(pg_url) == [touched]
    with pytest.raises(CorruptDossierError, match="« draft » n'est pas un objet"):
        store.load(touched)
    assert [e.id for e in store.list()] == [sound] and store.count() == 1
    assert set(store.corrupt_files()) == {touched}
    store.reindex()
    assert _unchecked(pg_url) == [touched]  # still damaged: still checked by listings


# -- search ---------------------------------------------------------------------------------------
def test_search_finds_what_the_tinydb_backend_finds(store: PostgresStore, tmp_path: Path) -> None:
    tiny = TinyDBStore.open(tmp_path / "base")
    for nom, prenom, phone in PEOPLE:
        answers = {"nom": nom, "prenom": prenom, **({"telephone": phone} if phone else {})}
        for backend in (store, tiny):
            backend.create_dossier(agent="a", answers=answers, now=NOW)
    for query in QUERIES:
        expected = sorted(e.id for e in tiny.list(search=query))
        assert sorted(e.id for e in store.list(search=query)) == expected, query
    assert [e.to_dict() for e in store.list()] == [e.to_dict() for e in tiny.list()]


def test_search_uses_the_trigram_indexes(store: PostgresStore, pg_url: str) -> None:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("SET enable_seqscan = off")
        plan = "\n".join(r[0] for r in conn.execute(
            "EXPLAIN SELECT id FROM intake.dossiers WHERE search_text LIKE '%lefevre%'"))
    assert "dossiers_search_text" in plan


# -- db copy --------------------------------------------------------------------------------------
def test_copy_keeps_numbers_and_content_and_counts(pg_url: str, tmp_path: Path) -> None:
    from intake_assistant.app.stores import add_demo_dossiers

    source = TinyDBStore.open(tmp_path / "poste")
    ids = add_demo_dossiers(source, 120, now=NOW)
    with source.session(ids[0], agent="Sophie") as lease:
        source.begin_interview(ids[0], "evaluation", token=lease.token)
        source.save_draft(ids[0], {"path": "loyer", "text": "45"}, token=lease.token)
    source.append_rows(ids[1], "rendez_vous", [{"jour": "lundi"}], agent="sophie")
    source.register_export(ids[2], path="/tmp/f.pdf", fmt="pdf", agent="nadia")
    report = copy_store(tmp_path / "poste", pg_url)
    assert report.ok and report.copied == report.checked == 120
    target = PostgresStore(pg_url)
    for dossier_id in ids:
        assert checksum(target.load(dossier_id)) == checksum(source.load(dossier_id))
    year = int(ids[-1][2:6])
    assert target.create_dossier(agent="a", now=NOW.replace(year=year))["id"] > max(
        i for i in ids if i.startswith(f"D-{year}"))
    target.close()
    with pytest.raises(Exception, match="contient déjà"):
        copy_store(tmp_path / "poste", pg_url)


def test_copy_report_names_what_differs() -> None:
    report = CopyReport("a", "b", 3, 1, missing=["D-2026-000002"], different=["D-2026-000003"])
    assert not report.ok
