"""Sending alerts: deliveries claimed under leases, an attempt recorded before each send and
its answer after.

The order is what makes "at most one duplicate, nothing lost" hold when a worker is killed:

1. **claim** (one transaction): due deliveries of unpaused channels are leased with
   ``FOR UPDATE SKIP LOCKED`` (database clock, as link leases: :mod:`tracker.schedule.leases`),
   their attempt count goes up and an attempt row is written, marked as a retry when an
   earlier attempt exists;
2. **send**, outside any transaction;
3. **record** (one transaction): the attempt gets its answer, the delivery is delivered, or
   due again after an exponential backoff, or failed after ``alerts_max_attempts``; the
   channel's run of failures is counted and a channel failing ``alerts_pause_after_failures``
   times in a row is paused.

Killed between 2 and 3, the lease runs out and the next claim sends the same event again,
marked as a retry: one duplicate at most, which receivers drop by the event id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, or_, select, update
from sqlalchemy.orm import Session

from tracker.alerts.kinds import ChannelKind, DeliveryStatus
from tracker.alerts.models import AlertAttempt, AlertChannel, AlertDelivery, AlertEvent
from tracker.db import Database
from tracker.schedule.leases import database_now
from tracker.settings import Settings

MAX_BACKOFF = timedelta(hours=6)
ANSWER_CHARS = 500
SENDABLE = (ChannelKind.WEBHOOK.value, ChannelKind.EMAIL.value)


@dataclass(frozen=True)
class Channel:
    id: int
    kind: str
    target: str
    secret: str | None


@dataclass(frozen=True)
class Event:
    uid: str
    kind: str
    occurred_at: datetime
    payload: dict[str, Any]


@dataclass(frozen=True)
class Claimed:
    """One delivery leased to this worker, with what sending it needs."""

    delivery_id: int
    attempt_id: int
    attempt: int
    retry: bool
    channel: Channel
    event: Event


@dataclass(frozen=True)
class Answer:
    """What one send got back: success, the HTTP status if any, and the answer in words."""

    ok: bool
    status_code: int | None
    text: str


def backoff(settings: Settings, attempts: int) -> timedelta:
    """Wait after the ``attempts``-th failed attempt: the first retry delay, doubling."""
    seconds = settings.alerts_retry_seconds * 2 ** max(0, attempts - 1)
    return min(timedelta(seconds=seconds), MAX_BACKOFF)


def claim(
    database: Database,
    owner: str,
    settings: Settings,
    *,
    limit: int = 100,
    delivery_ids: Sequence[int] | None = None,
) -> list[Claimed]:
    """Lease due deliveries (or exactly ``delivery_ids``, due or not: `alerts test`)."""
    with database.transaction() as session:
        now = database_now(session)
        lease = now + timedelta(seconds=settings.alerts_lease_seconds)
        expiry = AlertDelivery.lease_expires_at
        unleased = or_(expiry.is_(None), expiry <= now)
        pick = (
            select(AlertDelivery.id)
            .join(AlertChannel, AlertChannel.id == AlertDelivery.channel_id)
            .where(
                unleased,
                AlertDelivery.status.in_(
                    [DeliveryStatus.PENDING.value, DeliveryStatus.SENDING.value]
                ),
                AlertChannel.kind.in_(SENDABLE),
            )
            .order_by(AlertDelivery.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=AlertDelivery)
        )
        if delivery_ids is None:
            pick = pick.where(
                AlertDelivery.next_attempt_at <= now, AlertChannel.paused_at.is_(None)
            )
        else:
            pick = pick.where(AlertDelivery.id.in_(list(delivery_ids)))
        leased = session.execute(
            update(AlertDelivery)
            .where(AlertDelivery.id.in_(pick.scalar_subquery()))
            .values(
                status=DeliveryStatus.SENDING.value,
                attempts=AlertDelivery.attempts + 1,
                lease_owner=owner,
                lease_expires_at=lease,
            )
            .returning(AlertDelivery.id, AlertDelivery.attempts)
            .execution_options(synchronize_session=False)
        ).all()
        if not leased:
            return []
        attempts: dict[int, int] = {int(key): int(number) for key, number in leased}
        inserted = session.execute(
            insert(AlertAttempt).returning(AlertAttempt.delivery_id, AlertAttempt.id),
            [
                {
                    "delivery_id": delivery_id,
                    "number": number,
                    "retry": number > 1,
                    "worker": owner,
                    "started_at": now,
                }
                for delivery_id, number in sorted(attempts.items())
            ],
        ).all()
        attempt_ids = {int(row[0]): int(row[1]) for row in inserted}
        return _snapshots(session, attempts, attempt_ids)


def _snapshots(
    session: Session, attempts: dict[int, int], attempt_ids: dict[int, int]
) -> list[Claimed]:
    rows = session.execute(
        select(AlertDelivery.id, AlertEvent, AlertChannel)
        .join(AlertEvent, AlertEvent.id == AlertDelivery.event_id)
        .join(AlertChannel, AlertChannel.id == AlertDelivery.channel_id)
        .where(AlertDelivery.id.in_(list(attempts)))
        .order_by(AlertDelivery.id)
    ).tuples()
    return [
        Claimed(
            delivery_id=delivery_id,
            attempt_id=attempt_ids[delivery_id],
            attempt=attempts[delivery_id],
            retry=attempts[delivery_id] > 1,
            channel=Channel(channel.id, channel.kind, channel.target, channel.secret),
            event=Event(event.uid, event.kind, event.occurred_at, dict(event.payload or {})),
        )
        for delivery_id, event, channel in rows
    ]


def record(
    database: Database,
    owner: str,
    settings: Settings,
    sent: Sequence[Claimed],
    answer: Answer,
) -> None:
    """Record the answer of one send (a webhook's one delivery, or an email digest's several),
    move the deliveries on, and count the channel's run of failures (once per send)."""
    if not sent:
        return
    text = answer.text[:ANSWER_CHARS]
    with database.transaction() as session:
        now = database_now(session)
        session.execute(
            update(AlertAttempt)
            .where(AlertAttempt.id.in_([item.attempt_id for item in sent]))
            .values(finished_at=now, ok=answer.ok, status_code=answer.status_code, answer=text)
            .execution_options(synchronize_session=False)
        )
        ids = [item.delivery_id for item in sent]
        if answer.ok:
            # The common case in two statements (no rows loaded): delivered, channel healthy.
            session.execute(
                update(AlertDelivery)
                .where(AlertDelivery.id.in_(ids), AlertDelivery.lease_owner == owner)
                .values(
                    status=DeliveryStatus.DELIVERED.value,
                    delivered_at=now,
                    last_error=None,
                    lease_owner=None,
                    lease_expires_at=None,
                )
                .execution_options(synchronize_session=False)
            )
            session.execute(
                update(AlertChannel)
                .where(
                    AlertChannel.id == sent[0].channel.id,
                    or_(
                        AlertChannel.consecutive_failures != 0, AlertChannel.paused_at.is_not(None)
                    ),
                )
                .values(consecutive_failures=0, paused_at=None, paused_reason=None)
                .execution_options(synchronize_session=False)
            )
            return
        for item in sent:
            delivery = session.get(AlertDelivery, item.delivery_id, with_for_update=True)
            if delivery is None or delivery.lease_owner != owner:
                continue  # the lease ran out and another worker took it over: its turn
            delivery.lease_owner = None
            delivery.lease_expires_at = None
            if delivery.attempts >= settings.alerts_max_attempts:
                delivery.status = DeliveryStatus.FAILED.value
                delivery.last_error = text
            else:
                delivery.status = DeliveryStatus.PENDING.value
                delivery.next_attempt_at = now + backoff(settings, delivery.attempts)
                delivery.last_error = text
        _count_failure(session, sent[0].channel.id, answer, settings, now)


def _count_failure(
    session: Session, channel_id: int, answer: Answer, settings: Settings, now: datetime
) -> None:
    channel = session.get(AlertChannel, channel_id, with_for_update=True)
    if channel is None:
        return
    channel.consecutive_failures += 1
    if channel.paused_at is None and (
        channel.consecutive_failures >= settings.alerts_pause_after_failures
    ):
        channel.paused_at = now
        channel.paused_reason = (
            f"{channel.consecutive_failures} failed deliveries in a row; "
            f"last: {answer.text[:ANSWER_CHARS]}"
        )
