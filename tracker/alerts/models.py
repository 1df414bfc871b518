"""Tables of alerts: channels, subscriptions, the outbox of events, deliveries and attempts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models import URL_MAX_LENGTH, Base, UTCDateTime, created_at, intpk, timestamp, utcnow


class AlertChannel(Base):
    """Where alerts go: a webhook URL, an email address, or the Atom feed of a subscription.

    Shared by every subscription naming the same target, so one event reaches it once. A channel
    failing ``alerts_pause_after_failures`` times in a row is paused until resumed.
    """

    __tablename__ = "alert_channels"
    __table_args__ = (UniqueConstraint("kind", "target"),)

    id: Mapped[intpk]
    kind: Mapped[str] = mapped_column(String(16))  # webhook | email | atom
    target: Mapped[str] = mapped_column(String(URL_MAX_LENGTH))
    secret: Mapped[str | None] = mapped_column(String(128))
    digest: Mapped[str] = mapped_column(String(16), default="immediate")  # immediate | daily
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    paused_at: Mapped[timestamp]
    paused_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[created_at]


class AlertSubscription(Base):
    """Who wants to hear about what: a scope (an article, a domain, a reviewer's claims or
    everything), the event kinds wanted, and the channel."""

    __tablename__ = "alert_subscriptions"

    id: Mapped[intpk]
    scope: Mapped[str] = mapped_column(String(16))  # article | domain | reviewer | all
    scope_value: Mapped[str | None] = mapped_column(String(300))
    event_kinds: Mapped[list[Any]] = mapped_column(JSON, default=list)
    channel_id: Mapped[int] = mapped_column(
        ForeignKey("alert_channels.id", ondelete="CASCADE"), index=True
    )
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[created_at]

    channel: Mapped[AlertChannel] = relationship()


class AlertEvent(Base):
    """The outbox: one row per change worth telling, written in the change's own transaction.

    ``uid`` is the event id receivers deduplicate on; ``subjects`` the articles, domains and
    reviewers it concerns (what subscriptions match on); ``payload`` what is sent.
    """

    __tablename__ = "alert_events"

    id: Mapped[intpk]
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    link_id: Mapped[int | None] = mapped_column(ForeignKey("links.id", ondelete="SET NULL"))
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claims.id", ondelete="SET NULL"))
    subjects: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    dispatched_at: Mapped[timestamp] = mapped_column(index=True)


class AlertDelivery(Base):
    """One event to one channel: pending, sending (leased), delivered, failed or cancelled."""

    __tablename__ = "alert_deliveries"
    __table_args__ = (
        UniqueConstraint("event_id", "channel_id"),
        Index("ix_alert_deliveries_due", "status", "next_attempt_at"),
    )

    id: Mapped[intpk]
    event_id: Mapped[int] = mapped_column(ForeignKey("alert_events.id", ondelete="CASCADE"))
    channel_id: Mapped[int] = mapped_column(
        ForeignKey("alert_channels.id", ondelete="CASCADE"), index=True
    )
    subscription_id: Mapped[int | None] = mapped_column(
        ForeignKey("alert_subscriptions.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[timestamp]
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    lease_expires_at: Mapped[timestamp]
    delivered_at: Mapped[timestamp]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[created_at]

    event: Mapped[AlertEvent] = relationship()
    channel: Mapped[AlertChannel] = relationship()


class AlertAttempt(Base):
    """One try at a delivery, recorded *before* sending and completed with the answer after.

    An attempt with no ``finished_at`` is one whose sender died between the two: the next
    attempt is then marked as a retry of the same event.
    """

    __tablename__ = "alert_attempts"

    id: Mapped[intpk]
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("alert_deliveries.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    retry: Mapped[bool] = mapped_column(Boolean, default=False)
    worker: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[timestamp]
    ok: Mapped[bool | None] = mapped_column(Boolean)
    status_code: Mapped[int | None] = mapped_column(Integer)
    answer: Mapped[str | None] = mapped_column(Text)
