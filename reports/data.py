"""What an article report says, loaded once into typed plain objects every renderer shares.

The renderers never touch the database: :func:`build_article_report` reads one article with
its claims, sources, citations, links, check timelines and claim histories in a fixed number
of queries (``selectinload``, no N+1), and turns them into frozen dataclasses. The rules a
report applies (which state a link is shown in, which note is the latest, when a verdict was
given) live here, once.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from reports.credibility_data import DomainCredibility, credibility_of
from tracker.actors import is_system_name
from tracker.enums import VERDICTS, CheckOutcome, ClaimEventAction, ClaimStatus, LinkState
from tracker.errors import NotFound
from tracker.linkcheck.rot import outcome_class
from tracker.models import (
    Article,
    Citation,
    Claim,
    ClaimEvent,
    ClaimSource,
    Link,
    LinkCheck,
    Source,
    utcnow,
)
from tracker.ratings import BEST_RATING, WORST_RATING, rating_for
from tracker.settings import Settings
from tracker.urls import try_normalize_url

SCHEMA_VERSION = "1"

__all__ = ["SCHEMA_VERSION", "ArticleReport", "build_article_report", "outcome_class"]


@dataclass(frozen=True)
class RatingInfo:
    value: int | None
    name: str
    best: int = BEST_RATING
    worst: int = WORST_RATING


@dataclass(frozen=True)
class CheckEntry:
    checked_at: datetime
    outcome: CheckOutcome
    outcome_class: str
    http_status: int | None
    final_url: str | None
    error: str | None
    elapsed_ms: int | None


@dataclass(frozen=True)
class CaptureEntry:
    """Our own capture of a link (a WARC record in the capture store)."""

    id: int
    captured_at: datetime
    url: str
    http_status: int
    content_type: str | None
    payload_digest: str
    record_id: str
    """The WARC-Record-ID, a ``urn:uuid:`` URI naming the record in any export."""
    revisit: bool
    warc_file: str


@dataclass(frozen=True)
class LinkEntry:
    id: int
    url: str
    domain: str | None
    state: LinkState
    """The effective state: a reviewer's override, else the checker's."""
    checker_state: LinkState
    overridden: bool
    override_note: str | None
    last_outcome: CheckOutcome | None
    http_status: int | None
    final_url: str | None
    first_checked_at: datetime | None
    last_checked_at: datetime | None
    last_ok_at: datetime | None
    failing_since: datetime | None
    consecutive_failures: int
    content_changed: bool
    archive_url: str | None
    archive_timestamp: datetime | None
    archive_name: str | None
    """Which archive holds archive_url: "availability" or a Memento archive's name."""
    captures: tuple[CaptureEntry, ...]
    """Our own captures, oldest first."""
    checks: tuple[CheckEntry, ...]

    @property
    def capture(self) -> CaptureEntry | None:
        """Our latest capture: the page as we last saw it change."""
        return self.captures[-1] if self.captures else None

    @property
    def moved(self) -> bool:
        """Redirects ended elsewhere (a mere respelling of the same URL does not count)."""
        if not self.final_url:
            return False
        return (try_normalize_url(self.final_url) or self.final_url) != self.url


@dataclass(frozen=True)
class SourceEntry:
    """One claim relying on one cited link (or on a citation that has no link)."""

    id: int
    link: LinkEntry | None
    citation_position: int | None
    anchor_text: str | None
    raw_url: str | None
    evidence: str | None
    evidence_found: bool | None
    evidence_checked_at: datetime | None
    found_passage: str | None
    """Where the evidence was last found on the page, kept after the page changes or dies."""
    found_at: datetime | None
    found_capture_id: int | None
    """Our capture of the page the passage was read from."""

    @property
    def evidence_label(self) -> str:
        if self.evidence_found is None:
            return "not checked" if self.evidence else "none recorded"
        return "found" if self.evidence_found else "missing"


@dataclass(frozen=True)
class EventEntry:
    at: datetime
    actor: str
    action: ClaimEventAction
    old_status: ClaimStatus | None
    new_status: ClaimStatus | None
    note: str | None
    version: int


