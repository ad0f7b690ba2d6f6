"""Benchmark of the statistics and of the commission PDF, run by hand.

    python bench/stats.py                         # 50,000 demo dossiers in a temporary store
    python bench/stats.py --db /tmp/base50k       # reuse (or create once) a store
    python bench/stats.py --count 5000            # smaller

The store is made by ``intake-assistant demo-data --count N --db PATH`` (a few minutes at 50,000;
kept when --db is given). Measured: the first statistics run (reads every dossier, evaluates every
orientation, fills the record cache), then runs on the cache, in-process and as the full
``intake-assistant stats`` command; the PDF export in-process (first call: policy and font loaded)
and as the full command. Targets: statistics ≤ 2 s on the cache, PDF export ≤ 1 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run by hand from a checkout
    sys.path.insert(0, str(REPO))

from intake_assistant.reports.cache import cache_path  # noqa: E402
from intake_assistant.store.tinydb import TinyDBStore as Store  # noqa: E402

STATS_TARGET_S = 2.0
PDF_TARGET_S = 1.0


def _cli(*args: str) -> float:
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "intake_assistant", *args], check=True, env=env,
                   stdout=subprocess.DEVNULL, cwd=REPO)
    return time.perf_counter() - start


def _ensure_store(db: Path, count: int) -> Store:
    store = Store.open(db)
    have = sum(1 for _ in store.index.scan_files())
    if have < count:
        print(f"Création de {count - have} dossiers fictifs dans {db}…", flush=True)
        seconds = _cli("demo-data", "--count", str(count - have), "--db", str(db))
        print(f"  fait en {seconds:.0f} s", flush=True)
        store = Store.open(db)
    return store


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=50_000)
    parser.add_argument("--db", type=Path, help="store to reuse (created if missing)")
    args = parser.parse_args()
    tmp = None if args.db else Path(tempfile.mkdtemp(prefix="bench-stats-"))
    db = args.db or tmp / "base"  # type: ignore[operator]
    try:
        return _bench(_ensure_store(db, args.count), db)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def _bench(store: Store, db: Path) -> int:
    from intake_assistant.orientation.build import default_policy
    from intake_assistant.reports.commission import export_dossier
    from intake_assistant.reports.stats import store_stats

    policy = default_policy()
    today = date.today()
    count = sum(1 for _ in store.index.scan_files())
    cache_path(store).unlink(missing_ok=True)
    start = time.perf_counter()
    store_stats(store, date_from=None, date_to=None, today=today, policy=policy)
    cold = time.perf_counter() - start
    warm = []
    for _ in range(3):
        start = time.perf_counter()
        store_stats(store, date_from=None, date_to=None, today=today, policy=policy)
        warm.append(time.perf_counter() - start)
    cli_stats = _cli("stats", "--db", str(db), "--format", "json")
    decided = next(e.id for e in store.list(status="accorde"))
    out = Path(tempfile.mkdtemp(prefix="bench-pdf-"))
    try:
        start = time.perf_counter()
        export_dossier(store, decided, "pdf", out / "first.pdf")
        pdf_first = time.perf_counter() - start
        pdf_next = []
        for n in range(5):
            start = time.perf_counter()
            export_dossier(store, decided, "pdf", out / f"again-{n}.pdf", policy=policy)
            pdf_next.append(time.perf_counter() - start)
        cli_pdf = _cli("export", decided, "--format", "pdf", "-o", str(out / "cli.pdf"),
                       "--db", str(db))
    finally:
        shutil.rmtree(out, ignore_errors=True)
    stats_warm = statistics.median(warm)
    print(f"Statistiques sur {count} dossiers")
    print(f"  premier calcul (lecture de tous les dossiers, orientation de chacun, cache) : "
          f"{cold:.2f} s ({cold / max(count, 1) * 1000:.2f} ms par dossier)")
    print(f"  calcul sur le cache (médiane de 3) : {stats_warm:.2f} s "
          f"[objectif ≤ {STATS_TARGET_S:.0f} s]")
    print(f"  commande complète « stats --format json » : {cli_stats:.2f} s")
    print(f"Export PDF du dossier {decided}")
    print(f"  premier export (politique et police chargées) : {pdf_first:.2f} s "
          f"[objectif ≤ {PDF_TARGET_S:.0f} s]")
    print(f"  exports suivants (médiane de 5) : {statistics.median(pdf_next):.3f} s")
    print(f"  commande complète « export --format pdf » : {cli_pdf:.2f} s")
    ok = stats_warm <= STATS_TARGET_S and pdf_first <= PDF_TARGET_S
    print("OBJECTIFS ATTEINTS" if ok else "OBJECTIF MANQUÉ")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
