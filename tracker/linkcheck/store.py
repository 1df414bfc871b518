"""The database side of checking: read jobs before the network part, write results after.

Both run in short transactions of a few hundred links, with bulk statements, so a batch of
thousands of links never holds a lock or a session for long and memory stays flat.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, insert, select, update
from sqlalchemy.orm import Session

from tracker.alerts.outbox import LinkChange, emit_link_changes, link_changes
from tracker.archives.lookup import archives_configured
from tracker.captures.recording import ToCapture, record_captures
from tracker.enums import CheckOutcome, LinkState
from tracker.extraction.evidence import spec_from_text
from tracker.linkcheck.checker import CheckResult, Evidence, LinkJob
from tracker.linkcheck.content import comparable, fingerprints_differ
from tracker.linkcheck.outcomes import SUCCESS
from tracker.linkcheck.rereview import Trigger, flag_claims
from tracker.linkcheck.schedule import next_check_at
from tracker.linkcheck.state import DeathRule, Health, advance, derive_state
from tracker.models import (
    URL_MAX_LENGTH,
    Article,
    Capture,
    Citation,
    ClaimSource,
    Link,
    LinkCheck,
    Source,
)
from tracker.settings import Settings

_TEXT_TYPES = ("text/", "application/xhtml")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
ERROR_CHARS = 2000


def stored(value: str | None, limit: int) -> str | None:
    """A value from the web as stored: control characters dropped, cut to its column.

    Servers choose these strings (ETag, Last-Modified, Content-Type, Location, reasons): a
    5,000-character Last-Modified must not fail a batch on PostgreSQL's VARCHAR(100), and an
    ETag with a line feed must not reach a request header or a terminal.
    """
    if not value:
        return None
    return _CONTROL.sub("", value)[:limit] or None


def _length(column: Any) -> int:
    return int(column.property.columns[0].type.length)


def load_jobs(
    session: Session, ids: Sequence[int], settings: Settings, now: datetime
) -> list[LinkJob]:
    """Snapshots of the links ``ids`` (missing ids are skipped)."""
    rows = session.execute(
        select(
            Link.id,
            Link.url,
            Link.etag,
            Link.last_modified,
            Link.fingerprint_last,
            Link.last_outcome,
            Link.archive_checked_at,
        ).where(Link.id.in_(ids))
    ).all()
    evidence: dict[int, list[Evidence]] = defaultdict(list)
    for source_id, claim_id, link_id, text, checked_at, spec in session.execute(
        select(
            ClaimSource.id,
            ClaimSource.claim_id,
            ClaimSource.link_id,
            ClaimSource.evidence,
            ClaimSource.evidence_checked_at,
            ClaimSource.evidence_spec,
        ).where(ClaimSource.link_id.in_(ids))
    ):
        evidence[link_id].append(
            Evidence(
                source_id,
                claim_id,
                text or "",
                checked_at is not None,
                spec if spec is not None else spec_from_text(text or "").to_json(),
            )
        )
    checked_ids = [row.id for row in rows if row.last_outcome is not None]
    content_types: dict[int, str | None] = {}
    if checked_ids:
        content_types = dict(
            session.execute(
                select(LinkCheck.link_id, LinkCheck.content_type).where(
                    LinkCheck.id.in_(_latest_checks(checked_ids))
                )
            )
            .tuples()
            .all()
        )
    published: dict[int, datetime | None] = {}
    archive_recheck = timedelta(hours=settings.dead_recheck_hours)
    if archives_configured(settings):
        published = {
            link_id: when
            for link_id, when in session.execute(
                select(Citation.link_id, func.min(Article.published_at))
                .join(Article, Article.id == Citation.article_id)
                .where(Citation.link_id.in_(ids))
                .group_by(Citation.link_id)
            ).tuples()
            if link_id is not None
        }
    captures = {
        link_id: (capture_id, fingerprint)
        for link_id, capture_id, fingerprint in session.execute(
            select(Capture.link_id, Capture.id, Capture.fingerprint).where(
                Capture.id.in_(
                    select(func.max(Capture.id))
                    .where(Capture.link_id.in_(ids))
                    .group_by(Capture.link_id)
                )
            )
        ).tuples()
    }
    position = {link_id: index for index, link_id in enumerate(ids)}
    jobs = []
    for row in sorted(rows, key=lambda row: position[row.id]):  # in the order asked for
        content_type = content_types.get(row.id)
        jobs.append(
            LinkJob(
                id=row.id,
                url=row.url,
                etag=row.etag,
                last_modified=row.last_modified,
                fingerprint=row.fingerprint_last,
                last_ok=row.last_outcome in SUCCESS,
                non_html=bool(content_type) and not str(content_type).startswith(_TEXT_TYPES),
                evidence=tuple(evidence.get(row.id, ())),
                archive_due=archives_configured(settings)
                and (
                    row.archive_checked_at is None or now - row.archive_checked_at > archive_recheck
                ),
                published_at=published.get(row.id),
                first_check=row.last_outcome is None,
                capture_id=captures.get(row.id, (None, None))[0],
                capture_fingerprint=captures.get(row.id, (None, None))[1],
            )
        )
    return jobs


def _latest_checks(ids: Sequence[int]) -> Select[tuple[int]]:
    return (
        select(func.max(LinkCheck.id)).where(LinkCheck.link_id.in_(ids)).group_by(LinkCheck.link_id)
    )


def slowest_first(session: Session, ids: Sequence[int]) -> list[int]:
    """``ids`` ordered by how long their last check took, longest first (LPT scheduling).

    A slow link started last keeps the whole batch waiting while every other slot is idle;
    started first, it overlaps with the rest. Links never checked keep their order.
    """
    durations: dict[int, int] = {}
    for start in range(0, len(ids), 500):
        durations.update(
            (link_id, elapsed or 0)
            for link_id, elapsed in session.execute(
                select(LinkCheck.link_id, LinkCheck.elapsed_ms).where(
                    LinkCheck.id.in_(_latest_checks(ids[start : start + 500]))
                )
            ).tuples()
        )
    return sorted(ids, key=lambda link_id: -durations.get(link_id, 0))


@dataclass(frozen=True)
class Written:
    """What writing one result did to its link."""

    link_id: int
    outcome: CheckOutcome
    state: LinkState
    flagged_claims: int


def _health(row: Any) -> Health:
    return Health(
        last_outcome=row.last_outcome,
        consecutive_failures=row.consecutive_failures or 0,
        failing_since=row.failing_since,
        first_checked_at=row.first_checked_at,
        last_checked_at=row.last_checked_at,
        last_ok_at=row.last_ok_at,
    )


def write_results(
    session: Session,
    results: Sequence[tuple[CheckResult, datetime]],
    settings: Settings,
    *,
    worker: str,
    rng: random.Random,
    release: bool = False,
) -> list[Written]:
    """Record checks: one LinkCheck per result, the Link's new state and schedule, evidence,
    re-reviews. The one place a check's outcome and a link's state change are written.

    ``release`` also clears each link's lease in the same row update (the engine's claimed
    links: one new row version per check instead of two).
    """
    ids = [result.link_id for result, _ in results]
    rows = {
        row.id: row
        for row in session.execute(
            select(
                Link.id,
                Link.url,
                Link.state,
                Link.last_outcome,
                Link.consecutive_failures,
                Link.failing_since,
                Link.first_checked_at,
                Link.last_checked_at,
                Link.last_ok_at,
                Link.override_state,
                Link.fingerprint_first,
                Link.fingerprint_last,
                Link.content_changed,
                Link.etag,
                Link.last_modified,
                Link.archive_url,
                Link.archive_timestamp,
                Link.archive_checked_at,
                Link.archive_name,
                Link.next_check_at,
                Source.ignore_failures,
            )
            .outerjoin(Source, Source.id == Link.source_id)
            .where(Link.id.in_(ids))
        )
    }
    source_ids = [item["claim_source_id"] for result, _ in results for item in result.evidence]
    found_before: dict[int, bool | None] = {}
    kept_passage: dict[int, bool] = {}
    if source_ids:
        for source_id, found, passage in session.execute(
            select(ClaimSource.id, ClaimSource.evidence_found, ClaimSource.found_passage).where(
                ClaimSource.id.in_(source_ids)
            )
        ).tuples():
            found_before[source_id] = found
            kept_passage[source_id] = passage is not None
    rule = DeathRule.from_settings(settings)
    link_updates: list[dict[str, Any]] = []
    checks: list[dict[str, Any]] = []
    evidence_updates: list[dict[str, Any]] = []
    triggers: list[Trigger] = []
    alerts: list[LinkChange] = []
    written: list[Written] = []
    for result, now in results:
        row = rows.get(result.link_id)
        if row is None:
            continue  # deleted while it was being checked
        values = _link_values(row, result, now=now, settings=settings, rule=rule, rng=rng)
        if release:
            values |= {"lease_owner": None, "lease_expires_at": None}
        link_updates.append(values)
        checks.append(_check_row(result, now, worker) | {"state": values["state"]})
        lost = []
        for item in result.evidence:
            evidence_updates.append(
                {
                    "id": item["claim_source_id"],
                    "evidence_found": item["found"],
                    "evidence_state": item.get("state"),
                    "evidence_passage": item.get("passage"),
                    "evidence_checked_at": now,
                    "link_id": result.link_id,
                    "capture_id": result.capture_id,
                }
                | _found_passage(item, now, kept=kept_passage.get(item["claim_source_id"], False))
            )
            if item["found"] is False and found_before.get(item["claim_source_id"]) is True:
                lost.append(item["claim_id"])
        raised = _triggers(row, result, values, lost)
        triggers.extend(raised)
        pinned = row.override_state
        alerts.extend(link_changes(row.id, pinned or row.state, pinned or values["state"], raised))
        written.append(Written(row.id, result.outcome, values["state"], 0))
    if link_updates:
        session.execute(update(Link), link_updates)
        captured = _record_checks(
            session, settings, checks, [r for r, _ in results if r.link_id in rows]
        )
        for values in evidence_updates:
            capture_id = captured.get(values.pop("link_id"), values.pop("capture_id"))
            if "found_passage" in values:
                values["found_capture_id"] = capture_id
    if evidence_updates:
        session.execute(update(ClaimSource), evidence_updates)
    if alerts:  # the outbox, in this same transaction (tracker.alerts.outbox)
        emit_link_changes(session, alerts)
    flagged = flag_claims(session, triggers) if triggers else {}
    return [
        Written(item.link_id, item.outcome, item.state, flagged.get(item.link_id, 0))
        for item in written
    ]


def _found_passage(item: dict[str, Any], now: datetime, *, kept: bool) -> dict[str, Any]:
    """The passage to keep for reports: each time the evidence is found (a partial find only
    while nothing better is kept), never erased when the page later loses it or dies."""
    passage = item.get("passage")
    state = item.get("state")
    if not passage or not (state == "found" or (state == "partly_found" and not kept)):
        return {}
    return {"found_passage": passage, "found_at": now}


def _record_checks(
    session: Session,
    settings: Settings,
    checks: list[dict[str, Any]],
    results: list[CheckResult],
) -> dict[int, int]:
    """Insert the checks, and our captures of the answers that are to be kept (the hook of
    :mod:`tracker.captures`); {link id: new capture id}."""
    if not any(result.exchange is not None for result in results):
        session.execute(insert(LinkCheck), checks)
        return {}
    check_ids = session.execute(
        insert(LinkCheck).returning(LinkCheck.id, sort_by_parameter_order=True), checks
    ).scalars()
    to_capture = [
        ToCapture(
            result.link_id,
            check_id,
            check["checked_at"],
            result.exchange,
            check["content_type"],
            result.fingerprint,
        )
        for result, check, check_id in zip(results, checks, check_ids, strict=True)
        if result.exchange is not None
    ]
    for result in results:
        result.exchange = None  # the body is in the store now (or lost with it): let it go
    return record_captures(session, settings, to_capture)


def _link_values(
    row: Any,
    result: CheckResult,
    *,
    now: datetime,
    settings: Settings,
    rule: DeathRule,
    rng: random.Random,
) -> dict[str, Any]:
    """The Link's columns after this check."""
    ignore = bool(row.ignore_failures)
    before = _health(row)
    after = advance(before, result.outcome, now, ignore_failures=ignore)
    natural = derive_state(after, rule, ignore_failures=ignore)
    first, last, changed = row.fingerprint_first, row.fingerprint_last, row.content_changed
    success = result.outcome in SUCCESS
    if success and result.fingerprint:
        if not comparable(first, result.fingerprint):
            first = None  # made another way (an older release): the new one is the baseline
        changed = changed if first is None else fingerprints_differ(first, result.fingerprint)
        first = first or result.fingerprint
        last = result.fingerprint
    values = {
        "id": row.id,
        "state": natural,  # the checker's own; an override pins only the effective state
        "last_outcome": result.outcome,
        "http_status": result.http_status,
        "final_url": result.final_url,
        "first_checked_at": after.first_checked_at,
        "last_checked_at": after.last_checked_at,
        "last_ok_at": after.last_ok_at,
        "consecutive_failures": after.consecutive_failures,
        "failing_since": after.failing_since,
        "next_check_at": None  # retired (nothing cites it): checked by hand, not scheduled
        if row.next_check_at is None
        else next_check_at(before, after, state=natural, now=now, settings=settings, rng=rng),
        "etag": stored(result.etag, _length(Link.etag)) if success else row.etag,
        "last_modified": (
            stored(result.last_modified, _length(Link.last_modified))
            if success
            else row.last_modified
        ),
        "fingerprint_first": first,
        "fingerprint_last": last,
        "content_changed": bool(changed),
        "archive_url": row.archive_url,
        "archive_timestamp": row.archive_timestamp,
        "archive_checked_at": row.archive_checked_at,
        "archive_name": row.archive_name,
    }
    if result.archive_looked_up:
        values["archive_checked_at"] = now
        if result.archive is not None:
            values["archive_url"] = result.archive.url
            values["archive_timestamp"] = result.archive.timestamp
            values["archive_name"] = result.archive.archive
    return values