@dataclass(frozen=True)
class ClaimEntry:
    id: int
    position: int | None
    text: str
    kind: str
    figures: tuple[Any, ...]
    score: float
    status: ClaimStatus
    rating: RatingInfo | None
    needs_rereview: bool
    version: int
    latest_note: str | None
    verdict_at: datetime | None
    verdict_by: str | None
    sources: tuple[SourceEntry, ...]
    history: tuple[EventEntry, ...]

    @property
    def has_verdict(self) -> bool:
        return self.status in VERDICTS


@dataclass(frozen=True)
class CitationEntry:
    id: int
    position: int
    anchor_text: str
    sentence: str
    raw_url: str | None
    link_id: int | None

    @property
    def resolved(self) -> bool:
        return self.link_id is not None


@dataclass(frozen=True)
class ArticleInfo:
    id: int
    url: str | None
    title: str | None
    authors: tuple[str, ...]
    site_name: str | None
    domain: str | None
    published_at: datetime | None
    fetched_at: datetime | None
    input_name: str | None

    @property
    def display_title(self) -> str:
        return self.title or self.url or self.input_name or f"Article {self.id}"


@dataclass(frozen=True)
class Summary:
    claims_total: int
    claims_by_status: dict[str, int]
    verdicts: int
    needs_rereview: int
    links_total: int
    links_by_state: dict[str, int]
    links_content_changed: int
    evidence_found: int
    evidence_missing: int
    evidence_unchecked: int
    citations_total: int
    citations_unresolved: int


@dataclass(frozen=True)
class TextSegment:
    """A run of the article's text; ``claim_id`` when the run is that claim's sentence."""

    text: str
    claim_id: int | None


@dataclass(frozen=True)
class ArticleReport:
    schema_version: str
    generated_at: datetime
    article: ArticleInfo
    summary: Summary
    claims: tuple[ClaimEntry, ...]
    links: tuple[LinkEntry, ...]
    citations: tuple[CitationEntry, ...]
    credibility: dict[str, DomainCredibility]
    """The publisher's and every cited domain's explained score, by registrable domain."""
    text: tuple[TextSegment, ...]
    """The article's text with each claim it contains marked, in reading order."""

    @property
    def publisher(self) -> DomainCredibility | None:
        """The publishing domain's record; None for an article without one (a pasted file)."""
        domain = self.article.domain
        return self.credibility.get(domain) if domain else None

    def credibility_for(self, link: LinkEntry | None) -> DomainCredibility | None:
        """The cited domain's record next to a source (None without a link or a domain)."""
        if link is None or link.domain is None:
            return None
        return self.credibility.get(link.domain)

    @property
    def cited_domains(self) -> tuple[DomainCredibility, ...]:
        """Domains the article's links point to, by domain name."""
        domains = {link.domain for link in self.links if link.domain}
        return tuple(
            self.credibility[domain] for domain in sorted(domains) if domain in self.credibility
        )

    @property
    def unresolved_citations(self) -> tuple[CitationEntry, ...]:
        return tuple(citation for citation in self.citations if not citation.resolved)


