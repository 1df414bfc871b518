"""One link, checked: the HEAD/GET policy, retries, soft-404s, fingerprint and evidence.

Nothing here touches the database: a :class:`LinkJob` (a snapshot of what the check needs)
goes in, a :class:`CheckResult` comes out, so the network part runs without holding a session.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tracker.archives.lookup import find_copy
from tracker.archives.saving import request_saves
from tracker.captures.policy import wants_capture
from tracker.enums import CheckOutcome
from tracker.http import Exchange, FailureKind, Fetcher, FetchFailure, FetchResult
from tracker.linkcheck import archive
from tracker.linkcheck.judging import EvidenceSpecs, PageJudge, PageReading
from tracker.linkcheck.outcomes import SUCCESS, classify_failure, classify_status
from tracker.linkcheck.retry import RetryPolicy
from tracker.linkcheck.soft404 import (
    ProbeAnswer,
    ProbeCache,
    origin_of,
    probe_url,
    resembles_probe,
    signals,
)
from tracker.settings import Settings

log = logging.getLogger(__name__)
HEAD_REFUSED = frozenset({400, 403, 404, 405, 406, 500, 501})
"""HEAD answers that servers often give to HEAD alone: confirm them with a GET."""
PROBE_MAX_BYTES = 512 * 1024
MAX_STORED_LENGTH = 2**31 - 1
"""link_checks.content_length is a 32-bit INTEGER on PostgreSQL."""
SHARED_PROBES = ProbeCache()
"""Probes outlive a batch: the scheduler checks a host's links over many batches."""


@dataclass(frozen=True)
class Evidence:
    claim_source_id: int
    claim_id: int
    text: str
    checked: bool
    spec: dict[str, Any] | None = None


@dataclass(frozen=True)
class LinkJob:
    """What one check needs to know about a link, read before the network part."""

    id: int
    url: str
    etag: str | None = None
    last_modified: str | None = None
    fingerprint: str | None = None
    last_ok: bool = False
    non_html: bool = False
    evidence: tuple[Evidence, ...] = ()
    archive_due: bool = False
    published_at: datetime | None = None
    first_check: bool = False
    capture_id: int | None = None
    """The link's latest capture (ours), and its main-text fingerprint."""
    capture_fingerprint: str | None = None

    @property
    def host(self) -> str:
        return origin_of(self.url)

    @property
    def needs_content(self) -> bool:
        """GET for pages (fingerprint, soft-404 signals, evidence); HEAD for known binaries."""
        return not self.non_html or any(item.text for item in self.evidence)

    @property
    def conditional(self) -> bool:
        """Ask for a 304 only when nothing new must be read from the page."""
        return (
            self.last_ok
            and self.fingerprint is not None
            and bool(self.etag or self.last_modified)
            and all(item.checked for item in self.evidence if item.text)
        )


@dataclass
class CheckResult:
    link_id: int
    outcome: CheckOutcome
    http_status: int | None = None
    final_url: str | None = None
    redirect_chain: list[dict[str, Any]] = field(default_factory=list)
    elapsed_ms: int | None = None
    error: str | None = None
    content_type: str | None = None
    content_length: int | None = None
    fingerprint: str | None = None
    soft_404: bool = False
    not_modified: bool = False
    evidence: list[dict[str, Any]] = field(default_factory=list)
    etag: str | None = None
    last_modified: str | None = None
    attempts: int = 1
    retry_after: str | None = None
    archive: archive.Snapshot | None = None
    archive_looked_up: bool = False
    exchange: Exchange | None = None
    """The answer as received, when it is to be captured (written with the result)."""
    capture_id: int | None = None
    """Our capture of the page as this check read it (the latest one, or the new one)."""


