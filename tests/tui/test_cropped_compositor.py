"""The cropped compositor (tui/cropped_compositor.py) writes to the terminal exactly what Textual's
own compositor writes, at every partial update of a whole interview and of a search, at both
terminal sizes of the users: each update is rendered both ways and the bytes compared."""

from __future__ import annotations

import pytest
from textual._compositor import Compositor

from intake_assistant.tui.cropped_compositor import CroppedCompositor
from tests.tui.conftest import new_intake, persona, play_answers, wait_for_screen
from tests.tui.keys import until

MARTIN = persona("martin_permis")["answers"]


@pytest.fixture
def compared(monkeypatch):
    """Every partial update of a cropped compositor, also rendered by Textual's own
    `_get_renders`; the list of (ours, Textual's) terminal output, update after update."""
    seen: list[tuple[str, str]] = []
    ours = CroppedCompositor.render_partial_update

    def render_partial_update(self):
        regions = set(self._dirty_regions)
        update = ours(self)
        if update is None:
            return None
        self._dirty_regions.update(regions)
        self._get_renders = Compositor._get_renders.__get__(self)  # Textual's, for this one
        try:
            theirs = Compositor.render_partial_update(self)
        finally:
            del self._get_renders
        console = _console()
        seen.append((update.render_segments(console), theirs.render_segments(console)))
        return update

    monkeypatch.setattr(CroppedCompositor, "render_partial_update", render_partial_update)
    return seen


def _console():
    from textual.app import active_app

    return active_app.get().console


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_an_interview_paints_the_same_as_with_textuals_compositor(make_app, compared,
                                                                       size):
    async with new_intake(make_app(), size=size) as (pilot, screen):
        await play_answers(pilot, MARTIN)
        await until(pilot, lambda: screen.interview.current_step() is None, "entretien fini")
    partial = [pair for pair in compared if pair[0]]
    assert len(partial) >= 20, "too few partial updates compared"
    for ours, theirs in compared:
        assert ours == theirs


async def test_a_search_paints_the_same_as_with_textuals_compositor(make_app, compared):
    async with make_app().run_test(size=(120, 40)) as pilot:
        await wait_for_screen(pilot, "HomeScreen")
        compared.clear()
        await pilot.press(*"dupont")
        await pilot.press("ctrl+u")
        await pilot.pause()
    assert compared, "no partial update compared"
    for ours, theirs in compared:
        assert ours == theirs
