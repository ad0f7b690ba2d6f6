"""The interview's line-drawn widgets (issue 16): the question block, the transcript and the side
panel paint their parts as lines of one widget each, so that an answer repaints them without a
layout of the screen; the mouse still reaches what is drawn (a quick reply, a bubble, an aid)."""

from __future__ import annotations

from typing import Any

from textual.screen import Screen

from tests.tui.conftest import new_intake, persona, play_answers
from tests.tui.keys import until

MARTIN = persona("martin_permis")["answers"]


def spot(widget: Any, text: str) -> tuple[int, int]:
    """Where ``text`` is painted in ``widget`` (an offset for `pilot.click`)."""
    content = widget.content_offset
    for y in range(widget.content_size.height):
        line = widget.render_line(y).text
        if text in line:
            return content.x + line.index(text), content.y + y
    raise AssertionError(f"« {text} » n'est pas affiché")


async def test_a_click_on_a_quick_reply_answers_like_its_key(make_app, store):
    async with new_intake(make_app(), size=(120, 40)) as (pilot, screen):
        await play_answers(pilot, MARTIN, stop_at="logement")
        block = screen.query_one("#asked")
        await pilot.click(block, offset=spot(block, "2 Locataire (logement social)"))
        await until(pilot, lambda: screen.query_one("#transcript").paths[-1:] == ["logement"],
                    "la réponse au logement dans la conversation")
        assert "Locataire (logement social)" in screen.query_one("#transcript").bubble_text(
            "logement")


async def test_a_click_on_a_bubble_corrects_its_answer(make_app, store):
    async with new_intake(make_app(), size=(120, 40)) as (pilot, screen):
        await play_answers(pilot, MARTIN, stop_at="date_naissance")
        transcript = screen.query_one("#transcript")
        where = spot(transcript, MARTIN["prenom"])
        before = transcript.render_line(where[1] - transcript.content_offset.y)
        await pilot.hover(transcript, offset=where)  # the bubble under the pointer lights up
        await until(pilot, lambda: transcript.render_line(where[1] - transcript.content_offset.y)
                    != before, "la bulle survolée en surbrillance")
        await pilot.click(transcript, offset=where)
        await until(pilot, lambda: screen.interview.focus == "prenom", "la correction du prénom")
        assert "Correction" in str(screen.query_one("#asked").render())


async def test_a_click_on_an_aid_shows_its_reasons(make_app, store):
    async with new_intake(make_app(), size=(120, 40)) as (pilot, screen):
        await play_answers(pilot, MARTIN, stop_at="logement")
        panel = screen.query_one("#panel")
        first = panel.suggestions[0]
        await pilot.click(panel, offset=spot(panel, first.name))
        await until(pilot, lambda: first.aid in panel.expanded, "les motifs de l'aide")
        assert "•" in panel.aid_texts()[0]


async def test_an_answer_repaints_without_laying_the_screen_out(make_app, store, monkeypatch):
    """Between two questions of the same height, an answer changes the question block, the
    transcript (a new bubble) and the side panel: repaints, no layout of the screen."""
    layouts: list[Any] = []
    original = Screen._refresh_layout

    def counted(self: Screen, *args: Any, **kwargs: Any) -> None:
        layouts.append(type(self).__name__)
        original(self, *args, **kwargs)

    async with new_intake(make_app(), size=(120, 40)) as (pilot, screen):
        await play_answers(pilot, MARTIN, stop_at="prenom")
        monkeypatch.setattr(Screen, "_refresh_layout", counted)
        await play_answers(pilot, MARTIN, stop_at="date_naissance")  # « prénom » answered
        await until(pilot, lambda: screen.query_one("#transcript").paths[-1:] == ["prenom"]
                    and MARTIN["prenom"] in screen.query_one("#interview-title").render().plain,
                    "la réponse dans la conversation et le titre")
        assert "InterviewScreen" not in layouts


async def test_a_filling_transcript_and_a_long_panel_have_no_scroll_bar(make_app, store):
    """Neither the transcript nor the side panel has a scroll bar: one appearing as they grew
    taller than their view laid the whole screen out again (a 30–50 ms frame at 120×40 on a
    slow machine, which held back the next question). Their scrolling is on from the start, so
    it never changes; the panel's last row says how many rows are below it; the wheel scrolls
    both."""
    from textual import events

    async with new_intake(make_app(), size=(120, 24)) as (pilot, screen):
        transcript, panel = screen.query_one("#transcript"), screen.query_one("#panel")
        assert transcript.virtual_size.height <= transcript.size.height
        bars = (transcript.show_vertical_scrollbar, panel.show_vertical_scrollbar)
        assert bars == (True, True)  # before anything overflows: nothing to change later
        await play_answers(pilot, MARTIN, stop_at="type_projet")
        await until(pilot, lambda: not screen._unsaved and transcript.virtual_size.height
                    > transcript.size.height, "la conversation plus haute que sa vue")
        assert panel.virtual_size.height > panel.size.height
        assert (transcript.show_vertical_scrollbar, panel.show_vertical_scrollbar) == bars
        assert not transcript.vertical_scrollbar.region.width
        assert not panel.vertical_scrollbar.region.width
        last = panel.scrollable_content_region.height - 1
        below = panel.virtual_size.height - panel.size.height
        assert panel.render_line(last).text.strip() == f"▼ {below + 1} lignes de plus (molette)"
        # The wheel reaches the panel's last rows: no hint once there.
        for _ in range(panel.max_scroll_y):
            panel.post_message(events.MouseScrollDown(panel, 0, 0, 0, 0, 0, False, False, False))
        await until(pilot, lambda: panel.scroll_y == panel.max_scroll_y > 0, "le bas du panneau")
        assert "de plus" not in panel.render_line(last).text
        top = transcript.scroll_y
        transcript.post_message(events.MouseScrollUp(transcript, 0, 0, 0, 0, 0, False, False,
                                                     False))
        await until(pilot, lambda: transcript.scroll_y < top, "la conversation remontée")
