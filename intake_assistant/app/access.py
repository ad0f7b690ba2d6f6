"""Who is at the keyboard, and what they may do.

Identity comes from authentication, never from a form: with PostgreSQL the database role the
application connected as (`current_user`: the server checked the password, certificate or
Kerberos ticket), with a store on one PC the operating-system user. The agent record of that
login (`agents.py`) gives the name and the role.

Roles restrict here, for both backends — and with PostgreSQL the database enforces the same
split itself (grants and row-level security, migrations/0001_schema.sql):
- ``accueil``: identity, contact, the phone intake, appointments, notes; not the full evaluation,
  not the social workers' notes;
- ``travailleur_social``: everything on dossiers;
- ``responsable``: what the commission and the funders need (dossiers with their evaluation but
  not the social workers' notes, decisions, exports of several dossiers, statistics), the RGPD
  purge and erasure, the agents.

`GuardedStore` wraps a store for one identity: every operation is checked (refusal: a French
`AccessDenied`), reads are cut to what the role may see, every dossier read by someone who is
not its referent is written in the dossier's access log, and the agent recorded on every change
is the authenticated login, whatever the caller passed.
"""

from __future__ import annotations

import builtins
import getpass
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

from intake_assistant.core.timeutil import iso, local_now
from intake_assistant.store import (
    Dossier,
    DossierLease,
    DossierStore,
    Draft,
    Erasure,
    IndexEntry,
    InterruptedInterview,
    LeaseInfo,
    StoredRecord,
    StoreError,
    open_store,
)

from .agents import KIND as AGENTS_KIND
from .agents import ROLES, Agent, get_agent, list_agents

ACCESS_KIND = "acces"  # the access log: one record per dossier read by a non-referent

ALL = frozenset(ROLES)
# action -> (roles allowed, what it is, in French, for the refusal message)
ACTIONS: dict[str, tuple[frozenset[str], str]] = {
    "lister": (ALL, "consulter la liste des dossiers"),
    "consulter": (ALL, "consulter un dossier"),
    "accueil": (frozenset({"accueil", "travailleur_social"}),
                "mener un accueil téléphonique ou créer un dossier"),
    "evaluation": (frozenset({"travailleur_social"}), "mener ou modifier l'évaluation"),
    "lire_evaluation": (frozenset({"travailleur_social", "responsable"}),
                        "consulter l'évaluation complète"),
    "notes_privees": (frozenset({"travailleur_social"}),
                      "lire les notes des travailleurs sociaux"),
    "rendez_vous": (frozenset({"accueil", "travailleur_social"}), "noter un rendez-vous"),
    "suivi_partenaires": (frozenset({"travailleur_social"}),
                          "adresser une demande à un partenaire ou noter sa réponse"),
    "remboursement": (frozenset({"travailleur_social"}),
                      "suivre le remboursement d'une avance"),
    "note": (ALL, "écrire une note"),
    "statut": (frozenset({"travailleur_social", "responsable"}), "changer le statut"),
    "decision": (frozenset({"travailleur_social", "responsable"}),
                 "enregistrer la décision de la commission"),
    "attribuer": (ALL, "confier le dossier à un agent"),
    "export_dossier": (frozenset({"travailleur_social", "responsable"}),
                       "exporter la fiche pour la commission"),
    "export_plusieurs": (frozenset({"responsable"}), "exporter plusieurs dossiers"),
    "statistiques": (frozenset({"responsable"}), "consulter les statistiques"),
    "droit_acces": (frozenset({"travailleur_social", "responsable"}),
                    "extraire tout ce qui est conservé sur une personne"),
    "purge": (frozenset({"responsable"}), "purger les dossiers inactifs (RGPD)"),
    "effacer": (frozenset({"responsable"}), "effacer une personne (RGPD)"),
    "agents": (frozenset({"responsable"}), "gérer les agents"),
}
_ROW_TABLES = ("events", "audit", "rencontres", "notes")
_META = frozenset({"id", "rev", "created_at", "updated_at", "created_by", "agent", "status",
                   "status_history", "questionnaires", "answers", "unknown", "commission",
                   "tables", "exports", "draft", "interview", *_ROW_TABLES})


