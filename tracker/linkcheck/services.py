"""The link checker's services: check links, list and show them, correct the checker.

Every function takes ``(database, actor, ...)`` and returns frozen views
(:mod:`tracker.linkcheck.views`). Reading needs any role. Checking may be done by a reviewer or
by the tracker itself (``system:checker``, ``system:scheduler``); corrections (overrides,
ignored domains) need the reviewer role. Checks run in many short transactions of their own
(:mod:`tracker.linkcheck.batch`); the other writes are one transaction each.
"""

from __future__ import annotations

import os
import random
import socket
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tracker.actors import Actor
from tracker.credibility.domains import domain_of
from tracker.db import Database
from tracker.enums import CheckOutcome, LinkState, Role
from tracker.errors import InvalidInput
from tracker.linkcheck import overrides
from tracker.linkcheck.links import find_link
from tracker.linkcheck.views import (
    CheckReport,
    CheckView,
    DomainFlag,
    EvidenceView,
    LinkDetail,
    LinkSummary,
    OverrideChange,
    OverrideView,
    PruneReport,
)
from tracker.models import Citation, ClaimSource, Link, LinkCheck, Source, utcnow
from tracker.review.reviewers import Acting, authorize, may_change, may_read
from tracker.settings import Settings

Progress = Callable[[int, int], None]
Clock = Callable[[], datetime]
E = TypeVar("E", LinkState, CheckOutcome)
IN_CHUNK = 500


def _checker(session: Session, actor: Actor) -> Acting:
    return authorize(session, actor, Role.REVIEWER, system=True, action="check links")


# Checking -----------------------------------------------------------------------------------


def links_to_check(
    database: Database,
    actor: Actor,
    *,
    every: bool = False,
    link: str | None = None,
    article_id: int | None = None,
) -> list[int]:
    """The ids one of ``every`` (each link not retired), ``link`` or ``article_id`` names."""
    from tracker.articles.lookup import get_article

    if sum([every, link is not None, article_id is not None]) != 1:
        raise InvalidInput("name exactly one of: every link, one link, one article's links")
    with database.reading() as session:
        may_read(session, actor, "links")
        if link is not None:
            return [find_link(session, link).id]
        if article_id is not None:
            get_article(session, article_id)
            query = (
                select(Citation.link_id)
                .where(Citation.article_id == article_id, Citation.link_id.is_not(None))
                .distinct()
            )
            return sorted(link_id for link_id in session.scalars(query) if link_id is not None)
        scheduled = Link.next_check_at.is_not(None)  # retired links are checked no more
        return list(session.scalars(select(Link.id).where(scheduled).order_by(Link.id)))


def check_links(
    database: Database,
    actor: Actor,
    settings: Settings,
    link_ids: Sequence[int],
    *,
    worker: str | None = None,
    progress: Progress | None = None,
    clock: Clock | None = None,
    rng: random.Random | None = None,
) -> CheckReport:
    """Check ``link_ids`` now; one LinkCheck per link, Links and evidence updated.

    ``worker`` is recorded on each check (default: the actor's name). ``clock`` stamps each
    check (tests pass a fake one to walk through days of checks); ``rng`` drives the jitter of
    the next check times.
    """
    from tracker.linkcheck.batch import run_checks

    with database.reading() as session:
        acting = _checker(session, actor)
    return run_checks(
        database,
        settings,
        link_ids,
        worker=worker or acting.name,
        progress=progress,
        clock=clock or utcnow,
        rng=rng,
    )


def check_due_links(
    database: Database,
    actor: Actor,
    settings: Settings,
    *,
    batch_size: int,
    worker: str | None = None,
    progress: Progress | None = None,
    stop: threading.Event | None = None,
) -> CheckReport:
    """Check the due links, host by host under shared leases, until none is due.

    The same code as ``fact-tracker schedule`` (:func:`tracker.schedule.worker.check_due`), so
    it may run beside schedulers on PostgreSQL without any link checked twice nor any host
    asked more than its limits allow, and an interrupted run leaves nothing claimed. The lease
    owner is ``check-<host>-<pid>``; ``batch_size`` caps the links of a host claimed ahead.
    """
    from tracker.schedule.worker import check_due

    with database.reading() as session:
        _checker(session, actor)
    started = time.perf_counter()
    round_report = check_due(
        database,
        actor,
        settings,
        worker=worker or f"check-{socket.gethostname()}-{os.getpid()}"[:100],
        read_ahead=batch_size,
        stop=stop,
        progress=progress,
    )
    return round_report.found.plus(CheckReport.empty(), seconds=time.perf_counter() - started)


