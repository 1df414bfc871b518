"""`fact-tracker ingest FILE` end to end (start-up included) beside trafilatura alone.

Each figure is the median wall time of a fresh process, so interpreter start-up, imports,
parsing, claim detection and the SQLite transaction all count, as they do for a user:

- corpus pages: 21 pages of ../shared/corpus/articles spread evenly over the sizes (the
  median one is about 115 KB), each ingested into a fresh database;
- a generated page citing 2,000 distinct links (each in its own sentence), ingested once.

Baseline in the same run: a fresh process that imports trafilatura and extracts the same file
(`trafilatura alone`). Targets: <= 300 ms for the corpus median, <= 1.5 s for 2,000 links.

    .venv/bin/python benchmarks/ingest.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tracker.extraction.evaluation import corpus_dir

BIN = Path(sys.executable).parent
PAGES = 21
LINKS = 2000
TRAFILATURA = "import sys, trafilatura; trafilatura.extract(open(sys.argv[1]).read())"


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def ingest_seconds(path: Path, folder: Path, number: int) -> float:
    database = f"sqlite:///{folder}/bench-{number}.sqlite3"
    env = {**os.environ, "FACT_TRACKER_DATABASE_URL": database, "FACT_TRACKER_REVIEWER": "bench"}
    for setup in (["init"], ["reviewers", "add", "bench"]):  # untimed: ingest needs a reviewer
        subprocess.run(
            [str(BIN / "fact-tracker"), *setup], check=True, env=env, stdout=subprocess.DEVNULL
        )
    return timed([str(BIN / "fact-tracker"), "ingest", str(path)], env)


def many_links_page(path: Path) -> None:
    sentences = "\n".join(
        f"<p>Report number {n} of the agency found that {n % 97} percent of the samples were "
        f'clean, <a href="https://source{n % 50}.example.org/reports/{n}">the report says</a>.'
        "</p>"
        for n in range(LINKS)
    )
    path.write_text(
        f"<html><head><title>Links</title></head><body><article><h1>Links</h1>{sentences}"
        "</article></body></html>",
        encoding="utf-8",
    )


def main() -> None:
    corpus = corpus_dir()
    if corpus is None:
        raise SystemExit("../shared/corpus not found next to the project: nothing to measure")
    files = sorted((corpus / "articles" / "html").glob("*.html"), key=lambda p: p.stat().st_size)
    step = (len(files) - 1) / (PAGES - 1)
    chosen = [files[round(i * step)] for i in range(PAGES)]
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as folder:
        ours, baseline = [], []
        for number, path in enumerate(chosen):
            ours.append(ingest_seconds(path, Path(folder), number))
            baseline.append(timed([sys.executable, "-c", TRAFILATURA, str(path)], env))
        size = statistics.median(p.stat().st_size for p in chosen) / 1024
        ours_ms, base_ms = statistics.median(ours) * 1000, statistics.median(baseline) * 1000
        print(f"corpus pages ({PAGES}, median {size:.0f} KB), median of fresh processes:")
        print(f"  fact-tracker ingest FILE  {ours_ms:7.0f} ms   (target <= 300 ms)")
        print(f"  trafilatura alone         {base_ms:7.0f} ms   ratio {ours_ms / base_ms:.2f}")
        page = Path(folder) / "links.html"
        many_links_page(page)
        links = ingest_seconds(page, Path(folder), 999)
        alone = timed([sys.executable, "-c", TRAFILATURA, str(page)], env)
        print(f"a page citing {LINKS:,} links ({page.stat().st_size / 1024:.0f} KB):")
        print(f"  fact-tracker ingest FILE  {links * 1000:7.0f} ms   (target <= 1,500 ms)")
        print(f"  trafilatura alone         {alone * 1000:7.0f} ms   ratio {links / alone:.2f}")


if __name__ == "__main__":
    main()
