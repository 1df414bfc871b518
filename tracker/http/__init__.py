"""The shared HTTP layer: SSRF-guarded, size-capped, redirect-recording fetches on aiohttp."""

from typing import TYPE_CHECKING

from tracker.lazy import lazy_exports

if TYPE_CHECKING:
    from tracker.http.client import (
        PERMANENT_REDIRECTS,
        REDIRECT_STATUSES,
        Exchange,
        Fetcher,
        FetchFailure,
        FetchResult,
        Hop,
        fetch_sync,
    )
    from tracker.http.guard import BlockedAddress, is_public_address
    from tracker.http.transport import FailureKind

__all__ = [
    "PERMANENT_REDIRECTS",
    "REDIRECT_STATUSES",
    "BlockedAddress",
    "Exchange",
    "FailureKind",
    "FetchFailure",
    "FetchResult",
    "Fetcher",
    "Hop",
    "fetch_sync",
    "is_public_address",
]
__getattr__ = lazy_exports(
    __name__,
    {
        **dict.fromkeys(__all__, "tracker.http.client"),
        "BlockedAddress": "tracker.http.guard",
        "is_public_address": "tracker.http.guard",
        "FailureKind": "tracker.http.transport",
    },
)
