"""Benchmark of the PostgreSQL backend, run by hand: search, statistics and saves at scale.

    python bench/postgres.py                              # 200,000 demo dossiers, new database
    python bench/postgres.py --count 20000                # smaller
    python bench/postgres.py --url postgresql://postgres@127.0.0.1:5432/ia_pg_bench --keep

The database (`ia_pg_bench_…` on $INTAKE_ASSISTANT_TEST_PG's server, else the local test server)
is created, filled with demo dossiers by `import_dossiers`, and dropped at the end unless --keep.
Each figure is the median of N runs with min and max, and its ratio to a baseline measured in
the same run on the same connection: a `SELECT 1` round trip for reads, a one-row INSERT
committed (the server's commit and fsync floor) for saves.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run by hand from a checkout
    sys.path.insert(0, str(REPO))

import psycopg  # noqa: E402

from intake_assistant.reports.stats import store_stats  # noqa: E402
from intake_assistant.store.demo_data import generate_dossiers  # noqa: E402
from intake_assistant.store.postgres import PostgresStore  # noqa: E402
from intake_assistant.store.postgres.schema import upgrade  # noqa: E402
from tests.store.postgres import server  # noqa: E402


def measure(func: Callable[[], object], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return times


def show(label: str, times: list[float], baseline: float) -> None:
    med = statistics.median(times)
    print(f"{label:<44} médiane {med * 1000:9.2f} ms  (min {min(times) * 1000:8.2f}, "
          f"max {max(times) * 1000:8.2f})  = {med / baseline:8.1f} × la référence", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200_000)
    parser.add_argument("--url", help="base existante (créée et remplie si vide)")
    parser.add_argument("--keep", action="store_true", help="ne pas effacer la base à la fin")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    admin = server.connect_admin()
    name = args.url.rsplit("/", 1)[-1] if args.url else "ia_pg_bench_" + server.new_name()[6:]
    url = args.url or server.with_database(server.admin_url(), name)
    exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
    if not exists:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            upgrade(conn)
        store = PostgresStore(url)
        have = store.count()
        if have < args.count:
            print(f"Import de {args.count - have} dossiers fictifs…", flush=True)
            start = time.perf_counter()
            now = datetime.now().astimezone()
            store.import_dossiers(generate_dossiers(args.count - have, seed=have + 1, now=now))
            print(f"  {time.perf_counter() - start:.0f} s", flush=True)
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute("VACUUM ANALYZE")
        total = store.count()
        print(f"{total} dossiers dans {store.location}", flush=True)

        with psycopg.connect(url, autocommit=True) as conn:
            round_trip = statistics.median(measure(lambda: conn.execute("SELECT 1"), 200))
            conn.execute("CREATE TEMP TABLE floor (n int)")
            commit = statistics.median(measure(
                lambda: conn.execute("INSERT INTO floor VALUES (1)"), 50))
            conn.execute("CREATE TABLE IF NOT EXISTS public.bench_floor (n int)")
            durable = statistics.median(measure(
                lambda: conn.execute("INSERT INTO public.bench_floor VALUES (1)"), 50))
            conn.execute("DROP TABLE public.bench_floor")
        print(f"Références : aller-retour SELECT 1 {round_trip * 1000:.3f} ms ; INSERT validé "
              f"(table temporaire) {commit * 1000:.3f} ms ; INSERT validé durable "
              f"{durable * 1000:.3f} ms", flush=True)

        sample = store.list(limit=1)[0]
        some = store.load(sample.id)
        nom = some["answers"].get("nom") or "martin"
        phone = (some["answers"].get("telephone") or "06 12")[:8]
        for label, query in (("recherche par nom", nom), ("recherche nom + prénom",
                             f"{nom} {some['answers'].get('prenom', '')}"),
                             ("recherche par téléphone (début)", phone),
                             ("recherche par numéro", sample.id[2:]),
                             ("recherche d'un nom absent", "zzzqqq")):
            show(f"{label} « {query} »", measure(lambda q=query: store.list(search=q),
                                                   args.runs), round_trip)
        show("liste des 50 derniers dossiers", measure(lambda: store.list(limit=50), args.runs),
             round_trip)
        show("liste complète (tous les dossiers)", measure(store.list, 3), round_trip)
        show("versions() (jetons de tous les dossiers)", measure(store.versions, 3), round_trip)
        show("chargement d'un dossier", measure(lambda: store.load(sample.id), args.runs),
             round_trip)

        doc = store.create_dossier(agent="bench", answers={"nom": "Bench"})
        rev = doc["rev"]

        def save() -> None:
            nonlocal rev
            saved = store.save_answers(doc["id"], answers={"nom": "Bench", "loyer": rev},
                                       unknown=[], events=[{"type": "answer", "id": "loyer",
                                                            "value": rev}],
                                       agent="bench", expected_rev=rev)
            rev = saved["rev"]

        show("enregistrement d'une réponse (save_answers)", measure(save, args.runs * 2),
             durable)

        today = date.today()
        start = time.perf_counter()
        store_stats(store, date_from=None, date_to=None, today=today)
        print(f"statistiques, premier calcul (tous les dossiers relus) : "
              f"{time.perf_counter() - start:.1f} s", flush=True)
        show("statistiques sur le cache", measure(
            lambda: store_stats(store, date_from=None, date_to=None, today=today), 3),
            round_trip)
        store.close()
    finally:
        if not args.keep:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            for role in ("accueil", "travailleur_social", "responsable"):
                admin.execute(f'DROP ROLE IF EXISTS "{name}_{role}"')
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
