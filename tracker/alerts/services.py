"""The alert services: subscribe, list, remove, test, see deliveries, read a feed, deliver.

Every function takes ``(database, actor, ...)``. Subscribing, removing and testing need the
reviewer role; reading needs any role; delivering is the scheduler's work (``system:scheduler``)
or a reviewer's.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from email.utils import parseaddr

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from tracker.actors import Actor
from tracker.alerts.kinds import (
    SUBSCRIBABLE,
    ChannelKind,
    DeliveryStatus,
    Digest,
    EventKind,
    Scope,
)
from tracker.alerts.models import (
    AlertAttempt,
    AlertChannel,
    AlertDelivery,
    AlertEvent,
    AlertSubscription,
)
from tracker.alerts.views import (
    AddedSubscription,
    AttemptView,
    DeliveryReport,
    DeliveryView,
    EventView,
    PausedChannel,
    SubscriptionView,
)
from tracker.db import Database
from tracker.enums import Role
from tracker.errors import InvalidInput, NotFound
from tracker.review.reviewers import authorize, may_change, may_read
from tracker.settings import Settings

SECRET_MIN = 16
_EMAIL = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")


# Subscriptions ------------------------------------------------------------------------------


def parse_events(names: Sequence[str] | None) -> list[str]:
    """Event kinds from ``link.dead,verdict.recorded`` (or several values); none: every kind."""
    if not names:
        return [kind.value for kind in SUBSCRIBABLE]
    wanted: list[str] = []
    known = {kind.value for kind in SUBSCRIBABLE}
    for name in (part.strip().lower() for value in names for part in value.split(",")):
        if not name:
            continue
        if name not in known:
            raise InvalidInput(f"unknown event {name!r}: choose from {', '.join(sorted(known))}")
        if name not in wanted:
            wanted.append(name)
    if not wanted:
        raise InvalidInput("no events named")
    return wanted


def add_subscription(
    database: Database,
    actor: Actor,
    *,
    scope: str,
    value: str | None = None,
    events: Sequence[str] | None = None,
    webhook: str | None = None,
    email: str | None = None,
    atom: bool = False,
    digest: str = Digest.IMMEDIATE.value,
    secret: str | None = None,
) -> AddedSubscription:
    """Subscribe a channel (exactly one of ``webhook``, ``email``, ``atom``) to the events of a
    scope: an article (its id), a domain, a reviewer's claims, or everything."""
    kinds = parse_events(events)
    channel_kind, target = _channel_of(webhook, email, atom)
    if digest not in {item.value for item in Digest}:
        raise InvalidInput(f"invalid digest {digest!r}: immediate or daily")
    if digest != Digest.IMMEDIATE.value and channel_kind is not ChannelKind.EMAIL:
        raise InvalidInput("only email alerts come as a daily digest")
    if secret is not None and (channel_kind is not ChannelKind.WEBHOOK or len(secret) < SECRET_MIN):
        raise InvalidInput(f"a secret is for webhooks, and needs {SECRET_MIN} characters or more")
    with database.transaction() as session:
        acting = may_change(session, actor, "subscribe to alerts")
        scope_value = _scope_value(session, scope, value)
        channel, new_secret = _channel(session, channel_kind, target, digest, secret)
        subscription = AlertSubscription(
            scope=scope,
            scope_value=scope_value,
            event_kinds=kinds,
            channel_id=channel.id,
            created_by=acting.name,
        )
        session.add(subscription)
        session.flush()
        if channel_kind is ChannelKind.ATOM:
            channel.target = f"subscription {subscription.id}"
        return AddedSubscription(_view(subscription, channel), new_secret)


def _channel_of(webhook: str | None, email: str | None, atom: bool) -> tuple[ChannelKind, str]:
    given = [name for name, on in (("webhook", webhook), ("email", email), ("atom", atom)) if on]
    if len(given) != 1:
        raise InvalidInput("name one channel: a webhook URL, an email address, or the Atom feed")
    if webhook:
        from tracker.urls import InvalidURL, normalize_url

        try:
            url = normalize_url(webhook.strip())
        except InvalidURL as exc:
            raise InvalidInput(f"invalid webhook URL: {exc}") from None
        return ChannelKind.WEBHOOK, url
    if email:
        _name, address = parseaddr(email.strip())
        if not _EMAIL.match(address) or len(address) > 320:
            raise InvalidInput(f"invalid email address {email!r}")
        return ChannelKind.EMAIL, address
    return ChannelKind.ATOM, f"new-{secrets.token_hex(8)}"  # named after its subscription


