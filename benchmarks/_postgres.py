"""The PostgreSQL server the benchmarks use, and a throw-away database on it per run.

Not a benchmark itself (``make bench`` runs ``benchmarks/[!_]*.py``): the scripts that measure
on PostgreSQL import it, so each run starts on an empty database and leaves none behind. It is
imported as ``_postgres`` (the script's own folder is on ``sys.path``), not as
``benchmarks._postgres``: pysbd installs a top-level package named ``benchmarks``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.engine import make_url

from tracker.db import make_engine, normalize_database_url


def server_url() -> str | None:
    """``FACT_TRACKER_BENCH_POSTGRES_URL``, else the test suite's server, else None."""
    return os.environ.get("FACT_TRACKER_BENCH_POSTGRES_URL") or os.environ.get(
        "FACT_TRACKER_TEST_POSTGRES_URL"
    )


@contextmanager
def throwaway_database(server: str, prefix: str) -> Iterator[str]:
    """A new database named ``<prefix>_<random>`` on ``server``, dropped (forcibly) after."""
    admin = make_engine(server, isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(normalize_database_url(server)).set(database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
