"""The Atom feed of a subscription (``feedgen`` writes it): its latest events, newest first."""

from __future__ import annotations

from collections.abc import Sequence

from feedgen.feed import FeedGenerator

from tracker.alerts.views import EventView


def render(subscription_id: int, description: str, events: Sequence[EventView]) -> bytes:
    feed = FeedGenerator()
    feed.id(f"urn:fact-tracker:alerts:subscription:{subscription_id}")
    feed.title(f"fact-tracker alerts: {description}")
    feed.link(href=f"urn:fact-tracker:alerts:subscription:{subscription_id}", rel="self")
    feed.author({"name": "fact-tracker"})
    if events:
        feed.updated(events[0].occurred_at)
    for event in reversed(events):  # feedgen prepends: the newest ends up first
        entry = feed.add_entry()
        entry.id(f"urn:uuid:{event.uid}")
        entry.title(f"{event.kind}: {event.summary}"[:300])
        entry.updated(event.occurred_at)
        entry.published(event.occurred_at)
        lines = [event.summary]
        lines += [
            f"claim {claim['id']} ({claim['status']}): {claim['text']}" for claim in event.claims
        ]
        entry.content("\n".join(lines), type="text")
        if event.link_url:
            entry.link(href=event.link_url)
    result: bytes = feed.atom_str(pretty=True)
    return result
