"""Which answers the checker keeps a copy of: captures on, within the caps, new or changed.

A live page is captured when it was never captured, or when its content changed since its
last capture (the main-text fingerprint comparison behind ``content_changed``): an unchanged
page checked any number of times is stored once.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from tracker.http import FetchResult
from tracker.linkcheck.content import same_text
from tracker.settings import Settings


def content_types(settings: Settings) -> tuple[str, ...]:
    return tuple(
        part.strip().lower() for part in settings.capture_content_types.split(",") if part.strip()
    )


def skipped_domains(settings: Settings) -> tuple[str, ...]:
    return tuple(
        part.strip().lower().strip(".")
        for part in settings.capture_skip_domains.split(",")
        if part.strip()
    )


def wants_capture(
    settings: Settings,
    response: FetchResult,
    fingerprint: str | None,
    last_capture: str | None,
    *,
    captured_before: bool,
) -> bool:
    """Whether to keep this answer: captures on, within the caps, and new or changed content.

    ``last_capture`` is the fingerprint of the link's latest capture; ``captured_before``
    whether it has one at all.
    """
    exchange = response.exchange
    if not settings.capture or exchange is None or response.truncated:
        return False
    if len(exchange.raw_body) > settings.capture_max_bytes:
        return False
    kind = response.content_type
    if not any(
        kind == t or (t.endswith("/") and kind.startswith(t)) for t in content_types(settings)
    ):
        return False
    if in_domains(response.final_url, skipped_domains(settings)):
        return False
    if not captured_before:
        return True
    return not (fingerprint and last_capture and same_text(last_capture, fingerprint))


def in_domains(url: str, domains: tuple[str, ...]) -> bool:
    """Whether ``url``'s host is one of ``domains`` or under one of them."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return any(host == domain or host.endswith(f".{domain}") for domain in domains)
