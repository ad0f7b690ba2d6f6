"""The documents checklist of a dossier: what to bring, from the proposed aids' « à apporter »
lists (aides.yaml) and the project type (documents.yaml), and where each item stands.

A checklist item is a row of the dossier's ``pieces`` table: ``libelle``, ``origines`` (why it is
asked: ``commun``, ``aide:<id>``, ``projet:<type>`` or ``manuel``), ``etat`` (``demandee``,
``recue``, ``sans_objet``) and the date of each state. Rebuilding the list after the proposal
changed never loses what was received: it adds the new items and clears the origins of those no
longer asked (they then no longer count as missing).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from intake_assistant.core.french import normalize_text

from .settings import DocumentSettings
from .terms import CaseworkError

TABLE = "pieces"
STATES = {"demandee": "demandée", "recue": "reçue", "sans_objet": "sans objet"}
DATE_KEYS = {"demandee": "demandee_le", "recue": "recue_le", "sans_objet": "sans_objet_le"}
MANUAL = "manuel"
MAX_LABEL = 200


@dataclass(frozen=True)
class Needed:
    label: str
    origins: tuple[str, ...]


def _key(label: str) -> str:
    return normalize_text(label)


def needed_documents(bring: Sequence[tuple[str, Sequence[str]]], project_type: str | None,
                     settings: DocumentSettings) -> list[Needed]:
    """Every document to ask for, once: the common ones, each aid's (in the given order), then
    the project's; equivalent labels merged, generic ones the project replaces dropped."""
    equivalences = {_key(k): v for k, v in settings.equivalences.items()}
    project = settings.projects.get(project_type or "")
    dropped = {_key(label) for label in (project.replaces if project else ())}
    order: list[str] = []
    found: dict[str, tuple[str, list[str]]] = {}

    def add(label: str, origin: str) -> None:
        label = equivalences.get(_key(label), label)
        key = _key(label)
        if key in dropped:
            return
        if key not in found:
            found[key] = (label, [])
            order.append(key)
        if origin not in found[key][1]:
            found[key][1].append(origin)

    for label in settings.common:
        add(label, "commun")
    for aid, labels in bring:
        for label in labels:
            add(label, f"aide:{aid}")
    for label in project.documents if project else ():
        add(label, f"projet:{project_type}")
    return [Needed(found[k][0], tuple(found[k][1])) for k in order]


def merge(rows: Sequence[Mapping[str, Any]], needed: Iterable[Needed], today: str
          ) -> tuple[list[dict[str, Any]], list[tuple[str, dict[str, Any]]]]:
    """(rows to append, (row id, changes) to apply) so the table matches ``needed``: new items
    requested today, origins refreshed, received items kept as they are."""
    by_key = {_key(str(r["data"].get("libelle", ""))): r for r in rows}
    wanted = {_key(n.label): n for n in needed}
    new, changes = [], []
    for key, item in wanted.items():
        row = by_key.get(key)
        if row is None:
            new.append({"libelle": item.label, "origines": list(item.origins),
                        "etat": "demandee", "demandee_le": today, "recue_le": None,
                        "sans_objet_le": None})
        elif list(row["data"].get("origines") or ()) != list(item.origins) and \
                MANUAL not in (row["data"].get("origines") or ()):
            changes.append((row["id"], {"origines": list(item.origins)}))
    for key, row in by_key.items():
        origins = list(row["data"].get("origines") or ())
        if key not in wanted and origins and MANUAL not in origins:
            changes.append((row["id"], {"origines": []}))
    return new, changes


def manual_item(label: str, today: str) -> dict[str, Any]:
    label = " ".join(label.split())
    if not label:
        raise CaseworkError("Le libellé de la pièce est vide.")
    if len(label) > MAX_LABEL:
        raise CaseworkError(f"Libellé trop long ({len(label)} caractères, {MAX_LABEL} au plus).")
    return {"libelle": label, "origines": [MANUAL], "etat": "demandee", "demandee_le": today,
            "recue_le": None, "sans_objet_le": None}


def state_change(row: Mapping[str, Any], state: str, day: str) -> dict[str, Any]:
    """The changes that put an item in ``state`` on ``day`` (its date kept with it)."""
    if state not in STATES:
        raise CaseworkError(f"État inconnu : « {state} » (demandee, recue ou sans_objet).")
    data = row["data"]
    if data.get("etat") == state:
        raise CaseworkError(f"La pièce « {data.get('libelle')} » est déjà {STATES[state]}.")
    return {"etat": state, DATE_KEYS[state]: day}


def is_active(row: Mapping[str, Any]) -> bool:
    """Still asked: for a proposed aid, the project, every dossier, or added by hand."""
    return bool(row["data"].get("origines"))


def missing(rows: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [r for r in rows if is_active(r) and r["data"].get("etat") == "demandee"]


def complete(rows: Sequence[Mapping[str, Any]]) -> bool:
    """« Dossier complet »: a checklist exists and nothing asked is still awaited."""
    return any(is_active(r) for r in rows) and not missing(rows)


def find_row(rows: Sequence[Mapping[str, Any]], ref: str) -> Mapping[str, Any]:
    """A row by its number in the list (1, 2…), its id, or the start of its label."""
    active = [r for r in rows if is_active(r)]
    if ref.isdigit() and 1 <= int(ref) <= len(active):
        return active[int(ref) - 1]
    for r in rows:
        if r["id"] == ref:
            return r
    matches = [r for r in active if _key(str(r["data"].get("libelle"))).startswith(_key(ref))]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise CaseworkError(f"Aucune pièce « {ref} » dans la liste (numéro ou début du "
                            "libellé).")
    raise CaseworkError(f"Plusieurs pièces commencent par « {ref} » : précisez.")
