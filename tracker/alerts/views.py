"""What the alert services return: frozen views of subscriptions, deliveries and events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class SubscriptionView:
    id: int
    scope: str
    scope_value: str | None
    events: tuple[str, ...]
    channel_id: int
    channel: str  # webhook | email | atom
    target: str
    digest: str
    paused: bool
    paused_reason: str | None
    created_by: str
    created_at: datetime

    @property
    def describes(self) -> str:
        """``article 3``, ``domain example.org``, ``reviewer ana``, ``everything``."""
        return "everything" if self.scope == "all" else f"{self.scope} {self.scope_value}"


@dataclass(frozen=True)
class AddedSubscription:
    """A new subscription; ``secret`` is the webhook's signing secret, shown this once (None
    when the channel already existed or is not a webhook)."""

    subscription: SubscriptionView
    secret: str | None


@dataclass(frozen=True)
class AttemptView:
    number: int
    retry: bool
    worker: str
    started_at: datetime
    finished_at: datetime | None
    ok: bool | None
    status_code: int | None
    answer: str | None


@dataclass(frozen=True)
class DeliveryView:
    id: int
    event_id: str
    kind: str
    summary: str
    subscription_id: int | None
    channel: str
    target: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    last_error: str | None
    history: tuple[AttemptView, ...]


@dataclass(frozen=True)
class EventView:
    uid: str
    kind: str
    occurred_at: datetime
    summary: str
    claims: tuple[dict[str, Any], ...]
    link_url: str | None


@dataclass(frozen=True)
class PausedChannel:
    id: int
    kind: str
    target: str
    consecutive_failures: int
    paused_at: datetime
    reason: str | None


@dataclass(frozen=True)
class DeliveryReport:
    """One round of delivery: events dispatched, sends made, deliveries delivered or not."""

    dispatched: int = 0
    sends: int = 0
    delivered: int = 0
    failed: int = 0


def event_kinds() -> list[tuple[str, str]]:
    """(kind, meaning) of every event a subscription may ask for."""
    from tracker.alerts.kinds import SUBSCRIBABLE

    return [(kind.value, kind.meaning) for kind in SUBSCRIBABLE]