def lookup_archives(
    database: Database,
    actor: Actor,
    settings: Settings,
    link_ids: Sequence[int],
    *,
    clock: Clock | None = None,
) -> int:
    """Look up archived copies of ``link_ids`` now; how many links got an archive URL."""
    from tracker.linkcheck.batch import lookup_archives as look_up

    with database.reading() as session:
        _checker(session, actor)
    return look_up(database, settings, link_ids, clock=clock or utcnow)


def request_checks(database: Database, actor: Actor, link_ids: Sequence[int]) -> list[int]:
    """ "Check now": make ``link_ids`` due at once, for the scheduler's workers to claim.

    Nothing is fetched here (a web request never waits on the network): the next round of
    ``fact-tracker schedule`` leases and checks them. Retired links (nothing cites them) are
    left alone. Returns the ids made due.
    """
    from sqlalchemy import update

    wanted = sorted(set(link_ids))
    with database.transaction() as session:
        may_change(session, actor, "request link checks")
        due: list[int] = []
        for start in range(0, len(wanted), IN_CHUNK):
            chunk = wanted[start : start + IN_CHUNK]
            ids = list(
                session.scalars(
                    select(Link.id).where(Link.id.in_(chunk), Link.next_check_at.is_not(None))
                )
            )
            if ids:
                session.execute(update(Link).where(Link.id.in_(ids)).values(next_check_at=utcnow()))
            due += ids
        return due


# Reading ------------------------------------------------------------------------------------


def list_links(
    database: Database,
    actor: Actor,
    *,
    state: str | LinkState | None = None,
    outcome: str | CheckOutcome | None = None,
    domain: str | None = None,
    with_evidence: bool = False,
    limit: int | None = None,
) -> list[LinkSummary]:
    """Links by id, filtered by effective state, last outcome and registrable domain."""
    wanted_state = _member(LinkState, state, "state") if state is not None else None
    wanted_outcome = _member(CheckOutcome, outcome, "outcome") if outcome is not None else None
    name = domain_of(domain) if domain is not None else None
    with database.reading() as session:
        may_read(session, actor, "links")
        query = select(Link).order_by(Link.id).options(selectinload(Link.source))
        if wanted_state is not None:
            query = query.where(Link.effective_state == wanted_state)
        if wanted_outcome is not None:
            query = query.where(Link.last_outcome == wanted_outcome)
        if name is not None:
            query = query.join(Source, Source.id == Link.source_id).where(Source.domain == name)
        if limit is not None:
            query = query.limit(limit)
        links = list(session.scalars(query))
        evidence = _evidence(session, [link.id for link in links]) if with_evidence else {}
        return [LinkSummary.of(link, evidence.get(link.id, ())) for link in links]


def link_states_by_article(database: Database, actor: Actor) -> dict[int, dict[str, int]]:
    """For each article, how many of the links it cites are in each effective state."""
    from sqlalchemy import func

    with database.reading() as session:
        may_read(session, actor, "links")
        state = Link.effective_state
        rows = session.execute(
            select(Citation.article_id, state, func.count(func.distinct(Link.id)))
            .join(Link, Link.id == Citation.link_id)
            .group_by(Citation.article_id, state)
        )
        counts: dict[int, dict[str, int]] = defaultdict(dict)
        for article_id, found, count in rows:
            counts[article_id][LinkState(found).value] = count
        return dict(counts)


def show_link(database: Database, actor: Actor, url_or_id: str, *, history: int = 50) -> LinkDetail:
    """Everything about one link (by id or URL): state, override, evidence, recent checks."""
    with database.reading() as session:
        may_read(session, actor, "links")
        link = find_link(session, url_or_id)
        checks = session.scalars(
            select(LinkCheck)
            .where(LinkCheck.link_id == link.id)
            .order_by(LinkCheck.checked_at.desc(), LinkCheck.id.desc())
            .limit(history)
        )
        return _detail(link, _evidence(session, [link.id]).get(link.id, ()), checks)


