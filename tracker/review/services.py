"""The review feature's services: claims (list, show, add, edit), verdicts, notes, reviewers.

Every function takes ``(database, actor, ...)``, checks the actor's role, runs in its own
transaction and returns frozen views (:mod:`tracker.review.views`). Each write checks the
role, validates everything, changes the claim through the version compare-and-swap
(:mod:`tracker.review.locking`) and appends exactly one event; any refusal leaves the database
untouched. Reading needs any role; writing needs the reviewer role; adding reviewers needs an
admin once the database has one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from tracker.actors import Actor
from tracker.db import Database
from tracker.enums import ClaimEventAction, ClaimStatus, Role
from tracker.errors import InvalidInput, NotFound
from tracker.models import Claim, ClaimEvent, ClaimSource, Reviewer, utcnow
from tracker.review.claims import get_claim, live_claims, record_claim_event
from tracker.review.edits import (
    apply_source_edits,
    edit_action,
    evidence_of,
    normalized_urls,
    set_evidence,
    source_urls,
    stripped,
)
from tracker.review.locking import expected_version, swap
from tracker.review.reviewers import (
    Acting,
    authorize,
    check_new_reviewer,
    may_change,
    may_read,
    parse_role,
)
from tracker.review.views import (
    Change,
    ClaimDetail,
    ClaimSummary,
    ClaimView,
    EventView,
    ReviewerView,
)
from tracker.review.workflow import (
    FINAL_STATUSES,
    check_transition,
    clean_note,
    needs_note,
    parse_status,
)

# Reading ------------------------------------------------------------------------------------


def list_claims(
    database: Database,
    actor: Actor,
    *,
    article_id: int | None = None,
    status: str | ClaimStatus | None = None,
    needs_rereview: bool = False,
    reviewer: str | None = None,
    limit: int | None = None,
) -> list[ClaimSummary]:
    """Claims in reading order (of one article, or all), filtered by status and flag;
    ``reviewer``: only claims that reviewer has acted on (a verdict, a note, an edit)."""
    from tracker.articles.lookup import get_article

    wanted = parse_status(status) if status is not None else None
    with database.reading() as session:
        may_read(session, actor, "claims")
        query = live_claims().order_by(
            Claim.article_id, Claim.position.is_(None), Claim.position, Claim.id
        )
        if article_id is not None:
            get_article(session, article_id)
            query = query.where(Claim.article_id == article_id)
        if wanted is not None:
            query = query.where(Claim.status == wanted)
        if needs_rereview:
            query = query.where(Claim.needs_rereview.is_(True))
        if reviewer is not None:
            touched = select(ClaimEvent.claim_id).where(ClaimEvent.actor == reviewer.strip())
            query = query.where(Claim.id.in_(touched))
        if limit is not None:
            query = query.limit(limit)
        return [ClaimSummary.of(claim) for claim in session.scalars(query)]


def load_claim(database: Database, actor: Actor, claim_id: int) -> ClaimView:
    """The claim as it is now, with its sources' link state and evidence."""
    with database.reading() as session:
        may_read(session, actor, "claims")
        return ClaimView.of(_loaded_claim(session, claim_id))


def claim_detail(database: Database, actor: Actor, claim_id: int) -> ClaimDetail:
    """The claim with its sources, and who decided what, when and why: every event in order."""
    with database.reading() as session:
        may_read(session, actor, "claims")
        claim = _loaded_claim(session, claim_id)
        events = session.scalars(
            select(ClaimEvent).where(ClaimEvent.claim_id == claim.id).order_by(ClaimEvent.id)
        ).all()
        return ClaimDetail(ClaimView.of(claim), tuple(EventView.of(event) for event in events))


def review_queue(database: Database, actor: Actor, article_id: int | None = None) -> list[int]:
    """Ids of the unverified claims (of one article, or all), in reading order.

    Only ids: the queue loads each claim when its turn comes, so it shows what is current.
    """
    from tracker.articles.lookup import get_article

    with database.reading() as session:
        may_read(session, actor, "claims")
        if article_id is not None:
            get_article(session, article_id)
        query = (
            live_claims()
            .with_only_columns(Claim.id)
            .where(Claim.status == ClaimStatus.UNVERIFIED)
            .order_by(Claim.article_id, Claim.position.nulls_last(), Claim.id)
        )
        if article_id is not None:
            query = query.where(Claim.article_id == article_id)
        return list(session.scalars(query))


def _loaded_claim(session: Session, claim_id: int) -> Claim:
    """The claim with its article and sources (links, citations) loaded in two queries;
    NotFound as :func:`get_claim` says."""
    from sqlalchemy.orm import joinedload

    loads = (
        joinedload(Claim.article),
        selectinload(Claim.sources).options(
            joinedload(ClaimSource.link), joinedload(ClaimSource.citation)
        ),
    )
    claim = session.scalars(select(Claim).where(Claim.id == claim_id).options(*loads)).first()
    if claim is None or claim.article.deleted_at is not None:
        raise NotFound("claim", claim_id)
    return claim


