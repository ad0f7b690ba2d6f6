"""The question block's quick paths (issue 16): `[b]` markup read without Textual's tokenizer,
the looks kept between questions and dropped when the theme changes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from textual.content import Content

from intake_assistant.tui.widgets.styled_lines import bold_markup, widget_background
from tests.tui.conftest import new_intake
from tests.tui.keys import until

PIECES = st.sampled_from(["[b]", "[/b]", "[", "]", "\\", "ℹ ", " ", "Quelle", "é", "€", "/",
                          "[reverse]", "[/reverse]", "\n", "3/6", "███░"])


def same(text: str) -> None:
    expected = Content.from_markup(text)
    found = bold_markup(text)
    assert (found.plain, found.spans) == (expected.plain, expected.spans), text


def test_the_block_s_own_strings_read_as_textual_reads_them() -> None:
    for text in ["[b]Identité et contact[/b]  ███████░░░ 4/6", "[b]Quelle est votre date de "
                 "naissance ?[/b]", "ℹ Les montants sont mensuels.\nℹ Sans justificatif.",
                 "", "[b][/b]", "[b]a[/b] b [b]c[/b]", "[b][reverse] Correction [/reverse] "
                 "Nom ?[/b]", "[b]Prix \\[10 €][/b]"]:
        same(text)


@given(st.lists(PIECES, max_size=12).map("".join))
def test_any_text_reads_as_textual_reads_it(text: str) -> None:
    try:
        expected = Content.from_markup(text)
    except Exception:  # noqa: BLE001 (markup Textual refuses: the quick path must refuse it too)
        try:
            bold_markup(text)
        except Exception:  # noqa: BLE001
            return
        raise AssertionError(f"accepted what Textual refuses: {text!r}") from None
    found = bold_markup(text)
    assert (found.plain, found.spans) == (expected.plain, expected.spans), text


async def test_a_new_theme_drops_the_kept_colours(make_app) -> None:
    async with new_intake(make_app(), size=(120, 40)) as (pilot, screen):
        block = screen.query_one("#asked")
        await pilot.pause()
        before = widget_background(block)
        assert block._under in (None, before)
        pilot.app.theme = "textual-light" if pilot.app.theme != "textual-light" else "nord"
        await pilot.pause()
        after = widget_background(block)
        assert after != before
        block.show("[b]Section[/b]", [], "Une autre question ?")
        assert block._under == after  # the lines of the next question: the new colours


async def test_the_question_prepared_meanwhile_is_painted_without_making_lines(
        make_app, monkeypatch) -> None:
    """After an answer is saved, the question likely next is laid out while the person answers
    this one: answered as guessed, the next frame only copies lines (none made)."""
    from intake_assistant.tui.widgets import question_area

    async with new_intake(make_app(), size=(120, 40)) as (pilot, screen):
        block = screen.query_one("#asked")
        it = screen.interview
        await pilot.press(*"Martin", "enter")
        await until(pilot, lambda: it.current_step().path == "prenom"
                    and screen._unsaved is None, "« Martin » enregistré")
        following = it.question_text(it.step_after(it.current_step()))
        await until(pilot, lambda: any(key[0] == "question" and following in key[1]
                                       for key in block._made), "la question suivante préparée")
        made: list[str] = []  # lines made while a question is shown (not while one is prepared)
        original, show = question_area.part_lines, block.show
        showing = [False]

        def shown(*args: object) -> bool:
            showing[0] = True
            try:
                return show(*args)
            finally:
                showing[0] = False

        monkeypatch.setattr(block, "show", shown)
        monkeypatch.setattr(question_area, "part_lines", lambda *a, **k: (
            made.append(a[2].plain) if showing[0] else None) or original(*a, **k))
        await pilot.press(*"Julie", "enter")
        await until(pilot, lambda: following in block.text, "la question suivante posée")
        assert made == []
        # A question not prepared is made as before (a correction goes back to « nom »).
        block.show("[b]Identité[/b]", [], "Une question jamais vue ?")
        assert "Une question jamais vue ?" in made
