"""The home screen's dossier list (tui/widgets/dossier_list.py) on its own and on the home screen:
only the rows in view are made, the cursor moves (the search box keeping the focus) and stays on
its index when the rows are replaced, the list scrolls to keep it in view, a click opens, the
stripes and the styles of the cells are painted, and replacing the rows lays nothing out.

Every wait is on a state (`until`), never on a duration or on idle.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import Input

from intake_assistant.tui.widgets.dossier_list import Column, DossierList
from tests.tui.conftest import AGENT, home_ready, until, wait_for_screen
from tests.tui.test_snapshots import seed_dossiers

COLUMNS = (Column("id", "N°", 5), Column("name", "Nom", 12),
           Column("wait", "Attente", 7, justify="right"))


def make_cells(made: list[int]) -> Any:
    def cells(row: int) -> list[Text]:
        made.append(row)
        style = "bold red" if row % 3 == 0 else ""
        return [Text(f"R{row:04d}"), Text(f"Nom {row}" + " long" * 5), Text(f"{row} j",
                                                                           style=style)]
    return cells


class ListApp(App[None]):
    def __init__(self, rows: int) -> None:
        super().__init__()
        self.made: list[int] = []
        self.rows = list(range(rows))
        self.selected: list[str] = []

    def compose(self) -> ComposeResult:
        yield Input(id="search")
        yield DossierList(id="list")

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        table = self.query_one(DossierList)
        table.set_columns(COLUMNS)
        table.set_rows(self.rows, make_cells(self.made), lambda r: f"R{r:04d}")

    def on_key(self, event: Any) -> None:  # as the home screen does: ↑/↓ move the row
        table = self.query_one(DossierList)
        moves = {"down": 1, "up": -1, "pagedown": 10, "pageup": -10}
        if event.key in moves:
            table.move_cursor(table.cursor_row + moves[event.key])

    def on_dossier_list_selected(self, event: DossierList.Selected) -> None:
        self.selected.append(event.key)


def line_text(table: DossierList, y: int) -> str:
    return "".join(segment.text for segment in table.render_line(y))


async def test_only_the_rows_in_view_are_made_and_the_cursor_scrolls_the_list() -> None:
    app = ListApp(300)
    async with app.run_test(size=(40, 12)) as pilot:
        table = app.query_one(DossierList)
        await until(pilot, lambda: app.made, "les lignes en vue")
        assert table.row_count == 300 and len(set(app.made)) <= 12  # a screenful, not 300
        assert line_text(table, 0).startswith(" N°     Nom ")  # the header line
        assert line_text(table, 1).startswith(" R0000  Nom 0 long …  ")  # clipped, visibly
        assert line_text(table, 1).rstrip().endswith("0 j")  # the wait column on the right
        await pilot.press("down", "down", "down")
        await until(pilot, lambda: table.cursor_row == 3, "le curseur sur la 4e ligne")
        assert app.query_one(Input).has_focus  # the search box kept the keyboard
        assert table.scroll_y == 0
        await pilot.press(*["pagedown"] * 4)
        await until(pilot, lambda: table.cursor_row == 43, "le curseur plus bas")
        # the cursor's row in view, at the bottom (the header stays on the first line)
        height = table.size.height
        await until(pilot, lambda: table.scroll_y == 43 - (height - 2), "la liste défilée")
        assert line_text(table, 0).startswith(" N° ")
        assert line_text(table, height - 1).startswith(" R0043 ")
        await pilot.press("up")
        await until(pilot, lambda: table.cursor_row == 42, "le curseur remonté")
        assert table.scroll_y == 43 - (height - 2)  # still in view: no scroll
        await pilot.press(*["pageup"] * 5)
        await until(pilot, lambda: table.cursor_row == 0 and table.scroll_y == 0, "en haut")


async def test_replaced_rows_keep_the_cursor_index_and_lay_nothing_out() -> None:
    app = ListApp(100)
    async with app.run_test(size=(40, 12)) as pilot:
        table = app.query_one(DossierList)
        await until(pilot, lambda: app.made, "les lignes en vue")
        await pilot.press("down", "down")
        await until(pilot, lambda: table.cursor_row == 2, "le curseur sur la 3e ligne")
        layouts = []
        screen = app.screen
        original = screen._refresh_layout

        def counted(*args: Any, **kwargs: Any) -> None:
            layouts.append(args)
            original(*args, **kwargs)

        screen._refresh_layout = counted  # type: ignore[method-assign]
        app.made.clear()
        table.set_rows(list(range(500, 650)), make_cells(app.made), lambda r: f"R{r:04d}")
        await until(pilot, lambda: 502 in app.made, "les nouvelles lignes peintes")
        assert table.cursor_row == 2 and table.key_at(table.cursor_row) == "R0502"
        assert layouts == []  # more rows, the same scroll bar: only the list repainted
        table.set_rows([7], make_cells(app.made), lambda r: f"R{r:04d}")  # fewer: cursor in
        assert table.cursor_row == 0 and table.ids == ["R0007"]
        table.set_rows([], make_cells(app.made), lambda r: f"R{r:04d}")
        assert table.row_count == 0
        await until(pilot, lambda: line_text(table, 1).strip() == "", "la liste vide")


async def test_a_click_on_a_row_moves_the_cursor_there_and_selects_it() -> None:
    app = ListApp(30)
    async with app.run_test(size=(40, 12)) as pilot:
        table = app.query_one(DossierList)
        await until(pilot, lambda: app.made, "les lignes en vue")
        await pilot.click(DossierList, offset=(3, 0))  # the header: nothing
        await pilot.click(DossierList, offset=(3, 4))  # the 4th row
        await until(pilot, lambda: app.selected == ["R0003"], "la ligne choisie")
        assert table.cursor_row == 3
        await pilot.press(*["pagedown"] * 2)
        await until(pilot, lambda: table.scroll_y > 0, "la liste défilée")
        top = int(table.scroll_y)
        await pilot.click(DossierList, offset=(3, 1))  # the first row in view
        await until(pilot, lambda: len(app.selected) == 2, "la 2e ligne choisie")
        assert app.selected[1] == f"R{top:04d}" and table.cursor_row == top


async def test_stripes_the_cursor_and_the_cells_styles_are_painted() -> None:
    app = ListApp(10)
    async with app.run_test(size=(40, 12)) as pilot:
        table = app.query_one(DossierList)
        await until(pilot, lambda: app.made, "les lignes en vue")
        await pilot.press("down")
        await until(pilot, lambda: table.cursor_row == 1, "le curseur sur la 2e ligne")

        def background(y: int) -> Any:
            return {segment.style.bgcolor for segment in table.render_line(y)}

        header, cursor, even, odd, even2 = (background(y) for y in (0, 2, 3, 4, 5))
        assert len(header) == len(cursor) == len(even) == len(odd) == 1  # whole lines
        assert even == even2 and even != odd  # zebra stripes
        assert cursor not in (even, odd) and header not in (even, odd, cursor)
        assert all(segment.style.bold for segment in table.render_line(0) if segment.text.strip())

        def style_of(y: int, text: str) -> Any:
            return next(s.style for s in table.render_line(y) if text in s.text)

        red = style_of(4, "3 j")  # row 3: a cell styled « bold red »
        assert red.bold and red.color is not None and red.color.name == "red"
        assert style_of(3, "2 j").color != red.color


async def test_a_theme_change_repaints_rows_and_blank_lines_in_its_colours() -> None:
    """Row styles and the blank line under the rows are made once (``rich_style`` walks every
    ancestor at each call), and made again after a style update: never a stale colour."""
    app = ListApp(3)
    async with app.run_test(size=(40, 12)) as pilot:
        table = app.query_one(DossierList)
        await until(pilot, lambda: app.made, "les lignes en vue")

        def backgrounds() -> tuple[Any, Any]:
            row = {segment.style.bgcolor for segment in table.render_line(2)}
            blank = {segment.style.bgcolor for segment in table.render_line(8)}
            return row, blank

        assert table.render_line(8) is table.render_line(8)  # the blank line made once
        before = backgrounds()
        app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
        await until(pilot, lambda: backgrounds() != before, "les couleurs du nouveau thème")
        row, blank = backgrounds()
        assert row != before[0] and blank != before[1]


async def test_home_click_enter_and_a_reload_keep_to_the_cursor(make_app, store) -> None:
    ids = seed_dossiers(store)
    for i in range(40):
        store.create_dossier(agent=AGENT, answers={"nom": f"Nom{i:03d}", "prenom": "Test"})
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        home = await home_ready(pilot)
        table = home.query_one("#dossiers", DossierList)
        await pilot.press("down", "down")
        await until(pilot, lambda: table.cursor_row == 2, "le curseur sur la 3e ligne")
        chosen = table.key_at(2)
        home.reload()  # as after a dossier changed: the cursor stays on its row
        await home_ready(pilot)
        assert table.cursor_row == 2 and table.key_at(2) == chosen
        await pilot.press("enter")
        dossier = await wait_for_screen(pilot, "DossierScreen")
        assert dossier.dossier_id == chosen
        await pilot.press("escape")
        home = await home_ready(pilot)
        await pilot.press(*"dubois")
        await home_ready(pilot)
        assert table.ids == [ids["Dubois"]]
        await pilot.click("#dossiers", offset=(4, 1))  # its row, under the header
        dossier = await wait_for_screen(pilot, "DossierScreen")
        assert dossier.dossier_id == ids["Dubois"]


async def test_enter_right_after_a_search_opens_its_first_row_not_the_one_shown_before(
        make_app, store) -> None:
    """Typed fast, the name and Enter come before the search delay has run out: Enter opens
    the first dossier found, not the row under the cursor of the list still on the screen."""
    ids = seed_dossiers(store)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        home = await home_ready(pilot)
        assert home.query_one("#dossiers", DossierList).key_at(0) != ids["Dubois"]
        await pilot.press(*"dubois", "enter")  # no pause
        dossier = await wait_for_screen(pilot, "DossierScreen")
        assert dossier.dossier_id == ids["Dubois"]
        await pilot.press("escape")
        home = await home_ready(pilot)
        await pilot.press(*["backspace"] * 6, *"martin", "ctrl+r")  # resume, as fast
        await until(pilot, lambda: getattr(app.screen, "dossier_id", None) == ids["Martin"],
                    "l'entretien de Julie Martin repris")
        assert type(app.screen).__name__ == "InterviewScreen"


async def test_the_home_key_bar_shows_the_keys_in_force_whole(make_app, store, tmp_path) -> None:
    """The footer's keys, as the keymap has them (a remapped key shows), never cut: at 60
    columns the last ones are left out whole (F1 lists every key)."""
    from intake_assistant.app.settings import load_settings

    path = tmp_path / "config.toml"
    path.write_text('[keys]\n"home.next_filter" = "ctrl+g"\n', encoding="utf-8")
    settings = load_settings(path=path, environ={"LANG": "fr_FR.UTF-8", "TERM": "xterm"})
    seed_dossiers(store)
    async with make_app(settings=settings).run_test(size=(80, 24)) as pilot:
        home = await home_ready(pilot)
        bar = str(home.query_one("#keys").render())
        assert bar == "Ctrl+N Nouveau  Ctrl+R Reprendre  Ctrl+G Filtre  F1 Aide  Ctrl+P Commandes"
        await pilot.press("ctrl+g")  # the remapped key works: the next filter
        await until(pilot, lambda: home.filter_index == 1 and home.ready, "le filtre suivant")
    async with make_app().run_test(size=(60, 24)) as pilot:
        home = await home_ready(pilot)
        bar = str(home.query_one("#keys").render())
        assert bar == "Ctrl+N Nouveau  Ctrl+R Reprendre  F5 Filtre  F1 Aide"  # whole items


async def test_a_search_typed_and_cleared_lays_the_screen_out_nowhere(make_app, store) -> None:
    """From the first key to the rows painted, and back: only repaints (the search box, the
    filter line, the count and the list keep their sizes); a layout of the whole screen held
    every key and every listing (issue 16)."""
    seed_dossiers(store)
    async with make_app().run_test(size=(120, 40)) as pilot:
        home = await home_ready(pilot)
        layouts: list[Any] = []
        original = home._refresh_layout

        def counted(*args: Any, **kwargs: Any) -> None:
            layouts.append(args)
            original(*args, **kwargs)

        home._refresh_layout = counted  # type: ignore[method-assign]
        await pilot.press(*"dubois")
        await home_ready(pilot)
        assert home.query_one("#dossiers", DossierList).row_count == 1
        assert "restreint la recherche" in str(home.query_one("#filters").render())
        await pilot.press(*["backspace"] * 6)
        await home_ready(pilot)
        assert home.query_one("#dossiers", DossierList).row_count == 4
        assert layouts == []
