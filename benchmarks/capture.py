"""What keeping our own WARC captures costs: the real-pages link check with and without them.

The local web of ``benchmarks/link_check.py`` (2,000 links over 20 origins; 70% answer the
corpus's news pages, 161 KiB on average, with ETags). Each run checks the same links on a
fresh database twice, capture off then on (the order alternates between runs), and prints the
wall time of each and their ratio (target: capture costs at most 15% more). Then, with capture
on, the store's growth:

* the first check: captures made, payload (response) records stored, and the distinct pages
  those live links answered (identical payloads are stored once, as revisits);
* a re-check of the unchanged pages (304s to conditional requests): payloads added (target 0);
* the web changed (every live link now answers another corpus page) and a re-check: captures
  added and payloads added, against the number of pages that changed (target: at most one
  payload per changed page).

    python benchmarks/capture.py [--links 2000] [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from link_check import (
    CORPUS,
    EXPECTED,
    VENV_BIN,
    Web,
    ft_env,
    kind_of,
    prepare_database,
    run_measured,
)


def check(workdir: Path, db_url: str, *, capture: bool, store: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of ``check --all`` (CPU: the command and its page readers)."""
    env = {
        **ft_env(workdir, db_url, "processes"),
        "FACT_TRACKER_CAPTURE": "1" if capture else "0",
        "FACT_TRACKER_CAPTURE_DIR": str(store),
    }
    argv = [str(VENV_BIN / "fact-tracker"), "check", "--all", "--json"]
    measured = run_measured(argv, env)
    return measured.wall, measured.cpu


def store_counts(store: Path, db_url: str) -> tuple[int, int]:
    """(capture rows, payload records in the WARC files)."""
    from sqlalchemy import func, select
    from warcio.archiveiterator import ArchiveIterator

    from tracker.db import Database
    from tracker.models import Capture

    database = Database(db_url)
    with database.reading() as session:
        rows = session.scalar(select(func.count()).select_from(Capture)) or 0
    database.dispose()
    payloads = 0
    for path in sorted(store.glob("*.warc.gz")):
        with path.open("rb") as stream:
            payloads += sum(record.rec_type == "response" for record in ArchiveIterator(stream))
    return rows, payloads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--links", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    live = [n for n in range(args.links) if EXPECTED[kind_of(n)] in ("ok", "redirected")]
    pages = len(list(CORPUS.glob("*.html")))
    distinct = len({n % pages for n in live})
    off: list[tuple[float, float]] = []
    on: list[tuple[float, float]] = []
    with tempfile.TemporaryDirectory(prefix="ft-capture-bench-") as tmp:
        web = Web(args.links, "real")
        try:
            for number in range(args.runs):
                for capture in (False, True) if number % 2 == 0 else (True, False):
                    workdir = Path(tmp) / f"run-{number}-{int(capture)}"
                    workdir.mkdir()
                    db_url = prepare_database(workdir / "ft.sqlite3", web.port, args.links)
                    measured = check(workdir, db_url, capture=capture, store=workdir / "store")
                    (on if capture else off).append(measured)
            workdir = Path(tmp) / "run-0-1"
            db_url = f"sqlite:///{workdir / 'ft.sqlite3'}"
            store = workdir / "store"
            first = store_counts(store, db_url)
            check(workdir, db_url, capture=True, store=store)
            unchanged = store_counts(store, db_url)
        finally:
            web.stop()
        port = web.port
        web = Web(args.links, "real", shift=1, port=port)  # every live page is another one now
        try:
            check(workdir, db_url, capture=True, store=store)
            changed = store_counts(store, db_url)
        finally:
            web.stop()
    base, with_capture = statistics.median(w for w, _ in off), statistics.median(w for w, _ in on)
    cpu_off, cpu_on = statistics.median(c for _, c in off), statistics.median(c for _, c in on)
    paired = statistics.median(b[0] / a[0] for a, b in zip(off, on, strict=True))
    print(f"real pages, {args.links} links, medians of {args.runs}     wall s   CPU s")
    print(f"  check --all, capture off              {base:7.2f} {cpu_off:7.2f}")
    print(f"  check --all, capture on               {with_capture:7.2f} {cpu_on:7.2f}")
    print(
        f"  on/off: wall {with_capture / base:.3f} (median of each run's own ratio "
        f"{paired:.3f}), CPU {cpu_on / cpu_off:.3f}"
    )
    pairs = "; ".join(f"{a[0]:.2f} -> {b[0]:.2f}" for a, b in zip(off, on, strict=True))
    print(f"  each run, wall off -> on: {pairs}")
    print("store growth (capture on)")
    print(
        f"  first check      {first[0]:5d} captures, {first[1]:4d} payloads "
        f"({len(live)} live links answering {distinct} distinct pages)"
    )
    print(
        f"  unchanged again  {unchanged[0] - first[0]:5d} captures, "
        f"{unchanged[1] - first[1]:4d} payloads added"
    )
    print(
        f"  every page changed {changed[0] - unchanged[0]:3d} captures, "
        f"{changed[1] - unchanged[1]:4d} payloads added for {len(live)} changed pages "
        f"(at most one per changed page: {changed[1] - unchanged[1] <= len(live)})"
    )


if __name__ == "__main__":
    main()
