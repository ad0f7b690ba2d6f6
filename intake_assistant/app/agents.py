"""The service's agents: who may sign in, under which name and role.

An agent is a store-wide record (kind ``agents``) keyed by the login that authentication proves:
the PostgreSQL role the application connects with, or the operating-system user for a store on
one PC. The name is only what the screens show; the role decides what the agent may do
(`access.py`). With PostgreSQL, adding an agent also makes its login a member of the database's
group role of that role (so the database's own grants and row-level security apply), and
disabling removes it from every group.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from intake_assistant.store import DossierStore, JSONValue, StoredRecord, StoreError

ROLES = {"accueil": "Accueil", "travailleur_social": "Travailleur social",
         "responsable": "Responsable"}
KIND = "agents"
__all__ = ["ROLES", "Agent", "AgentError", "StoreError", "add_agent", "disable_agent",
           "get_agent", "list_agents"]
# A login is a PostgreSQL role or OS user name, and a record id (letters, digits, _ . @ -).
_LOGIN = re.compile(r"^[a-z0-9][a-z0-9_.@-]{0,62}$")


class AgentError(StoreError):
    """An agent that cannot be added, found or changed (French message)."""


@dataclass(frozen=True)
class Agent:
    login: str
    name: str
    role: str
    active: bool = True

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)

    def to_record(self) -> dict[str, JSONValue]:
        return {"login": self.login, "name": self.name, "role": self.role,
                "active": self.active}


@runtime_checkable
class DatabaseRoles(Protocol):
    """A store whose server authenticates logins itself (PostgreSQL): rights follow the role."""

    def grant_role(self, login: str, role: str) -> bool: ...

    def revoke_roles(self, login: str) -> None: ...


def _agent(record: StoredRecord) -> Agent:
    doc = record["doc"]
    return Agent(record["id"], str(doc.get("name") or record["id"]),
                 str(doc.get("role") or ""), bool(doc.get("active", True)))


def list_agents(store: DossierStore) -> list[Agent]:
    return [_agent(r) for r in store.list_records(KIND)]


def get_agent(store: DossierStore, login: str) -> Agent | None:
    try:
        record = store.get_record(KIND, login)
    except StoreError:
        return None  # not a possible login (a record id): no such agent
    return _agent(record) if record else None


def check_login(login: str) -> str:
    login = login.strip()
    if not _LOGIN.match(login):
        raise AgentError(
            f"Identifiant de connexion invalide : « {login} » (minuscules, chiffres, « _ », "
            "« . », « - », 63 caractères au plus, comme le nom de l'utilisateur du poste ou du "
            "rôle PostgreSQL)."
        )
    return login


def add_agent(store: DossierStore, login: str, name: str, role: str) -> tuple[Agent, bool]:
    """Register (or update, or re-enable) an agent; with PostgreSQL also give its login the
    database rights of its role. Returns the agent and whether a login role was created."""
    login = check_login(login)
    name = " ".join(name.split())
    if not name:
        raise AgentError("Indiquez le nom de l'agent (--nom « Prénom Nom »).")
    if role not in ROLES:
        raise AgentError(
            f"Rôle inconnu : « {role} » (accueil, travailleur_social ou responsable)."
        )
    agent = Agent(login, name, role, True)
    created = False
    if isinstance(store, DatabaseRoles):
        created = store.grant_role(login, role)
    store.put_record(KIND, login, agent.to_record())
    return agent, created


def disable_agent(store: DossierStore, login: str) -> Agent:
    """Disable an agent: refused by the application, and (PostgreSQL) out of every group."""
    current = get_agent(store, login)
    if current is None:
        raise AgentError(f"Aucun agent « {login} » n'est enregistré.")
    agent = Agent(current.login, current.name, current.role, False)
    if isinstance(store, DatabaseRoles):
        store.revoke_roles(login)
    store.put_record(KIND, login, agent.to_record())
    return agent
