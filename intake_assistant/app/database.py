"""The PostgreSQL database of a team: create it, upgrade it, move a one-PC store into it.

`db copy` reads every dossier of the TinyDB folder, writes them with their own numbers in one
transaction per batch, then reads both stores again and compares them: the number of dossiers
and, per dossier, a checksum of its whole content (canonical JSON). Nothing is reported copied
that was not read back identical.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from intake_assistant.store import (
    Dossier,
    StoreError,
    is_database_url,
    open_database_admin,
    open_store,
)

from .access import reception_fields

__all__ = ["CopyReport", "SchemaReport", "StoreError", "checksum", "copy_store",
           "database_status", "init_database", "upgrade_database"]


@dataclass
class SchemaReport:
    location: str
    version: int
    applied: list[str]
    groups: dict[str, str]
    reception_changed: bool


def _sync_reception_fields(url: str) -> bool:
    """Tell the database which answers are reception-level (the phone intake's questions)."""
    store = open_store(url)
    try:
        setter = getattr(store, "set_reception_fields", None)
        if not callable(setter):
            raise StoreError(f"{store.location} n'est pas une base PostgreSQL.")
        return bool(setter(reception_fields()))
    finally:
        close = getattr(store, "close", None)
        if callable(close):
            close()


def init_database(url: str) -> SchemaReport:
    """Create the schema, the group roles and their rights (`db init`)."""
    with open_database_admin(url) as admin:
        applied = admin.init()
        report = SchemaReport(admin.location, admin.version() or 0, applied,
                              admin.group_roles(), False)
    report.reception_changed = _sync_reception_fields(url)
    return report


def upgrade_database(url: str) -> SchemaReport:
    """Apply the missing migrations and follow a changed phone intake (`db upgrade`)."""
    with open_database_admin(url) as admin:
        applied = admin.upgrade()
        report = SchemaReport(admin.location, admin.version() or 0, applied,
                              admin.group_roles(), False)
    report.reception_changed = _sync_reception_fields(url)
    return report


def database_status(url: str) -> tuple[int | None, int]:
    with open_database_admin(url) as admin:
        return admin.version(), admin.expected_version()


def checksum(doc: Dossier) -> str:
    """The content of a dossier as one value: same documents, same checksum, on any backend."""
    text = json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class CopyReport:
    source: str
    target: str
    copied: int
    checked: int
    unreadable: dict[str, str] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)  # in the source, not in the target
    extra: list[str] = field(default_factory=list)  # in the target, not in the source
    different: list[str] = field(default_factory=list)  # content checksums differ

    @property
    def ok(self) -> bool:
        return not (self.unreadable or self.missing or self.extra or self.different)


Progress = Callable[[str, int], None]


def copy_store(source: str | Path, target_url: str, *, progress: Progress | None = None
               ) -> CopyReport:
    """Copy every dossier of a one-PC store into an empty PostgreSQL database, then verify."""
    if is_database_url(str(source)):
        raise StoreError("La source de la copie doit être le dossier d'un magasin sur un poste "
                         "(--from CHEMIN).")
    if not Path(source).expanduser().is_dir():
        raise StoreError(f"Aucun magasin de dossiers dans {source}.")
    if not is_database_url(target_url):
        raise StoreError(f"« {target_url} » n'est pas l'adresse d'une base PostgreSQL "
                         "(--to postgresql://utilisateur@serveur/base).")
    src = open_store(source)
    dst = open_store(target_url)
    try:
        present = len(dst.list())
        if present:
            raise StoreError(
                f"La base {dst.location} contient déjà {present} dossier(s) : la copie se fait "
                "dans une base vide (rien n'a été copié)."
            )
        sums: dict[str, str] = {}

        def read() -> Iterator[Dossier]:
            for n, doc in enumerate(src.iter_dossiers(), start=1):
                sums[doc["id"]] = checksum(doc)
                if progress is not None and n % 500 == 0:
                    progress("copie", n)
                yield doc

        importer: Any = dst.import_dossiers
        copied = len(importer(read(), keep_ids=True))
        report = CopyReport(src.location, dst.location, copied, 0,
                            {k: str(v) for k, v in src.corrupt_files().items()})
        seen: set[str] = set()
        fresh = open_store(target_url)  # read back through a new connection
        try:
            copy_back = list(fresh.iter_dossiers())
        finally:
            getattr(fresh, "close", lambda: None)()
        for n, doc in enumerate(copy_back, start=1):
            seen.add(doc["id"])
            expected = sums.get(doc["id"])
            if expected is None:
                report.extra.append(doc["id"])
            elif expected != checksum(doc):
                report.different.append(doc["id"])
            else:
                report.checked += 1
            if progress is not None and n % 500 == 0:
                progress("vérification", n)
        report.missing = sorted(set(sums) - seen)
        return report
    finally:
        for store in (src, dst):
            close = getattr(store, "close", None)
            if callable(close):
                close()
