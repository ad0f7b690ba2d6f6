"""Signing in to the application: the store opened as the authenticated agent.

Identity comes from authentication (``access.authenticate``: the PostgreSQL role connected, or the
operating-system user for a store on one PC), never from a form. A screen only ever asks for a
name and a role at the first start of a one-PC store where nobody is registered yet (the OS user
is then the store's administrator): it registers that login as the first agent
(``register_first_agent``). Everyone else is added by the responsable (``agents add``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from intake_assistant.store import DossierStore, StoreError, open_store

from .access import AccessDenied, GuardedStore, Identity, authenticate, authenticated_login
from .agents import add_agent, get_agent, list_agents


@dataclass(frozen=True)
class SignIn:
    """What opening the store as the person at the keyboard gave."""

    store: GuardedStore | None  # None: refused, or the store could not be opened
    login: str = ""
    source: str = ""  # "système" (OS user) or "postgresql" (database role)
    refusal: str = ""  # the French reason when `store` is None
    fresh: bool = False  # no agent registered in the store yet

    @property
    def identity(self) -> Identity | None:
        return self.store.identity if self.store is not None else None

    @property
    def needs_first_agent(self) -> bool:
        """The administrator of a store where no agent is registered yet (a fresh install): the
        first-time set-up may register this login as the first agent. (The owner of a
        PostgreSQL database that has agents goes on as administrator, asked nothing.)"""
        identity = self.identity
        return (self.fresh and identity is not None and identity.admin
                and identity.role == "administrateur")


def sign_in(db: str | Path | None = None, store: DossierStore | None = None) -> SignIn:
    """Open the store at ``db`` (or take ``store``, already open) as the authenticated agent."""
    try:
        raw = store if store is not None else open_store(db)
    except StoreError as exc:
        return SignIn(None, refusal=f"Stockage des dossiers inaccessible : {exc.message}")
    if isinstance(raw, GuardedStore):
        raw = raw.inner
    login, source = authenticated_login(raw)
    try:
        identity = authenticate(raw)
    except AccessDenied as exc:
        return SignIn(None, login, source, exc.message)
    except StoreError as exc:
        return SignIn(None, login, source, f"Identification impossible : {exc.message}")
    try:
        fresh = identity.admin and not list_agents(raw)
    except StoreError:
        fresh = False
    return SignIn(GuardedStore(raw, identity), login, source, fresh=fresh)


def register_first_agent(signed: SignIn, name: str, role: str) -> SignIn:
    """First-time set-up: the administrator's own login becomes an agent (name, role); the
    identity is then that agent's. `AgentError` (French) for a bad name or role."""
    if signed.store is None or not signed.needs_first_agent:
        raise AccessDenied("Seul l'administrateur d'un stockage sans agent peut s'enregistrer "
                           "ainsi : demandez au responsable (intake-assistant agents add).")
    store = signed.store
    if get_agent(store.inner, signed.login) is None:
        add_agent(store, signed.login, name, role)
    return sign_in(store=store.inner)
