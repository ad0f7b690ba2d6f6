"""The Textual application: who is at the keyboard, which screens, the app-wide keys.

The app is a thin layer: screens call the application layer (``intake_assistant.app``); nothing
here decides anything about a dossier. Store access happens in worker threads.

Who is at the keyboard comes from authentication, never from a form (``app.signin``): the store is
opened as the operating-system user (one PC) or the PostgreSQL role connected, and that login's
agent record gives the name and the role. The name and role remembered from the last run only
paint the first screen while the store opens; the authenticated identity then replaces them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.message import Message
from textual.screen import Screen

from intake_assistant.tui import latency
from intake_assistant.tui.config import (
    TuiConfig,
    default_config_path,
    load_config,
    save_config,
)


class SignedIn(Message):
    """The store is open (or refused): who is at the keyboard is known."""

    def __init__(self, result: Any) -> None:
        super().__init__()
        self.result = result


class IntakeApp(App[None]):
    TITLE = "Assistant d'accueil — CCAS"
    # Absolute paths: subclasses live elsewhere. The screens' own stylesheets are read here, at
    # start, too: a screen bringing a stylesheet not read yet makes Textual parse every source
    # again (a fresh Stylesheet, no cache) — ~90 ms of the UI thread at the first Ctrl+N, and a
    # second parse of everything on the launch path when the home screen came. Read once here,
    # a screen's `CSS_PATH` names a source already known and nothing is parsed again.
    CSS_PATH = [Path(__file__).with_name("app.tcss"),
                *(Path(__file__).parent / "screens" / name
                  for name in ("home.tcss", "interview.tcss", "dossier.tcss"))]
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("f1", "help", "Aide", id="app.help"),
        Binding("ctrl+p", "command_palette", "Commandes", show=False, priority=True,
                id="app.command_palette"),
        Binding("f9", "statistics", "Stats", show=False, id="app.statistics"),
        Binding("ctrl+q", "quit", "Quitter", priority=True, show=False, id="app.quit"),
    ]

    def __init__(
        self,
        store: Any = None,
        *,
        db: str | Path | None = None,
        agent: str | None = None,
        role: str | None = None,
        today: date | None = None,
        config_path: Path | None = None,
        wait_days: tuple[int, int] = (30, 60),
        start: str | None = None,
        settings: Any = None,
        plain: bool | None = None,
    ) -> None:
        """``store`` is an open store (tests, tools); without it the store at ``db`` is opened in
        a thread while the first screen draws. Either way it is used as the authenticated agent.
        ``agent`` and ``role`` only paint the first screen until the store has said who is at
        the keyboard (a difference is then pointed out). ``start`` opens a new interview of that
        questionnaire at once. ``settings`` (app.settings.Settings, read by the command line):
        theme, plain display, remapped keys; ``plain`` forces the plain display either way."""
        super().__init__()
        from intake_assistant.tui import glyphs, keymap

        self.settings = settings
        self.key_overrides: dict[str, str] = dict(settings.keys) if settings else {}
        self.plain = bool(settings is not None and settings.ascii) if plain is None else plain
        if self.plain:  # every painted line, Textual's own widgets included (tui/glyphs.py)
            self._filters.append(glyphs.PlainFilter())
        self.set_class(self.plain, "-plain")
        # Every binding with an id takes its keys from the keymap (defaults + the settings file).
        self.set_keymap(keymap.effective(self.key_overrides))
        if settings is not None:
            self.theme = settings.get("display.theme")
        self._given_store = store
        self._db = db
        self._signin: Any = None  # app.signin.SignIn, once the store is open
        self._signin_future: Future[Any] | None = None
        self._signin_lock = threading.Lock()
        self._mounted = False  # SignedIn is posted once the app runs
        self._signed_in_result: Any = None
        self._fixed_today = today
        self.config_path = config_path or default_config_path()
        self.config: TuiConfig = load_config(self.config_path)
        self._asked = (agent, role)  # given on the command line
        self.agent = (agent or self.config.agent or "").strip()
        self.role = role or self.config.role
        self.identity: Any = None  # app.access.Identity, once authenticated
        self.wait_days = wait_days
        self.start = start
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="intake-load")
        self._prewarmed = False
        self._first_list_seen = False

    # -- shared services -----------------------------------------------------------------------
    @property
    def today(self) -> date:
        return self._fixed_today or date.today()

    @property
    def store(self) -> Any:
        """The store as the authenticated agent; blocks until opened, so only worker threads
        should touch it first. `AccessDenied` (French) when the person may not sign in."""
        from intake_assistant.app.errors import AccessDenied

        result = self._signed_in()
        if result.store is None:
            raise AccessDenied(result.refusal)
        return result.store

    def _signed_in(self) -> Any:
        if self._signin is None:
            self._signin = self._begin_sign_in().result()
        return self._signin

    def _begin_sign_in(self) -> Future[Any]:
        with self._signin_lock:  # asked by the UI thread and by workers: one sign-in only
            if self._signin_future is None:
                self._signin_future = self._pool.submit(self._open_store)
            return self._signin_future

    def _open_store(self) -> Any:
        from intake_assistant.app.signin import sign_in

        result = sign_in(self._db, store=self._given_store)
        with self._signin_lock:  # said once the app runs (the store may open before)
            self._signed_in_result = result
            if self._mounted:
                self.post_message(SignedIn(result))  # thread-safe, never waits for the UI
        return result

    def open_store_early(self) -> None:
        """Open the store while Textual starts (the command line calls it just before
        ``run``): the dossier list needs it first, and opening waits on the disk in part."""
        self._begin_sign_in()

    def default_questionnaire(self) -> str:
        from intake_assistant.app.questionnaires import questionnaire_for_role

        return questionnaire_for_role(self.role)

    def may(self, action: str) -> bool:
        """Whether the agent may do ``action`` (see app.access.ACTIONS); True while unknown (the
        application layer refuses anyway)."""
        return self.identity is None or self.identity.may(action)

    @staticmethod
    def _prewarm() -> None:
        """Load the questionnaires and the policy before the first interview needs them, and
        the modules of the screens a key opens from the list (imported on the UI thread at the
        first Ctrl+N or Entrée, ~40 ms and ~25 ms: here in the loading thread instead)."""
        import importlib

        from intake_assistant.app.warmup import prewarm

        prewarm()
        for module in ("interview", "dossier"):
            importlib.import_module(f"intake_assistant.tui.screens.{module}")

    # -- start-up ------------------------------------------------------------------------------
    def on_mount(self) -> None:
        with self._signin_lock:
            self._mounted = True
            if self._signed_in_result is not None:  # opened before the app ran
                self.post_message(SignedIn(self._signed_in_result))
        self._enter()
        self.call_after_refresh(self._begin_sign_in)
        # The collector, off while the app starts, comes back with the first list (or at the
        # latest after a few seconds: an interview opened at once, a dialog first).
        self.set_timer(latency.STARTUP_LIMIT_S, latency.started)

    def load_in_background(self) -> None:
        """Open the store and load the policy ahead of need; called by the first screen once it
        is painted (earlier, the threads would only slow the paint: one interpreter lock)."""
        if self._prewarmed:
            return
        self._prewarmed = True
        self._begin_sign_in()
        self._pool.submit(self._prewarm)

    def on_signed_in(self, message: SignedIn) -> None:
        from intake_assistant.tui.screens.agent import FirstAgentScreen, RefusedScreen

        result = message.result
        self._signin = result
        if result.store is None:
            self.push_screen(RefusedScreen(result.refusal), lambda _: self.exit())
        elif result.needs_first_agent:
            self.push_screen(FirstAgentScreen(result.login, self.agent, self.role),
                             self._first_agent_chosen)
        else:
            self._identity_known(result.identity)

    def _first_agent_chosen(self, chosen: tuple[str, str] | None) -> None:
        if chosen is None:  # go on as the store's administrator, without an agent record
            self._identity_known(self._signin.identity)
            return
        self._register_first_agent(*chosen)

    def _register_first_agent(self, name: str, role: str) -> None:
        from intake_assistant.app.errors import StoreError
        from intake_assistant.app.signin import register_first_agent

        def register() -> None:
            try:
                result = register_first_agent(self._signin, name, role)
            except StoreError as exc:
                self.call_from_thread(self.notify, exc.message, title="Enregistrement impossible",
                                      severity="error", timeout=10)
                return
            self.post_message(SignedIn(result))

        self.run_worker(register, thread=True, group="sign-in")

    def _identity_known(self, identity: Any) -> None:
        asked_agent, asked_role = self._asked
        changed = (self.agent, self.role) != (identity.name, identity.role)
        self.identity = identity
        self.agent, self.role = identity.name, identity.role
        if (asked_agent and asked_agent != identity.name) or \
                (asked_role and asked_role != identity.role):
            self.notify(f"Vous êtes connecté(e) comme {identity.label} ({identity.source} : "
                        f"{identity.login}) ; le nom et le rôle demandés ne comptent pas.",
                        title="Agent", severity="warning", timeout=10)
        self._remember_agent()
        if changed:
            for screen in self.screen_stack:
                refresh = getattr(screen, "identity_changed", None)
                if callable(refresh):
                    refresh()

    def _remember_agent(self) -> None:
        """The last identity, to paint the next start's first screen at once."""
        if (self.config.agent, self.config.role) != (self.agent, self.role):
            self.config.agent, self.config.role = self.agent, self.role
            self.call_after_refresh(self._save_config)  # its fsync after the frame on its way

    def _save_config(self) -> None:
        try:
            save_config(self.config_path, self.config)
        except OSError as exc:
            self.notify(f"Préférences non enregistrées : {exc}", severity="warning")

    def _enter(self) -> None:
        # Straight into an interview, the home screen is built only when it is left (back_to_home):
        # the first question comes up sooner.
        if self.start:
            from intake_assistant.tui.screens.interview import InterviewScreen

            self.push_screen(InterviewScreen(self.start))
        else:
            from intake_assistant.tui.screens.home import HomeScreen

            self.push_screen(HomeScreen())

    def after_first_list(self) -> None:
        """The home list is on the screen: resume an interrupted interview, if any, and load
        the questionnaires and the policy ahead of the first interview (both would have slowed
        the list's first paint: one interpreter lock)."""
        if self._first_list_seen:
            return
        self._first_list_seen = True
        latency.started()
        self._offer_interrupted()
        self.load_in_background()

    # -- an interview left open (the app or the terminal was killed) ----------------------------
    @work(thread=True, group="interrupted")
    def _offer_interrupted(self) -> None:
        """The store marks each interview in progress with its dossier: this agent's interrupted
        ones (no live session holds them, whichever window or terminal it was) are resumed, the
        oldest first; each app instance keeps its own, and a forgotten dossier leaves nothing."""
        from intake_assistant.app.interviews import interrupted_interviews
        try:
            store = self.store  # signs in first: the markers carry the authenticated name
            identity = self._signed_in().identity
            found = interrupted_interviews(store, getattr(identity, "name", "") or self.agent)
        except Exception:  # noqa: BLE001 (a store that cannot be read is said on the home screen)
            return
        if found:
            self.call_from_thread(self._resume_interrupted, found[0], len(found) - 1)

    def _resume_interrupted(self, interrupted: Any, others: int) -> None:
        from intake_assistant.tui.screens.home import HomeScreen
        from intake_assistant.tui.screens.interview import InterviewScreen

        if not isinstance(self.screen, HomeScreen):
            return  # the agent already went elsewhere: offered again at the next start
        self.push_screen(InterviewScreen(interrupted["questionnaire"], interrupted["dossier_id"],
                                         resumed=True, others_interrupted=others))

    async def on_event(self, event: events.Event) -> None:
        # A screen that takes keys in typing order (the interview's type-ahead) gets them before
        # any widget: forwarding to the focused widget goes through message queues, and a key
        # handled later than the next one (Enter then « M ») would land in the wrong answer.
        if isinstance(event, (events.Key, events.Paste)) and not event.is_forwarded:
            take = getattr(self.screen, "take_input", None)
            if take is not None and await take(event):
                return
        await super().on_event(event)

    # -- navigation used by several screens ----------------------------------------------------
    def new_interview(self, questionnaire: str | None = None) -> None:
        from intake_assistant.tui.screens.interview import InterviewScreen

        self.push_screen(InterviewScreen(questionnaire or self.default_questionnaire()))

    def resume_interview(self, dossier_id: str, questionnaire: str | None = None) -> None:
        """Continue a dossier's interview. From a dossier screen, that screen is closed first:
        finishing the interview opens the dossier again, current (never a stale copy below)."""
        from intake_assistant.tui.screens.interview import InterviewScreen

        self._close_dossiers()
        self.push_screen(InterviewScreen(questionnaire, dossier_id))

    def open_dossier(self, dossier_id: str) -> None:
        """One dossier screen at a time, always over the home screen (Échap goes home)."""
        from intake_assistant.tui.screens.dossier import DossierScreen

        self._close_dossiers()
        self.push_screen(DossierScreen(dossier_id))

    def _close_dossiers(self) -> None:
        """Pop the screens above the home screen when a dossier screen is among them."""
        from intake_assistant.tui.screens.dossier import DossierScreen

        if any(isinstance(s, DossierScreen) for s in self.screen_stack):
            self.go_home()

    def show_reasons(self, title: str, suggestions: Any, missing: Any = (),
                     estimates: Any = None) -> None:
        """Every aid and every reason in a full screen scrolled by keys (F7 of the dossier, and
        of the interview)."""
        from intake_assistant.tui.screens.reasons import ReasonsScreen

        if not isinstance(self.screen, ReasonsScreen):
            self.push_screen(ReasonsScreen(title, suggestions, missing, estimates))

    # -- app-wide actions ----------------------------------------------------------------------
    def action_help(self) -> None:
        from intake_assistant.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_command_palette(self) -> None:
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(placeholder="Rechercher une commande…",
                                            id="--command-palette"))

    def action_statistics(self) -> None:
        from intake_assistant.tui.screens.statistics import StatisticsScreen

        if not isinstance(self.screen, StatisticsScreen):
            self.push_screen(StatisticsScreen())

    def action_commission(self) -> None:
        from intake_assistant.tui.screens.commission import CommissionScreen

        if not isinstance(self.screen, CommissionScreen):
            self.push_screen(CommissionScreen())

    def action_agenda(self) -> None:
        from intake_assistant.tui.screens.agenda import AgendaScreen

        self.push_screen(AgendaScreen())

    def action_who(self) -> None:
        """Who the application thinks is at the keyboard, and how that is decided."""
        identity = self.identity
        if identity is None:
            self.notify("Identification en cours…")
            return
        self.notify(f"{identity.label}, connecté(e) comme « {identity.login} » "
                    f"({identity.source}). Pour un autre agent : se connecter sous son propre "
                    "compte ; les agents sont gérés par le responsable (intake-assistant agents).",
                    title="Agent", timeout=10)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield SystemCommand("Nouvel accueil téléphonique", "Questionnaire court, au téléphone",
                            lambda: self.new_interview("accueil_telephonique"))
        yield SystemCommand("Nouvelle évaluation", "Évaluation financière et sociale complète",
                            lambda: self.new_interview("evaluation"))
        yield SystemCommand("Dossiers (accueil)", "Revenir à la liste des dossiers",
                            self.go_home)
        yield SystemCommand("Aide", "Toutes les touches (F1)", self.action_help)
        yield SystemCommand("Statistiques", "Activité du service (F9)", self.action_statistics)
        yield SystemCommand("Commission", "Séances, ordres du jour, décisions (F11 à l'accueil)",
                            self.action_commission)
        yield SystemCommand("Agenda", "Rendez-vous du jour, rappels, demandes à relancer (F6)",
                            self.action_agenda)
        yield SystemCommand("Agent connecté", "Qui est identifié au clavier, et comment",
                            self.action_who)
        yield from screen_commands(screen)
        yield SystemCommand("Quitter", "Fermer l'application (Ctrl+Q)", self.exit)

    def go_home(self) -> None:
        """Back to the home screen, whatever is open above it (everything is saved)."""
        from intake_assistant.tui.screens.home import HomeScreen

        while len(self.screen_stack) > 2 and not isinstance(self.screen, HomeScreen):
            self.pop_screen()
        if not isinstance(self.screen, HomeScreen):
            self.switch_screen(HomeScreen())

    def leave(self, screen: Screen) -> None:
        """Close a full screen: back to the one below, or to the home screen when it is the
        first one (an interview opened at start-up)."""
        from intake_assistant.tui.screens.home import HomeScreen

        if self.screen is not screen:
            return
        if len(self.screen_stack) > 2:
            self.pop_screen()
        else:
            self.switch_screen(HomeScreen())

    def on_unmount(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def screen_commands(screen: Screen) -> Iterable[SystemCommand]:
    """Screens may offer their own palette entries through ``palette_commands()``."""
    provider = getattr(screen, "palette_commands", None)
    return provider() if callable(provider) else ()
