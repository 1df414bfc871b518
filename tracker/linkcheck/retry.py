"""The retry policy, in one place (as lychee's ``retry.rs``): what retries, how often, how long.

Timeouts, 5xx and 429 are retried with exponential backoff; a server's ``Retry-After`` (seconds
or an HTTP date) is honoured up to ``max_retry_after`` so one server cannot park a worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from tracker.enums import CheckOutcome
from tracker.settings import Settings

RETRYABLE = frozenset({CheckOutcome.TIMEOUT, CheckOutcome.SERVER_ERROR, CheckOutcome.RATE_LIMITED})


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int
    backoff: float
    max_retry_after: float

    @classmethod
    def from_settings(cls, settings: Settings) -> RetryPolicy:
        return cls(settings.max_retries, settings.retry_backoff, settings.max_retry_after)

    def should_retry(self, outcome: CheckOutcome, attempt: int) -> bool:
        """Whether attempt number ``attempt`` (0 = the first) may be followed by another."""
        return outcome in RETRYABLE and attempt < self.max_retries

    def delay(self, attempt: int, retry_after: str | None = None) -> float:
        """Seconds to wait before the retry after attempt ``attempt``."""
        backoff = float(self.backoff * 2**attempt)
        asked = parse_retry_after(retry_after)
        if asked is None:
            return backoff
        return float(min(max(asked, backoff), self.max_retry_after))

    def budget(self, timeout: float) -> float:
        """The longest a link's check may take with every retry: its hard deadline."""
        waits = float(
            sum(min(self.backoff * 2**n, self.max_retry_after) for n in range(self.max_retries))
        )
        waits = max(waits, self.max_retry_after * self.max_retries)
        # Each attempt may take a HEAD and a GET.
        return float((self.max_retries + 1) * 2 * timeout + waits + 1.0)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or HTTP-date); None if unusable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        # isdigit() also accepts "²" and "٣": only ASCII digits are delta-seconds.
        return float(value) if value.isascii() else None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
