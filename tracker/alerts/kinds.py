"""The vocabularies of alerts: event kinds, scopes, channels, delivery states."""

from __future__ import annotations

from enum import StrEnum


class EventKind(StrEnum):
    LINK_DEAD = "link.dead"
    LINK_RECOVERED = "link.recovered"
    EVIDENCE_MISSING = "evidence.missing"
    PAGE_CHANGED = "page.changed"
    CLAIM_NEEDS_REREVIEW = "claim.needs_rereview"
    VERDICT_RECORDED = "verdict.recorded"
    TEST = "alert.test"

    @property
    def meaning(self) -> str:
        return MEANINGS[self]


MEANINGS = {
    EventKind.LINK_DEAD: "a cited link died (rot confirmed by the checker)",
    EventKind.LINK_RECOVERED: "a cited link that was failing or dead answers again",
    EventKind.EVIDENCE_MISSING: "a claim's evidence, found before, is no longer on its source",
    EventKind.PAGE_CHANGED: "a cited page's main text changed since it was first checked",
    EventKind.CLAIM_NEEDS_REREVIEW: "a claim with a verdict was flagged for re-review",
    EventKind.VERDICT_RECORDED: "a reviewer recorded a verdict on a claim",
    EventKind.TEST: "a test sent by `alerts test` (only to the subscription tested)",
}

SUBSCRIBABLE = tuple(kind for kind in EventKind if kind is not EventKind.TEST)


class Scope(StrEnum):
    ARTICLE = "article"
    DOMAIN = "domain"
    REVIEWER = "reviewer"
    ALL = "all"


class ChannelKind(StrEnum):
    WEBHOOK = "webhook"
    EMAIL = "email"
    ATOM = "atom"


class Digest(StrEnum):
    IMMEDIATE = "immediate"
    DAILY = "daily"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    DELIVERED = "delivered"
    FAILED = "failed"
    CANCELLED = "cancelled"