def build_article_report(
    session: Session, article_id: int, settings: Settings, *, now: datetime | None = None
) -> ArticleReport:
    """Everything a report shows about one article; NotFound for an unknown id.

    ``settings`` carries the credibility weights: the publisher's and the cited domains'
    scores are computed together, in the fixed number of queries ``score_domains`` takes.
    """
    article = session.scalar(
        select(Article)
        .where(Article.id == article_id, Article.deleted_at.is_(None))
        .options(
            selectinload(Article.source),
            selectinload(Article.citations).selectinload(Citation.link).options(*_LINK_LOADS),
            selectinload(Article.claims).options(
                selectinload(Claim.sources).options(
                    selectinload(ClaimSource.citation),
                    selectinload(ClaimSource.link).options(*_LINK_LOADS),
                ),
                selectinload(Claim.events),
            ),
        )
    )
    if article is None:
        raise NotFound("article", article_id)
    links: dict[int, LinkEntry] = {}
    for citation in article.citations:
        if citation.link is not None:
            _link_entry(citation.link, links)
    for claim in article.claims:
        for claim_source in claim.sources:
            if claim_source.link is not None:
                _link_entry(claim_source.link, links)
    claims = tuple(_claim_entry(claim, links) for claim in article.claims)
    citations = tuple(
        CitationEntry(
            id=citation.id,
            position=citation.position,
            anchor_text=citation.anchor_text,
            sentence=citation.sentence,
            raw_url=citation.raw_url,
            link_id=citation.link_id,
        )
        for citation in article.citations
    )
    link_entries = tuple(sorted(links.values(), key=lambda entry: entry.id))
    display_names = {
        source.domain: source.display_name
        for source in [article.source, *_link_sources(article)]
        if source is not None
    }
    return ArticleReport(
        schema_version=SCHEMA_VERSION,
        generated_at=now or utcnow(),
        article=ArticleInfo(
            id=article.id,
            url=article.url,
            title=article.title,
            authors=tuple(str(author) for author in article.authors or ()),
            site_name=article.site_name,
            domain=article.source.domain if article.source else None,
            published_at=article.published_at,
            fetched_at=article.fetched_at,
            input_name=article.input_name,
        ),
        summary=_summary(claims, link_entries, citations),
        claims=claims,
        links=link_entries,
        citations=citations,
        credibility=credibility_of(session, settings, display_names),
        text=highlight(article.text or "", claims),
    )


def highlight(text: str, claims: tuple[ClaimEntry, ...]) -> tuple[TextSegment, ...]:
    """``text`` cut into runs, each claim's sentence its own run (overlaps and claims the text
    no longer holds are left unmarked)."""
    segments: list[TextSegment] = []
    done = 0
    placed = sorted((c for c in claims if c.position is not None), key=lambda c: c.position or 0)
    for claim in placed:
        start = text.find(claim.text, max(done, (claim.position or 0) - len(claim.text)))
        if start < done:
            continue
        if start > done:
            segments.append(TextSegment(text[done:start], None))
        end = start + len(claim.text)
        segments.append(TextSegment(text[start:end], claim.id))
        done = end
    if done < len(text):
        segments.append(TextSegment(text[done:], None))
    return tuple(segments)


def _link_sources(article: Article) -> list[Source | None]:
    """The (already loaded) sources of every link the article cites or its claims rely on."""
    links = [citation.link for citation in article.citations]
    links += [source.link for claim in article.claims for source in claim.sources]
    return [link.source for link in links if link is not None]


_LINK_LOADS = (selectinload(Link.source), selectinload(Link.checks), selectinload(Link.captures))


def _link_entry(link: Link, seen: dict[int, LinkEntry]) -> LinkEntry:
    if link.id not in seen:
        seen[link.id] = link_entry(link)
    return seen[link.id]


def link_entry(link: Link, checks: list[LinkCheck] | None = None) -> LinkEntry:
    """A link as reports show it (``checks`` defaults to the loaded timeline)."""
    timeline = link.checks if checks is None else checks
    return LinkEntry(
        id=link.id,
        url=link.url,
        domain=link.source.domain if link.source else None,
        state=link.effective_state,
        checker_state=link.state,
        overridden=link.override_state is not None,
        override_note=link.override_note if link.override_state else None,
        last_outcome=link.last_outcome,
        http_status=link.http_status,
        final_url=link.final_url,
        first_checked_at=link.first_checked_at,
        last_checked_at=link.last_checked_at,
        last_ok_at=link.last_ok_at,
        failing_since=link.failing_since,
        consecutive_failures=link.consecutive_failures,
        content_changed=link.content_changed,
        archive_url=link.archive_url,
        archive_timestamp=link.archive_timestamp,
        archive_name=link.archive_name,
        captures=tuple(
            CaptureEntry(
                id=capture.id,
                captured_at=capture.captured_at,
                url=capture.url,
                http_status=capture.http_status,
                content_type=capture.content_type,
                payload_digest=capture.payload_digest,
                record_id=capture.record_id.strip("<>"),
                revisit=capture.revisit_of is not None,
                warc_file=capture.warc_file,
            )
            for capture in link.captures
        ),
        checks=tuple(
            CheckEntry(
                checked_at=check.checked_at,
                outcome=check.outcome,
                outcome_class=outcome_class(check.outcome),
                http_status=check.http_status,
                final_url=check.final_url,
                error=check.error,
                elapsed_ms=check.elapsed_ms,
            )
            for check in sorted(timeline, key=lambda check: (check.checked_at, check.id))
        ),
    )


