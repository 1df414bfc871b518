"""One round of claim-and-check: lease a batch of due links, check it, release, repeat.

The checker is passed in (``tracker.linkcheck.services.check_links`` in production); it
records one LinkCheck per link, updates the Link and moves its ``next_check_at`` forward,
which is what makes a checked link stop being due, and returns what it found. This module only
decides who checks what, and when.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.exc import SQLAlchemyError

from tracker.actors import Actor
from tracker.db import Database
from tracker.linkcheck.views import CheckReport
from tracker.schedule import leases
from tracker.schedule.events import log
from tracker.settings import Settings

Progress = Callable[[int, int], None]


class Checker(Protocol):
    """What the scheduler needs from the link checker (``linkcheck.services.check_links``)."""

    def __call__(
        self,
        database: Database,
        actor: Actor,
        settings: Settings,
        link_ids: Sequence[int],
        *,
        worker: str | None = ...,
        progress: Progress | None = ...,
    ) -> CheckReport: ...


def load_checker() -> Checker:
    """The link checker (imported when a command needs it: it is the heaviest import)."""
    from tracker.linkcheck.services import check_links

    return check_links


@dataclass(frozen=True)
class RoundReport:
    """What one round did: batches claimed, what the checks found, whether it was stopped."""

    worker: str
    batches: int
    claimed: int
    found: CheckReport
    not_rescheduled: int
    stopped: bool
    seconds: float

    @property
    def checked(self) -> int:
        return self.found.checked

    @property
    def outcomes(self) -> dict[str, int]:
        return self.found.outcomes


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
    actor: Actor,
    settings: Settings,
    checker: Checker,
    *,
    worker: str,
    batch_size: int,
    stop: threading.Event | None = None,
    progress: Progress | None = None,
) -> RoundReport:
    """Claim and check due links batch by batch until none is left or ``stop`` is set.

    ``stop`` is looked at between batches: the batch in flight is finished and released, never
    abandoned half-way. Leases are released even when the checker raises (and the error is
    re-raised), so a failing batch is due again for the next round rather than stuck.
    ``progress`` hears (links done, links due) across batches.
    """
    stop = stop or threading.Event()
    batches = claimed_links = not_rescheduled = 0
    done = CheckReport.empty()
    started = time.perf_counter()
    seen: set[int] = set()
    total = leases.count_due(database) if progress is not None else 0
    while not stop.is_set():
        claimed = leases.claim_due(database, worker, batch_size, settings.lease_seconds)
        if not claimed:
            break
        batches += 1
        claimed_links += len(claimed)
        repeated = seen.intersection(claimed)
        batch = [link_id for link_id in claimed if link_id not in repeated]
        seen.update(batch)
        log.info("batch_claimed", worker=worker, batch=batches, links=len(claimed))
        found = CheckReport.empty()
        try:
            if batch:
                with LeaseKeeper(database, worker, batch, settings.lease_seconds):
                    found = checker(
                        database,
                        actor,
                        settings,
                        batch,
                        worker=worker,
                        progress=_offset(progress, done.checked, total),
                    )
        except BaseException:
            # Interrupted or failed: whatever the checker committed stays, the rest is due
            # again at once for any worker instead of waiting for the leases to run out.
            released = leases.release(database, worker, claimed)
            log.warning("batch_abandoned", worker=worker, batch=batches, released=released)
            raise
        released = leases.release(database, worker, claimed)
        done = done.plus(found)
        log.info(
            "batch_done",
            worker=worker,
            batch=batches,
            links=len(batch),
            checked=found.checked,
            released=released,
            outcomes=found.outcomes,
        )
        if repeated:
            # The checker left these due after checking them: claiming them again would loop.
            not_rescheduled += len(repeated)
            log.warning("not_rescheduled", worker=worker, links=len(repeated))
            break
    seconds = time.perf_counter() - started
    return RoundReport(
        worker=worker,
        batches=batches,
        claimed=claimed_links,
        found=done.plus(CheckReport.empty(), seconds=seconds),
        not_rescheduled=not_rescheduled,
        stopped=stop.is_set(),
        seconds=seconds,
    )


def _offset(progress: Progress | None, before: int, total: int) -> Progress | None:
    """A batch's progress as progress of the whole round (``before`` links done already)."""
    if progress is None:
        return None

    def update(done: int, _batch: int) -> None:
        progress(before + done, max(total, before + done))

    return update


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0] if text else ''}".rstrip(": ")
