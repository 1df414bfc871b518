"""The link-rot report across all articles: what is dead or at risk, where, and the trend.

Loaded in a fixed number of queries: state counts, the rotten links with their sources and
citing articles, the claims citing them, and the (link, time, outcome) columns of recent checks
for the weekly rot rate.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from reports.data import SCHEMA_VERSION, LinkEntry, link_entry
from tracker.enums import CheckOutcome, LinkState
from tracker.linkcheck import rot
from tracker.models import Article, Citation, Claim, ClaimSource, Link, LinkCheck, utcnow

DEFAULT_WEEKS = 26


@dataclass(frozen=True)
class ArticleRef:
    id: int
    title: str | None
    url: str | None

    @property
    def display_title(self) -> str:
        return self.title or self.url or f"Article {self.id}"


@dataclass(frozen=True)
class RottenLink:
    link: LinkEntry
    articles: tuple[ArticleRef, ...]


@dataclass(frozen=True)
class DomainGroup:
    domain: str
    links: tuple[RottenLink, ...]


@dataclass(frozen=True)
class ArticleGroup:
    article: ArticleRef
    links: tuple[RottenLink, ...]


@dataclass(frozen=True)
class WeekRate:
    """Links whose last check in the week failed, over links checked conclusively that week
    (the rot rule of :mod:`tracker.linkcheck.rot`, applied to that week's last checks)."""

    week_start: date
    links_checked: int
    links_failing: int
    links_inconclusive: int

    @property
    def rate(self) -> float | None:
        return rot.rate(self.links_failing, self.links_checked - self.links_inconclusive)


@dataclass(frozen=True)
class RotNow:
    """The rot rate of all links now: the figure sources and scores use, summed over domains."""

    rotten: int
    counted: int

    @property
    def rate(self) -> float | None:
        return rot.rate(self.rotten, self.counted)


@dataclass(frozen=True)
class LinksReport:
    schema_version: str
    generated_at: datetime
    weeks: int
    links_total: int
    links_by_state: dict[str, int]
    rotten: tuple[RottenLink, ...]
    by_domain: tuple[DomainGroup, ...]
    by_article: tuple[ArticleGroup, ...]
    rot_rate: tuple[WeekRate, ...]
    rot_now: RotNow


def build_links_report(
    session: Session, *, weeks: int = DEFAULT_WEEKS, now: datetime | None = None
) -> LinksReport:
    """Dead and at-risk links grouped by domain and by article, and the weekly rot rate."""
    now = now or utcnow()
    shown = Link.effective_state
    by_state = {state.value: 0 for state in LinkState}
    for state, count in session.execute(select(shown, func.count()).group_by(shown)):
        by_state[str(getattr(state, "value", state))] += count
    rotten_now, counted_now = session.execute(
        select(
            func.count().filter(rot.rotten_sql()),
            func.count().filter(rot.counted_sql()),
        ).select_from(Link)
    ).one()
    links = session.scalars(
        select(Link)
        .where(
            shown.in_([state.value for state in rot.NEEDS_ATTENTION]),
            Link.next_check_at.is_not(None),  # retired: nothing cites it any more
        )
        .order_by(Link.id)
        .options(
            selectinload(Link.source),
            selectinload(Link.citations).selectinload(Citation.article),
            selectinload(Link.captures),
        )
    ).all()
    articles_of: dict[int, dict[int, ArticleRef]] = defaultdict(dict)
    for link in links:
        for citation in link.citations:
            article = citation.article
            articles_of[link.id][article.id] = ArticleRef(article.id, article.title, article.url)
    if links:
        rows = session.execute(
            select(ClaimSource.link_id, Article.id, Article.title, Article.url)
            .join(Claim, ClaimSource.claim_id == Claim.id)
            .join(Article, Claim.article_id == Article.id)
            .where(ClaimSource.link_id.in_([link.id for link in links]))
        )
        for link_id, article_id, title, url in rows:
            if link_id is not None:
                articles_of[link_id][article_id] = ArticleRef(article_id, title, url)
    rotten = tuple(
        RottenLink(
            link=link_entry(link, checks=[]),
            articles=tuple(sorted(articles_of[link.id].values(), key=lambda ref: ref.id)),
        )
        for link in links
    )
    return LinksReport(
        schema_version=SCHEMA_VERSION,
        generated_at=now,
        weeks=weeks,
        links_total=sum(by_state.values()),
        links_by_state=by_state,
        rotten=rotten,
        by_domain=_by_domain(rotten),
        by_article=_by_article(rotten),
        rot_rate=_rot_rate(session, weeks=weeks, now=now),
        rot_now=RotNow(int(rotten_now or 0), int(counted_now or 0)),
    )


def _by_domain(rotten: tuple[RottenLink, ...]) -> tuple[DomainGroup, ...]:
    groups: dict[str, list[RottenLink]] = defaultdict(list)
    for item in rotten:
        groups[item.link.domain or "(unknown)"].append(item)
    ordered = sorted(groups.items(), key=lambda pair: (-len(pair[1]), pair[0]))
    return tuple(DomainGroup(domain, tuple(items)) for domain, items in ordered)


def _by_article(rotten: tuple[RottenLink, ...]) -> tuple[ArticleGroup, ...]:
    refs: dict[int, ArticleRef] = {}
    groups: dict[int, list[RottenLink]] = defaultdict(list)
    for item in rotten:
        for ref in item.articles:
            refs[ref.id] = ref
            groups[ref.id].append(item)
    return tuple(ArticleGroup(refs[key], tuple(groups[key])) for key in sorted(groups))


def week_start(moment: datetime) -> date:
    day = moment.date()
    return day - timedelta(days=day.weekday())


def _rot_rate(session: Session, *, weeks: int, now: datetime) -> tuple[WeekRate, ...]:
    since = week_start(now) - timedelta(weeks=weeks - 1)
    since_moment = datetime.combine(since, datetime.min.time(), tzinfo=now.tzinfo)
    last_in_week: dict[date, dict[int, CheckOutcome]] = defaultdict(dict)
    rows = session.execute(
        select(LinkCheck.link_id, LinkCheck.checked_at, LinkCheck.outcome)
        .where(LinkCheck.checked_at >= since_moment)
        .order_by(LinkCheck.checked_at, LinkCheck.id)
    )
    for link_id, checked_at, outcome in rows:
        last_in_week[week_start(checked_at)][link_id] = outcome
    if not last_in_week:
        return ()
    result = []
    week = min(last_in_week)
    while week <= week_start(now):
        outcomes = last_in_week.get(week, {})
        classes = [rot.outcome_class(outcome) for outcome in outcomes.values()]
        result.append(
            WeekRate(
                week_start=week,
                links_checked=len(classes),
                links_failing=classes.count("failed"),
                links_inconclusive=classes.count("inconclusive"),
            )
        )
        week += timedelta(weeks=1)
    return tuple(result)
