"""What one check's result means: the outcome vocabulary and the classification rules."""

from __future__ import annotations

from tracker.enums import CheckOutcome
from tracker.http import FailureKind
from tracker.linkcheck.rot import BROKEN, INCONCLUSIVE, SUCCESS

__all__ = ["BROKEN", "INCONCLUSIVE", "SUCCESS", "classify_failure", "classify_status"]

_FAILURES = {
    FailureKind.TIMEOUT: CheckOutcome.TIMEOUT,
    FailureKind.UNREACHABLE: CheckOutcome.UNREACHABLE,
    FailureKind.PROTOCOL: CheckOutcome.UNREACHABLE,
    FailureKind.INVALID_URL: CheckOutcome.INVALID_URL,
    FailureKind.REDIRECT_LOOP: CheckOutcome.REDIRECT_LOOP,
    FailureKind.TOO_MANY_REDIRECTS: CheckOutcome.REDIRECT_LOOP,
}


def classify_failure(kind: FailureKind) -> CheckOutcome:
    """The outcome of a fetch that produced no response."""
    return _FAILURES[kind]


def classify_status(  # noqa: PLR0911 - one return per outcome reads as the table it is
    status: int, *, permanently_redirected: bool
) -> CheckOutcome:
    """The outcome of a final response (after redirects), before soft-404 detection.

    A 2xx reached through permanent redirects only is ``redirected`` (the citation should be
    updated); through any temporary hop it is ``ok`` (the cited URL is still the right one).
    Other 4xx (400, 405 after GET, 422...) mean the resource is not served: ``not_found``.
    """
    if 200 <= status < 400:
        return CheckOutcome.REDIRECTED if permanently_redirected else CheckOutcome.OK
    if status in (401, 403, 451):
        return CheckOutcome.BLOCKED
    if status == 429:
        return CheckOutcome.RATE_LIMITED
    if status == 408:
        return CheckOutcome.TIMEOUT
    if 400 <= status < 500:
        return CheckOutcome.NOT_FOUND
    if status >= 500:
        return CheckOutcome.SERVER_ERROR
    return CheckOutcome.UNREACHABLE
