"""One command for every benchmark of what users feel; prints one table and writes it as JSON.

    python bench/run.py                          # 1,000 / 50,000 / 200,000 dossiers, 5 runs
    python bench/run.py --sizes 1000,50000       # chosen sizes
    python bench/run.py --quick                  # a short check: 1,000 dossiers, 3 runs, 120×40
    python bench/run.py --only tui,cli           # some parts only

Every figure is the median over the runs with its min and max, next to its baseline measured in
the same runs, interleaved (bare Textual app in the same pseudo-terminal; SQLite WAL + FULL on a
narrow table; the fsync floor; ``python -c pass``; SQLite FTS5; reading every file), and the ratio
subject / baseline. Parts:
- ``tui``: the app in a real pseudo-terminal read by a VT parser (bench/tui.py), 120×40 and 80×24;
- ``store``: operations through the store contract (bench/store_ops.py);
- ``cli``: commands as processes (bench/cli.py).
Stores of demo dossiers are built once (non-durable import) and cached in bench/tmp-stores/,
keyed by size and a stamp of the store's code (bench/stores.py). No target is asserted here: the
ratios are read against the targets of the performance work.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import signal
import sys
import tempfile
import time
import traceback
from functools import partial
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(REPO))

from bench.figures import Row, row_from_dict, show, spread  # noqa: E402
from bench.python_env import compile_package  # noqa: E402
from bench.stores import STORES, cleanup, ensure_store  # noqa: E402
from intake_assistant.store import IndexEntry, open_store  # noqa: E402

RESULTS = REPO / "bench" / "tmp-results"
PARTS = ("tui", "store", "cli")


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _terminals(text: str) -> list[tuple[int, int]]:
    out = []
    for item in text.split(","):
        cols, _, rows = item.lower().partition("x")
        out.append((int(cols), int(rows)))
    return out


def _few_matches(store, entries: list[IndexEntry], rng: random.Random, key) -> tuple[str, set]:
    """A search text (name or phone) listing few dossiers (the fewest of 200 tries, at most 60):
    a search that narrows the list, as staff type it."""
    candidates = [e for e in entries if key(e)]
    best: tuple[str, set] | None = None
    for _ in range(200):
        text = key(rng.choice(candidates))
        ids = {e.id for e in store.list(search=text)}
        if ids and (best is None or len(ids) < len(best[1])):
            best = (text, ids)
        if best and len(best[1]) <= 3:
            break
    if best is None or len(best[1]) > 60:
        raise RuntimeError("aucune recherche ne donne peu de dossiers")
    return best


def table(rows: list[Row]) -> str:
    lines: list[str] = []
    group = None
    head = (f"{'mesure':<52} {'dossiers':>8}  {'sujet : médiane [min–max]':<32} "
            f"{'référence : médiane [min–max]':<32} {'rapport':>8}  référence")
    for row in rows:
        if row.group != group:
            group = row.group
            lines += ["", f"== {group} ==", head]
        ratio = f"{row.ratio:.2f}×" if row.ratio is not None else "—"
        base = spread(row.baseline) if row.baseline else "—"
        size = f"{row.size:,}".replace(",", " ") if row.size is not None else ""
        lines.append(f"{row.what:<52} {size:>8}  {spread(row.subject):<32} {base:<32} "
                     f"{ratio:>8}  {row.baseline_name}"
                     + (f" — {row.note}" if row.note else ""))
    return "\n".join(lines)


def derived(rows: list[Row]) -> list[tuple[str, float]]:
    """Ratios across sizes: the flatness of a save (largest / smallest size), and of the rest."""
    out = []
    by = {}
    for row in rows:
        by.setdefault((row.group, row.what), {})[row.size] = row
    for (group, what), sizes in by.items():
        if len(sizes) < 2 or not any(r.subject.values for r in sizes.values()):
            continue
        low, high = min(sizes), max(sizes)
        if not (sizes[low].subject.values and sizes[high].subject.values):
            continue
        ratio = sizes[high].subject.median / sizes[low].subject.median
        out.append((f"{group} — {what.strip()} : {high} / {low} dossiers", ratio))
        base_low, base_high = sizes[low].baseline, sizes[high].baseline
        if what.startswith("enregistrement") and base_low and base_high:
            out.append((f"{group} — plancher fsync (même mesure) : {high} / {low} dossiers",
                        base_high.median / base_low.median))
            # Robust to a disk slower in one run than in another: the ratio to the floor.
            low_ratio, high_ratio = sizes[low].ratio, sizes[high].ratio
            if low_ratio and high_ratio:
                out.append((f"{group} — enregistrement / plancher : {high} / {low} dossiers",
                            high_ratio / low_ratio))
    return out


def _stop(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds: every program started on a pty is closed


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _stop)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", help="tailles des stockages (défaut 1000,50000,200000)")
    parser.add_argument("--quick", action="store_true",
                        help="court : 1000 dossiers, 3 exécutions, 120×40, peu d'opérations")
    parser.add_argument("--runs", type=int, help="exécutions par mesure (défaut 5, --quick 3)")
    parser.add_argument("--ops", type=int, help="opérations par exécution (stockage)")
    parser.add_argument("--terminals", help="tailles de terminal (défaut 120x40,80x24)")
    parser.add_argument("--only", default=",".join(PARTS), help="parties : tui,store,cli")
    parser.add_argument("--no-stats", action="store_true", help="sans stats à froid/chaud")
    parser.add_argument("--json", type=Path, help="où écrire le tableau en JSON")
    parser.add_argument("--show", nargs="+", metavar="FICHIER[:TAILLES]",
                        help="réafficher (et fusionner) des résultats JSON au lieu de mesurer ; "
                             "« :1000,50000 » n'en garde que ces tailles")
    parser.add_argument("--stores", type=Path, default=STORES,
                        help="dossier du cache des stockages (défaut bench/tmp-stores)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in (args.sizes or ("1000" if args.quick else
                                              "1000,50000,200000")).split(",")]
    runs = args.runs or (3 if args.quick else 5)
    ops = args.ops or (5 if args.quick else 20)
    terminals = _terminals(args.terminals or ("120x40" if args.quick else "120x40,80x24"))
    parts = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = set(parts) - set(PARTS)
    if unknown:
        parser.error(f"parties inconnues : {', '.join(sorted(unknown))}")

    if args.show:
        return show_results(args.show)
    compile_package()  # measured processes start as on an installed machine (bench/python_env.py)

    from bench.cli import bench_cli
    from bench.intake import intake_steps
    from bench.store_ops import bench_store
    from bench.tui import _env, bench_tui

    started = time.perf_counter()
    rows: list[Row] = []
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-config-") as config:
        steps = intake_steps(_env(Path(config)), REPO) if "tui" in parts else []
    for size in sizes:
        db = ensure_store(size, log, args.stores)
        store = open_store(db)
        cleanup(store)  # anything a run cut short left behind
        entries = store.list()
        rng = random.Random(size)
        name = _few_matches(store, entries, rng, lambda e: e.nom and e.prenom
                            and f"{e.nom} {e.prenom}")
        phone = _few_matches(store, entries, rng, lambda e: e.telephone)
        log(f"{size} dossiers : {db}")
        jobs = {
            "tui": partial(bench_tui, db, size, terminals, runs, steps,
                           {"name": name, "phone": phone}, log),
            "store": partial(bench_store, db, size, runs, ops, log),
            "cli": partial(bench_cli, db, size, runs, entries, name[0], log,
                           stats=not args.no_stats),
        }
        for part in parts:
            try:
                rows += jobs[part]()
            except Exception as exc:  # one part failing does not lose the others' figures
                failures.append(f"{part} à {size} dossiers : {exc}")
                log(traceback.format_exc())
            finally:
                cleanup(store)
    rows.sort(key=lambda r: (PARTS.index(_part(r.group)), r.group, r.size or 0))
    text = table(rows)
    extra = derived(rows)
    print(text)
    if extra:
        print("\n== Rapports entre tailles ==")
        for label, ratio in extra:
            print(f"{label:<90} {show(ratio, 'x'):>8}")
    for failure in failures:
        print(f"\nÉCHEC : {failure.splitlines()[0]}")
    elapsed = time.perf_counter() - started
    print(f"\n{runs} exécutions par mesure ; {os.cpu_count()} cœurs ; "
          f"Python {platform.python_version()} ; durée {elapsed:.0f} s")
    out = args.json or RESULTS / time.strftime("bench-%Y%m%d-%H%M%S.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({
        "when": time.strftime("%Y-%m-%dT%H:%M:%S"), "runs": runs, "ops": ops, "sizes": sizes,
        "terminals": [f"{c}x{r}" for c, r in terminals], "cpus": os.cpu_count(),
        "python": platform.python_version(), "seconds": elapsed,
        "rows": [r.to_dict() for r in rows],
        "across_sizes": [{"what": label, "ratio": ratio} for label, ratio in extra],
        "failures": failures,
    }, ensure_ascii=False, indent=2), encoding="utf-8")
    log(f"résultats écrits dans {out}")
    return 1 if failures else 0


def show_results(specs: list[str]) -> int:
    """Print the table of saved results; a later file's row replaces an earlier one's."""
    merged: dict[tuple, Row] = {}
    for spec in specs:
        name, _, kept = spec.partition(":")
        if not Path(name).exists() and ":" in spec:
            name, kept = spec, ""
        keep = {int(x) for x in kept.split(",")} if kept else None
        data = json.loads(Path(name).read_text(encoding="utf-8"))
        for item in data["rows"]:
            row = row_from_dict(item)
            if keep is None or row.size in keep:
                merged[(row.group, row.what, row.size)] = row
        print(f"{name} : {data.get('when')}, {data.get('runs')} exécutions, "
              f"{data.get('seconds', 0):.0f} s"
              + (f", échecs : {data['failures']}" if data.get("failures") else ""))
    rows = sorted(merged.values(), key=lambda r: (PARTS.index(_part(r.group)), r.group,
                                                  r.size or 0))
    print(table(rows))
    extra = derived(rows)
    if extra:
        print("\n== Rapports entre tailles ==")
        for label, ratio in extra:
            print(f"{label:<90} {show(ratio, 'x'):>8}")
    return 0


def _part(group: str) -> str:
    return {"stockage": "store", "CLI": "cli"}.get(group, "tui")


if __name__ == "__main__":
    sys.exit(main())
