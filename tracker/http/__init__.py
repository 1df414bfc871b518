"""The shared HTTP layer: SSRF-guarded, size-capped, redirect-recording fetches."""

from tracker.http.client import (
    PERMANENT_REDIRECTS,
    REDIRECT_STATUSES,
    FailureKind,
    Fetcher,
    FetchFailure,
    FetchResult,
    Hop,
    fetch_sync,
)
from tracker.http.guard import BlockedAddress, is_public_address

__all__ = [
    "PERMANENT_REDIRECTS",
    "REDIRECT_STATUSES",
    "BlockedAddress",
    "FailureKind",
    "FetchFailure",
    "FetchResult",
    "Fetcher",
    "Hop",
    "fetch_sync",
    "is_public_address",
]
