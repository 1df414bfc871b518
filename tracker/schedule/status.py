"""What the scheduler is doing: due links, leases, checks of the last day (read-only)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from tracker.db import Database
from tracker.models import Link, LinkCheck
from tracker.schedule import leases, locks, store
from tracker.schedule.leases import database_now, is_due
from tracker.schedule.views import DomainBacklog, PausedHostView, SchedulerStatus, WorkerState

OVERDUE_AFTER = timedelta(hours=1)


def backlog(database: Database) -> dict[str, int]:
    """Links due now, and those overdue by more than an hour (a sign of too few workers)."""
    with database.reading() as session:
        now = database_now(session)
        due = session.execute(select(func.count()).where(is_due(now))).scalar_one()
        overdue = session.execute(
            select(func.count()).where(is_due(now - OVERDUE_AFTER))
        ).scalar_one()
    return {"due": int(due), "overdue": int(overdue)}


def daily_summary(database: Database) -> dict[str, Any]:
    """Checks of the last 24 hours by outcome and by worker, links by state, the backlog."""
    with database.reading() as session:
        since = database_now(session) - timedelta(days=1)
        by_outcome = session.execute(
            select(LinkCheck.outcome, func.count())
            .where(LinkCheck.checked_at >= since)
            .group_by(LinkCheck.outcome)
        ).all()
        by_worker = session.execute(
            select(LinkCheck.worker, func.count())
            .where(LinkCheck.checked_at >= since)
            .group_by(LinkCheck.worker)
        ).all()
        state = Link.effective_state
        by_state = session.execute(select(state, func.count()).group_by(state)).all()
    held = leases.leases_by_owner(database)
    return {
        "checks_24h": sum(int(count) for _outcome, count in by_outcome),
        "outcomes": {outcome.value: int(count) for outcome, count in by_outcome},
        "workers": {str(worker or "-"): int(count) for worker, count in by_worker},
        "states": {str(getattr(name, "value", name)): int(count) for name, count in by_state},
        **backlog(database),
        "leases": sum(holding.links for holding in held),
    }


def _domain(host_key: str | None) -> str:
    """The registrable domain of a host (its name when it has none: an IP, localhost)."""
    from urllib.parse import urlsplit

    from tracker.credibility.domains import domain_of
    from tracker.urls import InvalidURL

    if host_key is None:
        return "(new links, host not yet known)"
    try:
        return domain_of(host_key)
    except InvalidURL:
        return urlsplit(host_key).hostname or host_key


def politeness(database: Database) -> tuple[list[DomainBacklog], list[PausedHostView]]:
    """Due links by domain (most first), and the hosts paused now (longest pause first)."""
    from tracker.politeness import hosts

    with database.reading() as session:
        due = hosts.due_by_host(session)
        paused = hosts.paused_hosts(session)
    by_domain: dict[str, list[int]] = {}
    for key, count in due.items():
        counts = by_domain.setdefault(_domain(key), [0, 0])
        counts[0] += count
        counts[1] += key is not None
    backlog = [
        DomainBacklog(domain, count, host_count)
        for domain, (count, host_count) in sorted(
            by_domain.items(), key=lambda kv: (-kv[1][0], kv[0])
        )
    ]
    return backlog, [
        PausedHostView(host.key, _domain(host.key), host.paused_until, host.reason)
        for host in paused
    ]


def scheduler_status(database: Database) -> SchedulerStatus:
    """Jobs and next run times of every worker, whether each runs, due links, leases held."""
    jobs = store.stored_jobs(database)
    held = leases.leases_by_owner(database)
    known = {job.worker for job in jobs} | {holding.owner for holding in held}
    running = locks.running_workers(database, known)
    due = backlog(database)
    from tracker.alerts.services import paused_channels

    by_domain, paused = politeness(database)
    return SchedulerStatus(
        workers=tuple(
            WorkerState(
                worker=worker,
                running=worker in running,
                leases=sum(h.links for h in held if h.owner == worker),
            )
            for worker in sorted(known)
        ),
        jobs=tuple(jobs),
        due=due["due"],
        overdue=due["overdue"],
        leases=tuple(held),
        paused_channels=tuple(paused_channels(database)),
        backlog_by_domain=tuple(by_domain),
        paused_hosts=tuple(paused),
    )
