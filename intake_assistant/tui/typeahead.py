"""Type-ahead: keys held in arrival order until the interview can take them.

A trained agent types the next answer while the caller talks, before the app has validated, saved
and repainted the previous one. Every key of the interview screen therefore goes through one
queue, in the order the terminal delivered it (the app hands the raw keys to the screen before any
widget sees them): a key is applied at once when the interview is ready and nothing is waiting,
and held otherwise. An Enter commits exactly the characters before it; what follows goes to the
next question.

A refused answer (or one waiting for confirmation) *blocks* the queue: the keys typed ahead of the
refusal stay held, in order, and are shown as pending; they are replayed once the corrected answer
is accepted. Keys count as typed ahead when they were read before the refusal, or soon after it in
the same unbroken burst (a person cannot react in less than `grace` seconds, and a person who stops
to read the message pauses longer than `gap`); keys typed after such a pause are the correction.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

GRACE = 0.3  # seconds after a refusal during which keys are still typed ahead
GAP = 0.3  # a pause longer than this ends a burst of typed-ahead keys


@dataclass(frozen=True)
class Stroke:
    """One key as the terminal delivered it (or a pasted text, or a clicked quick reply)."""

    key: str  # Textual key name: "a", "enter", "backspace", "f3", "paste", "pick"
    character: str | None  # the printed text (the pasted or picked text for those)
    time: float  # when it was read (Textual's clock, the same as `events.Key.time`)
    printable: bool = False


class TypeAhead:
    def __init__(self, grace: float = GRACE, gap: float = GAP) -> None:
        self.grace = grace
        self.gap = gap
        self.held: deque[Stroke] = deque()
        self.blocked_at: float | None = None  # when the last refusal stopped the queue
        self._last_held = 0.0

    @property
    def blocked(self) -> bool:
        return self.blocked_at is not None

    def should_hold(self, stroke: Stroke, *, ready: bool, busy: bool = False) -> bool:
        """Whether `stroke` waits (and is appended to the queue) rather than being applied."""
        if not ready or busy or (self.held and not self.blocked):
            return self._hold(stroke)
        if self.blocked_at is not None and (
            stroke.time < self.blocked_at + self.grace or stroke.time - self._last_held < self.gap
        ):
            return self._hold(stroke)
        return False

    def _hold(self, stroke: Stroke) -> bool:
        self.held.append(stroke)
        self._last_held = max(self._last_held, stroke.time)
        return True

    def block(self, now: float) -> None:
        self.blocked_at = now
        self._last_held = max(self._last_held, now)

    def unblock(self) -> None:
        self.blocked_at = None

    def next(self) -> Stroke | None:
        return self.held.popleft() if self.held else None

    def discard(self) -> list[str]:
        """Drop what is held (an explicit choice of the agent); the texts dropped, to say so."""
        texts = [text for text, _ in self.segments()]
        self.held.clear()
        self.unblock()
        return texts

    def segments(self) -> list[tuple[str, bool]]:
        """The held keys as the texts they make, each with whether an Enter ends it (only the
        last one may be unfinished): what the screen shows as pending. Editing keys other than
        Backspace are not shown (they are replayed all the same)."""
        return list(_segments(self.held))


def _segments(strokes: deque[Stroke]) -> Iterator[tuple[str, bool]]:
    text = ""
    for stroke in strokes:
        if stroke.key == "enter":
            yield text, True
            text = ""
        elif stroke.key == "pick":
            yield stroke.character or "", True
            text = ""
        elif stroke.key == "backspace":
            text = text[:-1]
        elif stroke.key == "paste" or stroke.printable:
            text += stroke.character or ""
    if text:
        yield text, False
