"""Contract: listing and searching (accents and case ignored, phone digits, filters, order)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from intake_assistant.store import DossierStore as Store
from intake_assistant.store import InvalidValueError

PEOPLE = [
    {"nom": "Lefèvre", "prenom": "Hélène", "telephone": "06 12 34 56 78"},
    {"nom": "Martin", "prenom": "Julie", "telephone": "+33 7 11 22 33 44"},
    {"nom": "Le Gall", "prenom": "Jérôme", "telephone": "03 26 00 00 01"},
]


@pytest.fixture
def filled(store: Store, now) -> list[str]:
    ids = []
    for i, person in enumerate(PEOPLE):
        doc = store.create_dossier(agent="Sophie" if i < 2 else "Karim", answers=person,
                                   now=now + timedelta(days=i))
        ids.append(doc["id"])
    store.set_status(ids[1], "en_evaluation", agent="Nadia", now=now + timedelta(days=5))
    return ids


def _ids(entries) -> list[str]:
    return sorted(e.id for e in entries)


def test_search_ignores_case_and_accents(store: Store, filled: list[str]) -> None:
    assert _ids(store.list(search="lefevre")) == [filled[0]]
    assert _ids(store.list(search="HÉLÈNE LEFÈVRE")) == [filled[0]]
    assert _ids(store.list(search="jerome")) == [filled[2]]
    assert _ids(store.list(search="julie martin")) == [filled[1]]
    assert store.list(search="julie lefevre") == []


def test_search_by_phone_digits_and_id(store: Store, filled: list[str]) -> None:
    assert _ids(store.list(search="06 12 34")) == [filled[0]]
    assert _ids(store.list(search="07.11.22.33.44")) == [filled[1]]  # stored as +33 7 …
    assert _ids(store.list(search="0326000001")) == [filled[2]]
    assert _ids(store.list(search=filled[2])) == [filled[2]]


def test_filters_by_status_agent_and_dates(store: Store, filled: list[str], now) -> None:
    assert _ids(store.list(status="en_evaluation")) == [filled[1]]
    assert _ids(store.list(agent="karim")) == [filled[2]]
    day = now.date()
    assert _ids(store.list(date_from=day + timedelta(days=1))) == filled[1:]
    assert _ids(store.list(date_to=day)) == [filled[0]]
    entry = store.list(status="en_evaluation")[0]
    assert entry.last_contact == (day + timedelta(days=5)).isoformat()
    assert entry.to_dict()["telephone"] == "+33 7 11 22 33 44"


def test_index_entry_follows_answer_changes(store: Store, filled: list[str]) -> None:
    store.save_answer(filled[0], "nom", "Dupont", agent="a")
    store.save_answer(filled[0], "type_projet", "permis_b", agent="a")
    store.save_answer(filled[0], "montant_demande", 850, agent="a")
    entry = store.list(search="dupont")[0]
    assert (entry.id, entry.type_projet, entry.montant_demande) == (filled[0], "permis_b", 850)
    assert store.list(search="lefevre") == []


def test_date_field_choice(store: Store, filled: list[str], now) -> None:
    later = now.date() + timedelta(days=5)
    assert _ids(store.list(date_from=later, date_field="last_contact")) == [filled[1]]
    assert store.list(date_from=date(2030, 1, 1)) == []


def test_most_recently_updated_first_and_limit(store: Store, filled: list[str], now) -> None:
    store.add_note(filled[0], "relance", agent="a", now=now + timedelta(days=30))
    assert [e.id for e in store.list()] == [filled[0], filled[1], filled[2]]
    assert [e.id for e in store.list(limit=2)] == [filled[0], filled[1]]
    assert [e.id for e in store.list(limit=0)] == []
    assert [e.id for e in store.list(search="le", limit=1)] == [filled[0]]


def test_count(store: Store, filled: list[str]) -> None:
    assert store.count() == 3
    assert store.count(status="en_evaluation") == 1
    assert store.count(status="accorde") == 0
    with pytest.raises(Exception, match="Statut inconnu"):
        store.count(status="fini")


def test_bad_filters_are_refused_in_french(store: Store) -> None:
    with pytest.raises(Exception, match="Statut inconnu"):
        store.list(status="fini")
    with pytest.raises(InvalidValueError, match="Champ de date inconnu"):
        store.list(date_field="birthday")  # type: ignore[arg-type]


def test_entries_carry_the_listing_fields(store: Store, filled: list[str]) -> None:
    store.save_answer(filled[0], "type_projet", "permis_b", agent="a")
    store.save_answer(filled[0], "montant_demande", 850, agent="a")
    store.save_answer(filled[0], "commune_residence", "Reims", agent="a")
    entry = store.list(search=filled[0])[0]
    assert (entry.nom, entry.prenom, entry.commune, entry.type_projet, entry.montant_demande,
            entry.status, entry.agent, entry.rev) == (
        "Lefèvre", "Hélène", "Reims", "permis_b", 850, "premier_contact", "Sophie", 4)
    doc = store.load(filled[0])
    assert entry.updated_at == doc["updated_at"] and entry.created_at == doc["created_at"]


@pytest.mark.parametrize("filters", [
    {}, {"status": "en_evaluation"}, {"search": "le"}, {"search": "0612"},
    {"agent": "sophie"}, {"date_from": date(2026, 3, 12), "date_field": "updated_at"},
])
def test_iter_list_gives_what_list_gives_in_the_same_order(store: Store, filled: list[str],
                                                           filters) -> None:
    assert [e.to_dict() for e in store.iter_list(**filters)] == [
        e.to_dict() for e in store.list(**filters)]


def test_iter_list_refuses_bad_filters_in_french(store: Store) -> None:
    with pytest.raises(Exception, match="Statut inconnu"):  # as list() and count() do
        list(store.iter_list(status="fini"))
    with pytest.raises(InvalidValueError, match="Champ de date inconnu"):
        list(store.iter_list(date_field="anniversaire"))


def test_count_by_status_counts_what_the_search_lists(store: Store, filled: list[str]) -> None:
    from collections import Counter

    for search in (None, "", "le", "lefevre", "06 12", "julie martin", "personne", filled[2],
                   "-", "'", " / "):  # punctuation only: no word, no digit
        listed = Counter(e.status for e in store.list(search=search))
        assert store.count_by_status(search=search) == dict(listed), search
    assert store.count_by_status() == {"premier_contact": 2, "en_evaluation": 1}


def test_a_search_sees_changes_from_this_store_and_from_another(backend, store: Store,
                                                                 filled: list[str]) -> None:
    """What a search found is never an old answer: the TinyDB index keeps the rows a search
    matched between the count and the listing, until this store or another one writes."""
    assert store.count_by_status(search="martin") == {"en_evaluation": 1}
    assert _ids(store.list(search="martin")) == [filled[1]]
    store.save_answer(filled[0], "nom", "Martin", agent="Sophie")  # this store writes
    assert store.count_by_status(search="martin") == {"premier_contact": 1, "en_evaluation": 1}
    assert _ids(store.list(search="martin", status="premier_contact")) == [filled[0]]
    other = backend.reopen()  # another process, as far as the index can tell
    other.save_answer(filled[2], "nom", "Martin", agent="Karim")
    assert store.count_by_status(search="martin") == {"premier_contact": 2, "en_evaluation": 1}
    assert _ids(store.list(search="martin")) == sorted(filled)
