"""Reviewer actions on a claim: status and verdict, notes, edits, rejection.

Each action is one transaction that checks the reviewer's role, validates everything, writes
the claim through the version compare-and-swap (:mod:`tracker.review.locking`) and appends
exactly one :class:`~tracker.models.ClaimEvent`. Any refusal leaves the database untouched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.db import Database
from tracker.enums import ClaimEventAction, ClaimStatus, Role
from tracker.errors import InvalidInput
from tracker.models import Citation, Claim, ClaimSource, Reviewer
from tracker.records import get_claim, get_or_create_link, get_reviewer, record_claim_event
from tracker.review.locking import expected_version, swap
from tracker.review.workflow import (
    FINAL_STATUSES,
    check_transition,
    clean_note,
    needs_note,
    parse_status,
)
from tracker.urls import normalize_url


@dataclass(frozen=True)
class Change:
    """What one action did: the claim's new version and the event that records it."""

    claim_id: int
    version: int
    event_id: int
    action: ClaimEventAction
    old_status: ClaimStatus
    new_status: ClaimStatus
    changes: dict[str, Any]


def set_status(
    database: Database,
    claim_id: int,
    status: str | ClaimStatus,
    *,
    reviewer: str,
    note: str | None = None,
    expect_version: int | None = None,
) -> Change:
    """Move a claim along the workflow or record a verdict (see :mod:`workflow`)."""
    new = parse_status(status)
    note = clean_note(note, required=needs_note(new))
    with database.transaction() as session:
        actor = get_reviewer(session, reviewer, may=Role.REVIEWER)
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
        return _record(
            session,
            claim,
            actor=actor,
            action=ClaimEventAction.STATUS,
            old=old,
            new=new,
            note=note,
            changes=changes,
        )


def reject_claim(
    database: Database,
    claim_id: int,
    *,
    reviewer: str,
    note: str | None = None,
    expect_version: int | None = None,
) -> Change:
    """Mark a candidate that is not a factual claim; it leaves the review queue."""
    return set_status(
        database,
        claim_id,
        ClaimStatus.REJECTED,
        reviewer=reviewer,
        note=note,
        expect_version=expect_version,
    )


def add_note(
    database: Database,
    claim_id: int,
    text: str,
    *,
    reviewer: str,
    expect_version: int | None = None,
) -> Change:
    """Leave a note on a claim; it bumps the version, so a verdict drafted before it conflicts."""
    note = clean_note(text, required=True)
    with database.transaction() as session:
        actor = get_reviewer(session, reviewer, may=Role.REVIEWER)
        claim = get_claim(session, claim_id)
        expected = expected_version(session, claim, expect_version)
        status = claim.status
        swap(session, claim, expected, {})
        return _record(
            session,
            claim,
            actor=actor,
            action=ClaimEventAction.NOTE,
            old=status,
            new=status,
            note=note,
            changes={},
        )


def edit_claim(
    database: Database,
    claim_id: int,
    *,
    reviewer: str,
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
            "nothing to edit: give --text, --evidence, --add-source or --remove-source"
        )
    text = _stripped(text, "the claim text cannot be empty")
    evidence = _stripped(evidence, "the evidence text is empty")
    note = clean_note(note, required=False)
    added = _normalized(add_sources)
    removed = _normalized(remove_sources)
    if both := sorted(set(added) & set(removed)):
        raise InvalidInput(f"{both[0]} is both added and removed")
    with database.transaction() as session:
        actor = get_reviewer(session, reviewer, may=Role.REVIEWER)
        claim = get_claim(session, claim_id)
        expected = expected_version(session, claim, expect_version)
        status = claim.status
        sources_before = _source_urls(claim.sources)
        evidence_before = _evidence(claim.sources)
        changes: dict[str, Any] = {}
        if text is not None and text != claim.text:
            changes["text"] = {"before": claim.text, "after": text}
        targets = _apply_source_edits(session, claim, added, removed)
        if evidence is not None:
            _set_evidence(claim, targets, evidence)
        sources_after = _source_urls(claim.sources)
        if sources_after != sources_before:
            changes["sources"] = {"before": sources_before, "after": sources_after}
        evidence_after = _evidence(claim.sources)
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
        return _record(
            session,
            claim,
            actor=actor,
            action=_edit_action(changes),
            old=status,
            new=status,
            note=note,
            changes=changes,
        )


def _stripped(value: str | None, empty_message: str) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if not value:
        raise InvalidInput(empty_message)
    return value


def _set_evidence(claim: Claim, targets: list[ClaimSource], evidence: str) -> None:
    if not targets:
        raise InvalidInput(
            f"claim {claim.id} has no source to hold the evidence: add one with --add-source"
        )
    for source in targets:
        if source.evidence != evidence:
            source.evidence = evidence
            source.evidence_spec = None  # the checker reads the reviewer's words instead
            source.evidence_state = None
            source.evidence_passage = None
            source.evidence_found = None
            source.evidence_checked_at = None


def _normalized(urls: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(normalize_url(url) for url in urls))


def _source_key(source: ClaimSource) -> str:
    if source.link is not None:
        return source.link.url
    return f"citation:{source.citation_id}" if source.citation_id else f"source:{source.id}"


def _source_urls(sources: Sequence[ClaimSource]) -> list[str]:
    return [_source_key(source) for source in sources]


def _evidence(sources: Sequence[ClaimSource]) -> dict[str, str | None]:
    return {_source_key(source): source.evidence for source in sources}


def _apply_source_edits(
    session: Session, claim: Claim, added: list[str], removed: list[str]
) -> list[ClaimSource]:
    """Remove and add claim sources; returns the sources an evidence edit applies to."""
    by_url = {source.link.url: source for source in claim.sources if source.link is not None}
    for url in removed:
        source = by_url.get(url)
        if source is None:
            raise InvalidInput(f"claim {claim.id} does not cite {url}")
        claim.sources.remove(source)
    new_sources = []
    for url in added:
        if url in by_url:
            raise InvalidInput(f"claim {claim.id} already cites {url}")
        link = get_or_create_link(session, url)
        citation_id = session.scalar(
            select(Citation.id)
            .where(Citation.article_id == claim.article_id, Citation.link_id == link.id)
            .order_by(Citation.position)
            .limit(1)
        )
        source = ClaimSource(link=link, citation_id=citation_id)
        claim.sources.append(source)
        new_sources.append(source)
    return new_sources or list(claim.sources)


def _edit_action(changes: dict[str, Any]) -> ClaimEventAction:
    if set(changes) == {"sources"}:
        before, after = set(changes["sources"]["before"]), set(changes["sources"]["after"])
        if after > before:
            return ClaimEventAction.SOURCE_ADDED
        if after < before:
            return ClaimEventAction.SOURCE_REMOVED
    return ClaimEventAction.EDIT


def _record(
    session: Session,
    claim: Claim,
    *,
    actor: Reviewer,
    action: ClaimEventAction,
    old: ClaimStatus,
    new: ClaimStatus,
    note: str | None,
    changes: dict[str, Any],
) -> Change:
    event = record_claim_event(
        session,
        claim,
        actor=actor.name,
        action=action,
        reviewer=actor,
        old_status=old,
        new_status=new,
        note=note,
        changes=changes,
    )
    session.flush()
    return Change(claim.id, claim.version, event.id, action, old, new, changes)