_ADMIN_METHODS = frozenset({"grant_role", "revoke_roles", "set_reception_fields"})
# Row tables and record kinds whose writing needs another right than the phone intake's: the
# commission's decisions per aid (app/casework.py) and its sessions.
TABLE_ACTIONS = {"decisions": "decision", "courriers": "note"}
RECORD_ACTIONS = {AGENTS_KIND: "agents", "seance": "decision"}


class AccessDenied(StoreError):
    """An action the connected agent's role does not allow (French message)."""


@dataclass(frozen=True)
class Identity:
    """The authenticated person: login (proved by the server or the OS), name and role.

    `admin` is the store's administrator (the PostgreSQL schema owner or a superuser), or the
    only user of a one-PC store where no agent is registered yet: every action is allowed, so
    that a fresh install works and the first `agents add` can be made.
    """

    login: str
    name: str
    role: str
    source: str  # "postgresql" or "système"
    admin: bool = False

    @property
    def label(self) -> str:
        role = "administrateur" if self.admin and self.role not in ROLES else \
            ROLES.get(self.role, self.role)
        return f"{self.name} ({role})"

    def may(self, action: str) -> bool:
        return self.admin or self.role in ACTIONS[action][0]


def authenticated_login(store: DossierStore) -> tuple[str, str]:
    """(login, source): the database role for PostgreSQL, else the operating-system user."""
    identity = getattr(store, "identity", None)
    if callable(identity):
        return str(identity()), "postgresql"
    return getpass.getuser(), "système"


def authenticate(store: DossierStore) -> Identity:
    """The identity of whoever runs the application on this store, or AccessDenied."""
    login, source = authenticated_login(store)
    agent = get_agent(store, login)
    is_admin = getattr(store, "is_administrator", None)
    admin = bool(is_admin()) if callable(is_admin) else False
    if agent is not None and agent.active:
        return Identity(agent.login, agent.name, agent.role, source, admin)
    if admin:
        return Identity(login, login, "administrateur", source, True)
    if agent is not None:
        raise AccessDenied(
            f"Le compte de {agent.name} ({login}) est désactivé : demandez au responsable "
            f"de le réactiver (intake-assistant agents add {login} …)."
        )
    if source == "système" and not list_agents(store):
        # One PC, nobody registered yet: its user does everything (a fresh install works).
        return Identity(login, login, "administrateur", source, True)
    who = "rôle PostgreSQL" if source == "postgresql" else "utilisateur du poste"
    raise AccessDenied(
        f"Vous êtes connecté(e) comme « {login} » ({who}), qui n'est pas enregistré comme "
        f"agent : demandez au responsable de vous ajouter (intake-assistant agents add {login} "
        "--nom « Prénom Nom » --role accueil|travailleur_social|responsable)."
    )


def require(identity: Identity, action: str) -> None:
    if identity.may(action):
        return
    allowed, what = ACTIONS[action]
    roles = ", ".join(ROLES[r].lower() for r in ROLES if r in allowed)
    raise AccessDenied(
        f"Refusé : {what} est réservé au rôle {roles} ; vous êtes connecté(e) comme "
        f"{identity.label}."
    )


@lru_cache(maxsize=1)
def reception_fields() -> frozenset[str]:
    """The answers reception may read and write: the questions of the phone intake."""
    from .questionnaires import load_questionnaire_by_name, questionnaire_for_role

    questionnaire = load_questionnaire_by_name(questionnaire_for_role("accueil"))
    return frozenset(q.id for q in questionnaire.questions())


def _root(path: str) -> str:
    for cut in (".", "["):
        path = path.split(cut, 1)[0]
    return path