def _scope_value(session: Session, scope: str, value: str | None) -> str | None:
    if scope not in {item.value for item in Scope}:
        raise InvalidInput(f"invalid scope {scope!r}: article, domain, reviewer or all")
    if scope == Scope.ALL.value:
        return None
    if not value or not value.strip():
        raise InvalidInput(f"which {scope}? a {scope} scope needs a value")
    value = value.strip()
    if scope == Scope.ARTICLE.value:
        from tracker.articles.lookup import get_article

        if not value.isdigit():
            raise InvalidInput(f"an article is named by its id, not {value!r}")
        return str(get_article(session, int(value)).id)
    if scope == Scope.DOMAIN.value:
        from tracker.credibility.domains import domain_of
        from tracker.urls import InvalidURL

        try:
            return domain_of(value)
        except InvalidURL as exc:
            raise InvalidInput(f"invalid domain {value!r}: {exc}") from None
    from tracker.review.reviewers import find_reviewer

    return find_reviewer(session, value).name


def _channel(
    session: Session, kind: ChannelKind, target: str, digest: str, secret: str | None
) -> tuple[AlertChannel, str | None]:
    """The channel for ``target`` (shared with earlier subscriptions), and a new secret if made."""
    channel = session.scalar(
        select(AlertChannel).where(AlertChannel.kind == kind.value, AlertChannel.target == target)
    )
    if channel is not None:
        if secret is not None and secret != channel.secret:
            raise InvalidInput(
                f"the webhook {target} already has a secret: its subscriptions share it"
            )
        if channel.digest != digest:
            raise InvalidInput(f"{target} already gets {channel.digest} alerts")
        return channel, None
    made = secret or (secrets.token_urlsafe(32) if kind is ChannelKind.WEBHOOK else None)
    channel = AlertChannel(kind=kind.value, target=target, secret=made, digest=digest)
    session.add(channel)
    session.flush()
    return channel, made if secret is None else None


def _view(subscription: AlertSubscription, channel: AlertChannel) -> SubscriptionView:
    return SubscriptionView(
        id=subscription.id,
        scope=subscription.scope,
        scope_value=subscription.scope_value,
        events=tuple(subscription.event_kinds or ()),
        channel_id=channel.id,
        channel=channel.kind,
        target=channel.target,
        digest=channel.digest,
        paused=channel.paused_at is not None,
        paused_reason=channel.paused_reason,
        created_by=subscription.created_by,
        created_at=subscription.created_at,
    )


def _subscription(session: Session, subscription_id: int) -> AlertSubscription:
    subscription = session.get(AlertSubscription, subscription_id)
    if subscription is None:
        raise NotFound("subscription", subscription_id)
    return subscription


def list_subscriptions(database: Database, actor: Actor) -> list[SubscriptionView]:
    with database.reading() as session:
        may_read(session, actor, "alert subscriptions")
        rows = session.execute(
            select(AlertSubscription, AlertChannel)
            .join(AlertChannel, AlertChannel.id == AlertSubscription.channel_id)
            .order_by(AlertSubscription.id)
        ).tuples()
        return [_view(subscription, channel) for subscription, channel in rows]


def remove_subscription(database: Database, actor: Actor, subscription_id: int) -> int:
    """Remove a subscription; its channel's pending deliveries are cancelled when no other
    subscription uses the channel. How many were cancelled."""
    with database.transaction() as session:
        may_change(session, actor, "remove alert subscriptions")
        subscription = _subscription(session, subscription_id)
        channel_id = subscription.channel_id
        session.delete(subscription)
        session.flush()
        others = session.scalar(
            select(func.count()).where(AlertSubscription.channel_id == channel_id)
        )
        if others:
            return 0
        result = session.execute(
            update(AlertDelivery)
            .where(
                AlertDelivery.channel_id == channel_id,
                AlertDelivery.status == DeliveryStatus.PENDING.value,
            )
            .values(status=DeliveryStatus.CANCELLED.value, next_attempt_at=None)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]


# Delivering ---------------------------------------------------------------------------------


def deliver_alerts(
    database: Database, actor: Actor, settings: Settings, *, worker: str
) -> DeliveryReport:
    """Dispatch new events to subscriptions and send what is due (the scheduler's job)."""
    from tracker.alerts.sender import deliver

    with database.reading() as session:
        authorize(session, actor, Role.REVIEWER, system=True, action="deliver alerts")
    return deliver(database, settings, f"alerts-{worker}")


def send_test_alert(
    database: Database, actor: Actor, settings: Settings, subscription_id: int, *, worker: str
) -> DeliveryView:
    """Send a test event to the subscription's channel now, paused or not; the delivery with
    the answer. A successful test resumes a paused channel."""
    from tracker.alerts.dispatch import dispatch
    from tracker.alerts.outbox import test_alert_values
    from tracker.alerts.sender import deliver

    with database.transaction() as session:
        acting = may_change(session, actor, "test alert subscriptions")
        subscription = _subscription(session, subscription_id)
        values = test_alert_values(subscription.channel_id, subscription.id, acting.name)
        event = AlertEvent(**values)
        session.add(event)
        session.flush()
        event_id = event.id
    dispatch(database)
    with database.reading() as session:
        delivery_id = session.scalar(
            select(AlertDelivery.id).where(AlertDelivery.event_id == event_id)
        )
    if delivery_id is None:  # pragma: no cover - the test event always matches its channel
        raise NotFound("delivery of event", event_id)
    deliver(database, settings, f"alerts-test-{worker}", delivery_ids=[delivery_id])
    return _deliveries(database, delivery_ids=[delivery_id])[0]