def _detail(
    link: Link, evidence: Sequence[EvidenceView], checks: Iterable[LinkCheck]
) -> LinkDetail:
    override = None
    if link.override_state is not None:
        override = OverrideView(
            link.override_state, link.override_note, link.override_by_id, link.override_at
        )
    return LinkDetail(
        link=LinkSummary.of(link, evidence),
        first_checked_at=link.first_checked_at,
        last_ok_at=link.last_ok_at,
        failing_since=link.failing_since,
        archive_timestamp=link.archive_timestamp,
        override=override,
        checks=tuple(CheckView.of(check) for check in checks),
    )


def _evidence(session: Session, link_ids: list[int]) -> dict[int, list[EvidenceView]]:
    """Per link: each claim relying on it, what it expects there, the state and passage found."""
    found: dict[int, list[EvidenceView]] = defaultdict(list)
    for start in range(0, len(link_ids), IN_CHUNK):
        rows = session.execute(
            select(
                ClaimSource.link_id,
                ClaimSource.claim_id,
                ClaimSource.evidence,
                ClaimSource.evidence_found,
                ClaimSource.evidence_state,
                ClaimSource.evidence_passage,
                ClaimSource.evidence_checked_at,
            )
            .where(ClaimSource.link_id.in_(link_ids[start : start + IN_CHUNK]))
            .order_by(ClaimSource.id)
        )
        for link_id, *fields in rows:
            found[link_id].append(EvidenceView(*fields))
    return found


def _member(enum: type[E], value: str | E, what: str) -> E:
    try:
        return enum(value)
    except ValueError:
        choices = ", ".join(member.value for member in enum)
        raise InvalidInput(f"unknown {what} {value!r} (one of: {choices})") from None


# Correcting the checker -----------------------------------------------------------------------


def override_link(
    database: Database, actor: Actor, url_or_id: str, *, state: str | LinkState, note: str | None
) -> OverrideChange:
    """Pin a link's state until a reviewer clears it (the checker is wrong about it)."""
    pinned = _member(LinkState, state, "state")
    text = overrides.required_note(note)
    with database.transaction() as session:
        acting = may_change(session, actor, "override links")
        link = find_link(session, url_or_id)
        before = overrides.set_override(
            session, acting, link, state=pinned, note=text, now=utcnow()
        )
        return OverrideChange(LinkSummary.of(link), before, text)


def clear_link_override(
    database: Database, actor: Actor, settings: Settings, url_or_id: str, *, note: str | None
) -> OverrideChange:
    """Remove a pinned state; the link shows the state its checks support again."""
    with database.transaction() as session:
        acting = may_change(session, actor, "clear link overrides")
        link = find_link(session, url_or_id)
        before = overrides.clear_override(
            session, acting, link, note=(note or "").strip() or None, settings=settings
        )
        return OverrideChange(LinkSummary.of(link), before, note)


def ignore_domain_failures(
    database: Database,
    actor: Actor,
    settings: Settings,
    domain: str,
    *,
    undo: bool = False,
    note: str | None = None,
) -> DomainFlag:
    """Treat a domain's check failures as inconclusive (or count them again): its links never
    become dead while it is ignored."""
    with database.transaction() as session:
        acting = may_change(session, actor, "ignore a domain's failures")
        source, was, links = overrides.ignore_domain(
            session,
            acting,
            domain,
            undo=undo,
            note=(note or "").strip() or None,
            settings=settings,
        )
        return DomainFlag(source.domain, source.ignore_failures, was, links)


# Keeping history bounded ------------------------------------------------------------------------


def prune_checks(
    database: Database,
    actor: Actor,
    *,
    keep_days: float,
    keep_latest: int = 3,
    progress: Progress | None = None,
) -> PruneReport:
    """Delete routine checks older than ``keep_days``, in one transaction (all or nothing).

    Every link keeps its first check, each check where its state (or, before states were
    recorded, its outcome) changed, and its ``keep_latest`` newest checks. Only check history
    is pruned; claim history and every other record stay. Needs an admin.
    """
    from datetime import timedelta

    from tracker.linkcheck.prune import prune_checks as prune
    from tracker.schedule.leases import database_now

    if keep_days < 0:
        raise InvalidInput("the days to keep must be 0 or more")
    if keep_latest < 1:
        raise InvalidInput("keep at least the latest check of each link")
    with database.transaction() as session:
        authorize(session, actor, Role.ADMIN, action="prune check history")
        cutoff = database_now(session) - timedelta(days=keep_days)
        return prune(session, cutoff, keep_latest, progress)