def visible_document(doc: Dossier, identity: Identity, social_workers: frozenset[str],
                     reception: frozenset[str]) -> Dossier:
    """The dossier as this identity may read it (the rule of intake.row_is_private in SQL)."""
    if identity.may("lire_evaluation") and identity.may("notes_privees"):
        return doc
    out: dict[str, Any] = dict(doc)
    if not identity.may("notes_privees"):
        out["notes"] = [n for n in doc.get("notes") or ()
                        if n.get("agent") not in social_workers]
    if identity.may("lire_evaluation"):
        return cast(Dossier, out)
    out["answers"] = {k: v for k, v in (doc.get("answers") or {}).items()
                      if _root(k) in reception}
    out["unknown"] = [u for u in doc.get("unknown") or () if _root(u) in reception]

    def public(row: Mapping[str, Any], table: str) -> bool:
        if table == "audit" and row.get("field"):
            return row.get("id") == "agent"
        rid = row.get("id")
        return rid is None or _root(str(rid)) in reception

    out["events"] = [e for e in doc.get("events") or () if public(e, "events")]
    out["audit"] = [a for a in doc.get("audit") or () if public(a, "audit")]
    for key in [k for k in out if k not in _META]:
        out[key] = None
    draft = out.get("draft")
    if draft and _root(str(draft.get("path") or "")) not in reception:
        out["draft"] = None
    return cast(Dossier, out)


