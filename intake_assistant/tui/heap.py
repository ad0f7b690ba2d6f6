"""Keep the cyclic garbage collector's full passes short while an interview runs.

A full (oldest-generation) pass walks every tracked object of the process: the app, the store's
index, the loaded questionnaires and policy, Textual's widgets: 50 to 170 ms on this machine, on
whichever thread allocates (the UI thread, or a save thread holding the interpreter lock), so a
key typed then waits that long. While an interview is open the objects that exist are moved out
of the collector's sight (`gc.freeze`, which costs nothing: lists are spliced), again at each
acknowledged answer, so that a pass walks only what was made since. Objects kept this way are
still freed as soon as nothing refers to them; only garbage cycles among them wait until the
interview closes (`release`), when they are handed back to the collector.
"""

from __future__ import annotations

import gc

_holders = 0


def hold() -> None:
    """An interview opens: what exists now is frozen until it closes."""
    global _holders
    _holders += 1
    gc.freeze()


def refreeze() -> None:
    """Freeze what was made since, while an interview holds the heap."""
    if _holders:
        gc.freeze()


def release() -> None:
    """An interview closes: once none holds it, the frozen objects go back to the collector."""
    global _holders
    if _holders == 0:
        return
    _holders -= 1
    if _holders == 0:
        gc.unfreeze()
