"""``check_due_links``: ``check --due``, through the scheduler's leases.

The CLI and ``fact-tracker schedule`` share one piece of code for "check what is due":
:func:`tracker.schedule.worker.check_due` claims due links in batches under a lease, has
:func:`check_links` check them and releases the leases. So ``check --due`` may run beside
running schedulers (or other ``check --due``) on PostgreSQL without any link checked twice,
and an interrupted run leaves nothing claimed.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Sequence

from tracker.db import Database
from tracker.linkcheck.service import CheckReport, check_links
from tracker.schedule.worker import check_due
from tracker.settings import Settings

Progress = Callable[[int, int], None]


def cli_worker_id() -> str:
    """A lease owner no other process uses: host and process id."""
    return f"cli-{socket.gethostname()}-{os.getpid()}"[:100]


def check_due_links(
    database: Database,
    settings: Settings,
    *,
    worker: str | None = None,
    batch_size: int,
    progress: Progress | None = None,
    stop: threading.Event | None = None,
) -> CheckReport:
    """Claim, check and release due links batch by batch until none is due; what was found."""
    from tracker.schedule.leases import count_due

    started = time.perf_counter()
    report = CheckReport()
    total = count_due(database) if progress is not None else 0
    shown = progress

    def checker(
        database: Database,
        settings: Settings,
        link_ids: Sequence[int],
        *,
        worker: str = "cli",
        progress: Progress | None = None,  # noqa: ARG001 - the Checker protocol's
    ) -> CheckReport:
        before = report.checked
        part = check_links(
            database, settings, link_ids, worker=worker, progress=_offset(before, total, shown)
        )
        report.merge(part)
        return part

    check_due(
        database,
        settings,
        checker,
        worker=worker or cli_worker_id(),
        batch_size=batch_size,
        stop=stop,
    )
    report.seconds = time.perf_counter() - started
    return report


def _offset(before: int, total: int, progress: Progress | None) -> Progress | None:
    if progress is None:
        return None

    def update(done: int, _batch: int) -> None:
        progress(before + done, max(total, before + done))

    return update
