"""Links as the CLI, the web app and reports show them (one shape, built in one place)."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.enums import CheckOutcome, LinkState
from tracker.errors import InvalidInput
from tracker.models import ClaimSource, Link, LinkCheck, Source
from tracker.urls import InvalidURL, registrable_domain

E = TypeVar("E", LinkState, CheckOutcome)


def link_summary(link: Link, evidence: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "id": link.id,
        "url": link.url,
        "state": link.state,
        "last_outcome": link.last_outcome,
        "http_status": link.http_status,
        "final_url": link.final_url,
        "last_checked_at": link.last_checked_at,
        "next_check_at": link.next_check_at,
        "consecutive_failures": link.consecutive_failures,
        "archive_url": link.archive_url,
        "content_changed": link.content_changed,
        "evidence": evidence or [],
    }


def evidence_by_link(session: Session, link_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Per link: each claim relying on it, its expected text and whether it was found."""
    found: dict[int, list[dict[str, Any]]] = {link_id: [] for link_id in link_ids}
    for start in range(0, len(link_ids), 500):
        sources = session.scalars(
            select(ClaimSource)
            .where(ClaimSource.link_id.in_(link_ids[start : start + 500]))
            .order_by(ClaimSource.id)
        )
        for source in sources:
            if source.link_id is not None:
                found[source.link_id].append(
                    {
                        "claim_id": source.claim_id,
                        "expected": source.evidence,
                        "found": source.evidence_found,
                        "state": source.evidence_state,
                        "passage": source.evidence_passage,
                        "checked_at": source.evidence_checked_at,
                    }
                )
    return found


def link_detail(session: Session, link: Link, *, history: int = 50) -> dict[str, Any]:
    """Everything about a link: summary, override, evidence per claim, recent checks."""
    data = link_summary(link)
    data.update(
        {
            "domain": link.source.domain if link.source else None,
            "first_checked_at": link.first_checked_at,
            "last_ok_at": link.last_ok_at,
            "failing_since": link.failing_since,
            "archive_timestamp": link.archive_timestamp,
            "override": None
            if link.override_state is None
            else {
                "state": link.override_state,
                "note": link.override_note,
                "reviewer_id": link.override_by_id,
                "at": link.override_at,
            },
        }
    )
    data["evidence"] = evidence_by_link(session, [link.id])[link.id]
    checks = session.scalars(
        select(LinkCheck)
        .where(LinkCheck.link_id == link.id)
        .order_by(LinkCheck.checked_at.desc(), LinkCheck.id.desc())
        .limit(history)
    )
    data["checks"] = [
        {
            "checked_at": check.checked_at,
            "outcome": check.outcome,
            "http_status": check.http_status,
            "final_url": check.final_url,
            "redirect_chain": check.redirect_chain,
            "elapsed_ms": check.elapsed_ms,
            "error": check.error,
            "soft_404": check.soft_404,
            "not_modified": check.not_modified,
            "fingerprint": check.fingerprint,
            "worker": check.worker,
        }
        for check in checks
    ]
    return data


def list_links(
    session: Session,
    *,
    state: str | None = None,
    outcome: str | None = None,
    domain: str | None = None,
    limit: int | None = None,
) -> list[Link]:
    """Links filtered by state, last outcome and registrable domain, by id."""
    query = select(Link).order_by(Link.id)
    if state is not None:
        query = query.where(Link.state == _member(LinkState, state, "state"))
    if outcome is not None:
        query = query.where(Link.last_outcome == _member(CheckOutcome, outcome, "outcome"))
    if domain is not None:
        try:
            name = registrable_domain(domain.strip())
        except InvalidURL as exc:
            raise InvalidInput(f"invalid domain {domain!r}: {exc}") from None
        query = query.join(Source, Source.id == Link.source_id).where(Source.domain == name)
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def _member(enum: type[E], value: str, what: str) -> E:
    try:
        return enum(value)
    except ValueError:
        choices = ", ".join(member.value for member in enum)
        raise InvalidInput(f"unknown {what} {value!r} (one of: {choices})") from None
