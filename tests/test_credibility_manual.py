"""Manual ratings: the 1..5 scale, the reviewer's role, and an append-only history."""

from __future__ import annotations

import math
import threading
import time

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError

from tracker.actors import Actor
from tracker.credibility.manual import source_history
from tracker.credibility.services import rate_source
from tracker.credibility.sources import get_source
from tracker.db import Database
from tracker.enums import Role, SourceEventAction
from tracker.errors import InvalidInput, NotFound, PermissionDenied
from tracker.models import Reviewer, Source, SourceEvent
from tracker.settings import Settings

ANA, BO = Actor.reviewer("ana"), Actor.reviewer("bo")


@pytest.fixture
def reviewers(database: Database) -> Database:
    with database.transaction() as session:
        session.add_all(
            [Reviewer(name="ana"), Reviewer(name="bo"), Reviewer(name="vic", role=Role.VIEWER)]
        )
    return database


def test_ratings_are_kept_with_history(reviewers: Database, settings: Settings) -> None:
    first = rate_source(reviewers, ANA, settings, "https://news.bbc.co.uk/x", 4, note=" solid ")
    assert (first.domain, first.old_value, first.new_value, first.actor) == (
        "bbc.co.uk",
        None,
        "4",
        "ana",
    )
    assert first.explanation.manual is not None
    second = rate_source(reviewers, BO, settings, "BBC.co.uk", 2.5, note="two retractions")
    assert (second.old_value, second.new_value) == ("4", "2.5")
    with reviewers.reading() as session:
        source = get_source(session, "www.bbc.co.uk")
        bo = session.scalars(select(Reviewer).where(Reviewer.name == "bo")).one()
        assert source.domain == "bbc.co.uk"
        assert source.manual_rating == pytest.approx(0.375)
        assert source.manual_note == "two retractions"
        assert source.rated_by_id == bo.id
        assert source.rated_at is not None
        history = source_history(session, "bbc.co.uk")
    assert [(h.actor, h.action, h.old_value, h.new_value, h.note) for h in history] == [
        ("ana", "rated", None, "4", "solid"),
        ("bo", "rated", "4", "2.5", "two retractions"),
    ]
    assert history[0].at <= history[1].at


def test_history_is_append_only(reviewers: Database, settings: Settings) -> None:
    rate_source(reviewers, ANA, settings, "example.org", 5, note="primary data")
    with pytest.raises(DBAPIError), reviewers.transaction() as session:
        session.execute(update(SourceEvent).values(note="rewritten"))
    with reviewers.reading() as session:
        assert session.scalars(select(SourceEvent.note)).all() == ["primary data"]
        event = session.scalars(select(SourceEvent)).one()
        assert event.action is SourceEventAction.RATED


@pytest.mark.parametrize(
    ("rating", "reviewer", "note", "error", "message"),
    [
        (0.0, "ana", "why", InvalidInput, r"rating 0 is outside the manual scale 1\.\.5"),
        (5.5, "ana", "why", InvalidInput, "outside the manual scale"),
        (math.nan, "ana", "why", InvalidInput, "outside the manual scale"),
        (3.0, "ana", "  ", InvalidInput, "a rating needs a note saying why"),
        (3.0, "vic", "why", PermissionDenied, "vic has role viewer"),
        (3.0, "nobody", "why", NotFound, "reviewer nobody not found"),
    ],
)
def test_bad_ratings_write_nothing(
    reviewers: Database,
    settings: Settings,
    *,
    rating: float,
    reviewer: str,
    note: str,
    error: type[Exception],
    message: str,
) -> None:
    with pytest.raises(error, match=message):
        rate_source(reviewers, Actor.reviewer(reviewer), settings, "example.org", rating, note=note)
    with reviewers.reading() as session:
        assert session.scalars(select(Source)).all() == []
        assert session.scalars(select(SourceEvent)).all() == []


def test_public_suffixes_cannot_be_rated(reviewers: Database, settings: Settings) -> None:
    with pytest.raises(InvalidInput, match="public suffix"):
        rate_source(reviewers, ANA, settings, "co.uk", 3, note="why")
    with reviewers.reading() as session, pytest.raises(NotFound, match=r"source example\.org"):
        source_history(session, "example.org")


@pytest.mark.real_database
def test_concurrent_ratings_chain_their_history(reviewers: Database, settings: Settings) -> None:
    """A rating made while another is uncommitted records that one as its old value."""
    from tracker.credibility.manual import apply_rating
    from tracker.review.reviewers import authorize

    rate_source(reviewers, ANA, settings, "example.org", 3, note="start")
    second_db = Database(reviewers.url)
    seen: list[str | None] = []

    def second() -> None:
        seen.append(rate_source(second_db, BO, settings, "example.org", 2, note="2nd").old_value)

    thread = threading.Thread(target=second)
    with reviewers.transaction() as session:
        apply_rating(session, authorize(session, ANA, Role.REVIEWER), "example.org", 5, "1st")
        thread.start()
        time.sleep(0.5)  # the second rating now waits for this transaction
        assert seen == []
    thread.join(timeout=30)
    second_db.dispose()
    assert seen == ["5"]
    with reviewers.reading() as session:
        history = source_history(session, "example.org")
    assert [(h.old_value, h.new_value) for h in history] == [(None, "3"), ("3", "5"), ("5", "2")]
