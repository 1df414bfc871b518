"""One round of claim-and-check: lease a batch of due links, check it, release, repeat.

The checker is passed in (``tracker.linkcheck.check_links`` in production); it records one
LinkCheck per link, updates the Link and moves its ``next_check_at`` forward, which is what
makes a checked link stop being due. This module only decides who checks what, and when.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from tracker.db import Database
from tracker.models import LinkCheck, utcnow
from tracker.schedule import leases
from tracker.schedule.events import log
from tracker.settings import Settings


class Checker(Protocol):
    """What the scheduler needs from the link checker (``tracker.linkcheck.check_links``)."""

    def __call__(
        self,
        database: Database,
        settings: Settings,
        link_ids: Sequence[int],
        *,
        worker: str = ...,
        progress: Callable[[int, int], None] | None = ...,
    ) -> object: ...


def load_checker() -> Checker:
    """The link checker (imported when a command needs it: it is the heaviest import)."""
    from tracker.linkcheck import check_links

    return check_links


@dataclass
class RoundReport:
    """What one round did: batches claimed, links checked, outcomes, whether it was stopped."""

    worker: str
    batches: int = 0
    claimed: int = 0
    checked: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    not_rescheduled: int = 0
    stopped: bool = False
    seconds: float = 0.0


class LeaseKeeper:
    """Renews the leases of the batch in flight, so a slow batch is never taken from under us.

    Renewal runs every third of the lease; if the process dies, renewal stops with it and the
    leases expire on time.
    """

    def __init__(
        self, database: Database, owner: str, link_ids: Sequence[int], lease_seconds: float
    ) -> None:
        self.database = database
        self.owner = owner
        self.link_ids = list(link_ids)
        self.lease_seconds = lease_seconds
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"lease-keeper-{owner}", daemon=True)

    def __enter__(self) -> LeaseKeeper:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._done.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._done.wait(self.lease_seconds / 3):
            try:
                held = leases.renew(self.database, self.owner, self.link_ids, self.lease_seconds)
            except SQLAlchemyError as exc:
                log.warning("lease_renewal_failed", worker=self.owner, error=_one_line(exc))
                continue
            log.debug("leases_renewed", worker=self.owner, links=held)


def check_due(
    database: Database,
    settings: Settings,
    checker: Checker,
    *,
    worker: str,
    batch_size: int,
    stop: threading.Event | None = None,
) -> RoundReport:
    """Claim and check due links batch by batch until none is left or ``stop`` is set.

    ``stop`` is looked at between batches: the batch in flight is finished and released, never
    abandoned half-way. Leases are released even when the checker raises (and the error is
    re-raised), so a failing batch is due again for the next round rather than stuck.
    """
    stop = stop or threading.Event()
    report = RoundReport(worker=worker)
    started = time.perf_counter()
    seen: set[int] = set()
    while not stop.is_set():
        claimed = leases.claim_due(database, worker, batch_size, settings.lease_seconds)
        if not claimed:
            break
        report.batches += 1
        report.claimed += len(claimed)
        repeated = seen.intersection(claimed)
        batch = [link_id for link_id in claimed if link_id not in repeated]
        seen.update(batch)
        log.info("batch_claimed", worker=worker, batch=report.batches, links=len(claimed))
        batch_started = utcnow()
        try:
            if batch:
                with LeaseKeeper(database, worker, batch, settings.lease_seconds):
                    checker(database, settings, batch, worker=worker)
        except BaseException:
            # Interrupted or failed: whatever the checker committed stays, the rest is due
            # again at once for any worker instead of waiting for the leases to run out.
            released = leases.release(database, worker, claimed)
            log.warning("batch_abandoned", worker=worker, batch=report.batches, released=released)
            raise
        released = leases.release(database, worker, claimed)
        outcomes = _outcomes_since(database, batch, batch_started)
        checked = sum(outcomes.values())
        report.checked += checked
        report.outcomes.update(outcomes)
        log.info(
            "batch_done",
            worker=worker,
            batch=report.batches,
            links=len(batch),
            checked=checked,
            released=released,
            outcomes=dict(sorted(outcomes.items())),
        )
        if repeated:
            # The checker left these due after checking them: claiming them again would loop.
            report.not_rescheduled += len(repeated)
            log.warning("not_rescheduled", worker=worker, links=len(repeated))
            break
    report.stopped = stop.is_set()
    report.seconds = time.perf_counter() - started
    return report


def _outcomes_since(database: Database, link_ids: Sequence[int], since: datetime) -> Counter[str]:
    """Outcomes of the checks the checker recorded for ``link_ids`` since the batch began."""
    if not link_ids:
        return Counter()
    with database.reading() as session:
        rows = session.execute(
            select(LinkCheck.outcome, func.count())
            .where(LinkCheck.link_id.in_(list(link_ids)), LinkCheck.checked_at >= since)
            .group_by(LinkCheck.outcome)
        ).all()
    return Counter({str(outcome.value): int(count) for outcome, count in rows})


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0] if text else ''}".rstrip(": ")
