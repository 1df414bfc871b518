"""How a claim's text, sources and evidence are edited: the rules behind ``claims edit`` and
``claims add`` (a new claim is its sources added to an empty claim)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.enums import ClaimEventAction, EvidenceState
from tracker.errors import InvalidInput
from tracker.linkcheck.links import get_or_create_link
from tracker.models import Citation, Claim, ClaimSource
from tracker.urls import normalize_url


def stripped(value: str | None, empty_message: str) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if not value:
        raise InvalidInput(empty_message)
    return value


def normalized_urls(urls: Sequence[str]) -> list[str]:
    """Each URL normalized once, in order; InvalidURL before anything is written."""
    return list(dict.fromkeys(normalize_url(url) for url in urls))


def set_evidence(claim: Claim, targets: list[ClaimSource], evidence: str) -> None:
    """Expect ``evidence`` on ``targets``; a changed expectation is unchecked until checked."""
    if not targets:
        raise InvalidInput(f"claim {claim.id} has no source to hold the evidence: add one first")
    for source in targets:
        if source.evidence != evidence:
            source.evidence = evidence
            source.evidence_spec = None  # the checker reads the reviewer's words instead
            unchecked(source)


def unchecked(source: ClaimSource) -> None:
    """The source's evidence is to be checked again (a new expectation, or a new link): its
    state, passage and the old yes/no go; "nothing to match" stays what it is."""
    source.evidence_found = None
    source.evidence_checked_at = None
    source.evidence_passage = None
    if source.evidence_state != EvidenceState.NOTHING_TO_MATCH:
        source.evidence_state = None


def source_key(source: ClaimSource) -> str:
    if source.link is not None:
        return source.link.url
    return f"citation:{source.citation_id}" if source.citation_id else f"source:{source.id}"


def source_urls(sources: Sequence[ClaimSource]) -> list[str]:
    return [source_key(source) for source in sources]


def evidence_of(sources: Sequence[ClaimSource]) -> dict[str, str | None]:
    return {source_key(source): source.evidence for source in sources}


def apply_source_edits(
    session: Session, claim: Claim, added: list[str], removed: list[str]
) -> list[ClaimSource]:
    """Remove and add claim sources; returns the sources an evidence edit applies to.

    An added URL the article itself cites is tied to that citation (its first one).
    """
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


def edit_action(changes: dict[str, Any]) -> ClaimEventAction:
    """``source_added`` / ``source_removed`` for edits of sources only, else ``edit``."""
    if set(changes) == {"sources"}:
        before, after = set(changes["sources"]["before"]), set(changes["sources"]["after"])
        if after > before:
            return ClaimEventAction.SOURCE_ADDED
        if after < before:
            return ClaimEventAction.SOURCE_REMOVED
    return ClaimEventAction.EDIT
