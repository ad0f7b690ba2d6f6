"""Contract: change tokens, per-dossier row tables, store-wide records, derived data folder."""

from __future__ import annotations

import os

import pytest

from intake_assistant.store import (
    ConflictError,
    DossierNotFoundError,
    DossierStore,
    InvalidValueError,
    RecordNotFoundError,
    dossier_version,
)
from tests.platforms import POSIX_MODES

from .conftest import Backend


# -- versions ----------------------------------------------------------------------------------
def test_versions_change_with_content_only(store: DossierStore, now) -> None:
    a = store.create_dossier(agent="x", now=now)
    b = store.create_dossier(agent="x", now=now)
    first = store.versions()
    assert set(first) == {a["id"], b["id"]}
    assert first[a["id"]] == dossier_version(a)
    store.save_answer(a["id"], "nom", "Martin", agent="x")
    second = store.versions()
    assert second[a["id"]] != first[a["id"]] and second[b["id"]] == first[b["id"]]
    assert second[a["id"]] == dossier_version(store.load(a["id"]))
    with store.session(b["id"], agent="x") as lease:  # not content: no new token
        store.save_draft(b["id"], {"path": "nom", "text": "Dub"}, token=lease.token)
        store.begin_interview(b["id"], "accueil_telephonique", token=lease.token)
    store.register_export(b["id"], path=None, fmt="md", agent="x")
    assert store.versions()[b["id"]] == first[b["id"]]
    store.forget(a["id"])
    assert set(store.versions()) == {b["id"]}


def test_versions_survive_a_copy_of_the_store(backend: Backend, now) -> None:
    """Tokens are not tied to files or rows: a restored or copied store gives the same ones."""
    from intake_assistant.store import open_store

    store = backend.store
    for i in range(3):
        store.save_answer(store.create_dossier(agent="x", now=now)["id"], "n", i, agent="x")
    before = store.versions()
    copy = open_store(backend.backup_copy())
    assert copy.versions() == before
    assert [d["id"] for d in copy.iter_dossiers()] == sorted(before)


def test_versions_of_some_dossiers(store: DossierStore, now) -> None:
    a = store.create_dossier(agent="x", now=now)
    b = store.create_dossier(agent="x", now=now)
    every = store.versions()
    assert store.versions([b["id"], "D-2026-999999", a["id"]]) == {
        a["id"]: every[a["id"]], b["id"]: every[b["id"]]}  # in id order, the unknown left out
    assert list(store.versions([b["id"], a["id"]])) == sorted([a["id"], b["id"]])
    assert store.versions([]) == {}


def test_changes_since_a_mark_name_the_changed_dossiers_or_cannot_tell(
        store: DossierStore, now) -> None:
    """What derived data relies on: a dossier changed after a mark is among the ids given for
    that mark, unless the answer is None (then every version is compared)."""
    a = store.create_dossier(agent="x", now=now)
    b = store.create_dossier(agent="x", now=now)
    assert store.changes_since(None)[1] is None
    assert store.changes_since("not a mark")[1] is None
    mark, _ = store.changes_since(None)
    later, unchanged = store.changes_since(mark)
    assert unchanged is None or unchanged == []
    store.save_answer(a["id"], "nom", "Martin", agent="x")
    after, changed = store.changes_since(later)
    assert changed is None or changed == [a["id"]]
    assert store.changes_since(after)[1] in (None, [])
    store.forget(b["id"])  # an erasure is never named: the answer cannot tell which
    assert store.changes_since(after)[1] is None


# -- row tables --------------------------------------------------------------------------------
def test_rows_are_appended_with_ids_and_updated_with_audit(store: DossierStore, now) -> None:
    doc = store.create_dossier(agent="a", now=now)
    saved = store.append_rows(doc["id"], "rendez_vous",
                              [{"jour": "2026-03-10", "etat": "prevu"}, {"jour": "2026-03-17"}],
                              agent="Sophie", now=now)
    rows = saved["tables"]["rendez_vous"]
    assert [r["data"] for r in rows] == [{"jour": "2026-03-10", "etat": "prevu"},
                                         {"jour": "2026-03-17"}]
    assert len({r["id"] for r in rows}) == 2 and all(r["agent"] == "Sophie" for r in rows)
    assert saved["rev"] == doc["rev"] + 1
    more = store.append_rows(doc["id"], "rendez_vous", [{"jour": "2026-04-01"}], agent="Sophie")
    ids = [r["id"] for r in more["tables"]["rendez_vous"]]
    assert ids[:2] == [r["id"] for r in rows] and len(set(ids)) == 3
    changed = store.update_row(doc["id"], "rendez_vous", rows[0]["id"], {"etat": "annule"},
                               agent="Nadia")
    row = changed["tables"]["rendez_vous"][0]
    assert row["data"] == {"jour": "2026-03-10", "etat": "annule"}
    assert row["updated_by"] == "Nadia" and row["at"] == rows[0]["at"]
    assert store.load(doc["id"]) == changed
    audit = changed["audit"][-1]
    assert (audit["table"], audit["old"], audit["new"], audit["agent"]) == (
        "rendez_vous", "prevu", "annule", "Nadia")
    unchanged = store.update_row(doc["id"], "rendez_vous", rows[0]["id"], {"etat": "annule"},
                                 agent="Nadia")
    assert unchanged["rev"] == changed["rev"]  # nothing changed, nothing written
    store.append_rows(doc["id"], "remboursements", [{"montant": 50.0}], agent="a")
    assert set(store.load(doc["id"])["tables"]) == {"rendez_vous", "remboursements"}


