"""The documents checklist: built from the proposed aids and the project, kept up to date."""

from __future__ import annotations

import pytest

from intake_assistant.core.casework import checklist
from intake_assistant.core.casework.settings import DocumentSettings, ProjectDocuments
from intake_assistant.core.casework.terms import CaseworkError

SETTINGS = DocumentSettings(
    common=("Pièce d'identité",),
    equivalences={"Justificatifs de ressources des 3 derniers mois":
                  "Justificatifs de ressources et de charges des 3 derniers mois"},
    projects={"permis_b": ProjectDocuments(("Devis de l'auto-école",),
                                           ("Devis ou facture du projet",))},
)
MICRO = ("microcredit_personnel", ["Pièce d'identité", "Justificatifs de ressources des 3 "
                                   "derniers mois", "Devis ou facture du projet"])
AVANCE = ("avance_remboursable", ["PIÈCE D'IDENTITE", "Justificatifs de ressources et de "
                                  "charges des 3 derniers mois", "RIB"])


def rows_of(data: list[dict]) -> list[dict]:
    return [{"id": str(i), "data": d} for i, d in enumerate(data, 1)]


def test_each_document_once_with_why_it_is_asked() -> None:
    needed = checklist.needed_documents([MICRO, AVANCE], "permis_b", SETTINGS)
    assert [(n.label, n.origins) for n in needed] == [
        ("Pièce d'identité", ("commun", "aide:microcredit_personnel", "aide:avance_remboursable")),
        ("Justificatifs de ressources et de charges des 3 derniers mois",
         ("aide:microcredit_personnel", "aide:avance_remboursable")),
        ("RIB", ("aide:avance_remboursable",)),
        ("Devis de l'auto-école", ("projet:permis_b",)),  # replaces the generic quote
    ]


def test_without_a_project_type_the_generic_quote_stays() -> None:
    needed = checklist.needed_documents([MICRO], None, SETTINGS)
    assert "Devis ou facture du projet" in [n.label for n in needed]


def test_merge_adds_new_items_requested_today_and_keeps_received_ones() -> None:
    first = checklist.needed_documents([MICRO], "permis_b", SETTINGS)
    new, changes = checklist.merge([], first, "2026-11-20")
    assert changes == [] and all(r["etat"] == "demandee" and r["demandee_le"] == "2026-11-20"
                                 for r in new)
    rows = rows_of(new)
    rows[0]["data"] |= {"etat": "recue", "recue_le": "2026-11-25"}
    # the proposal changes: the advance instead of the microcredit
    second = checklist.needed_documents([AVANCE], "permis_b", SETTINGS)
    added, changed = checklist.merge(rows, second, "2026-11-26")
    assert [r["libelle"] for r in added] == ["RIB"]
    assert ("1", {"origines": ["commun", "aide:avance_remboursable"]}) in changed
    assert not [c for c in changed if c[0] == "1" and "etat" in c[1]]  # received stays received


def test_an_item_no_longer_asked_does_not_count_as_missing() -> None:
    rows = rows_of([{"libelle": "RIB", "origines": ["aide:avance_remboursable"],
                     "etat": "demandee"},
                    {"libelle": "Pièce d'identité", "origines": ["commun"], "etat": "recue"}])
    _, changes = checklist.merge(rows, [checklist.Needed("Pièce d'identité", ("commun",))],
                                 "2026-11-26")
    assert changes == [("1", {"origines": []})]
    rows[0]["data"]["origines"] = []
    assert checklist.missing(rows) == [] and checklist.complete(rows)


def test_manual_items_are_kept_and_count() -> None:
    item = checklist.manual_item("  Attestation   France Travail ", "2026-11-20")
    assert item["libelle"] == "Attestation France Travail" and item["origines"] == ["manuel"]
    rows = rows_of([item])
    _, changes = checklist.merge(rows, [], "2026-11-21")
    assert changes == []
    assert not checklist.complete(rows) and len(checklist.missing(rows)) == 1
    with pytest.raises(CaseworkError, match="vide"):
        checklist.manual_item("   ", "2026-11-20")


def test_complete_needs_a_list_and_nothing_awaited() -> None:
    assert not checklist.complete([])
    rows = rows_of([{"libelle": "RIB", "origines": ["x"], "etat": "recue"},
                    {"libelle": "Devis", "origines": ["x"], "etat": "sans_objet"}])
    assert checklist.complete(rows)
    rows.append({"id": "3", "data": {"libelle": "Bail", "origines": ["x"], "etat": "demandee"}})
    assert not checklist.complete(rows)


def test_state_change_dates_the_state_and_refuses_the_same_state() -> None:
    row = {"id": "1", "data": {"libelle": "RIB", "etat": "demandee"}}
    assert checklist.state_change(row, "recue", "2026-11-25") == {"etat": "recue",
                                                                  "recue_le": "2026-11-25"}
    with pytest.raises(CaseworkError, match="déjà demandée"):
        checklist.state_change(row, "demandee", "2026-11-25")
    with pytest.raises(CaseworkError, match="État inconnu"):
        checklist.state_change(row, "perdue", "2026-11-25")


def test_find_row_by_number_id_or_label_start() -> None:
    rows = rows_of([{"libelle": "Pièce d'identité", "origines": ["c"]},
                    {"libelle": "Relevés de compte", "origines": ["c"]},
                    {"libelle": "RIB", "origines": ["c"]}])
    assert checklist.find_row(rows, "2")["id"] == "2"
    assert checklist.find_row(rows, "piece")["id"] == "1"  # accents and case ignored
    with pytest.raises(CaseworkError, match="Plusieurs"):
        checklist.find_row(rows, "r")
    with pytest.raises(CaseworkError, match="Aucune pièce"):
        checklist.find_row(rows, "bail")
