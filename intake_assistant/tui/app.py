"""The Textual application: who is at the keyboard, which screens, the app-wide keys.

The app is a thin layer: screens call the application layer (``intake_assistant.app``); nothing
here decides anything about a dossier. Store access happens in worker threads.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.screen import Screen

from intake_assistant.tui.config import (
    ROLES,
    TuiConfig,
    default_config_path,
    load_config,
    save_config,
)


class IntakeApp(App[None]):
    TITLE = "Assistant d'accueil — CCAS"
    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute: subclasses live elsewhere
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("f1", "help", "Aide"),
        Binding("ctrl+p", "command_palette", "Commandes", show=False, priority=True),
        Binding("f9", "statistics", "Stats", show=False),
        Binding("ctrl+q", "quit", "Quitter", priority=True, show=False),
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
    ) -> None:
        """``store`` is an open Store; without it the store at ``db`` is opened in a thread while
        the first screen draws. ``start`` opens a new interview of that questionnaire at once."""
        super().__init__()
        self._store = store
        self._db = db
        self._store_future: Future[Any] | None = None
        self._fixed_today = today
        self.config_path = config_path or default_config_path()
        self.config: TuiConfig = load_config(self.config_path)
        self.agent = (agent or self.config.agent or "").strip()
        self.role = role or self.config.role
        self.wait_days = wait_days
        self.start = start
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="intake-load")
        self._prewarmed = False
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="intake-config")

    # -- shared services -----------------------------------------------------------------------
    @property
    def today(self) -> date:
        return self._fixed_today or date.today()

    @property
    def store(self) -> Any:
        """The store; blocks until opened, so only worker threads should touch it first."""
        if self._store is None:
            if self._store_future is None:
                self._store_future = self._pool.submit(self._open_store)
            self._store = self._store_future.result()
        return self._store

    def _open_store(self) -> Any:
        from intake_assistant.store import open_store

        return open_store(self._db)

    def default_questionnaire(self) -> str:
        from intake_assistant.app.questionnaires import questionnaire_for_role

        return questionnaire_for_role(self.role)

    @staticmethod
    def _prewarm() -> None:
        """Load the questionnaires and the policy before the first interview needs them."""
        from intake_assistant.app.questionnaires import (
            QUESTIONNAIRE_BY_ROLE,
            load_questionnaire_by_name,
        )
        from intake_assistant.orientation.build import default_policy

        for name in QUESTIONNAIRE_BY_ROLE.values():
            load_questionnaire_by_name(name)
        default_policy()

    # -- start-up ------------------------------------------------------------------------------
    def on_mount(self) -> None:
        if self.agent and self.role in ROLES:
            self._remember_agent()
            self._enter()
        else:
            from intake_assistant.tui.screens.agent import AgentScreen

            self.push_screen(AgentScreen(self.agent, self.role), self._agent_chosen)

    def load_in_background(self) -> None:
        """Open the store and load the policy ahead of need; called by the first screen once it
        is painted (earlier, the threads would only slow the paint: one interpreter lock)."""
        if self._prewarmed:
            return
        self._prewarmed = True
        if self._store is None and self._store_future is None:
            self._store_future = self._pool.submit(self._open_store)
        self._pool.submit(self._prewarm)

    def _agent_chosen(self, result: tuple[str, str] | None) -> None:
        if result is None:
            self.exit()
            return
        self.agent, self.role = result
        self._remember_agent()
        self._enter()

    def _remember_agent(self) -> None:
        if (self.config.agent, self.config.role) != (self.agent, self.role):
            self.config.agent, self.config.role = self.agent, self.role
            self._save_config()

    def _save_config(self) -> None:
        try:
            save_config(self.config_path, self.config)
        except OSError as exc:
            self.notify(f"Préférences non enregistrées : {exc}", severity="warning")

    def _enter(self) -> None:
        from intake_assistant.tui.screens.home import HomeScreen
        from intake_assistant.tui.screens.interview import InterviewScreen

        # Straight into an interview, the home screen is built only when it is left (back_to_home):
        # the first question comes up sooner.
        if self.config.open_dossier:  # interrupted last time: resume exactly there
            self.push_screen(InterviewScreen(self.config.open_questionnaire,
                                             self.config.open_dossier, resumed=True))
        elif self.start:
            self.push_screen(InterviewScreen(self.start))
        else:
            self.push_screen(HomeScreen())

    # -- the interview left open (resumed after a crash) ---------------------------------------
    def remember_interview(self, dossier_id: str, questionnaire: str) -> None:
        if (self.config.open_dossier, self.config.open_questionnaire) != (dossier_id,
                                                                          questionnaire):
            self.config.open_dossier, self.config.open_questionnaire = dossier_id, questionnaire
            self._save_config()

    def forget_interview(self) -> None:
        if self.config.open_dossier is not None or self.config.draft is not None:
            self.config.open_dossier = self.config.open_questionnaire = None
            self.config.draft = None
            self._save_config()

    def remember_draft(self, draft: dict[str, str] | None) -> None:
        """Typed text not validated yet; written off the UI thread, in order."""
        if draft == self.config.draft:
            return
        self.config.draft = draft
        snapshot = TuiConfig(**{**self.config.__dict__})
        self._writer.submit(save_config, self.config_path, snapshot)

    # -- navigation used by several screens ----------------------------------------------------
    def new_interview(self, questionnaire: str | None = None) -> None:
        from intake_assistant.tui.screens.interview import InterviewScreen

        self.push_screen(InterviewScreen(questionnaire or self.default_questionnaire()))

    def resume_interview(self, dossier_id: str, questionnaire: str | None = None) -> None:
        from intake_assistant.tui.screens.interview import InterviewScreen

        self.push_screen(InterviewScreen(questionnaire, dossier_id))

    def open_dossier(self, dossier_id: str) -> None:
        from intake_assistant.tui.screens.dossier import DossierScreen

        self.push_screen(DossierScreen(dossier_id))

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

        self.push_screen(StatisticsScreen(self.store))

    def action_agenda(self) -> None:
        from intake_assistant.tui.screens.agenda import AgendaScreen

        self.push_screen(AgendaScreen())

    def action_change_agent(self) -> None:
        from intake_assistant.tui.screens.agent import AgentScreen

        def chosen(result: tuple[str, str] | None) -> None:
            if result is not None:
                self.agent, self.role = result
                self._remember_agent()
                self.notify(f"Agent : {self.agent} ({ROLES[self.role]}).")

        self.push_screen(AgentScreen(self.agent, self.role), chosen)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield SystemCommand("Nouvel accueil téléphonique", "Questionnaire court, au téléphone",
                            lambda: self.new_interview("accueil_telephonique"))
        yield SystemCommand("Nouvelle évaluation", "Évaluation financière et sociale complète",
                            lambda: self.new_interview("evaluation"))
        yield SystemCommand("Dossiers (accueil)", "Revenir à la liste des dossiers",
                            self._go_home)
        yield SystemCommand("Aide", "Toutes les touches (F1)", self.action_help)
        yield SystemCommand("Statistiques", "Activité du service (F9)", self.action_statistics)
        yield SystemCommand("Agenda", "Rendez-vous du jour, rappels, demandes à relancer (F6)",
                            self.action_agenda)
        yield SystemCommand("Changer d'agent", "Nom et rôle de la personne au clavier",
                            self.action_change_agent)
        yield from screen_commands(screen)
        yield SystemCommand("Quitter", "Fermer l'application (Ctrl+Q)", self.exit)

    def _go_home(self) -> None:
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
        self._writer.shutdown(wait=True)  # the last draft reaches the disk


def screen_commands(screen: Screen) -> Iterable[SystemCommand]:
    """Screens may offer their own palette entries through ``palette_commands()``."""
    provider = getattr(screen, "palette_commands", None)
    return provider() if callable(provider) else ()
