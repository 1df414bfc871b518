"""Matching outbox events to subscriptions: one delivery per event and channel.

Runs as part of the delivery job. Events are claimed with ``FOR UPDATE SKIP LOCKED`` and
marked dispatched in the transaction that creates their deliveries, so two workers never
dispatch one event twice and a worker killed half-way leaves the events for the next one.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.alerts.kinds import ChannelKind, DeliveryStatus, Digest, EventKind, Scope
from tracker.alerts.models import AlertChannel, AlertDelivery, AlertEvent, AlertSubscription
from tracker.db import Database, insert_ignore
from tracker.schedule.leases import database_now

DISPATCH_BATCH = 500


def matches(subscription: AlertSubscription, channel: AlertChannel, event: AlertEvent) -> bool:
    """Does ``subscription`` (on ``channel``) want ``event``?"""
    subjects: dict[str, Any] = event.subjects or {}
    if event.kind == EventKind.TEST.value:
        return subjects.get("channel_id") == channel.id
    if event.kind not in (subscription.event_kinds or []):
        return False
    scope, value = subscription.scope, subscription.scope_value
    if scope == Scope.ALL.value:
        return True
    if scope == Scope.ARTICLE.value:
        return value is not None and value.isdigit() and int(value) in subjects.get("articles", [])
    listed = {Scope.DOMAIN.value: "domains", Scope.REVIEWER.value: "reviewers"}.get(scope)
    return listed is not None and value in subjects.get(listed, [])


def first_attempt_at(channel: AlertChannel, now: datetime) -> datetime:
    """When a new delivery to ``channel`` is first due: now, or at the next daily digest
    (00:00 UTC)."""
    if channel.kind == ChannelKind.EMAIL.value and channel.digest == Digest.DAILY.value:
        return (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return now


def dispatch(database: Database, limit: int = DISPATCH_BATCH) -> int:
    """Turn undispatched events into deliveries; how many events were dispatched."""
    with database.transaction() as session:
        now = database_now(session)
        events = session.scalars(
            select(AlertEvent)
            .where(AlertEvent.dispatched_at.is_(None))
            .order_by(AlertEvent.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        if not events:
            return 0
        subscriptions = _subscriptions(session)
        rows: dict[tuple[int, int], dict[str, Any]] = {}
        for event in events:
            for subscription, channel in subscriptions:
                key = (event.id, channel.id)
                if key in rows or not matches(subscription, channel, event):
                    continue
                rows[key] = _delivery_row(event, subscription, channel, now)
            event.dispatched_at = now
        insert_ignore(session, AlertDelivery, list(rows.values()))
        return len(events)


def _subscriptions(session: Session) -> list[tuple[AlertSubscription, AlertChannel]]:
    return [
        (subscription, channel)
        for subscription, channel in session.execute(
            select(AlertSubscription, AlertChannel)
            .join(AlertChannel, AlertChannel.id == AlertSubscription.channel_id)
            .order_by(AlertSubscription.id)
        ).tuples()
    ]


def _delivery_row(
    event: AlertEvent, subscription: AlertSubscription, channel: AlertChannel, now: datetime
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "event_id": event.id,
        "channel_id": channel.id,
        "subscription_id": subscription.id,
        "status": DeliveryStatus.PENDING.value,
        "attempts": 0,
        "next_attempt_at": first_attempt_at(channel, now),
        "created_at": now,
    }
    if channel.kind == ChannelKind.ATOM.value:
        # The feed is read, not sent: the event is in it from now on.
        row.update(status=DeliveryStatus.DELIVERED.value, delivered_at=now, next_attempt_at=None)
    return row
