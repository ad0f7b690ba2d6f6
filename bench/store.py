"""Benchmark of the dossier store against SQLite (WAL, synchronous=FULL), run by hand.

    python bench/store.py                      # 1,000 / 10,000 / 50,000 dossiers
    python bench/store.py --sizes 1000,10000   # smaller sizes
    python bench/store.py --kill-test          # 200 SIGKILLs of a writer, then checks

Each size runs in a fresh process (clean RSS). Stores are built with the demo-data generator through
the bulk import path (`import_dossiers(durable=False)`: no fsync per file, one sync at the end) —
setup only; every measured operation is the normal durable path. Targets: answer save p50 ≤ 5 ms at
50,000 with 50k/1k ratio ≤ 1.5; search ≤ 300 ms at 50,000; RSS ≤ 200 MB.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run by hand from a checkout
    sys.path.insert(0, str(REPO))

from intake_assistant.core.lifecycle import allowed_next  # noqa: E402
from intake_assistant.store.demo_data import generate_dossiers  # noqa: E402
from intake_assistant.store.tinydb import TinyDBStore as Store  # noqa: E402
from intake_assistant.store.tinydb.index import normalize  # noqa: E402

NOW = datetime(2026, 11, 26, 12, 0).astimezone()
OPS = ("save", "create", "status", "search")


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident memory of this process, MB."""
    values = {}
    with open("/proc/self/status") as handle:
        for line in handle:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) / 1024
    return values["VmRSS"], values["VmHWM"]


