"""The review services: workflow, roles, notes, edits, optimistic locking, append-only history."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from tests.support.review_factories import Seed, seed, snapshot
from tracker.actors import LOCAL_READER, Actor
from tracker.db import Database
from tracker.enums import ClaimEventAction, ClaimStatus, Role, SourceEventAction
from tracker.errors import InvalidInput, NotFound, PermissionDenied, StaleVersion
from tracker.models import Claim, ClaimEvent, ClaimSource, Source, SourceEvent
from tracker.review.locking import ClaimChanged
from tracker.review.services import (
    add_note,
    add_reviewer,
    claim_detail,
    edit_claim,
    list_reviewers,
    reject_claim,
    set_status,
)


@pytest.fixture
def data(database: Database) -> Seed:
    return seed(database)


def _events(database: Database, claim_id: int) -> list[ClaimEvent]:
    with database.reading() as session:
        events = list(
            session.scalars(
                select(ClaimEvent).where(ClaimEvent.claim_id == claim_id).order_by(ClaimEvent.id)
            )
        )
        session.expunge_all()  # keep the loaded values past the read's rollback
        return events


def _claim(database: Database, claim_id: int) -> Claim:
    with database.reading() as session:
        claim = session.get(Claim, claim_id)
        assert claim is not None
        session.expunge_all()
        return claim


def test_lifecycle_unverified_in_review_verdict(database: Database, data: Seed) -> None:
    taken = set_status(database, Actor.reviewer("ana"), data.claim_id, "in_review")
    assert (taken.old_status, taken.new_status, taken.version) == (
        ClaimStatus.UNVERIFIED,
        ClaimStatus.IN_REVIEW,
        2,
    )
    noted = add_note(database, Actor.reviewer("ana"), data.claim_id, "  asked GUS for table 4  ")
    assert noted.version == 3
    judged = set_status(
        database, Actor.reviewer("root"), data.claim_id, "mostly-accurate", note="table 4: 68.7%"
    )
    assert judged.new_status == ClaimStatus.MOSTLY_ACCURATE
    revised = set_status(
        database, Actor.reviewer("ana"), data.claim_id, "accurate", note="rounds to 69"
    )

    claim = _claim(database, data.claim_id)
    assert (claim.status, claim.version) == (ClaimStatus.ACCURATE, 5)
    events = _events(database, data.claim_id)
    assert [(e.action, e.old_status, e.new_status, e.actor, e.version) for e in events] == [
        (ClaimEventAction.STATUS, ClaimStatus.UNVERIFIED, ClaimStatus.IN_REVIEW, "ana", 2),
        (ClaimEventAction.NOTE, ClaimStatus.IN_REVIEW, ClaimStatus.IN_REVIEW, "ana", 3),
        (ClaimEventAction.STATUS, ClaimStatus.IN_REVIEW, ClaimStatus.MOSTLY_ACCURATE, "root", 4),
        (ClaimEventAction.STATUS, ClaimStatus.MOSTLY_ACCURATE, ClaimStatus.ACCURATE, "ana", 5),
    ]
    assert events[1].note == "asked GUS for table 4"
    assert events[3].id == revised.event_id
    assert all(e.reviewer_id is not None and e.created_at.tzinfo for e in events)
    # Reopening a judged claim goes through in_review, never silently back to unverified.
    with pytest.raises(InvalidInput, match="reopen it with in_review"):
        set_status(database, Actor.reviewer("ana"), data.claim_id, "unverified")
    set_status(database, Actor.reviewer("ana"), data.claim_id, "in_review")
    set_status(database, Actor.reviewer("ana"), data.claim_id, "unverified")
    assert _claim(database, data.claim_id).status == ClaimStatus.UNVERIFIED


def test_a_new_verdict_clears_needs_rereview_and_says_so(database: Database, data: Seed) -> None:
    set_status(database, Actor.reviewer("ana"), data.claim_id, "accurate", note="poll matches")
    with database.transaction() as session:
        claim = session.get(Claim, data.claim_id)
        assert claim is not None
        claim.needs_rereview = True
    # Re-affirming the same verdict is a review too: allowed, and it clears the flag.
    change = set_status(
        database, Actor.reviewer("ana"), data.claim_id, "accurate", note="still there"
    )
    assert change.changes == {"needs_rereview": {"before": True, "after": False}}
    assert _claim(database, data.claim_id).needs_rereview is False
    assert _events(database, data.claim_id)[-1].changes == change.changes
    # Workflow moves do not clear it.
    with database.transaction() as session:
        claim = session.get(Claim, data.claim_id)
        assert claim is not None
        claim.needs_rereview = True
    assert set_status(database, Actor.reviewer("ana"), data.claim_id, "in_review").changes == {}
    assert _claim(database, data.claim_id).needs_rereview is True


def test_verdict_notes(database: Database, data: Seed) -> None:
    before = snapshot(database)
    for status in ("accurate", "mostly_accurate", "mixed", "misleading", "mostly_false", "false"):
        with pytest.raises(InvalidInput, match="needs a note"):
            set_status(database, Actor.reviewer("ana"), data.claim_id, status)
        with pytest.raises(InvalidInput, match="note is empty"):
            set_status(database, Actor.reviewer("ana"), data.claim_id, status, note="  \n ")
    assert snapshot(database) == before
    set_status(database, Actor.reviewer("ana"), data.claim_id, "unverifiable")
    reject_claim(database, Actor.reviewer("ana"), data.bare_claim_id)
    assert _claim(database, data.bare_claim_id).status == ClaimStatus.REJECTED
    with pytest.raises(InvalidInput, match="already rejected"):
        reject_claim(database, Actor.reviewer("ana"), data.bare_claim_id)


@pytest.mark.parametrize("who", ["ana", "root"])
def test_reviewers_and_admins_may_act(database: Database, data: Seed, who: str) -> None:
    set_status(database, Actor.reviewer(who), data.claim_id, "false", note="39% in the poll")
    assert _events(database, data.claim_id)[-1].actor == who


def test_viewer_is_refused_everything(database: Database, data: Seed) -> None:
    before = snapshot(database)
    attempts = [
        lambda: set_status(database, Actor.reviewer("vic"), data.claim_id, "accurate", note="x"),
        lambda: add_note(database, Actor.reviewer("vic"), data.claim_id, "x"),
        lambda: edit_claim(database, Actor.reviewer("vic"), data.claim_id, text="y"),
        lambda: reject_claim(database, Actor.reviewer("vic"), data.claim_id),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied, match="vic has role viewer"):
            attempt()
    assert snapshot(database) == before


def test_unknown_things_and_invalid_status_change_nothing(database: Database, data: Seed) -> None:
    before = snapshot(database)
    with pytest.raises(NotFound, match="claim 999 not found"):
        set_status(database, Actor.reviewer("ana"), 999, "in_review")
    with pytest.raises(NotFound, match="reviewer nobody not found"):
        set_status(database, Actor.reviewer("nobody"), data.claim_id, "in_review")
    with pytest.raises(InvalidInput, match="invalid status 'true'"):
        set_status(database, Actor.reviewer("ana"), data.claim_id, "true", note="x")
    with pytest.raises(InvalidInput, match="already unverified"):
        set_status(database, Actor.reviewer("ana"), data.claim_id, "unverified")
    with pytest.raises(InvalidInput, match="note is empty"):
        add_note(database, Actor.reviewer("ana"), data.claim_id, "")
    assert snapshot(database) == before


def test_stale_version_names_who_changed_and_writes_nothing(database: Database, data: Seed) -> None:
    set_status(database, Actor.reviewer("root"), data.claim_id, "in_review", expect_version=1)
    add_note(database, Actor.reviewer("ana"), data.claim_id, "on it", expect_version=2)
    before = snapshot(database)
    with pytest.raises(ClaimChanged) as caught:
        set_status(
            database, Actor.reviewer("ana"), data.claim_id, "false", note="no", expect_version=1
        )
    assert isinstance(caught.value, StaleVersion)
    assert caught.value.changed_by == ["root", "ana"]
    message = str(caught.value)
    assert "changed since version 1 by root, ana" in message
    assert "now at version 3" in message
    with pytest.raises(StaleVersion, match="at version 3, not 7"):
        add_note(database, Actor.reviewer("ana"), data.claim_id, "late", expect_version=7)
    assert snapshot(database) == before
    set_status(database, Actor.reviewer("ana"), data.claim_id, "false", note="no", expect_version=3)
    assert _claim(database, data.claim_id).version == 4


def test_edit_text_sources_and_evidence_in_one_event(database: Database, data: Seed) -> None:
    change = edit_claim(
        database,
        Actor.reviewer("ana"),
        data.claim_id,
        text="  68.7% of Poles oppose the plan ",
        add_sources=["HTTPS://Data.Example.ORG/table-4?utm_source=feed"],
        remove_sources=[data.dead_url],
        evidence="68.7",
        note="precise figure",
    )
    assert change.action == ClaimEventAction.EDIT
    new_url = "https://data.example.org/table-4"
    assert change.changes == {
        "text": {
            "before": "69% of Poles oppose the plan",
            "after": "68.7% of Poles oppose the plan",
        },
        "sources": {
            "before": [data.alive_url, data.dead_url],
            "after": [data.alive_url, new_url],
        },
        "evidence": {
            "before": {data.alive_url: "69 per cent oppose", data.dead_url: "most Poles oppose"},
            "after": {data.alive_url: "69 per cent oppose", new_url: "68.7"},
        },
    }
    events = _events(database, data.claim_id)
    assert len(events) == 1
    assert (events[0].changes, events[0].note, events[0].version) == (
        change.changes,
        "precise figure",
        2,
    )
    with database.reading() as session:
        claim = session.get(Claim, data.claim_id)
        assert claim is not None
        assert claim.text == "68.7% of Poles oppose the plan"
        assert [(s.link.url if s.link else None, s.evidence) for s in claim.sources] == [
            (data.alive_url, "69 per cent oppose"),
            (new_url, "68.7"),
        ]
    # Evidence alone applies to every source and resets what the checker found.
    edit_claim(database, Actor.reviewer("ana"), data.claim_id, evidence="68.7 per cent")
    with database.reading() as session:
        sources = session.scalars(
            select(ClaimSource).where(ClaimSource.claim_id == data.claim_id)
        ).all()
        assert {(s.evidence, s.evidence_found) for s in sources} == {("68.7 per cent", None)}
    only_added = edit_claim(
        database, Actor.reviewer("ana"), data.claim_id, add_sources=["https://gus.example.gov/t"]
    )
    assert only_added.action == ClaimEventAction.SOURCE_ADDED
    only_removed = edit_claim(
        database, Actor.reviewer("ana"), data.claim_id, remove_sources=["https://gus.example.gov/t"]
    )
    assert only_removed.action == ClaimEventAction.SOURCE_REMOVED
    assert len(_events(database, data.claim_id)) == 4


BAD_EDITS = [
    ({}, "nothing to edit"),
    ({"text": "   "}, "text cannot be empty"),
    ({"text": "69% of Poles oppose the plan"}, "nothing changed"),
    ({"evidence": ""}, "evidence text is empty"),
    ({"add_sources": ["not a url"]}, "URL"),
    ({"add_sources": ["https://stat.example.gov/poll-2024"]}, "already cites"),
    ({"remove_sources": ["https://elsewhere.example.org/"]}, "does not cite"),
    (
        {
            "add_sources": ["https://a.example.org/"],
            "remove_sources": ["https://a.example.org"],
        },
        "both added and removed",
    ),
]


def test_bad_edits_change_nothing(database: Database, data: Seed) -> None:
    before = snapshot(database)
    for kwargs, message in BAD_EDITS:
        with pytest.raises(InvalidInput, match=message):
            edit_claim(database, Actor.reviewer("ana"), data.claim_id, **kwargs)  # type: ignore[arg-type]
        assert snapshot(database) == before, kwargs


def test_evidence_needs_a_source(database: Database, data: Seed) -> None:
    before = snapshot(database)
    with pytest.raises(InvalidInput, match="no source to hold the evidence"):
        edit_claim(database, Actor.reviewer("ana"), data.bare_claim_id, evidence="5%")
    assert snapshot(database) == before


def test_history_lists_every_event_in_order(database: Database, data: Seed) -> None:
    set_status(database, Actor.reviewer("ana"), data.claim_id, "in_review")
    edit_claim(database, Actor.reviewer("ana"), data.claim_id, text="69 % oppose")
    set_status(database, Actor.reviewer("root"), data.claim_id, "false", note="39%")
    history = claim_detail(database, LOCAL_READER, data.claim_id)
    assert history.claim.status == ClaimStatus.FALSE
    assert history.claim.rating is not None
    assert history.claim.rating.value == 1
    assert [s.url for s in history.claim.sources] == [data.alive_url, data.dead_url]
    assert [(e.version, e.action, e.actor) for e in history.events] == [
        (2, ClaimEventAction.STATUS, "ana"),
        (3, ClaimEventAction.EDIT, "ana"),
        (4, ClaimEventAction.STATUS, "root"),
    ]


def test_history_written_by_the_service_cannot_be_altered(database: Database, data: Seed) -> None:
    set_status(database, Actor.reviewer("ana"), data.claim_id, "accurate", note="the poll says 69%")
    statements = [
        "UPDATE claim_events SET note = 'nothing to see'",
        "UPDATE claim_events SET actor = 'root'",
        "DELETE FROM claim_events",
    ]
    for statement in statements:
        with pytest.raises(DBAPIError, match="append-only"), database.transaction() as session:
            session.execute(text(statement))
    with pytest.raises(DBAPIError, match="append-only"), database.transaction() as session:
        session.delete(session.scalars(select(ClaimEvent)).one())
    with pytest.raises(DBAPIError, match="append-only"), database.transaction() as session:
        session.scalars(select(ClaimEvent)).one().note = "edited through the ORM"
    if not database.is_sqlite:
        with pytest.raises(DBAPIError, match="append-only"), database.transaction() as session:
            session.execute(text("TRUNCATE claim_events CASCADE"))
    events = _events(database, data.claim_id)
    assert [(e.actor, e.note) for e in events] == [("ana", "the poll says 69%")]


def test_source_history_cannot_be_altered_either(database: Database, data: Seed) -> None:
    with database.transaction() as session:
        source = session.scalars(select(Source)).first()
        assert source is not None
        session.add(
            SourceEvent(
                source_id=source.id,
                actor="ana",
                action=SourceEventAction.NOTE,
                note="state statistics office",
            )
        )
    for statement in ("UPDATE source_events SET note = 'x'", "DELETE FROM source_events"):
        with pytest.raises(DBAPIError, match="append-only"), database.transaction() as session:
            session.execute(text(statement))
    with database.reading() as session:
        assert session.scalars(select(SourceEvent.note)).all() == ["state statistics office"]


def test_reviewers_add_and_list(database: Database) -> None:
    added = add_reviewer(database, LOCAL_READER, " bea ", email="bea@example.org", role="admin")
    assert (added.name, added.role) == ("bea", Role.ADMIN)
    # Once there is an admin, only an admin adds reviewers.
    with pytest.raises(PermissionDenied, match="system:local may not add reviewers"):
        add_reviewer(database, LOCAL_READER, "al")
    add_reviewer(database, Actor.reviewer("bea"), "al")
    with pytest.raises(PermissionDenied, match="al has role reviewer"):
        add_reviewer(database, Actor.reviewer("al"), "cy")
    assert [(r.name, r.role) for r in list_reviewers(database, LOCAL_READER)] == [
        ("al", Role.REVIEWER),
        ("bea", Role.ADMIN),
    ]
    before = snapshot(database)
    for name, kwargs, message in [
        ("bea", {}, "already exists"),
        ("", {}, "needs a name"),
        ("cy", {"role": "owner"}, "invalid role 'owner'"),
        ("cy", {"email": "not-an-address"}, "invalid email"),
        ("system:checker", {}, "reserved"),
    ]:
        with pytest.raises(InvalidInput, match=message):
            add_reviewer(database, Actor.reviewer("bea"), name, **kwargs)  # type: ignore[arg-type]
    assert snapshot(database) == before
