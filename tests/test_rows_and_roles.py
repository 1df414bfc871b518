"""Rows several features share, each written by the feature that owns it: links, sources,
claim history; and the one role check every service makes."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tracker.actors import CHECKER, Actor
from tracker.db import Database
from tracker.enums import ClaimEventAction, Role
from tracker.errors import InvalidInput, NotFound, PermissionDenied
from tracker.linkcheck.links import find_link, get_or_create_link
from tracker.models import Article, Claim, ClaimEvent, Link, Reviewer, Source
from tracker.review.claims import record_claim_event
from tracker.review.reviewers import authorize


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


def test_roles_rank_viewer_reviewer_admin(database: Database) -> None:
    with database.transaction() as session:
        session.add_all([Reviewer(name="vic", role=Role.VIEWER), Reviewer(name="ana")])
    with database.reading() as session:
        acting = authorize(session, Actor.reviewer("ana"), Role.REVIEWER)
        assert (acting.name, acting.role, acting.is_system) == ("ana", Role.REVIEWER, False)
        with pytest.raises(PermissionDenied, match="vic has role viewer and may not verify"):
            authorize(session, Actor.reviewer("vic"), Role.REVIEWER, action="verify")
        assert authorize(session, Actor.reviewer("vic"), Role.VIEWER).name == "vic"
        with pytest.raises(PermissionDenied):
            authorize(session, Actor.reviewer("ana"), Role.ADMIN)
        with pytest.raises(NotFound, match="reviewer nobody not found"):
            authorize(session, Actor.reviewer("nobody"), Role.VIEWER)
        with pytest.raises(InvalidInput, match="who is acting"):
            authorize(session, Actor.reviewer("  "), Role.VIEWER)
        with pytest.raises(PermissionDenied, match="system:checker may not"):
            authorize(session, CHECKER, Role.REVIEWER)
        assert authorize(session, CHECKER, Role.REVIEWER, system=True).is_system


def test_permission_denied_is_not_bad_input() -> None:
    """A web front end answers 403 for one and 422 for the other."""
    from tracker.errors import HTTP_STATUS, StaleVersion, http_status

    assert not issubclass(PermissionDenied, InvalidInput)
    assert not issubclass(NotFound, InvalidInput)
    assert http_status(PermissionDenied("no")) == 403
    assert http_status(NotFound("claim", 3)) == 404
    assert http_status(StaleVersion("changed")) == 409
    assert http_status(InvalidInput("bad")) == 422
    assert set(HTTP_STATUS.values()) >= {403, 404, 409, 422}


def test_claim_events_record_the_acting_reviewer(database: Database) -> None:
    with database.transaction() as session:
        article = Article(text="x")
        claim = Claim(article=article, text="69% of Poles oppose")
        session.add_all([article, claim, Reviewer(name="ana")])
        session.flush()
        record_claim_event(
            session,
            claim,
            actor=authorize(session, Actor.reviewer("ana"), Role.REVIEWER),
            action=ClaimEventAction.NOTE,
            note="poll found",
        )
    with database.reading() as session:
        event = session.scalars(select(ClaimEvent)).one()
        ana = session.scalars(select(Reviewer)).one()
        assert (event.actor, event.reviewer_id, event.note, event.version) == (
            "ana",
            ana.id,
            "poll found",
            1,
        )
        assert event.created_at.tzinfo is not None