def _claim_entry(claim: Claim, links: dict[int, LinkEntry]) -> ClaimEntry:
    events = sorted(claim.events, key=lambda event: event.id)
    rating = rating_for(claim.status)
    verdict_event = _verdict_event(claim.status, events)
    # A reviewer's reasoning, not the checker's or the extractor's notes.
    latest_note = next(
        (e.note for e in reversed(events) if e.note and not is_system_name(e.actor)), None
    )
    return ClaimEntry(
        id=claim.id,
        position=claim.position,
        text=claim.text,
        kind=claim.kind.value,
        figures=tuple(claim.figures or ()),
        score=claim.score,
        status=claim.status,
        rating=RatingInfo(rating.value, rating.name) if rating else None,
        needs_rereview=claim.needs_rereview,
        version=claim.version,
        latest_note=latest_note,
        verdict_at=verdict_event.created_at if verdict_event else None,
        verdict_by=verdict_event.actor if verdict_event else None,
        sources=tuple(
            SourceEntry(
                id=claim_source.id,
                link=links.get(claim_source.link_id) if claim_source.link_id else None,
                citation_position=claim_source.citation.position if claim_source.citation else None,
                anchor_text=claim_source.citation.anchor_text if claim_source.citation else None,
                raw_url=claim_source.citation.raw_url if claim_source.citation else None,
                evidence=claim_source.evidence,
                evidence_found=claim_source.evidence_found,
                evidence_checked_at=claim_source.evidence_checked_at,
                found_passage=claim_source.found_passage,
                found_at=claim_source.found_at,
                found_capture_id=claim_source.found_capture_id,
            )
            for claim_source in claim.sources
        ),
        history=tuple(
            EventEntry(
                at=event.created_at,
                actor=event.actor,
                action=event.action,
                old_status=event.old_status,
                new_status=event.new_status,
                note=event.note,
                version=event.version,
            )
            for event in events
        ),
    )


def _verdict_event(status: ClaimStatus, events: list[ClaimEvent]) -> ClaimEvent | None:
    """The event that gave the claim its current final verdict (None without one)."""
    if status not in VERDICTS:
        return None
    return next((event for event in reversed(events) if event.new_status == status), None)


def _summary(
    claims: tuple[ClaimEntry, ...],
    links: tuple[LinkEntry, ...],
    citations: tuple[CitationEntry, ...],
) -> Summary:
    by_status = Counter(claim.status.value for claim in claims)
    by_state = Counter(link.state.value for link in links)
    evidence = Counter(source.evidence_found for claim in claims for source in claim.sources)
    return Summary(
        claims_total=len(claims),
        claims_by_status={status.value: by_status[status.value] for status in ClaimStatus},
        verdicts=sum(1 for claim in claims if claim.has_verdict),
        needs_rereview=sum(1 for claim in claims if claim.needs_rereview),
        links_total=len(links),
        links_by_state={state.value: by_state[state.value] for state in LinkState},
        links_content_changed=sum(1 for link in links if link.content_changed),
        evidence_found=evidence[True],
        evidence_missing=evidence[False],
        evidence_unchecked=evidence[None],
        citations_total=len(citations),
        citations_unresolved=sum(1 for citation in citations if not citation.resolved),
    )
