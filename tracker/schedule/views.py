"""What schedule services return: frozen views of workers, their jobs and leases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

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
class DomainBacklog:
    """Links due now on one registrable domain, over how many hosts, how many held."""

    domain: str
    due: int
    hosts: int


@dataclass(frozen=True)
class PausedHostView:
    """A host that asked to be left alone (429, 503, Retry-After), for every worker."""

    host: str
    domain: str
    paused_until: datetime
    reason: str | None


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
    backlog_by_domain: tuple[DomainBacklog, ...] = ()
    paused_hosts: tuple[PausedHostView, ...] = ()


__all__ = [
    "DomainBacklog",
    "LeaseHolding",
    "PausedChannel",
    "PausedHostView",
    "RoundReport",
    "SchedulerStatus",
    "StoredJob",
    "WorkerState",
]
