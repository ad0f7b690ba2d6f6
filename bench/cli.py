"""The command line as a user runs it: a fresh process each time (start-up and imports included),
interleaved with its baselines in the same runs.

- ``list --search NAME`` vs ``python -c pass`` (the interpreter's own start) and vs a process that
  opens a SQLite FTS5 index of the same dossiers and runs the same search;
- ``stats`` cold (every folder of derived data the store hands out, ``derived_dir``, emptied
  first: a rebuild from every dossier) and warm (run again at once), vs a process that reads
  and parses every dossier file (the floor of any full rebuild);
- ``list --format json`` peak memory (ru_maxrss of that process) vs ``python -c pass``.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.figures import Figure, Row
from bench.python_env import measured_env
from bench.screen import fold
from bench.stores import BENCH_AGENT, BENCH_LOGIN
from intake_assistant.store import IndexEntry, open_store

REPO = Path(__file__).resolve().parents[1]

FTS_QUERY = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("SELECT id, nom, prenom FROM fts WHERE fts MATCH ? ORDER BY rank",
                  (sys.argv[2],)).fetchall()
for row in rows:
    print(*row)
"""

READ_ALL = """
import json, os, sys
def walk(folder):
    for item in os.scandir(folder):
        if item.is_dir(follow_symlinks=False):
            yield from walk(item.path)
        elif item.name.endswith(".json"):
            yield item.path
count = 0
for path in walk(sys.argv[1]):
    with open(path, "rb") as handle:
        json.loads(handle.read())
    count += 1
print(count)
"""


def _env() -> dict[str, str]:
    return measured_env()  # bytecode as installed (bench/python_env.py)


# A process's ru_maxrss counts the memory of the process that forked it (Linux keeps the pre-exec
# high-water mark), so peak memory is read through this small launcher, not from the benchmark.
PEAK_LAUNCHER = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
sys.stderr.write(f"BENCH-MAXRSS-KB {usage.ru_maxrss}\\n")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_process(argv: list[str], *, peak: bool = False) -> tuple[float, float]:
    """(wall seconds, peak RSS MB or nan) of one process, its output discarded. With ``peak``,
    it runs under the launcher (whose start-up then counts in the seconds)."""
    if peak:
        argv = [sys.executable, "-c", PEAK_LAUNCHER, *argv]
    start = time.perf_counter()
    run = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=_env(),
                         cwd=REPO, check=False)
    seconds = time.perf_counter() - start
    err = run.stderr.decode(errors="replace")
    if run.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} : code {run.returncode}\n{err[-2000:]}")
    kb = [line.split()[1] for line in err.splitlines() if line.startswith("BENCH-MAXRSS-KB ")]
    return seconds, (int(kb[-1]) / 1024 if kb else float("nan"))


def build_fts(path: Path, entries: list[IndexEntry]) -> None:
    db = sqlite3.connect(path)
    db.execute("CREATE VIRTUAL TABLE fts USING fts5(id UNINDEXED, nom, prenom, telephone, "
               "tokenize='unicode61 remove_diacritics 2')")
    db.executemany("INSERT INTO fts VALUES (?, ?, ?, ?)",
                   ((e.id, e.nom, e.prenom, e.telephone) for e in entries))
    db.commit()
    db.close()


def _interleave(runs: int, jobs: list[tuple[Figure, Callable[[], float]]]) -> None:
    for run in range(runs):
        order = jobs if run % 2 == 0 else jobs[::-1]
        for figure, job in order:
            figure.add(job())


def bench_cli(db: Path, size: int, runs: int, entries: list[IndexEntry], name: str,
              log: Callable[[str], None], stats: bool = True) -> list[Row]:
    py = sys.executable
    cli = [py, "-m", "intake_assistant"]
    f = {n: Figure(n) for n in ("search", "pass", "fts", "stats_cold", "stats_warm",
                                "read_all")}
    f["json_mem"], f["pass_mem"] = Figure("json_mem", "MB"), Figure("pass_mem", "MB")
    f["json_time"] = Figure("json_time")
    with tempfile.TemporaryDirectory(prefix="bench-cli-") as tmp:
        fts = Path(tmp) / "fts.sqlite"
        build_fts(fts, entries)
        query = " ".join(f'"{w}"*' for w in fold(name).split())  # prefix match of each word
        _interleave(runs, [
            (f["search"], lambda: run_process([*cli, "list", "--db", str(db), "--search",
                                               name])[0]),
            (f["pass"], lambda: run_process([py, "-c", "pass"])[0]),
            (f["fts"], lambda: run_process([py, "-c", FTS_QUERY, str(fts), query])[0]),
        ])
        log(f"  CLI {size} dossiers : list --search fait")

        def json_list() -> float:
            f["json_time"].add(run_process([*cli, "list", "--db", str(db), "--format",
                                            "json"])[0])
            return run_process([*cli, "list", "--db", str(db), "--format", "json"],
                               peak=True)[1]

        _interleave(runs, [(f["json_mem"], json_list),
                           (f["pass_mem"], lambda: run_process([py, "-c", "pass"], peak=True)[1])])
        log(f"  CLI {size} dossiers : list --format json fait")
    rows = [
        Row("CLI", "list --search (nom), démarrage compris", size, f["search"], f["pass"],
            "python -c pass"),
        Row("CLI", "  (même commande, référence FTS5)", size, f["search"], f["fts"],
            "processus SQLite FTS5, même recherche"),
        Row("CLI", "list --format json : mémoire de pointe", size, f["json_mem"], f["pass_mem"],
            "python -c pass"),
        Row("CLI", "list --format json : durée", size, f["json_time"], f["pass"],
            "python -c pass"),
    ]
    if not stats:
        return rows
    stats_cmd = [*cli, "stats", "--db", str(db), "--format", "json"]
    as_role(db, "responsable")  # the statistics are the responsable's (app/access)
    try:
        return rows + _stats_rows(db, size, runs, py, stats_cmd, f, log)
    finally:
        as_role(db, "accueil")


def _stats_rows(db: Path, size: int, runs: int, py: str, stats_cmd: list[str],
                f: dict[str, Figure], log: Callable[[str], None]) -> list[Row]:

    # Every folder of derived data (rebuilt from the dossiers): the parent of any derived_dir.
    derived = open_store(db).derived_dir("banc_essai").parent

    def cold() -> float:
        for folder in derived.iterdir():
            if folder.is_dir():
                shutil.rmtree(folder, ignore_errors=True)
        return run_process(stats_cmd)[0]

    def warm() -> float:
        return run_process(stats_cmd)[0]

    dossiers = db / "dossiers" if (db / "dossiers").is_dir() else db
    for run in range(runs):  # read-all, cold, warm: the warm run needs the cold one before it
        f["read_all"].add(run_process([py, "-c", READ_ALL, str(dossiers)])[0])
        f["stats_cold"].add(cold())
        f["stats_warm"].add(warm())
        log(f"  CLI {size} dossiers : stats exécution {run + 1}/{runs} faite")
    return [
        Row("CLI", "stats à froid (cache dérivé supprimé)", size, f["stats_cold"],
            f["read_all"], "lire et décoder chaque fichier"),
        Row("CLI", "stats à chaud (relancé aussitôt)", size, f["stats_warm"], f["read_all"],
            "lire et décoder chaque fichier"),
    ]


def as_role(db: Path, role: str) -> None:
    """Give the benchmarks' login this role in the cached store (bench/stores.py)."""
    from intake_assistant.app.agents import add_agent

    add_agent(open_store(db), BENCH_LOGIN, BENCH_AGENT, role)
