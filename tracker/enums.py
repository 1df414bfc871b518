"""The vocabularies stored in the database, as string enums.

Values are stored as their lowercase strings, so the database stays readable and
reports can use them directly.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    REVIEWER = "reviewer"
    VIEWER = "viewer"


class ClaimKind(StrEnum):
    STATISTIC = "statistic"
    QUOTE = "quote"
    ATTRIBUTION = "attribution"
    EVENT = "event"
    COMPARISON = "comparison"
    OTHER = "other"


class NotClaimKind(StrEnum):
    """Why a sentence is not a claim (never stored: such sentences are not recorded)."""

    OPINION = "opinion"
    PREDICTION = "prediction"
    SPECULATION = "speculation"
    QUESTION = "question"
    RHETORIC = "rhetoric"


class ClaimStatus(StrEnum):
    UNVERIFIED = "unverified"
    IN_REVIEW = "in_review"
    ACCURATE = "accurate"
    MOSTLY_ACCURATE = "mostly_accurate"
    MIXED = "mixed"
    MISLEADING = "misleading"
    MOSTLY_FALSE = "mostly_false"
    FALSE = "false"
    UNVERIFIABLE = "unverifiable"
    REJECTED = "rejected"


class LinkState(StrEnum):
    UNCHECKED = "unchecked"
    ALIVE = "alive"
    AT_RISK = "at_risk"
    DEAD = "dead"


class EvidenceState(StrEnum):
    """What a check found of a claim's evidence in its cited page (``claim_sources``).

    Stored as plain strings (``evidence_state``); NOTHING_TO_MATCH is set at ingest for a claim
    with nothing concrete to look for, the others by the checker, with the passage found.
    """

    FOUND = "found"
    PARTLY_FOUND = "partly_found"
    MISSING = "missing"
    NOTHING_TO_MATCH = "nothing_to_match"

    @property
    def label(self) -> str:
        """How people read it: "partly found", "nothing to match"."""
        return self.value.replace("_", " ")


class CheckOutcome(StrEnum):
    OK = "ok"
    REDIRECTED = "redirected"
    NOT_FOUND = "not_found"
    SOFT_404 = "soft_404"
    BLOCKED = "blocked"
    RATE_LIMITED = "rate_limited"
    SERVER_ERROR = "server_error"
    TIMEOUT = "timeout"
    UNREACHABLE = "unreachable"
    REDIRECT_LOOP = "redirect_loop"
    INVALID_URL = "invalid_url"


class ClaimEventAction(StrEnum):
    CREATED = "created"
    STATUS = "status"
    NOTE = "note"
    EDIT = "edit"
    SOURCE_ADDED = "source_added"
    SOURCE_REMOVED = "source_removed"
    REREVIEW = "needs_rereview"
    TEXT_CHANGED = "text_changed"


class ArticleEventAction(StrEnum):
    INGESTED = "ingested"
    REINGESTED = "reingested"
    EDITED = "edited"
    DELETED = "deleted"
    CITATION_RESOLVED = "citation_resolved"


class SourceEventAction(StrEnum):
    RATED = "rated"
    NOTE = "note"
    IGNORE_FAILURES = "ignore_failures"


VERDICTS = frozenset(
    {
        ClaimStatus.ACCURATE,
        ClaimStatus.MOSTLY_ACCURATE,
        ClaimStatus.MIXED,
        ClaimStatus.MISLEADING,
        ClaimStatus.MOSTLY_FALSE,
        ClaimStatus.FALSE,
        ClaimStatus.UNVERIFIABLE,
    }
)
"""Final verdicts: the statuses a ClaimReview can be published for."""
