"""Keep the UI thread's waits short while an interview is open (answer → next question).

- The cyclic garbage collector's full passes walk every tracked object of the process (the app,
  the store's index, the loaded questionnaires and policy, Textual's widgets): 50 to 170 ms on
  this machine, on whichever thread allocates (the UI thread, or a save thread holding the
  interpreter lock), so a key typed then waits that long. While an interview is open the objects
  that exist are moved out of the collector's sight (`gc.freeze`, which costs nothing: lists are
  spliced), again at each acknowledged answer (`refreeze`), so that a pass walks only what was
  made since. Frozen objects are still freed as soon as nothing refers to them; only garbage
  cycles among them wait until the interview closes (`release`), when they go back to the
  collector.
- While the app starts (imports, the first screen, the first list), the collector's passes ran
  ~20 times, one of them full (~12 ms), on the UI thread, for objects that nearly all live as
  long as the app. The collector is off from the command's start (`starting`) until the first
  list is on the screen, or at the latest `STARTUP_LIMIT_S` after the app mounts (`started`);
  what exists then is frozen (the same splice), and the collector works on what is made
  afterwards.
- A thread that works (a save, the orientation evaluated after it) keeps the interpreter lock
  until another thread has waited for it a switch interval (5 ms by default), and the UI thread
  waits that long each time it takes the lock back (after reading a key, after writing a frame).
  While an interview is open the interval is 1 ms.
"""

from __future__ import annotations

import gc
import sys

SWITCH_INTERVAL = 0.001  # seconds

STARTUP_LIMIT_S = 3.0  # the collector comes back at the latest this long after the app mounts

_holders = 0
_interval_before = 0.0
_starting = False


def starting() -> None:
    """The app is about to be imported and started: no collector passes until `started`."""
    global _starting
    if gc.isenabled():
        _starting = True
        gc.disable()


def started() -> None:
    """The first screen is up: freeze what the start made, turn the collector back on (once)."""
    global _starting
    if _starting:
        _starting = False
        gc.freeze()
        gc.enable()


def hold() -> None:
    """An interview opens: what exists now is frozen, the switch interval shortened."""
    global _holders, _interval_before
    _holders += 1
    gc.freeze()
    if _holders == 1:
        _interval_before = sys.getswitchinterval()
        sys.setswitchinterval(min(_interval_before, SWITCH_INTERVAL))


def refreeze() -> None:
    """Freeze what was made since, while an interview holds the heap."""
    if _holders:
        gc.freeze()


def release() -> None:
    """An interview closes: once none is open, the frozen objects go back to the collector and
    the switch interval is what it was."""
    global _holders
    if _holders == 0:
        return
    _holders -= 1
    if _holders == 0:
        gc.unfreeze()
        sys.setswitchinterval(_interval_before)