# Writing ------------------------------------------------------------------------------------


def note_required(status: str | ClaimStatus) -> bool:
    """Does recording ``status`` need a note saying why? (Front ends ask before submitting.)"""
    return needs_note(parse_status(status))


def check_note(status: str | ClaimStatus, note: str | None) -> str | None:
    """``note`` cleaned for recording ``status``; InvalidInput when it is blank or missing."""
    return clean_note(note, required=note_required(status))


def set_status(
    database: Database,
    actor: Actor,
    claim_id: int,
    status: str | ClaimStatus,
    *,
    note: str | None = None,
    expect_version: int | None = None,
) -> Change:
    """Move a claim along the workflow or record a verdict (see :mod:`workflow`)."""
    new = parse_status(status)
    note = clean_note(note, required=needs_note(new))
    with database.transaction() as session:
        acting = may_change(session, actor, "record verdicts")
        claim = get_claim(session, claim_id)
        expected = expected_version(session, claim, expect_version)
        old = claim.status
        check_transition(claim.id, old, new)
        values: dict[str, Any] = {"status": new}
        changes: dict[str, Any] = {}
        if new in FINAL_STATUSES and claim.needs_rereview:
            values["needs_rereview"] = False
            changes["needs_rereview"] = {"before": True, "after": False}
        swap(session, claim, expected, values)
        return _record(session, claim, acting, ClaimEventAction.STATUS, old, new, note, changes)


def reject_claim(
    database: Database,
    actor: Actor,
    claim_id: int,
    *,
    note: str | None = None,
    expect_version: int | None = None,
) -> Change:
    """Mark a candidate that is not a factual claim; it leaves the review queue."""
    return set_status(
        database, actor, claim_id, ClaimStatus.REJECTED, note=note, expect_version=expect_version
    )


def add_note(
    database: Database,
    actor: Actor,
    claim_id: int,
    text: str,
    *,
    expect_version: int | None = None,
) -> Change:
    """Leave a note on a claim; it bumps the version, so a verdict drafted before it conflicts."""
    note = clean_note(text, required=True)
    with database.transaction() as session:
        acting = may_change(session, actor, "leave notes")
        claim = get_claim(session, claim_id)
        expected = expected_version(session, claim, expect_version)
        status = claim.status
        swap(session, claim, expected, {})
        return _record(session, claim, acting, ClaimEventAction.NOTE, status, status, note, {})


def edit_claim(
    database: Database,
    actor: Actor,
    claim_id: int,
    *,
    text: str | None = None,
    evidence: str | None = None,
    add_sources: Sequence[str] = (),
    remove_sources: Sequence[str] = (),
    note: str | None = None,
    expect_version: int | None = None,
) -> Change:
    """Correct a claim's text, the evidence its sources should contain, or which sources back it.

    ``evidence`` applies to the sources added in the same edit, or else to every source of the
    claim; changing it resets ``evidence_found`` until the link checker looks again.
    """
    if text is None and evidence is None and not add_sources and not remove_sources:
        raise InvalidInput(
            "nothing to edit: give a new text, evidence, or sources to add or remove"
        )
    text = stripped(text, "the claim text cannot be empty")
    evidence = stripped(evidence, "the evidence text is empty")
    note = clean_note(note, required=False)
    added = normalized_urls(add_sources)
    removed = normalized_urls(remove_sources)
    if both := sorted(set(added) & set(removed)):
        raise InvalidInput(f"{both[0]} is both added and removed")
    with database.transaction() as session:
        acting = may_change(session, actor, "edit claims")
        claim = get_claim(session, claim_id)
        expected = expected_version(session, claim, expect_version)
        status = claim.status
        sources_before = source_urls(claim.sources)
        evidence_before = evidence_of(claim.sources)
        changes: dict[str, Any] = {}
        if text is not None and text != claim.text:
            changes["text"] = {"before": claim.text, "after": text}
        targets = apply_source_edits(session, claim, added, removed)
        if evidence is not None:
            set_evidence(claim, targets, evidence)
        sources_after = source_urls(claim.sources)
        if sources_after != sources_before:
            changes["sources"] = {"before": sources_before, "after": sources_after}
        evidence_after = evidence_of(claim.sources)
        if evidence is not None and evidence_after != evidence_before:
            changes["evidence"] = {"before": evidence_before, "after": evidence_after}
        if not changes:
            raise InvalidInput(f"nothing changed: claim {claim.id} already reads so")
        swap(
            session,
            claim,
            expected,
            {"text": changes["text"]["after"]} if "text" in changes else {},
        )
        _retire_removed(session, sources_before, sources_after)
        return _record(session, claim, acting, edit_action(changes), status, status, note, changes)


