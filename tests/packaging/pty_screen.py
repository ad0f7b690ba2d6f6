"""A program on a real pseudo-terminal, its screen read through a VT parser (pyte): what a person
would see in their terminal window. POSIX only (pty)."""

from __future__ import annotations

import fcntl
import os
import struct
import subprocess
import termios
import time
from collections.abc import Sequence
from pathlib import Path

import pyte

KEYS = {"ctrl+n": "\x0e", "ctrl+q": "\x11", "enter": "\r", "esc": "\x1b", "f1": "\x1bOP"}


class PtyScreen:
    def __init__(self, argv: Sequence[str], *, env: dict[str, str], cwd: Path,
                 cols: int = 80, rows: int = 24) -> None:
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.proc = subprocess.Popen(list(argv), stdin=slave, stdout=slave, stderr=slave,
                                     env={**env, "TERM": "xterm-256color"}, cwd=cwd,
                                     start_new_session=True, close_fds=True)
        os.close(slave)
        self.fd = master
        os.set_blocking(master, False)

    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.screen.display)

    def _read(self, wait: float) -> bool:
        """Feed what arrived within ``wait`` seconds; False once the program closed the pty."""
        import select

        ready, _, _ = select.select([self.fd], [], [], wait)
        if not ready:
            return True
        try:
            data = os.read(self.fd, 1 << 16)
        except BlockingIOError:
            return True
        except OSError:  # EIO: the program has gone
            return False
        if not data:
            return False
        self.stream.feed(data)
        return True

    def wait_for(self, text: str, timeout: float = 60.0) -> str:
        """The screen once it shows ``text`` (a condition, not a delay)."""
        deadline = time.monotonic() + timeout
        while text not in self.text():
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"« {text} » not on screen after {timeout} s:\n{self.text()}")
            if not self._read(min(left, 0.5)):
                raise AssertionError(f"the program stopped before « {text} »:\n{self.text()}")
        return self.text()

    def send(self, key: str) -> None:
        os.write(self.fd, KEYS.get(key, key).encode())

    def close(self, timeout: float = 15.0) -> int:
        """Ctrl+Q, then the exit status (killed if it does not leave)."""
        try:
            if self.proc.poll() is None:
                self.send("ctrl+q")
            deadline = time.monotonic() + timeout
            while self.proc.poll() is None and time.monotonic() < deadline:
                self._read(0.2)  # keep the pty drained so the program can finish writing
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
            status = self.proc.wait()
            os.close(self.fd)
        return status
