"""A real pseudo-terminal: spawn a program on it, type keys, read its screen through a VT parser.

The program gets a pty of the given size (TERM=xterm-256color), exactly as in a terminal window;
its output is read by a thread that only reads and timestamps each chunk, and the chunks are fed to
pyte in order. ``wait_for(predicate)`` answers the timestamp of the chunk after which the screen
first satisfied the predicate: the moment the picture was complete on the wire, not the moment
this process finished parsing it. Keys are written to the pty like a person typing.

Like a modern terminal (VTE, kitty, WezTerm, iTerm2…), it answers Textual's query for synchronized
output (mode 2026), so each frame comes between begin/end marks and is judged whole: a predicate
is only looked at between frames, never on half a frame.
"""

from __future__ import annotations

import fcntl
import os
import re
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pyte

KEYS = {
    "enter": "\r", "esc": "\x1b", "ctrl+n": "\x0e", "ctrl+q": "\x11", "ctrl+u": "\x15",
    "f3": "\x1bOR", "f10": "\x1b[21~", "backspace": "\x7f",
}

SYNC_QUERY = b"\x1b[?2026$p"
SYNC_REPLY = b"\x1b[?2026;2$y"  # "supported, currently reset"
SYNC_START = b"\x1b[?2026h"
SYNC_END = b"\x1b[?2026l"

# Short switch interval: the reader thread timestamps a chunk as soon as it arrives.
sys.setswitchinterval(0.0005)


class TerminalTimeout(RuntimeError):
    pass


class Terminal:
    def __init__(self, argv: Sequence[str], *, cols: int, rows: int, env: dict[str, str],
                 cwd: Path | None = None) -> None:
        self.cols, self.rows = cols, rows
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        full_env = {**env, "TERM": "xterm-256color", "COLORTERM": "truecolor"}
        for name in ("COLUMNS", "LINES", "TMUX", "TEXTUAL"):
            full_env.pop(name, None)
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(list(argv), stdin=slave, stdout=slave, stderr=slave,
                                     env=full_env, cwd=cwd, start_new_session=True,
                                     close_fds=True)
        os.close(slave)
        self.fd = master
        self._chunks: list[tuple[float, bytes]] = []
        self._fed = 0
        self._pieces: list[tuple[float, bytes]] = []
        self._in_frame = False  # between a frame's begin and end marks
        self._closed = False
        self._cond = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.last_change = self.started  # timestamp of the last chunk fed to the screen

    # -- reading -------------------------------------------------------------------------------
    def _read(self) -> None:
        while True:
            try:
                data = os.read(self.fd, 1 << 16)
            except OSError:  # EIO: the program closed the terminal
                data = b""
            now = time.perf_counter()
            if SYNC_QUERY in data:
                try:
                    os.write(self.fd, SYNC_REPLY)
                except OSError:
                    pass
            with self._cond:
                if not data:
                    self._closed = True
                    self._cond.notify_all()
                    return
                self._chunks.append((now, data))
                self._cond.notify_all()

    def _feed_one(self) -> tuple[float, bool] | None:
        """Feed the next piece of output (a chunk is cut after each end of frame): its chunk's
        timestamp and whether the screen is between frames; None when nothing is waiting."""
        if not self._pieces:
            with self._cond:
                if self._fed >= len(self._chunks):
                    return None
                stamp, data = self._chunks[self._fed]
                self._chunks[self._fed] = (stamp, b"")  # parsed: keep memory flat
                self._fed += 1
            parts = data.split(SYNC_END)
            self._pieces = [(stamp, part + SYNC_END) for part in parts[:-1]]
            if parts[-1]:
                self._pieces.append((stamp, parts[-1]))
            if not self._pieces:
                return stamp, not self._in_frame
        stamp, piece = self._pieces.pop(0)
        self.stream.feed(piece)
        start, end = piece.rfind(SYNC_START), piece.rfind(SYNC_END)
        if start > end:
            self._in_frame = True
        elif end >= 0:
            self._in_frame = False
        self.last_change = stamp
        return stamp, not self._in_frame

    def wait_for(self, predicate: Callable[[list[str]], bool], timeout: float = 60.0,
                 what: str = "", since: float | None = None) -> float:
        """Timestamp (perf_counter) of the output after which ``predicate(screen lines)`` first
        held between frames. With ``since`` (a key's time), only output read after it counts."""
        deadline = time.perf_counter() + timeout
        if since is None and not self._in_frame and predicate(self.lines()):
            return self.last_change
        while True:
            fed = self._feed_one()
            if fed is not None:
                stamp, between = fed
                if between and (since is None or stamp >= since) and predicate(self.lines()):
                    return stamp
                continue
            with self._cond:
                if self._fed < len(self._chunks):
                    continue
                if self._closed:
                    raise TerminalTimeout(f"le programme s'est arrêté avant : {what}\n"
                                          + self.text())
                left = deadline - time.perf_counter()
                if left <= 0:
                    raise TerminalTimeout(f"délai dépassé ({timeout:.0f} s) : {what}\n"
                                          + self.text())
                self._cond.wait(min(left, 0.5))

    def drain(self) -> None:
        """Parse whatever has arrived."""
        while self._feed_one() is not None:
            pass

    def settle(self, quiet: float = 0.3, timeout: float = 30.0) -> None:
        """Wait until nothing has been painted for ``quiet`` seconds (between measurements only,
        never inside a timed span)."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            self.drain()
            with self._cond:
                last = self._chunks[-1][0] if self._chunks else self.started
                if time.perf_counter() - last >= quiet or self._closed:
                    return
                self._cond.wait(quiet)

    def lines(self) -> list[str]:
        return self.screen.display

    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.lines())

    # -- typing --------------------------------------------------------------------------------
    def send(self, keys: str) -> float:
        """Write keys (raw text or a KEYS name); the perf_counter just before the write."""
        data = KEYS.get(keys, keys).encode()
        stamp = time.perf_counter()
        os.write(self.fd, data)
        return stamp

    def type_text(self, text: str, interval: float = 0.0) -> float:
        """Type ``text`` one key at a time (``interval`` seconds apart); time of the last key."""
        stamp = time.perf_counter()
        for ch in text:
            stamp = self.send(ch)
            if interval:
                time.sleep(interval)
        return stamp

    # -- the process ---------------------------------------------------------------------------
    def peak_rss_mb(self) -> float:
        """Peak resident memory (VmHWM) of the program, MB."""
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        match = re.search(r"VmHWM:\s+(\d+) kB", status)
        return int(match.group(1)) / 1024 if match else float("nan")

    def close(self, quit_keys: str = "ctrl+q", timeout: float = 10.0) -> None:
        if self.proc.poll() is None:
            try:
                self.send(quit_keys)
                self.proc.wait(timeout)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        try:
            os.close(self.fd)
        except OSError:
            pass
        self._reader.join(2)

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
