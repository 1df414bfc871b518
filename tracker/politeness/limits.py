"""What one host allows: requests in flight and requests per second, and how long it rests.

The defaults are polite for the public web (``per_host_concurrency``, ``per_host_rate``); a
newsroom that knows a site takes more (its own, an agency's API) raises them per domain with
``per_domain_limits = "example.org=4/10"``: 4 in flight, 10 a second, on example.org and every
subdomain of it; the most specific domain wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:  # the settings validate overrides with this module
    from tracker.settings import Settings


@dataclass(frozen=True)
class HostLimits:
    concurrency: int
    rate: float

    @property
    def interval(self) -> float:
        """Seconds between two request starts on the host."""
        return 1.0 / self.rate


def parse_domain_limits(text: str) -> dict[str, HostLimits]:
    """``"example.org=4/10, b.example=1/0.5"`` as limits per domain; ValueError when malformed."""
    limits: dict[str, HostLimits] = {}
    for raw in text.replace(";", ",").split(","):
        part = raw.strip()
        if not part:
            continue
        domain, _, numbers = part.partition("=")
        concurrency, _, rate = numbers.partition("/")
        domain = domain.strip().lower().strip(".")
        try:
            limit = HostLimits(int(concurrency), float(rate))
        except ValueError:
            raise ValueError(
                f"{part!r} is not DOMAIN=CONCURRENCY/RATE (e.g. example.org=4/10)"
            ) from None
        if not domain or limit.concurrency < 1 or not limit.rate > 0:
            raise ValueError(f"{part!r}: a domain, a concurrency of 1 or more, a rate above 0")
        limits[domain] = limit
    return limits


@dataclass(frozen=True)
class Politeness:
    """The limits of every host and how long an answer may pause one."""

    default: HostLimits
    overrides: dict[str, HostLimits]
    pause_seconds: float
    max_pause_seconds: float

    @classmethod
    def from_settings(cls, settings: Settings) -> Politeness:
        return cls(
            HostLimits(settings.per_host_concurrency, settings.per_host_rate),
            parse_domain_limits(settings.per_domain_limits),
            settings.host_pause_seconds,
            settings.max_host_pause_seconds,
        )

    def limits_for(self, host_key: str) -> HostLimits:
        """The limits of ``host_key`` (an origin or a URL): its most specific domain's, else
        the defaults."""
        name = (urlsplit(host_key).hostname or "").lower().rstrip(".")
        labels = name.split(".")
        for start in range(len(labels)):
            found = self.overrides.get(".".join(labels[start:]))
            if found is not None:
                return found
        return self.default