def add_claim(
    database: Database,
    actor: Actor,
    article_id: int,
    text: str,
    *,
    sources: Sequence[str] = (),
    evidence: str | None = None,
    position: int | None = None,
) -> ClaimView:
    """Record a claim the extractor missed, with the URLs that support it.

    ``position``: where its sentence starts in the article's text (a promoted sentence), so
    it is shown in reading order.
    """
    from tracker.articles.lookup import get_article
    from tracker.extraction.detector import checkworthiness, claim_kind
    from tracker.extraction.figures import find_figures

    cleaned = stripped(" ".join(text.split()), "the claim text is empty")
    assert cleaned is not None
    expected = stripped(evidence, "the evidence text is empty")
    if expected and not sources:
        raise InvalidInput("evidence needs at least one source URL to be looked for in")
    urls = normalized_urls(sources)  # every URL is checked before any write
    with database.transaction() as session:
        acting = may_change(session, actor, "add claims")
        article = get_article(session, article_id)
        figures = find_figures(cleaned)
        claim = Claim(
            article_id=article.id,
            text=cleaned,
            kind=claim_kind(cleaned, figures),
            figures=[figure.as_dict() for figure in figures],
            score=round(checkworthiness(cleaned), 4),
            status=ClaimStatus.UNVERIFIED,
            position=position,
            created_by=acting.name,
            created_at=utcnow(),
        )
        session.add(claim)
        session.flush()
        added = apply_source_edits(session, claim, urls, []) if urls else []
        if expected:
            set_evidence(claim, added, expected)
        record_claim_event(
            session,
            claim,
            actor=acting,
            action=ClaimEventAction.CREATED,
            new_status=ClaimStatus.UNVERIFIED,
            changes={"sources": urls, "evidence": expected},
        )
        session.flush()
        return ClaimView.of(_loaded_claim(session, claim.id))


def _retire_removed(session: Session, before: list[str], after: list[str]) -> None:
    from tracker.linkcheck.links import retire_uncited
    from tracker.models import Link

    gone = [url for url in before if url not in after]
    if gone:
        retire_uncited(session, session.scalars(select(Link.id).where(Link.url.in_(gone))))


def _record(  # noqa: PLR0917 - the event's fields, in the order an event reads
    session: Session,
    claim: Claim,
    acting: Acting,
    action: ClaimEventAction,
    old: ClaimStatus,
    new: ClaimStatus,
    note: str | None,
    changes: dict[str, Any],
) -> Change:
    event = record_claim_event(
        session,
        claim,
        actor=acting,
        action=action,
        old_status=old,
        new_status=new,
        note=note,
        changes=changes,
    )
    session.flush()
    return Change(claim.id, claim.version, event.id, action, old, new, changes)


# Reviewers ----------------------------------------------------------------------------------


def add_reviewer(
    database: Database,
    actor: Actor,
    name: str,
    *,
    email: str | None = None,
    role: str | Role = Role.REVIEWER,
    bootstrap: bool = True,
) -> ReviewerView:
    """Register a reviewer; names are unique because events name their actor by it.

    Once the database has an admin, only an admin may add reviewers; before that (a new
    database) anyone may, so the first admin can be created at the terminal. ``bootstrap=False``
    (the web workspace, where anyone logged in could otherwise make themselves one) always
    needs an admin.
    """
    name, email = check_new_reviewer(name, email)
    parsed_role = parse_role(role)
    try:
        with database.transaction() as session:
            has_admin = session.scalar(select(Reviewer.id).where(Reviewer.role == Role.ADMIN))
            if has_admin is not None or not bootstrap:
                authorize(session, actor, Role.ADMIN, action="add reviewers")
            if session.scalar(select(Reviewer.id).where(Reviewer.name == name)) is not None:
                raise InvalidInput(f"reviewer {name} already exists")
            reviewer = Reviewer(name=name, email=email, role=parsed_role, created_at=utcnow())
            session.add(reviewer)
            session.flush()
            return ReviewerView.of(reviewer)
    except IntegrityError as exc:  # another process added the same name meanwhile
        raise InvalidInput(f"reviewer {name} already exists") from exc


def list_reviewers(database: Database, actor: Actor) -> list[ReviewerView]:
    with database.reading() as session:
        may_read(session, actor, "reviewers")
        reviewers = session.scalars(select(Reviewer).order_by(Reviewer.name)).all()
        return [ReviewerView.of(reviewer) for reviewer in reviewers]


def check_actor(database: Database, actor: Actor, needed: Role = Role.REVIEWER) -> ReviewerView:
    """Refuse early (before an interactive session starts) an actor who may not act."""
    with database.reading() as session:
        acting = authorize(session, actor, needed, action="review claims")
        reviewer = session.get(Reviewer, acting.reviewer_id)
        assert reviewer is not None  # authorize found it
        return ReviewerView.of(reviewer)