def _check_row(result: CheckResult, now: datetime, worker: str) -> dict[str, Any]:
    return {
        "link_id": result.link_id,
        "checked_at": now,
        "outcome": result.outcome,
        "http_status": result.http_status,
        "redirect_chain": [
            {**hop, "location": stored(hop["location"], URL_MAX_LENGTH) or ""}
            for hop in result.redirect_chain
        ],
        "final_url": result.final_url,
        "elapsed_ms": result.elapsed_ms,
        "error": stored(result.error, ERROR_CHARS),
        "content_type": stored(result.content_type, _length(LinkCheck.content_type)),
        "content_length": result.content_length,
        "fingerprint": result.fingerprint,
        "soft_404": result.soft_404,
        "not_modified": result.not_modified,
        "evidence": result.evidence,
        "worker": worker,
    }


def _triggers(
    row: Any, result: CheckResult, values: dict[str, Any], lost: list[int]
) -> list[Trigger]:
    """What this check did that verdicts resting on the link must be re-read for."""
    triggers = []
    detail = result.outcome.value + (f" ({result.error})" if result.error else "")
    pinned = row.override_state
    if (pinned or values["state"]) is LinkState.DEAD and (
        pinned or row.state
    ) is not LinkState.DEAD:
        triggers.append(Trigger(row.id, row.url, "dead", f"the source is dead: {detail}"))
    if values["content_changed"] and not row.content_changed:
        triggers.append(Trigger(row.id, row.url, "content_changed", "the source's content changed"))
    if lost:
        triggers.append(
            Trigger(
                row.id,
                row.url,
                "evidence_missing",
                "the evidence is no longer on the source page",
                claim_ids=tuple(lost),
            )
        )
    return triggers
