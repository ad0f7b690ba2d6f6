"""Every screen's stylesheet is read with the app's at start: a screen bringing one not read yet
makes Textual parse every source again, without its cache, on the UI thread (~90 ms at the first
Ctrl+N). Checked statically over every screen, and by counting parses at Ctrl+N."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

from textual.css.stylesheet import Stylesheet
from textual.screen import Screen

import intake_assistant.tui.screens as screens
from intake_assistant.tui.app import IntakeApp
from tests.tui.conftest import home_ready, until


def _screen_classes() -> list[type[Screen]]:
    found = []
    for info in pkgutil.iter_modules(screens.__path__):
        module = importlib.import_module(f"{screens.__name__}.{info.name}")
        found += [c for _, c in inspect.getmembers(module, inspect.isclass)
                  if issubclass(c, Screen) and c.__module__ == module.__name__]
    return found


def test_every_screen_stylesheet_is_among_the_apps() -> None:
    read_at_start = {Path(p).resolve() for p in IntakeApp.CSS_PATH}
    for cls in _screen_classes():
        paths = cls.CSS_PATH if isinstance(cls.CSS_PATH, list) else [cls.CSS_PATH]
        folder = Path(inspect.getfile(cls)).parent
        for path in filter(None, paths):
            assert (folder / path).resolve() in read_at_start, (cls.__name__, path)


async def test_starting_an_interview_parses_no_stylesheet_again(make_app, monkeypatch) -> None:
    reparsed: list[int] = []
    original = Stylesheet.reparse

    def counting(self: Stylesheet) -> None:
        reparsed.append(1)
        original(self)

    app = make_app("accueil")
    async with app.run_test(size=(120, 40)) as pilot:
        await home_ready(pilot)
        monkeypatch.setattr(Stylesheet, "reparse", counting)
        await pilot.press("ctrl+n")
        await until(pilot, lambda: type(app.screen).__name__ == "InterviewScreen"
                    and bool(app.screen.query("AnswerInput")), "la première question")
    assert reparsed == []
