"""Signing in: who is at the keyboard is the authenticated login (app.signin), never a form.

Two screens only:
- `FirstAgentScreen`: the first start of a store where nobody is registered yet. The person is the
  store's administrator (the OS user of a one-PC install); they give the name and role of their
  own login's agent record, once. Échap goes on as administrator without registering.
- `RefusedScreen`: a login that may not sign in (not registered, disabled) or a store that cannot
  be opened: the French reason and what to do (``intake-assistant agents add``), then quit.
"""

from __future__ import annotations

from rich.markup import escape
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from intake_assistant.app.agents import ROLES


class _NameInput(Input):
    """The name line. Typed fast, the keys after the name's Enter reach this line before the focus
    has moved to the role list (seen through tmux: « Martin », Enter, « Julie » saved the name
    « MartinJulie »; a role's digit was appended to the name). So Enter moves the focus at once,
    here rather than through a Submitted message, and a key that reaches this line once the focus
    has left it goes on to the widget that has the focus: the same result at any typing speed."""

    async def _on_key(self, event: events.Key) -> None:
        screen = self.screen
        if not isinstance(screen, FirstAgentScreen):
            await super()._on_key(event)
            return
        focused = screen.focused
        if focused is not None and focused is not self:
            event.stop()
            event.prevent_default()
            focused.post_message(events.Key(event.key, event.character))
            return
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            screen.name_done()
            return
        if event.character and event.character.isdigit():  # a name holds no digit
            event.stop()
            event.prevent_default()
            screen.choose_role(int(event.character) - 1)
            return
        await super()._on_key(event)


class FirstAgentScreen(ModalScreen[tuple[str, str] | None]):
    DEFAULT_CSS = """
    FirstAgentScreen #agent-role { height: auto; border: none; padding: 0; }
    FirstAgentScreen #agent-intro { margin-bottom: 1; }
    FirstAgentScreen #agent-name { margin-bottom: 0; }
    """
    BINDINGS = [Binding("escape", "cancel", "Continuer sans s'enregistrer")]

    def __init__(self, login: str, agent: str = "", role: str = "") -> None:
        super().__init__()
        self._login = login
        self._agent = agent
        self._role = role if role in ROLES else "accueil"

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="agent-dialog"):
            yield Static("Première utilisation — enregistrez-vous comme agent",
                         classes="dialog-title")
            yield Static(
                f"Vous êtes « {escape(self._login)} » sur ce poste ; aucun agent n'est encore "
                "enregistré. Enregistrez ce compte une fois (seul un responsable ajoute ensuite "
                "des agents : intake-assistant agents add).",
                classes="hint", id="agent-intro")
            yield Label("Votre nom (il s'affiche sur les dossiers) :")
            yield _NameInput(self._agent, placeholder="Prénom Nom", id="agent-name")
            yield Label("Votre rôle (1, 2 ou 3, ou flèches puis Entrée) :")
            yield OptionList(*[Option(f"{i}. {label}", id=key)
                               for i, (key, label) in enumerate(ROLES.items(), 1)],
                             id="agent-role")
            yield Static("Échap : continuer sans m'enregistrer (administrateur)",
                         classes="hint")
            yield Static("", id="agent-error", classes="error")

    def on_mount(self) -> None:
        roles = self.query_one("#agent-role", OptionList)
        roles.highlighted = list(ROLES).index(self._role)
        self.query_one("#agent-name", Input).focus()

    def name_done(self) -> None:
        """The name is typed: the role list has the focus from this moment (not a frame later)."""
        self.set_focus(self.query_one("#agent-role", OptionList))

    def on_key(self, event: events.Key) -> None:
        if event.character and event.character.isdigit():  # the role list has the focus
            self.choose_role(int(event.character) - 1)
            event.stop()

    def choose_role(self, index: int) -> None:
        roles = list(ROLES)
        if 0 <= index < len(roles):
            self._accept(roles[index])

    @on(OptionList.OptionSelected, "#agent-role")
    def _role_chosen(self, event: OptionList.OptionSelected) -> None:
        self._accept(event.option.id or "accueil")

    def _accept(self, role: str) -> None:
        name = " ".join(self.query_one("#agent-name", Input).value.split())
        if not name:
            self.query_one("#agent-error", Static).update("Indiquez votre nom.")
            self.query_one("#agent-name", Input).focus()
            return
        self.dismiss((name, role))

    def action_cancel(self) -> None:
        self.dismiss(None)


class RefusedScreen(ModalScreen[None]):
    """Nothing can be done here but read why and quit."""

    BINDINGS = [Binding("escape", "quit", "Quitter"), Binding("enter", "quit", "Quitter")]

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="refused-dialog"):
            yield Static("Accès impossible", classes="dialog-title")
            yield Static(escape(self.reason), id="refused-reason")
            yield Static("Entrée ou Échap : quitter", classes="hint")

    def action_quit(self) -> None:
        self.dismiss(None)