def timed(samples: list[float], func: Callable[[], object]) -> None:
    start = time.perf_counter()
    func()
    samples.append((time.perf_counter() - start) * 1000)


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure_store(root: Path, size: int, ops: int, rng: random.Random) -> dict[str, object]:
    started = time.perf_counter()
    builder = Store.open(root)
    builder.import_dossiers(generate_dossiers(size, seed=size, now=NOW), durable=False)
    builder.reindex()
    build_s = time.perf_counter() - started
    del builder
    gc.collect()

    started = time.perf_counter()
    store = Store.open(root)
    entries = store.list()
    open_ms = (time.perf_counter() - started) * 1000
    ids = [e.id for e in entries]
    names = [e.nom for e in entries if e.nom]
    times: dict[str, list[float]] = {op: [] for op in OPS}
    for i in range(ops):
        dossier_id = rng.choice(ids)
        timed(times["save"], lambda d=dossier_id, v=400 + i: store.save_answer(
            d, "loyer", v, agent="bench"))
    for _ in range(ops // 2):
        timed(times["create"], lambda: store.create_dossier(
            agent="bench", questionnaire="accueil_telephonique",
            answers={"nom": "Banc", "prenom": "Essai", "telephone": "06 00 00 00 00"}))
    movable = [e for e in entries if e.status not in ("clos", "accorde", "refuse", "abandonne")]
    for entry in rng.sample(movable, min(ops // 2, len(movable))):
        target = allowed_next(entry.status)[0]
        timed(times["status"], lambda d=entry.id, t=target: store.set_status(d, t, agent="bench"))
    for _ in range(30):
        name = rng.choice(names)
        timed(times["search"], lambda n=name: store.list(search=n))
    rss, peak = rss_mb()
    files = list((root / "dossiers").rglob("*.json"))
    avg_kb = sum(f.stat().st_size for f in files[:2000]) / min(2000, len(files)) / 1024
    return {"build_s": build_s, "open_ms": open_ms, "times": times, "rss_mb": rss,
            "peak_mb": peak, "avg_kb": avg_kb}


def measure_sqlite(path: Path, size: int, ops: int, rng: random.Random) -> dict[str, object]:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE dossiers (id TEXT PRIMARY KEY, nom_norm TEXT, status TEXT, doc TEXT)")
    db.execute("BEGIN")
    rows = []
    for n, doc in enumerate(generate_dossiers(size, seed=size, now=NOW), start=1):
        doc["id"] = f"D-{doc['created_at'][:4]}-{n:06d}"
        key = normalize(f"{doc['answers'].get('nom', '')} {doc['answers'].get('prenom', '')}")
        rows.append((doc["id"], key, doc["status"], json.dumps(doc, ensure_ascii=False)))
    db.executemany("INSERT INTO dossiers VALUES (?, ?, ?, ?)", rows)
    db.execute("COMMIT")
    ids = [row[0] for row in rows]
    names = [normalize(json.loads(row[3])["answers"].get("nom", "x")) for row in rows[:500]]
    del rows
    times: dict[str, list[float]] = {op: [] for op in OPS}

    def update(dossier_id: str, change: Callable[[dict], None]) -> None:
        db.execute("BEGIN IMMEDIATE")
        (text,) = db.execute("SELECT doc FROM dossiers WHERE id = ?", (dossier_id,)).fetchone()
        doc = json.loads(text)
        change(doc)
        db.execute("UPDATE dossiers SET doc = ?, status = ? WHERE id = ?",
                   (json.dumps(doc, ensure_ascii=False), doc["status"], dossier_id))
        db.execute("COMMIT")

    for i in range(ops):
        timed(times["save"], lambda v=400 + i: update(
            rng.choice(ids), lambda d: d["answers"].__setitem__("loyer", v)))
    for n in range(ops // 2):
        doc = {"id": f"D-2026-9{n:05d}", "status": "premier_contact", "answers": {"nom": "Banc"}}
        timed(times["create"], lambda doc=doc: db.execute(
            "INSERT INTO dossiers VALUES (?, ?, ?, ?)",
            (doc["id"], "banc", doc["status"], json.dumps(doc))))
    for _ in range(ops // 2):
        timed(times["status"], lambda: update(rng.choice(ids),
                                              lambda d: d.__setitem__("status", "clos")))
    for _ in range(30):
        name = rng.choice(names)
        timed(times["search"], lambda n=name: db.execute(
            "SELECT id, status FROM dossiers WHERE nom_norm LIKE ?", (f"%{n}%",)).fetchall())
    db.close()
    return {"times": times}


def run_one(size: int, ops: int) -> None:
    rng = random.Random(size)
    with tempfile.TemporaryDirectory(dir=REPO / "bench") as tmp:
        store = measure_store(Path(tmp) / "store", size, ops, rng)
        shutil.rmtree(Path(tmp) / "store")
        sqlite = measure_sqlite(Path(tmp) / "bench.sqlite", size, ops, rng)
    print(json.dumps({"size": size, "store": store, "sqlite": sqlite}))


def report(results: list[dict]) -> None:
    labels = {"save": "enregistrement d'une réponse", "create": "création de dossier",
              "status": "changement de statut", "search": "recherche par nom"}
    for result in results:
        store, sqlite = result["store"], result["sqlite"]
        size = f"{result['size']:,}".replace(",", " ")
        print(f"\n=== {size} dossiers (moy. {store['avg_kb']:.1f} Ko/dossier) : "
              f"construction {store['build_s']:.1f} s, "
              f"ouverture + index {store['open_ms']:.0f} ms, "
              f"RSS {store['rss_mb']:.0f} Mo (pic {store['peak_mb']:.0f} Mo)")
        print(f"{'opération':<30}{'p50 ms':>9}{'p95 ms':>9}{'sqlite p50':>12}{'sqlite p95':>12}"
              f"{'ratio p50':>11}")
        for op in OPS:
            ours, theirs = store["times"][op], sqlite["times"][op]
            p50, s50 = statistics.median(ours), statistics.median(theirs)
            print(f"{labels[op]:<30}{p50:>9.2f}{pct(ours, 0.95):>9.2f}{s50:>12.2f}"
                  f"{pct(theirs, 0.95):>12.2f}{p50 / s50:>10.1f}×")


def growth(results: list[dict]) -> None:
    first, last = results[0], results[-1]
    print(f"\nCroissance du p50 entre {last['size']} et {first['size']} dossiers :")
    for op in OPS:
        ratio = (statistics.median(last["store"]["times"][op])
                 / statistics.median(first["store"]["times"][op]))
        print(f"  {op:<8}{ratio:>6.2f}")


def kill_test(kills: int) -> int:
    from tests.store.crash_check import kill_loop

    with tempfile.TemporaryDirectory(dir=REPO / "bench") as tmp:
        started = time.perf_counter()
        result = kill_loop(Path(tmp) / "store", kills, seed=kills)
    print(f"{result.kills} SIGKILL en {time.perf_counter() - started:.0f} s : "
          f"{result.acked} réponses acquittées, {result.dossiers} dossiers, "
          f"{result.orphans} fichiers temporaires abandonnés nettoyés.")
    for problem in result.problems:
        print(f"  PROBLÈME : {problem}")
    print("Aucune perte, aucun fichier illisible." if not result.problems else "ÉCHEC")
    return 0 if not result.problems else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--ops", type=int, default=200, help="mesures par opération")
    parser.add_argument("--kill-test", nargs="?", const=200, type=int, metavar="N")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # child process: one size
    args = parser.parse_args()
    if args.one:
        run_one(args.one, args.ops)
        return 0
    if args.kill_test:
        return kill_test(args.kill_test)
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        out = subprocess.run([sys.executable, __file__, "--one", str(size), "--ops", str(args.ops)],
                             capture_output=True, text=True, check=True).stdout
        results.append(json.loads(out.strip().splitlines()[-1]))
        report(results[-1:])
    if len(results) > 1:
        growth(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