class Checker:
    """Checks links with one Fetcher; shares soft-404 probes across checks and batches.

    Pages are read (parsed, fingerprinted, searched for evidence) by a :class:`PageJudge`,
    off the event loop; the network part never waits behind a page being parsed.
    """

    def __init__(
        self,
        fetcher: Fetcher,
        settings: Settings,
        probes: ProbeCache | None = None,
        judge: PageJudge | None = None,
        paused_for: Callable[[str], float] | None = None,
    ) -> None:
        self.fetcher = fetcher
        self.paused_for = paused_for or (lambda _host: 0.0)
        self.settings = settings
        self.retry = RetryPolicy.from_settings(settings)
        self.probes = probes or SHARED_PROBES
        self.judge = judge or PageJudge(settings.page_judging, settings.page_workers)

    async def check(self, job: LinkJob) -> CheckResult:
        """Check ``job`` with retries (the archive follow-up is :meth:`follow_up`)."""
        attempt = 0
        while True:
            result = await self.attempt(job)
            if not self.retry.should_retry(result.outcome, attempt):
                break
            if self.paused_for(job.host) > self.retry.max_retry_after:
                break  # the host asked for a longer rest: the link waits for its next check
            await asyncio.sleep(self.retry.delay(attempt, result.retry_after))
            attempt += 1
        result.attempts = attempt + 1
        return result

    async def follow_up(self, job: LinkJob, result: CheckResult) -> None:
        """Look up an archive copy of a failing link, or ask to save a new one.

        Kept apart from :meth:`check` so that a slow archive never runs into the check's
        deadline: the link's outcome stands whatever the archive does (each archive request
        has its own time limit in the fetcher).
        """
        if job.archive_due and result.outcome not in SUCCESS:
            try:
                result.archive = await find_copy(
                    self.fetcher, self.settings, job.url, job.published_at
                )
                result.archive_looked_up = True
            except archive.ArchiveUnavailable as exc:
                log.info("%s", exc)  # looked up again at the next failing check
        if job.first_check and result.outcome in SUCCESS and self.settings.archive_save:
            await request_saves(self.fetcher, self.settings, job.url)

    async def attempt(self, job: LinkJob) -> CheckResult:
        method = "GET" if job.needs_content else "HEAD"
        headers: dict[str, str] = {}
        if method == "GET" and job.conditional:
            if job.etag:
                headers["If-None-Match"] = job.etag
            if job.last_modified:
                headers["If-Modified-Since"] = job.last_modified
        try:
            response = await self._first_answer(job.url, method, headers)
            if response is None or (method == "HEAD" and response.status in HEAD_REFUSED):
                method = "GET"
                response = await self.fetcher.fetch(job.url)
        except FetchFailure as failure:
            return CheckResult(
                job.id,
                classify_failure(failure.kind),
                http_status=failure.redirects[-1].status if failure.redirects else None,
                redirect_chain=_chain(failure.redirects),
                elapsed_ms=failure.elapsed_ms,
                error=failure.message,
            )
        return await self._judge(job, response, read=method == "GET")

    async def _first_answer(
        self, url: str, method: str, headers: dict[str, str]
    ) -> FetchResult | None:
        """The answer to ``method``; None when a HEAD got a malformed answer (ask with GET)."""
        try:
            return await self.fetcher.fetch(url, method=method, headers=headers)
        except FetchFailure as failure:
            if method == "HEAD" and failure.kind is FailureKind.PROTOCOL:
                return None
            raise

    async def _judge(self, job: LinkJob, response: FetchResult, *, read: bool) -> CheckResult:
        outcome = classify_status(
            response.status, permanently_redirected=response.permanently_redirected
        )
        result = CheckResult(
            job.id,
            outcome,
            http_status=response.status,
            final_url=response.final_url,
            redirect_chain=_chain(response.redirects),
            elapsed_ms=response.elapsed_ms,
            content_type=response.content_type or None,
            content_length=len(response.body) if read else _declared_length(response),
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
            retry_after=response.headers.get("retry-after"),
            capture_id=job.capture_id,
        )
        if outcome not in SUCCESS:
            result.error = f"HTTP {response.status}"
            return result
        if response.status == 304:
            result.not_modified = True
            result.fingerprint = job.fingerprint
            result.etag = result.etag or job.etag
            result.last_modified = result.last_modified or job.last_modified
            return result
        if not read:
            return result
        evidence = tuple(item for item in job.evidence if item.text)
        reading = await self._read(response, tuple(item.spec for item in evidence))
        result.fingerprint = reading.fingerprint
        reason = signals(
            job.url,
            response.final_url,
            redirected=bool(response.redirects),
            title=reading.title,
            headings=reading.headings,
        )
        if reason is None and reading.text and response.is_html:
            probe = await self.probes.get(origin_of(response.final_url), self._probe)
            if resembles_probe(job.url, response.final_url, result.fingerprint, probe):
                reason = "answers like a path that cannot exist on the same host"
        if reason is not None:
            result.outcome = CheckOutcome.SOFT_404
            result.soft_404 = True
            result.error = f"soft 404: {reason}"
            return result
        if wants_capture(
            self.settings,
            response,
            result.fingerprint,
            job.capture_fingerprint,
            captured_before=job.capture_id is not None,
        ):
            result.exchange = response.exchange
        if reading.text:
            result.evidence = [
                {
                    "claim_source_id": item.claim_source_id,
                    "claim_id": item.claim_id,
                    "evidence": item.text,
                    "found": match.found,
                    "state": match.state,
                    "passage": match.passage,
                }
                for item, match in zip(evidence, reading.matches, strict=True)
            ]
        return result

    async def _read(self, response: FetchResult, evidence: EvidenceSpecs) -> PageReading:
        """The page's reading, from the judge (documents) or a hash (anything else)."""
        text = response.is_html or response.content_type.startswith("text/")
        return await self.judge.read(
            response.body,
            response.declared_charset,
            html=response.is_html,
            text=text,
            evidence=evidence if text else (),
        )

    async def _probe(self, origin: str) -> ProbeAnswer | None:
        try:
            response = await self.fetcher.fetch(probe_url(origin), max_bytes=PROBE_MAX_BYTES)
        except FetchFailure as failure:
            log.info("soft-404 probe of %s failed: %s", origin, failure)
            return None
        fingerprint = None
        title = ""
        if response.is_html:
            reading = await self._read(response, ())
            title, fingerprint = reading.title, reading.fingerprint
        return ProbeAnswer(response.status, response.final_url, title, fingerprint)


def _chain(redirects: list[Any]) -> list[dict[str, Any]]:
    return [{"url": hop.url, "status": hop.status, "location": hop.location} for hop in redirects]


def _declared_length(response: FetchResult) -> int | None:
    value = (response.headers.get("content-length") or "").strip()
    # isdigit() alone accepts "²": only ASCII digits are a length (and one the column holds).
    if not (value.isascii() and value.isdigit() and len(value) <= 10):
        return None
    return int(value) if int(value) <= MAX_STORED_LENGTH else None
