"""One round of delivery: dispatch new events, then claim, send and record due deliveries.

Webhooks are POSTed concurrently, each answer recorded as it arrives; the deliveries of one
email address go out as one digest.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from tracker.alerts import delivery, digest, webhook
from tracker.alerts.delivery import Answer, Claimed
from tracker.alerts.dispatch import dispatch
from tracker.alerts.kinds import ChannelKind
from tracker.alerts.views import DeliveryReport
from tracker.db import Database
from tracker.settings import Settings

CLAIM_BATCH = 100
MAX_BATCHES = 50
"""Batches one round sends at most; what is left waits for the next round."""


@dataclass
class _Tally:
    sends: int = 0
    delivered: int = 0
    failed: int = 0
    seen: set[int] = field(default_factory=set)

    def count(self, items: Sequence[Claimed], answer: Answer) -> None:
        self.sends += 1
        if answer.ok:
            self.delivered += len(items)
        else:
            self.failed += len(items)


def deliver(
    database: Database,
    settings: Settings,
    owner: str,
    *,
    delivery_ids: Sequence[int] | None = None,
) -> DeliveryReport:
    """Dispatch, then send what is due (or exactly ``delivery_ids``); what happened."""
    dispatched = 0
    for _ in range(MAX_BATCHES if delivery_ids is None else 0):
        count = dispatch(database)
        dispatched += count
        if not count:
            break
    tally = _Tally()
    for _ in range(MAX_BATCHES):
        claimed = delivery.claim(
            database, owner, settings, limit=CLAIM_BATCH, delivery_ids=delivery_ids
        )
        if not claimed:
            break
        send_claimed(database, settings, owner, claimed, tally)
        if delivery_ids is not None:
            break
    return DeliveryReport(dispatched, tally.sends, tally.delivered, tally.failed)


def send_claimed(
    database: Database,
    settings: Settings,
    owner: str,
    claimed: Sequence[Claimed],
    tally: _Tally | None = None,
) -> None:
    tally = tally or _Tally()

    def answered(items: Sequence[Claimed], answer: Answer) -> None:
        delivery.record(database, owner, settings, items, answer)
        tally.count(items, answer)

    hooks = [item for item in claimed if item.channel.kind == ChannelKind.WEBHOOK.value]
    if hooks:
        webhook.send_all(settings, hooks, lambda item, answer: answered([item], answer))
    mail: dict[int, list[Claimed]] = defaultdict(list)
    for item in claimed:
        if item.channel.kind == ChannelKind.EMAIL.value:
            mail[item.channel.id].append(item)
    for items in mail.values():
        answered(items, digest.send(settings, items[0].channel.target, items))