class GuardedStore:
    """A store seen through one identity's rights (see the module docstring)."""

    def __init__(self, store: DossierStore, identity: Identity) -> None:
        self.inner = store
        self.identity = identity
        self._logged: set[str] = set()

    # -- helpers -------------------------------------------------------------------------------
    def _require(self, action: str) -> None:
        require(self.identity, action)

    @property
    def agent(self) -> str:
        return self.identity.login

    def _social_workers(self) -> frozenset[str]:
        return frozenset(a.login for a in list_agents(self.inner)
                         if a.role == "travailleur_social")

    def _visible(self, doc: Dossier) -> Dossier:
        return visible_document(doc, self.identity, self._social_workers(), reception_fields())

    def _written(self, doc: Dossier) -> Dossier:
        """A dossier this store just saved: its statistics record is refreshed off the caller's
        path (app/records_upkeep.py), whichever intent wrote it (casework, follow-up…)."""
        from .records_upkeep import dossier_saved

        dossier_saved(self.inner, doc["id"])
        return self._visible(doc)

    def _log_access(self, doc: Dossier, what: str) -> None:
        """A dossier read by someone who is not its referent goes in its access log (once per
        dossier and session of the application)."""
        if doc.get("agent") == self.identity.login or doc["id"] in self._logged:
            return
        if getattr(self.inner, "read_only", False):
            return  # a read-only store (a backup mounted for consultation) can record nothing
        moment = local_now()
        record_id = f"{doc['id']}.{self.identity.login}.{moment:%Y%m%dT%H%M%S%f}"
        # A record attached to the dossier: erased with it, and not a change of its content
        # (an interview saving with expected_rev elsewhere is not disturbed).
        self.inner.put_record(ACCESS_KIND, record_id,
                              {"at": iso(moment), "agent": self.identity.login,
                               "role": self.identity.role, "action": what,
                               "referent": doc.get("agent")}, dossier_id=doc["id"])
        self._logged.add(doc["id"])

    def _check_answers(self, answers: Mapping[str, Any], unknown: Iterable[str]) -> None:
        if self.identity.may("evaluation"):
            return
        self._require("accueil")
        private = sorted({_root(k) for k in [*answers, *unknown]} - reception_fields())
        if private:
            raise AccessDenied(
                f"Refusé : ces réponses relèvent de l'évaluation, réservée au rôle travailleur "
                f"social ({', '.join(private)}) ; vous êtes connecté(e) comme "
                f"{self.identity.label}."
            )

    # -- the contract ----------------------------------------------------------------------------
    @property
    def location(self) -> str:
        return self.inner.location

    @property
    def read_only(self) -> bool:
        return self.inner.read_only

    def session(self, dossier_id: str, *, agent: str = "") -> DossierLease:
        self._require("accueil")
        return self.inner.session(dossier_id, agent=self.identity.name)

    def open_by(self, dossier_id: str) -> LeaseInfo | None:
        return self.inner.open_by(dossier_id)

    def load(self, dossier_id: str) -> Dossier:
        self._require("consulter")
        doc = self.inner.load(dossier_id)
        self._log_access(doc, "consultation")
        return self._visible(doc)

    def iter_dossiers(self) -> Iterator[Dossier]:
        if not (self.identity.may("statistiques") or self.identity.may("export_plusieurs")):
            self._require("statistiques")
        yield from self.inner.iter_dossiers()

    def read_many(self, dossier_ids: Iterable[str]) -> Iterator[Dossier]:
        if not (self.identity.may("statistiques") or self.identity.may("export_plusieurs")):
            self._require("statistiques")
        yield from self.inner.read_many(dossier_ids)

    def corrupt_files(self) -> dict[str, str]:
        return self.inner.corrupt_files()

    def versions(self, dossier_ids: Iterable[str] | None = None) -> dict[str, str]:
        return self.inner.versions(dossier_ids)

    def changes_since(self, mark: str | None) -> tuple[str, builtins.list[str] | None]:
        return self.inner.changes_since(mark)

    def list(self, **filters: Any) -> builtins.list[IndexEntry]:
        self._require("lister")
        return self.inner.list(**filters)

    def iter_list(self, **filters: Any) -> Iterator[IndexEntry]:
        self._require("lister")
        return self.inner.iter_list(**filters)

    def count(self, *, status: str | None = None) -> int:
        return self.inner.count(status=status)

    def count_by_status(self, *, search: str | None = None) -> dict[str, int]:
        if search:
            self._require("lister")  # a search reads names: as list() does
        return self.inner.count_by_status(search=search)

    def reindex(self) -> None:
        self.inner.reindex()

    def create_dossier(self, *, agent: str = "", questionnaire: str | None = None,
                       answers: Mapping[str, Any] | None = None, now: datetime | None = None
                       ) -> Dossier:
        self._require("accueil")
        if questionnaire == "evaluation":
            self._require("evaluation")
        self._check_answers(dict(answers or {}), ())
        return self.inner.create_dossier(agent=self.agent, questionnaire=questionnaire,
                                         answers=answers, now=now)

    def import_dossiers(self, docs: Iterable[Mapping[str, object]], *, durable: bool = True
                        ) -> builtins.list[str]:
        self._require("agents")  # demo data and copies: the administrator's
        return self.inner.import_dossiers(docs, durable=durable)

    def save_answers(self, dossier_id: str, *, answers: Mapping[str, Any],
                     unknown: Sequence[str], events: Sequence[Mapping[str, Any]],
                     **kw: Any) -> Dossier:
        self._check_answers(answers, unknown)
        if kw.get("questionnaire") == "evaluation":
            self._require("evaluation")
        signed = [{**e, "agent": self.agent} if "agent" in e else dict(e) for e in events]
        return self._written(self.inner.save_answers(
            dossier_id, answers=answers, unknown=unknown, events=signed,
            **{**kw, "agent": self.agent}))

    def save_answer(self, dossier_id: str, answer_id: str, value: Any = None, **kw: Any
                    ) -> Dossier:
        self._check_answers({answer_id: value}, ())
        return self._written(self.inner.save_answer(dossier_id, answer_id, value,
                                                    **{**kw, "agent": self.agent}))

    def set_status(self, dossier_id: str, status: str, **kw: Any) -> Dossier:
        if not (status == "en_evaluation" and self.identity.may("evaluation")):
            self._require("statut")
        return self._written(self.inner.set_status(dossier_id, status,
                                                   **{**kw, "agent": self.agent}))

    def add_meeting(self, dossier_id: str, **kw: Any) -> Dossier:
        self._require("rendez_vous")
        return self._written(self.inner.add_meeting(dossier_id, **{**kw, "agent": self.agent}))

    def record_decision(self, dossier_id: str, **kw: Any) -> Dossier:
        self._require("decision")
        return self._written(self.inner.record_decision(dossier_id,
                                                        **{**kw, "agent": self.agent}))

    def add_note(self, dossier_id: str, text: str, **kw: Any) -> Dossier:
        self._require("note")
        return self._written(self.inner.add_note(dossier_id, text,
                                                 **{**kw, "agent": self.agent}))

    def set_fields(self, dossier_id: str, **kw: Any) -> Dossier:
        self._require("evaluation")
        return self._written(self.inner.set_fields(dossier_id, **{**kw, "agent": self.agent}))

    def assign(self, dossier_id: str, agent_in_charge: str, **kw: Any) -> Dossier:
        self._require("attribuer")
        return self._written(self.inner.assign(dossier_id, agent_in_charge,
                                               **{**kw, "agent": self.agent}))

    def append_rows(self, dossier_id: str, table: str, rows: Sequence[Mapping[str, Any]],
                    **kw: Any) -> Dossier:
        self._require(TABLE_ACTIONS.get(table, "accueil"))
        return self._written(self.inner.append_rows(dossier_id, table, rows,
                                                    **{**kw, "agent": self.agent}))

    def update_row(self, dossier_id: str, table: str, row_id: str,
                   changes: Mapping[str, Any], **kw: Any) -> Dossier:
        self._require(TABLE_ACTIONS.get(table, "accueil"))
        return self._written(self.inner.update_row(dossier_id, table, row_id, changes,
                                                   **{**kw, "agent": self.agent}))

    def save_draft(self, dossier_id: str, draft: Draft | None, *, token: str) -> None:
        self.inner.save_draft(dossier_id, draft, token=token)

    def begin_interview(self, dossier_id: str, questionnaire: str, *, token: str) -> None:
        self.inner.begin_interview(dossier_id, questionnaire, token=token)

    def end_interview(self, dossier_id: str, *, token: str) -> None:
        self.inner.end_interview(dossier_id, token=token)

    def interrupted_interviews(self, agent: str = "") -> builtins.list[InterruptedInterview]:
        # The lease (and so the interview marker) is taken under the agent's name.
        return self.inner.interrupted_interviews(self.identity.name)

    def register_export(self, dossier_id: str, **kw: Any) -> None:
        self.inner.register_export(dossier_id, **{**kw, "agent": self.agent})

    def put_record(self, kind: str, record_id: str, doc: Mapping[str, Any], **kw: Any
                   ) -> StoredRecord:
        if kind in RECORD_ACTIONS:
            self._require(RECORD_ACTIONS[kind])
        return self.inner.put_record(kind, record_id, doc, **kw)

    def get_record(self, kind: str, record_id: str) -> StoredRecord | None:
        return self.inner.get_record(kind, record_id)

    def list_records(self, kind: str | None = None, *, dossier_id: str | None = None
                     ) -> builtins.list[StoredRecord]:
        return self.inner.list_records(kind, dossier_id=dossier_id)

    def delete_record(self, kind: str, record_id: str, *, expected_rev: int | None = None
                      ) -> None:
        if kind in RECORD_ACTIONS:
            self._require(RECORD_ACTIONS[kind])
        self.inner.delete_record(kind, record_id, expected_rev=expected_rev)

    def derived_dir(self, name: str) -> Path:
        return self.inner.derived_dir(name)

    def purge(self, *, inactive_days: int = 730, dry_run: bool = False,
              now: datetime | None = None) -> builtins.list[Erasure]:
        self._require("purge")
        return self.inner.purge(inactive_days=inactive_days, dry_run=dry_run, now=now)

    def forget(self, dossier_id: str) -> Erasure:
        if not self.identity.may("effacer"):
            doc = self.inner.load(dossier_id)
            mine_and_empty = (doc.get("created_by") == self.identity.login
                              and not doc.get("events"))
            if not mine_and_empty:  # an interview opened by mistake may be erased by its author
                self._require("effacer")
        return self.inner.forget(dossier_id)

    def __getattr__(self, name: str) -> Any:
        # Other methods (added to the contract later: versions...) pass through; those that
        # change agents or the database's rights need the agents' management right.
        if name in _ADMIN_METHODS:
            self._require("agents")
        return getattr(self.inner, name)


def open_guarded(db: str | Path | None = None) -> GuardedStore:
    """Open the store (--db, $INTAKE_ASSISTANT_DB or the user folder) as the authenticated
    agent: the one way the faces (TUI, CLI) open a store."""
    store = open_store(db)
    return GuardedStore(store, authenticate(store))


def open_for(db: str | Path | None, action: str) -> GuardedStore:
    """`open_guarded`, then AccessDenied unless the agent may do `action`."""
    store = open_guarded(db)
    require(store.identity, action)
    return store


def agent_for(identity: Identity) -> Agent:
    return Agent(identity.login, identity.name, identity.role, True)