def test_row_tables_refuse_bad_names_rows_and_ids(store: DossierStore, now) -> None:
    doc = store.create_dossier(agent="a", now=now)
    for bad in ("", "Rendez-vous", "../x", "events", "1abc", "x" * 41):
        if bad == "events":
            continue  # a legal name: user tables live apart from the built-in ones
        with pytest.raises(InvalidValueError, match="Nom de table invalide"):
            store.append_rows(doc["id"], bad, [{}], agent="a")
    with pytest.raises(InvalidValueError):
        store.append_rows(doc["id"], "t", [{"x": float("nan")}], agent="a")
    with pytest.raises(RecordNotFoundError, match="n'existe pas"):
        store.update_row(doc["id"], "t", "1", {"x": 1}, agent="a")
    store.append_rows(doc["id"], "events", [{"x": 1}], agent="a")
    assert store.load(doc["id"])["events"] == []
    with pytest.raises(DossierNotFoundError):
        store.append_rows("D-2026-000077", "t", [{}], agent="a")


# -- store-wide records --------------------------------------------------------------------------
def test_records_put_get_list_delete_with_revisions(store: DossierStore) -> None:
    assert store.get_record("agents", "s.lambert") is None
    first = store.put_record("agents", "s.lambert", {"nom": "Sophie Lambert", "role": "accueil"},
                             expected_rev=0)
    assert (first["kind"], first["id"], first["rev"], first["dossier_id"]) == (
        "agents", "s.lambert", 1, None)
    with pytest.raises(ConflictError):
        store.put_record("agents", "s.lambert", {"nom": "doublon"}, expected_rev=0)
    second = store.put_record("agents", "s.lambert", {"nom": "Sophie Lambert", "role": "ts"},
                              expected_rev=1)
    assert second["rev"] == 2
    with pytest.raises(ConflictError, match="modifié entre-temps"):
        store.put_record("agents", "s.lambert", {"nom": "vieux"}, expected_rev=1)
    store.put_record("agents", "n.benali", {"nom": "Nadia Benali"})
    store.put_record("commissions", "2026-03-12", {"dossiers": []})
    got = store.get_record("agents", "s.lambert")
    assert got is not None and got["doc"] == {"nom": "Sophie Lambert", "role": "ts"}
    assert [r["id"] for r in store.list_records("agents")] == ["n.benali", "s.lambert"]
    assert [(r["kind"], r["id"]) for r in store.list_records()] == [
        ("agents", "n.benali"), ("agents", "s.lambert"), ("commissions", "2026-03-12")]
    with pytest.raises(ConflictError):
        store.delete_record("agents", "s.lambert", expected_rev=1)
    store.delete_record("agents", "s.lambert", expected_rev=2)
    assert store.get_record("agents", "s.lambert") is None
    with pytest.raises(RecordNotFoundError):
        store.delete_record("agents", "s.lambert")


def test_records_refuse_bad_kinds_and_ids(store: DossierStore) -> None:
    for kind in ("Agents", "../x", "", "a-b"):
        with pytest.raises(InvalidValueError, match="Type d'enregistrement invalide"):
            store.put_record(kind, "x", {})
    for record_id in ("../x", ".cache", "a/b", "", "x" * 101):
        with pytest.raises(InvalidValueError, match="Identifiant d'enregistrement invalide"):
            store.put_record("agents", record_id, {})
    with pytest.raises(InvalidValueError):
        store.put_record("agents", "x", {"v": float("inf")})
    with pytest.raises(DossierNotFoundError):
        store.put_record("agents", "x", {}, dossier_id="D-2026-000404")


def test_records_attached_to_a_dossier_follow_it(store: DossierStore, now) -> None:
    a = store.create_dossier(agent="x", now=now)["id"]
    b = store.create_dossier(agent="x", now=now)["id"]
    store.put_record("demandes", "1", {"partenaire": "CAF"}, dossier_id=a)
    store.put_record("demandes", "2", {"partenaire": "MSA"}, dossier_id=b)
    store.put_record("lettres", "1", {"modele": "accuse"}, dossier_id=a)
    assert [(r["kind"], r["id"]) for r in store.list_records(dossier_id=a)] == [
        ("demandes", "1"), ("lettres", "1")]
    assert [r["id"] for r in store.list_records("demandes", dossier_id=a)] == ["1"]
    store.put_record("demandes", "1", {"partenaire": "CAF"}, dossier_id=b)  # moved
    assert [r["id"] for r in store.list_records("demandes", dossier_id=b)] == ["1", "2"]
    store.forget(b)
    assert store.list_records("demandes") == []
    assert [r["kind"] for r in store.list_records()] == ["lettres"]


# -- derived data ----------------------------------------------------------------------------------
@POSIX_MODES
def test_derived_dir_is_private_and_per_name(store: DossierStore) -> None:
    stats = store.derived_dir("stats")
    other = store.derived_dir("lettres")
    assert stats != other and stats.is_dir() and other.is_dir()
    assert store.derived_dir("stats") == stats
    if os.name == "posix":
        assert stats.stat().st_mode & 0o077 == 0
    with pytest.raises(InvalidValueError):
        store.derived_dir("../dehors")