def list_deliveries(
    database: Database,
    actor: Actor,
    *,
    subscription_id: int | None = None,
    status: str | None = None,
    limit: int = 50,
) -> list[DeliveryView]:
    """The latest deliveries (newest first), each with every attempt and its answer."""
    if status is not None and status not in {item.value for item in DeliveryStatus}:
        choices = ", ".join(item.value for item in DeliveryStatus)
        raise InvalidInput(f"invalid delivery status {status!r}: choose one of {choices}")
    with database.reading() as session:
        may_read(session, actor, "alert deliveries")
        if subscription_id is not None:
            _subscription(session, subscription_id)
    return _deliveries(database, subscription_id=subscription_id, status=status, limit=limit)


def _deliveries(
    database: Database,
    *,
    delivery_ids: Sequence[int] | None = None,
    subscription_id: int | None = None,
    status: str | None = None,
    limit: int = 50,
) -> list[DeliveryView]:
    with database.reading() as session:
        query = (
            select(AlertDelivery, AlertEvent, AlertChannel)
            .join(AlertEvent, AlertEvent.id == AlertDelivery.event_id)
            .join(AlertChannel, AlertChannel.id == AlertDelivery.channel_id)
            .order_by(AlertDelivery.id.desc())
            .limit(limit)
        )
        if delivery_ids is not None:
            query = query.where(AlertDelivery.id.in_(list(delivery_ids)))
        if subscription_id is not None:
            query = query.where(AlertDelivery.subscription_id == subscription_id)
        if status is not None:
            query = query.where(AlertDelivery.status == status)
        rows = session.execute(query).tuples().all()
        history: dict[int, list[AttemptView]] = {}
        if rows:
            for attempt in session.scalars(
                select(AlertAttempt)
                .where(AlertAttempt.delivery_id.in_([row[0].id for row in rows]))
                .order_by(AlertAttempt.id)
            ):
                history.setdefault(attempt.delivery_id, []).append(
                    AttemptView(
                        number=attempt.number,
                        retry=attempt.retry,
                        worker=attempt.worker,
                        started_at=attempt.started_at,
                        finished_at=attempt.finished_at,
                        ok=attempt.ok,
                        status_code=attempt.status_code,
                        answer=attempt.answer,
                    )
                )
        return [
            DeliveryView(
                id=item.id,
                event_id=event.uid,
                kind=event.kind,
                summary=str((event.payload or {}).get("summary", "")),
                subscription_id=item.subscription_id,
                channel=channel.kind,
                target=channel.target,
                status=item.status,
                attempts=item.attempts,
                next_attempt_at=item.next_attempt_at,
                delivered_at=item.delivered_at,
                last_error=item.last_error,
                history=tuple(history.get(item.id, ())),
            )
            for item, event, channel in rows
        ]


# Reading feeds and channel health -----------------------------------------------------------


def subscription_feed(
    database: Database, actor: Actor, subscription_id: int, *, limit: int = 50
) -> bytes:
    """The Atom feed of a subscription: the latest events that reached its channel."""
    from tracker.alerts.atom import render

    with database.reading() as session:
        may_read(session, actor, "alert feeds")
        subscription = _subscription(session, subscription_id)
        channel = session.get(AlertChannel, subscription.channel_id)
        view = _view(subscription, channel) if channel is not None else None
        if view is None or view.channel != ChannelKind.ATOM.value:
            raise InvalidInput(f"subscription {subscription_id} is not an Atom feed")
        events = [
            EventView(
                uid=event.uid,
                kind=event.kind,
                occurred_at=event.occurred_at,
                summary=str((event.payload or {}).get("summary", "")),
                claims=tuple((event.payload or {}).get("claims", [])),
                link_url=((event.payload or {}).get("link") or {}).get("url"),
            )
            for event in session.scalars(
                select(AlertEvent)
                .join(AlertDelivery, AlertDelivery.event_id == AlertEvent.id)
                .where(
                    AlertDelivery.channel_id == subscription.channel_id,
                    AlertEvent.kind != EventKind.TEST.value,
                )
                .order_by(AlertEvent.occurred_at.desc(), AlertEvent.id.desc())
                .limit(limit)
            )
        ]
    return render(subscription_id, view.describes, events)


def paused_channels(database: Database) -> list[PausedChannel]:
    """Channels paused after failing again and again (``schedule status`` shows them)."""
    with database.reading() as session:
        return [
            PausedChannel(
                id=channel.id,
                kind=channel.kind,
                target=channel.target,
                consecutive_failures=channel.consecutive_failures,
                paused_at=channel.paused_at,
                reason=channel.paused_reason,
            )
            for channel in session.scalars(
                select(AlertChannel)
                .where(AlertChannel.paused_at.is_not(None))
                .order_by(AlertChannel.id)
            )
            if channel.paused_at is not None
        ]
