"""Start-up of everyday commands, beside ``python -c pass`` measured in the same run.

Targets (issue 13): ``fact-tracker --version`` <= 0.15 s and ``claims list`` on an empty
database <= 0.35 s. Each command runs as a new process, as a user types it, ``RUNS`` times
alternating with the baseline; the figures are the minimum (the least disturbed run on a
shared machine) and the median, wall clock and CPU (user + sys). ``claims list`` runs with the
URL in ``FACT_TRACKER_DATABASE_URL`` (the README's team setup) and, separately, with the
default database and no settings file (a newcomer's first session).

    .venv/bin/python benchmarks/startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TARGETS = {"--version": 0.15, "claims list (URL in the environment)": 0.35}


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child) of one run; it must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory(prefix="ft-startup-") as scratch:
        base = {key: value for key, value in os.environ.items() if not key.startswith("FACT_")}
        home = Path(scratch) / "home"
        newcomer = base | {
            "HOME": str(home),
            "XDG_DATA_HOME": str(home / "data"),
            "XDG_CONFIG_HOME": str(home / "config"),
        }
        team = newcomer | {"FACT_TRACKER_DATABASE_URL": f"sqlite:///{scratch}/team.sqlite3"}
        tracker = str(BIN / "fact-tracker")
        subprocess.run([tracker, "init"], env=team, check=True, stdout=subprocess.DEVNULL)
        subprocess.run([tracker, "init"], env=newcomer, check=True, stdout=subprocess.DEVNULL)
        cases = {
            "python -c pass": ([sys.executable, "-c", "pass"], newcomer),
            "--version": ([tracker, "--version"], newcomer),
            "claims list (URL in the environment)": ([tracker, "claims", "list"], team),
            "claims list (default database)": ([tracker, "claims", "list"], newcomer),
        }
        results: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
        for _ in range(runs):
            for name, (argv, env) in cases.items():
                results[name].append(timed(argv, env))
    baseline = min(wall for wall, _cpu in results["python -c pass"])
    load = os.getloadavg()[0]
    print(
        f"start-up, {runs} runs each, alternating; load average {load:.2f} on {os.cpu_count()} CPUs"
    )
    print(f"{'command':40} {'min s':>7} {'median s':>9} {'CPU s':>7} {'x pass':>7}  target")
    for name, samples in results.items():
        walls = [wall for wall, _cpu in samples]
        cpu = min(cpu for _wall, cpu in samples)
        target = TARGETS.get(name)
        verdict = (
            ""
            if target is None
            else f"<= {target} s: {'met' if min(walls) <= target else 'NOT met'}"
        )
        print(
            f"{name:40} {min(walls):7.3f} {statistics.median(walls):9.3f} {cpu:7.3f} "
            f"{min(walls) / baseline:7.1f}  {verdict}"
        )


if __name__ == "__main__":
    main()
