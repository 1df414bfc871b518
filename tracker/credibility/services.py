"""The credibility feature's services: list and explain scores, rate a source, import ratings.

Every function takes ``(database, actor, ...)``, checks the actor's role, runs in its own
transaction and returns frozen views (:mod:`tracker.credibility.views`). Reading needs any
role; rating and importing need the reviewer role.
"""

from __future__ import annotations

from tracker.actors import Actor
from tracker.credibility.imports import parse_ratings, parse_scale, store_ratings
from tracker.credibility.listing import SourceDetail, sorted_sources, source_detail
from tracker.credibility.manual import apply_rating
from tracker.credibility.score import ScoreExplanation, score_domain
from tracker.credibility.views import RatingChange, RatingsImport
from tracker.db import Database
from tracker.review.reviewers import may_change, may_read
from tracker.settings import Settings


def list_sources(
    database: Database,
    actor: Actor,
    settings: Settings,
    *,
    sort: str = "score",
    limit: int | None = None,
) -> list[ScoreExplanation]:
    """Every known domain with its explained score and track record, in ``sort`` order."""
    with database.reading() as session:
        may_read(session, actor, "sources")
        return sorted_sources(session, settings, sort=sort, limit=limit)


def show_source(database: Database, actor: Actor, settings: Settings, domain: str) -> SourceDetail:
    """One domain (any URL or host of it) in full: score, explanation, record, history."""
    with database.reading() as session:
        may_read(session, actor, "sources")
        return source_detail(session, domain, settings)


def rate_source(
    database: Database,
    actor: Actor,
    settings: Settings,
    domain: str,
    rating: float,
    *,
    note: str | None,
) -> RatingChange:
    """Rate ``domain`` by hand on the 1..5 scale, with a note saying why (kept in its history)."""
    with database.transaction() as session:
        acting = may_change(session, actor, "rate sources")
        event = apply_rating(session, acting, domain, rating, note or "")
        explanation = score_domain(session, domain, settings)
        return RatingChange(
            explanation.domain, event.old_value, event.new_value, event.actor, explanation
        )


def import_ratings(
    database: Database,
    actor: Actor,
    data: bytes,
    *,
    file_name: str,
    name: str,
    domain_column: str = "domain",
    score_column: str = "score",
    scale: str = "0:1",
) -> RatingsImport:
    """Import a CSV of external domain ratings whole, or nothing (every bad row is named)."""
    parsed = parse_ratings(
        data,
        file_name=file_name,
        domain_column=domain_column,
        score_column=score_column,
        scale=parse_scale(scale),
    )
    with database.transaction() as session:
        may_change(session, actor, "import ratings")
        result = store_ratings(session, parsed, name)
    return RatingsImport(parsed.file_name, str(parsed.scale), result)
