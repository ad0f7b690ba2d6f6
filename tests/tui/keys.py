"""Keys posted to the app as a terminal delivers them: all at once, without waiting for the app.

`pilot.press` lets the app finish each key before sending the next one, which hides every ordering
bug (issue 10 §1). These helpers post the key events in one go; ``after`` dates them later, as keys
typed by an agent who first stopped to read the screen (a correction after a refusal).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from textual import events
from textual.keys import _character_to_key

ATTEMPTS = 400  # rounds of « let the app work » before a condition is declared never met
READ = 2.0  # seconds an agent takes to read a message before typing again


def key_events(keys: Iterable[str]) -> list[events.Key]:
    """Key events as the terminal driver makes them: ``⏎`` is Enter, longer strings key names."""
    out = []
    for key in keys:
        if key in ("⏎", "enter"):
            out.append(events.Key("enter", "\r"))
        elif len(key) == 1:
            out.append(events.Key(key if key.isalnum() else _character_to_key(key), key))
        else:
            out.append(events.Key(key, None))
    return out


def burst(app: Any, keys: Iterable[str], *, after: float = 0.0) -> None:
    """Post every key now, in order, without letting the app run in between."""
    for event in key_events(keys):
        event.time += after
        app.post_message(event)


async def until(pilot: Any, condition: Callable[[], bool], what: str, *,
                workers: bool = True) -> None:
    """Wait on a condition (never on time); ``workers=False`` while a worker is held up on
    purpose (waiting for workers would then wait for it)."""
    for _ in range(ATTEMPTS):
        if condition():
            return
        await pilot.pause()
        if workers:
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
    raise AssertionError(f"jamais atteint : {what}")


async def after_reading(pilot: Any, *keys: str) -> None:
    """Keys typed by an agent who has read the screen first (not typed ahead), applied."""
    burst(pilot.app, keys, after=READ)
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
