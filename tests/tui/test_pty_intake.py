"""Acceptance (issue 10 §1): a whole phone intake typed into a real pseudo-terminal at 10 ms per
key, the app run as staff run it (``intake-assistant tui``), then the dossier read back from the
store through the application layer. Nothing waits for the app between keys."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

import pytest

from intake_assistant.app.agents import add_agent
from intake_assistant.app.dossiers import dossier_view
from intake_assistant.app.stores import list_dossiers
from intake_assistant.store import open_store
from tests.tui.conftest import TODAY, persona
from tests.tui.test_typeahead import intake_keys

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminal POSIX")

KEY_DELAY = 0.010  # seconds between two keys: a fast typist, far faster than the app repaints
DEADLINE = 90.0  # seconds: a guard only, each wait below ends on a condition


class Terminal:
    """The app in a pseudo-terminal of a given size; what it prints is drained continuously
    (a full pty buffer would block the app)."""

    def __init__(self, args: list[str], env: dict[str, str], size: tuple[int, int]) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
        self.process = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave, env=env,
                                        start_new_session=True, close_fds=True)
        os.close(slave)
        self.output = bytearray()
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            if not chunk:
                return
            self.output += chunk

    def wait_for_output(self, text: str) -> None:
        end = time.monotonic() + DEADLINE
        while text.encode() not in self.output:
            assert self.process.poll() is None, self.output[-2000:].decode(errors="replace")
            assert time.monotonic() < end, f"« {text} » jamais affiché"
            time.sleep(0.05)

    def type(self, keys: list[str]) -> None:
        codes = {"⏎": "\r", "ctrl+n": "\x0e"}
        for key in keys:
            os.write(self.master, codes.get(key, key).encode())
            time.sleep(KEY_DELAY)

    def close(self) -> None:
        if self.process.poll() is None:
            os.write(self.master, b"\x11")  # Ctrl+Q
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        os.close(self.master)


def wait_until(condition, what: str) -> None:
    end = time.monotonic() + DEADLINE
    while not condition():
        assert time.monotonic() < end, f"jamais atteint : {what}"
        time.sleep(0.1)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_phone_intake_typed_at_10ms_per_key_in_a_terminal(tmp_path: Path, size) -> None:
    keys, expected = intake_keys(persona("martin_permis")["answers"])
    db = tmp_path / "base"
    add_agent(open_store(db), "agnes.durand", "Agnès Durand", "accueil")
    # The OS login is the identity of a one-PC store: the app signs in as that agent.
    env = {**os.environ, "TERM": "xterm-256color", "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "INTAKE_ASSISTANT_DB": str(db), "LOGNAME": "agnes.durand", "USER": "agnes.durand",
           "LNAME": "agnes.durand", "USERNAME": "agnes.durand"}
    term = Terminal([sys.executable, "-m", "intake_assistant", "tui", "--db", str(db),
                     "--agent", "Agnès Durand", "--role", "accueil",
                     "--date", TODAY.isoformat()], env, size)
    try:
        term.wait_for_output("Nouveau")  # the home screen's footer: the app takes keys
        term.type(["ctrl+n", *keys])
        store = open_store(db)

        def finished() -> bool:
            rows = list_dossiers(store)
            if not rows:
                return False
            doc = dossier_view(store, rows[0].id, TODAY).doc
            return "surendettement" in doc["answers"]

        wait_until(finished, "la dernière réponse enregistrée")
        answers = dict(dossier_view(store, list_dossiers(store)[0].id, TODAY).doc["answers"])
    finally:
        term.close()
    assert answers == expected
