"""What schedule services return: frozen views of workers, their jobs and leases."""

from __future__ import annotations

from dataclasses import dataclass

from tracker.alerts.views import PausedChannel
from tracker.schedule.leases import LeaseHolding
from tracker.schedule.store import StoredJob
from tracker.schedule.worker import RoundReport


@dataclass(frozen=True)
class WorkerState:
    worker: str
    running: bool
    leases: int


@dataclass(frozen=True)
class SchedulerStatus:
    """Every worker (running or not), the stored plan, the backlog and the leases held."""

    workers: tuple[WorkerState, ...]
    jobs: tuple[StoredJob, ...]
    due: int
    overdue: int
    leases: tuple[LeaseHolding, ...]
    paused_channels: tuple[PausedChannel, ...] = ()
    """Alert channels paused after failing again and again (``alerts test`` resumes one)."""


__all__ = [
    "LeaseHolding",
    "PausedChannel",
    "RoundReport",
    "SchedulerStatus",
    "StoredJob",
    "WorkerState",
]
