"""A domain's own track record in our checks, computed with a handful of GROUP BY queries.

Definitions (also in the README):

- *effective state* of a link (``Link.effective_state``): its reviewer override when set,
  else the checker's state.
- *checked links*: links whose effective state is not ``unchecked``.
- *link-rot rate*: rotten links / links that count, as :mod:`tracker.linkcheck.rot` defines
  them (a link whose last check was broken is rotten, confirmed dead or not).
- *evidence share*: claim sources on the domain's links whose evidence was found on the page,
  over those whose evidence was checked at all (``evidence_found`` not null).
- *verdicts cited*: claims that relied on one of the domain's links (claim sources), counted
  once per claim and status. *Verdicts published*: claims in articles the domain published.
- *verdict balance*: the mean of those verdicts on the ClaimReview scale of
  :mod:`tracker.ratings` mapped to 0..1 (false 0 ... accurate 1); unverifiable and workflow
  states have no place on it and are left out.

Every figure is one aggregate query over all domains (or the ones asked for), so listing
thousands of domains costs the same handful of queries as one.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Select, case, distinct, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from tracker.enums import ClaimStatus, LinkState
from tracker.linkcheck import rot
from tracker.models import Article, Citation, Claim, ClaimSource, Link, Source
from tracker.ratings import BEST_RATING, WORST_RATING, rating_for

RowT = TypeVar("RowT", bound=tuple[Any, ...])

CHECKED_STATES = (LinkState.ALIVE, LinkState.AT_RISK, LinkState.DEAD)


def verdict_value(status: ClaimStatus) -> float | None:
    """A verdict on 0..1 (false 0, accurate 1); None when it has no place on the scale."""
    rating = rating_for(status)
    if rating is None or rating.value is None:
        return None
    return (rating.value - WORST_RATING) / (BEST_RATING - WORST_RATING)


def verdict_balance(verdicts: dict[ClaimStatus, int]) -> tuple[float | None, int]:
    """(mean verdict on 0..1, number of verdicts it rests on) for status counts."""
    total = 0.0
    count = 0
    for status, n in verdicts.items():
        value = verdict_value(status)
        if value is not None:
            total += value * n
            count += n
    return (total / count if count else None), count


@dataclass
class TrackRecord:
    """What our own checks say about one domain."""

    source_id: int
    domain: str
    ignore_failures: bool = False
    articles: int = 0
    citations: int = 0
    links: dict[LinkState, int] = field(default_factory=dict)
    rotten_links: int = 0
    counted_links: int = 0
    evidence_checked: int = 0
    evidence_found: int = 0
    verdicts_cited: dict[ClaimStatus, int] = field(default_factory=dict)
    verdicts_published: dict[ClaimStatus, int] = field(default_factory=dict)

    @property
    def link_count(self) -> int:
        return sum(self.links.values())

    @property
    def checked_links(self) -> int:
        return sum(self.links.get(state, 0) for state in CHECKED_STATES)

    @property
    def dead_links(self) -> int:
        return self.links.get(LinkState.DEAD, 0)

    @property
    def rot_rate(self) -> float | None:
        """Rotten / counted links (:mod:`tracker.linkcheck.rot`); None when none counts."""
        return rot.rate(self.rotten_links, self.counted_links)

    @property
    def evidence_share(self) -> float | None:
        """Evidence found / evidence checked; None when no evidence was checked."""
        if not self.evidence_checked:
            return None
        return self.evidence_found / self.evidence_checked

    def to_dict(self) -> dict[str, object]:
        cited_balance, cited_n = verdict_balance(self.verdicts_cited)
        published_balance, published_n = verdict_balance(self.verdicts_published)
        return {
            "domain": self.domain,
            "articles": self.articles,
            "citations": self.citations,
            "links": {state.value: self.links.get(state, 0) for state in LinkState},
            "checked_links": self.checked_links,
            "dead_links": self.dead_links,
            "rotten_links": self.rotten_links,
            "counted_links": self.counted_links,
            "rot_rate": self.rot_rate,
            "ignore_failures": self.ignore_failures,
            "evidence_checked": self.evidence_checked,
            "evidence_found": self.evidence_found,
            "evidence_share": self.evidence_share,
            "verdicts_cited": _status_counts(self.verdicts_cited),
            "verdict_balance_cited": cited_balance,
            "verdicts_cited_rated": cited_n,
            "verdicts_published": _status_counts(self.verdicts_published),
            "verdict_balance_published": published_balance,
            "verdicts_published_rated": published_n,
        }


def _status_counts(counts: dict[ClaimStatus, int]) -> dict[str, int]:
    return {status.value: counts[status] for status in ClaimStatus if counts.get(status)}


def track_records(
    session: Session, domains: Collection[str] | None = None
) -> dict[str, TrackRecord]:
    """The track record of every source (or of ``domains``), keyed by registrable domain."""
    sources = select(Source.id, Source.domain, Source.ignore_failures)
    if domains is not None:
        sources = sources.where(Source.domain.in_(list(domains)))
    records = {
        source_id: TrackRecord(source_id, domain, bool(ignore))
        for source_id, domain, ignore in session.execute(sources)
    }
    if not records:
        return {}
    wanted = None if domains is None else list(records)

    for source_id, count in session.execute(
        _only(
            select(Article.source_id, func.count()).where(Article.deleted_at.is_(None)),
            Article.source_id,
            wanted,
        ).group_by(Article.source_id)
    ):
        records[source_id].articles = count

    citations = select(Link.source_id, func.count(Citation.id)).join(
        Link, Citation.link_id == Link.id
    )
    for source_id, count in session.execute(
        _only(citations, Link.source_id, wanted).group_by(Link.source_id)
    ):
        records[source_id].citations = count

    state = Link.effective_state
    rotten = func.sum(case((rot.rotten_sql(), 1), else_=0))
    counted = func.sum(case((rot.counted_sql(), 1), else_=0))
    links = select(Link.source_id, state, func.count(), rotten, counted)
    for source_id, link_state, count, rotten_count, counted_count in session.execute(
        _only(links, Link.source_id, wanted).group_by(Link.source_id, state)
    ):
        current = LinkState(link_state)
        record = records[source_id]
        record.links[current] = record.links.get(current, 0) + count
        record.rotten_links += int(rotten_count or 0)
        record.counted_links += int(counted_count or 0)

    found = func.sum(case((ClaimSource.evidence_found.is_(True), 1), else_=0))
    evidence = (
        select(Link.source_id, func.count(ClaimSource.evidence_found), found)
        .join(Link, ClaimSource.link_id == Link.id)
        .where(ClaimSource.evidence_found.is_not(None))
    )
    for source_id, checked, found_count in session.execute(
        _only(evidence, Link.source_id, wanted).group_by(Link.source_id)
    ):
        records[source_id].evidence_checked = checked
        records[source_id].evidence_found = int(found_count or 0)

    cited = (
        select(Link.source_id, Claim.status, func.count(distinct(Claim.id)))
        .select_from(ClaimSource)
        .join(Link, ClaimSource.link_id == Link.id)
        .join(Claim, ClaimSource.claim_id == Claim.id)
    )
    for source_id, status, count in session.execute(
        _only(cited, Link.source_id, wanted).group_by(Link.source_id, Claim.status)
    ):
        records[source_id].verdicts_cited[ClaimStatus(status)] = count

    published = (
        select(Article.source_id, Claim.status, func.count(Claim.id))
        .join(Article, Claim.article_id == Article.id)
        .where(Article.deleted_at.is_(None))
    )
    for source_id, status, count in session.execute(
        _only(published, Article.source_id, wanted).group_by(Article.source_id, Claim.status)
    ):
        records[source_id].verdicts_published[ClaimStatus(status)] = count

    return {record.domain: record for record in records.values()}


def _only(
    query: Select[RowT], column: InstrumentedAttribute[int | None], source_ids: list[int] | None
) -> Select[RowT]:
    """Restrict ``query`` to the wanted sources, and to rows that have a source at all."""
    if source_ids is None:
        return query.where(column.is_not(None))
    return query.where(column.in_(source_ids))
