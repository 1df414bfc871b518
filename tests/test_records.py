"""Shared lookups: links, sources, reviewers, claim history."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tracker.db import Database
from tracker.enums import ClaimEventAction, Role
from tracker.errors import NotFound, PermissionDenied
from tracker.models import Article, Claim, ClaimEvent, Link, Reviewer, Source
from tracker.records import (
    find_link,
    get_or_create_link,
    get_reviewer,
    record_claim_event,
)


def test_links_are_shared_across_spellings(database: Database) -> None:
    with database.transaction() as session:
        first = get_or_create_link(session, "HTTPS://News.BBC.co.uk/a?utm_source=x#top")
        second = get_or_create_link(session, "https://news.bbc.co.uk/a")
        assert first.id == second.id
        assert first.url == "https://news.bbc.co.uk/a"
        assert first.next_check_at is not None
    with database.reading() as session:
        assert session.scalar(select(func.count()).select_from(Link)) == 1
        source = session.scalars(select(Source)).one()
        assert source.domain == "bbc.co.uk"
        assert find_link(session, "https://news.bbc.co.uk/a#frag").id == first.id
        assert find_link(session, str(first.id)).id == first.id
        with pytest.raises(NotFound):
            find_link(session, "https://news.bbc.co.uk/other")


def test_reviewer_roles(database: Database) -> None:
    with database.transaction() as session:
        session.add_all([Reviewer(name="vic", role=Role.VIEWER), Reviewer(name="ana")])
    with database.reading() as session:
        assert get_reviewer(session, "ana", may=Role.REVIEWER).name == "ana"
        with pytest.raises(PermissionDenied, match="vic has role viewer"):
            get_reviewer(session, "vic", may=Role.REVIEWER)
        with pytest.raises(PermissionDenied):
            get_reviewer(session, "ana", may=Role.ADMIN)
        with pytest.raises(NotFound):
            get_reviewer(session, "nobody")


def test_claim_events_record_the_reviewer(database: Database) -> None:
    with database.transaction() as session:
        article = Article(text="x")
        claim = Claim(article=article, text="69% of Poles oppose")
        reviewer = Reviewer(name="ana")
        session.add_all([article, claim, reviewer])
        session.flush()
        record_claim_event(
            session,
            claim,
            actor="ignored",
            action=ClaimEventAction.NOTE,
            reviewer=reviewer,
            note="poll found",
        )
    with database.reading() as session:
        event = session.scalars(select(ClaimEvent)).one()
        assert (event.actor, event.note, event.version) == ("ana", "poll found", 1)
        assert event.created_at.tzinfo is not None
