"""The TUI through a real pseudo-terminal, each run interleaved with the bare Textual app.

Per run and terminal size, three programs are started, in an order that alternates between runs:
- the bare app: launch → its label painted; key echo of its input (median of a burst of keys
  typed at a person's pace); Esc → the input emptied on screen; its peak memory;
- session A (``python -m intake_assistant``): launch → home list shown (dossier rows on screen);
  search by name, then by phone, typed at 50 ms a key (time from the last key until exactly the
  expected dossiers are listed; the search debounce is included, as the user feels it); Ctrl+N →
  first question; the whole phone intake typed (each answer typed, then the clock runs from Enter
  — or from the single key of a quick reply — until the next question is on screen): p50 and p95
  of the run; peak memory (VmHWM) after all of it;
- session B: launch, Ctrl+N as soon as the list shows → first question (launch → first question),
  then Esc at once (leaving the empty new interview) → home list shown, then a key typed in the
  search box → echoed (a UI frozen by work left behind shows here).
Each session gets a fresh config folder (no interview left open) and quits with Ctrl+Q.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from bench import screen as sc
from bench.figures import Figure, Row, percentile
from bench.intake import Step
from bench.python_env import measured_env
from bench.stores import BENCH_AGENT
from bench.terminal import Terminal

REPO = Path(__file__).resolve().parents[1]
BARE = Path(__file__).with_name("bare_app.py")
TYPING = 0.05  # seconds between keys typed in a burst (a fast typist)
ECHO_KEYS = 12


def _env(config: Path) -> dict[str, str]:
    env = measured_env()  # bytecode as installed (bench/python_env.py)
    env["XDG_CONFIG_HOME"] = str(config)
    return env


class TuiFigures:
    """Every figure of one terminal size at one store size."""

    def __init__(self) -> None:
        names = ("bare_launch", "bare_echo", "bare_esc", "bare_rss", "launch_list",
                 "launch_question", "ctrl_n", "answer_p50", "answer_p95", "answer_max",
                 "search_name", "search_phone", "leave", "leave_echo", "rss")
        self.f = {n: Figure(n, "MB" if n.endswith("rss") else "s") for n in names}
        self.launches = self.truncated = 0  # lists first shown with cut columns (a TUI bug)

    def rows(self, group: str, size: int) -> list[Row]:
        f = self.f
        bare_l, echo = "appli nue : lancement → étiquette", "appli nue : écho d'une touche"
        return [
            Row(group, "lancement → liste des dossiers affichée", size, f["launch_list"],
                f["bare_launch"], bare_l,
                f"colonnes tronquées à {self.truncated}/{self.launches} lancements"
                if self.truncated else ""),
            Row(group, "lancement → 1re question (Ctrl+N dès la liste)", size,
                f["launch_question"], f["bare_launch"], bare_l),
            Row(group, "Ctrl+N → 1re question (appli lancée)", size, f["ctrl_n"], f["bare_echo"],
                echo),
            Row(group, "réponse → question suivante p50", size, f["answer_p50"], f["bare_echo"],
                echo, "p50 des réponses d'un entretien entier, par exécution"),
            Row(group, "réponse → question suivante p95", size, f["answer_p95"], f["bare_echo"],
                echo, "p95 des réponses d'un entretien entier, par exécution"),
            Row(group, "réponse → question suivante max", size, f["answer_max"], f["bare_echo"],
                echo),
            Row(group, "Échap (entretien vide) → liste affichée", size, f["leave"],
                f["bare_esc"], "appli nue : Échap → champ vidé"),
            Row(group, "puis une touche dans la recherche → écho", size, f["leave_echo"],
                f["bare_echo"], echo, "interface gelée par un travail laissé derrière ?"),
            Row(group, "recherche par nom (dernière touche → résultat)", size,
                f["search_name"], f["bare_echo"], echo, "délai anti-rebond compris"),
            Row(group, "recherche par téléphone (dernière touche → résultat)", size,
                f["search_phone"], f["bare_echo"], echo, "délai anti-rebond compris"),
            Row(group, "mémoire de pointe (VmHWM) après l'entretien", size, f["rss"],
                f["bare_rss"], "appli nue"),
        ]


def _bare(cols: int, rows: int, fig: TuiFigures, *, config: Path) -> None:
    f = fig.f
    with Terminal([sys.executable, str(BARE)], cols=cols, rows=rows, env=_env(config)) as term:
        painted = term.wait_for(lambda lines: any("Application nue" in x for x in lines), 60,
                                "appli nue : étiquette")
        f["bare_launch"].add(painted - term.started)
        term.settle(0.2)
        echoes = []
        for n in range(1, ECHO_KEYS + 1):
            sent = term.send("x")
            shown = term.wait_for(lambda lines, n=n: ("x" * n) in sc.answer_text(lines)
                                  and ("x" * (n + 1)) not in sc.answer_text(lines), 20, "écho",
                                  since=sent)
            echoes.append(shown - sent)
            time.sleep(TYPING)
        f["bare_echo"].add(statistics.median(echoes))
        sent = term.send("esc")
        shown = term.wait_for(lambda lines: "x" not in sc.answer_text(lines), 20, "Échap",
                              since=sent)
        f["bare_esc"].add(shown - sent)
        f["bare_rss"].add(term.peak_rss_mb())


def _app(db: Path, cols: int, rows: int, config: Path) -> Terminal:
    argv = [sys.executable, "-m", "intake_assistant", "--db", str(db), "--agent", BENCH_AGENT,
            "--role", "accueil"]
    return Terminal(argv, cols=cols, rows=rows, env=_env(config), cwd=REPO)


def _search(term: Terminal, text: str, expected: set[str]) -> float:
    """Type ``text`` in the home search box; last key → exactly ``expected`` listed. Cleared."""
    last = term.type_text(text, TYPING)
    shown = term.wait_for(sc.listing(expected), 60,
                          f"recherche « {text} » → {sorted(expected)}", since=last)
    term.send("ctrl+u")
    term.wait_for(sc.list_shown, 60, "liste complète après effacement de la recherche")
    term.settle(0.3)
    return shown - last


def _answer(term: Terminal, step: Step, following: Step | None) -> float:
    """Answer the question on screen; from Enter (or the one key) to the next one painted.

    The timed key comes at the typing pace of the baseline (TYPING after the question or the
    typed text was seen), not within a millisecond of that frame: Textual paints at most 60
    frames a second, on a fixed beat, so a key sent just after a frame waits up to a frame
    period (16.7 ms, up to two after a long frame) for its own, a wait the baseline's keys,
    TYPING apart, never have, and no person can type that fast after reading the screen."""
    done: Callable[[list[str]], bool] = (
        sc.asking(following.question, step.keys) if following is not None
        else sc.not_asking(step.question))
    keys = step.keys
    time.sleep(TYPING)  # the question read
    if step.unknown:
        sent = term.send("f3")  # « ne sait pas »: marked to complete later
    elif len(keys) == 1 and sc.quick_reply(term.lines(), keys):
        sent = term.send(keys)
    else:
        if keys:
            term.type_text(keys)
            term.wait_for(sc.echoed(keys), 30, f"écho de « {keys} »")
            time.sleep(TYPING)  # then Enter, at the pace the baseline's keys are typed
        sent = term.send("enter")
    shown = term.wait_for(done, 60, f"après « {step.question} » ← {keys!r}", since=sent)
    return shown - sent


def _session_a(db: Path, cols: int, rows: int, fig: TuiFigures, *, config: Path,
               steps: list[Step], searches: dict[str, tuple[str, set[str]]]) -> None:
    f = fig.f
    with _app(db, cols, rows, config) as term:
        shown = term.wait_for(sc.list_shown, 300, "liste des dossiers")
        f["launch_list"].add(shown - term.started)
        fig.launches += 1
        fig.truncated += sc.truncated(sc.dossier_rows(term.lines()))
        term.settle(0.5)
        f["search_name"].add(_search(term, *searches["name"]))
        f["search_phone"].add(_search(term, *searches["phone"]))
        sent = term.send("ctrl+n")
        shown = term.wait_for(sc.asking(steps[0].question), 120, "1re question", since=sent)
        f["ctrl_n"].add(shown - sent)
        times = []
        for i, step in enumerate(steps):
            times.append(_answer(term, step, steps[i + 1] if i + 1 < len(steps) else None))
        f["answer_p50"].add(statistics.median(times))
        f["answer_p95"].add(percentile(times, 0.95))
        f["answer_max"].add(max(times))
        term.settle(0.3)
        f["rss"].add(term.peak_rss_mb())


def _session_b(db: Path, cols: int, rows: int, fig: TuiFigures, *, config: Path,
               first: Step) -> None:
    f = fig.f
    with _app(db, cols, rows, config) as term:
        term.wait_for(sc.list_shown, 300, "liste des dossiers")
        term.send("ctrl+n")
        shown = term.wait_for(sc.asking(first.question), 120, "1re question")
        f["launch_question"].add(shown - term.started)
        sent = term.send("esc")
        shown = term.wait_for(sc.list_shown, 120, "retour à la liste", since=sent)
        f["leave"].add(shown - sent)
        sent = term.send("z")
        shown = term.wait_for(lambda lines: "z" in sc.answer_text(lines), 120,
                              "écho dans la recherche", since=sent)
        f["leave_echo"].add(shown - sent)
        term.settle(0.3)


def bench_tui(db: Path, size: int, terminals: list[tuple[int, int]], runs: int,
              steps: list[Step], searches: dict[str, tuple[str, set[str]]],
              log: Callable[[str], None]) -> list[Row]:
    figures = {t: TuiFigures() for t in terminals}
    for run in range(runs):
        for cols, rows in terminals:
            fig = figures[(cols, rows)]
            jobs = [
                partial(_bare, cols, rows, fig),
                partial(_session_a, db, cols, rows, fig, steps=steps, searches=searches),
                partial(_session_b, db, cols, rows, fig, first=steps[0]),
            ]
            if run % 2:
                jobs.reverse()  # alternate who goes first: drift hits both alike
            for job in jobs:
                with tempfile.TemporaryDirectory(prefix="bench-config-") as config:
                    job(config=Path(config))
            log(f"  TUI {cols}×{rows} {size} dossiers : exécution {run + 1}/{runs} faite")
    out: list[Row] = []
    for (cols, rows), fig in figures.items():
        out += fig.rows(f"TUI {cols}×{rows}", size)
    return out
