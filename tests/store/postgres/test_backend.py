"""PostgreSQL-specific behaviour: schema versions, search equal to the TinyDB backend's, RGPD
erasure leaving nothing in any table (checked on a pg_dump of the whole database), the copy of a
one-PC store, the contract's newer parts (records, tables, drafts, interviews, exports)."""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import psycopg
import pytest

from intake_assistant.app.database import CopyReport, checksum, copy_store
from intake_assistant.store import (
    ConflictError,
    DossierLockedError,
    RecordNotFoundError,
)
from intake_assistant.store.postgres import PostgresStore, SchemaError, latest_version
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


# -- RGPD -----------------------------------------------------------------------------------------
def _dump(url: str) -> str:
    binary = shutil.which("pg_dump")
    if binary is None:
        pytest.skip("pg_dump absent : installez le client PostgreSQL (postgresql-client)")
    done = subprocess.run([binary, "--data-only", "--no-owner", url], capture_output=True,
                          text=True, timeout=120, check=True)
    return done.stdout


def _person(store: PostgresStore, nom: str, days_ago: int = 0) -> str:
    moment = NOW.replace(year=NOW.year - (1 if days_ago > 365 else 0))
    doc = store.create_dossier(agent="sophie", answers={"nom": nom, "telephone": "0699887766"},
                               now=moment if days_ago > 365 else NOW)
    store.save_answer(doc["id"], "loyer", 400, agent="sophie", now=moment)
    store.add_note(doc["id"], f"Note sur {nom}", agent="nadia", now=moment)
    store.set_fields(doc["id"], agent="nadia", evaluation_sociale=f"Évaluation de {nom}",
                     now=moment)
    store.append_rows(doc["id"], "rendez_vous", [{"avec": nom}], agent="sophie", now=moment)
    store.register_export(doc["id"], path=f"/tmp/{nom}.pdf", fmt="pdf", agent="nadia")
    store.put_record("acces", f"{doc['id']}.x", {"qui": nom}, dossier_id=doc["id"])
    with store.session(doc["id"], agent="Sophie") as lease:
        store.begin_interview(doc["id"], "evaluation", token=lease.token)
        store.save_draft(doc["id"], {"path": "nom", "text": f"{nom} brouillon"},
                         token=lease.token)
    return doc["id"]


def test_forget_leaves_nothing_of_the_person_in_any_table(store: PostgresStore,
                                                          pg_url: str) -> None:
    gone = _person(store, "Zébulon")
    kept = _person(store, "Gardé")
    assert "Zébulon" in _dump(pg_url)
    erasure = store.forget(gone)
    assert erasure.dossier_id == gone and erasure.entry is not None
    assert [e["path"] for e in erasure.exports] == ["/tmp/Zébulon.pdf"]
    dump = _dump(pg_url)
    for trace in ("Zébulon", gone):
        assert trace not in dump, trace
    assert "Gardé" in dump and kept in dump


def test_purge_leaves_nothing_either(store: PostgresStore, pg_url: str) -> None:
    old = _person(store, "Ancien", days_ago=800)
    store.purge(now=NOW.replace(year=NOW.year + 2))
    assert "Ancien" not in _dump(pg_url) and old not in _dump(pg_url)


# -- the newer contract ---------------------------------------------------------------------------
def test_records_with_revisions_and_attachment(store: PostgresStore) -> None:
    first = store.put_record("seances", "2026-03", {"date": "2026-03-10"}, expected_rev=0)
    assert first["rev"] == 1 and first["doc"] == {"date": "2026-03-10"}
    with pytest.raises(ConflictError):
        store.put_record("seances", "2026-03", {"date": "x"}, expected_rev=0)
    again = store.put_record("seances", "2026-03", {"date": "2026-03-11"}, expected_rev=1)
    assert again["rev"] == 2
    doc = store.create_dossier(agent="a")
    store.put_record("lettres", "l1", {"texte": "…"}, dossier_id=doc["id"])
    assert [r["id"] for r in store.list_records(dossier_id=doc["id"])] == ["l1"]
    assert [r["kind"] for r in store.list_records()] == ["lettres", "seances"]
    store.forget(doc["id"])
    assert store.get_record("lettres", "l1") is None
    with pytest.raises(RecordNotFoundError):
        store.delete_record("lettres", "l1")
    store.delete_record("seances", "2026-03", expected_rev=2)
    assert store.list_records() == []


def test_tables_update_row_audited_and_versions(store: PostgresStore) -> None:
    doc = store.create_dossier(agent="a")
    before = store.versions()[doc["id"]]
    doc = store.append_rows(doc["id"], "rendez_vous", [{"jour": "lundi"}, {"jour": "mardi"}],
                            agent="sophie", expected_rev=1)
    assert [r["id"] for r in doc["tables"]["rendez_vous"]] == ["1", "2"]
    doc = store.update_row(doc["id"], "rendez_vous", "2", {"jour": "jeudi"}, agent="nadia")
    assert doc["tables"]["rendez_vous"][1]["data"] == {"jour": "jeudi"}
    assert doc["audit"][-1]["id"] == "rendez_vous[2].jour" and doc["audit"][-1]["old"] == "mardi"
    assert store.load(doc["id"]) == doc
    assert store.versions()[doc["id"]] != before
    with pytest.raises(RecordNotFoundError):
        store.update_row(doc["id"], "rendez_vous", "9", {"jour": "x"}, agent="nadia")


def test_writes_refused_while_open_elsewhere_but_not_for_the_holder(pg_url: str,
                                                                    store: PostgresStore) -> None:
    doc = store.create_dossier(agent="a")
    other = PostgresStore(pg_url)
    try:
        with other.session(doc["id"], agent="Nadia") as lease:
            with pytest.raises(DossierLockedError, match="ouvert par Nadia"):
                store.add_note(doc["id"], "non", agent="sophie")
            other.add_note(doc["id"], "oui", agent="nadia")
            store.register_export(doc["id"], path=None, fmt="md", agent="sophie")  # reading
            other.begin_interview(doc["id"], "evaluation", token=lease.token)
            with pytest.raises(DossierLockedError):
                store.save_draft(doc["id"], {"path": "nom", "text": "x"}, token=lease.token)
            assert store.interrupted_interviews("Nadia") == []  # its session is alive
        # closed without end_interview (as if the terminal had been killed)
        found = store.interrupted_interviews("Nadia")
        assert [i["dossier_id"] for i in found] == [doc["id"]]
    finally:
        other.close()
    assert [n["text"] for n in store.load(doc["id"])["notes"]] == ["oui"]


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
