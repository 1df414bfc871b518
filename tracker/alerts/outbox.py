"""Writing the outbox: one ``alert_events`` row per change, in the change's own transaction.

The services call these where each change is recorded (the link checker's results in
:func:`tracker.linkcheck.store.write_results`, every claim event in
:func:`tracker.review.claims.record_claim_event`), so an event exists exactly when its change
was committed: nothing is told that did not happen, nothing that happened is lost. Delivery is
somebody else's job (:mod:`tracker.alerts.delivery`), later, outside the check.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from tracker.alerts.kinds import EventKind
from tracker.alerts.models import AlertEvent
from tracker.enums import VERDICTS, ClaimEventAction, ClaimStatus, LinkState
from tracker.models import (
    Article,
    Citation,
    Claim,
    ClaimEvent,
    ClaimSource,
    Link,
    Reviewer,
    Source,
    utcnow,
)

MAX_CLAIMS = 50
"""Claims named in one event; a link cited by more says how many it left out."""

_TRIGGER_KINDS = {
    "dead": EventKind.LINK_DEAD,
    "content_changed": EventKind.PAGE_CHANGED,
    "evidence_missing": EventKind.EVIDENCE_MISSING,
}


@dataclass(frozen=True)
class LinkChange:
    """Something a check did to a link that alerts tell."""

    link_id: int
    kind: EventKind
    note: str
    claim_ids: tuple[int, ...] | None = None  # None: every claim relying on the link


def link_changes(
    link_id: int,
    state_before: LinkState,
    state_after: LinkState,
    triggers: Iterable[Any],
) -> list[LinkChange]:
    """The alerts of one check: the re-review triggers it raised (the link died, its page
    changed, evidence went missing) and a link that failed before and answers again.

    ``state_before``/``state_after`` are effective states (a reviewer's pin wins): a pinned
    link neither dies nor recovers in anyone's eyes.
    """
    changes = [
        LinkChange(link_id, _TRIGGER_KINDS[trigger.reason], trigger.note, trigger.claim_ids)
        for trigger in triggers
        if trigger.reason in _TRIGGER_KINDS
    ]
    if state_before in (LinkState.AT_RISK, LinkState.DEAD) and state_after is LinkState.ALIVE:
        note = f"the source answers again (was {state_before.value})"
        changes.append(LinkChange(link_id, EventKind.LINK_RECOVERED, note))
    return changes


def emit_link_changes(session: Session, changes: Sequence[LinkChange]) -> int:
    """Append one outbox row per change; how many."""
    events = (_link_event(session, change) for change in changes)
    rows = [row for row in events if row is not None]
    if rows:
        session.execute(insert(AlertEvent), rows)
    return len(rows)


def emit_claim_event(session: Session, claim: Claim, event: ClaimEvent) -> None:
    """The outbox row for a claim event that alerts tell (a verdict, a re-review flag)."""
    kind: EventKind | None = None
    if event.action is ClaimEventAction.STATUS and event.new_status in VERDICTS:
        kind = EventKind.VERDICT_RECORDED
    elif event.action is ClaimEventAction.REREVIEW:
        kind = EventKind.CLAIM_NEEDS_REREVIEW
    if kind is None:
        return
    article = session.get(Article, claim.article_id)
    if article is None or article.deleted_at is not None:
        return
    reviewer = event.actor if event.reviewer_id is not None else None
    reviewers = _reviewers_of(session, [claim.id]) | ({reviewer} if reviewer else set())
    changes = event.changes or {}
    link = _link_view(session, int(changes["link_id"])) if changes.get("link_id") else None
    domains = {_publisher(session, article)} | set(_claim_source_domains(session, claim.id))
    status = event.new_status or claim.status
    claim_view = _claim_view(claim.id, claim.text, status, claim.article_id)
    if kind is EventKind.VERDICT_RECORDED:
        summary = f"verdict {status.value} on claim {claim.id} by {event.actor}"
    else:
        summary = f"claim {claim.id} needs re-review: {event.note or ''}".rstrip(": ")
    session.add(
        AlertEvent(
            **_event_values(
                kind,
                link_id=link["id"] if link else None,
                claim_id=claim.id,
                subjects={
                    "articles": [article.id],
                    "domains": sorted(domain for domain in domains if domain),
                    "reviewers": sorted(reviewers),
                },
                payload={
                    "summary": summary,
                    "link": link,
                    "claims": [claim_view],
                    "claims_left_out": 0,
                    "articles": [_article_view(session, article)],
                    "reviewer": reviewer,
                    "note": event.note,
                },
            )
        )
    )


def test_alert_values(channel_id: int, subscription_id: int, actor: str) -> dict[str, Any]:
    """The outbox row of `alerts test`: addressed to one channel only."""
    return _event_values(
        EventKind.TEST,
        subjects={"channel_id": channel_id},
        payload={
            "summary": f"test alert of subscription {subscription_id}, sent by {actor}",
            "link": None,
            "claims": [],
            "claims_left_out": 0,
            "articles": [],
            "reviewer": None,
            "note": None,
        },
    )


def _event_values(
    kind: EventKind,
    *,
    subjects: dict[str, Any],
    payload: dict[str, Any],
    link_id: int | None = None,
    claim_id: int | None = None,
) -> dict[str, Any]:
    return {
        "uid": str(uuid.uuid4()),
        "kind": kind.value,
        "occurred_at": utcnow(),
        "link_id": link_id,
        "claim_id": claim_id,
        "subjects": subjects,
        "payload": payload,
    }


def _link_event(session: Session, change: LinkChange) -> dict[str, Any] | None:
    link = _link_view(session, change.link_id)
    if link is None:
        return None
    relying = (
        select(Claim.id, Claim.text, Claim.status, Claim.article_id)
        .join(ClaimSource, ClaimSource.claim_id == Claim.id)
        .join(Article, Article.id == Claim.article_id)
        .where(ClaimSource.link_id == change.link_id, Article.deleted_at.is_(None))
        .distinct()
        .order_by(Claim.id)
    )
    if change.claim_ids is not None:
        relying = relying.where(Claim.id.in_(change.claim_ids))
    claims = session.execute(relying).all()
    citing = session.scalars(
        select(Article).where(
            Article.id.in_(select(Citation.article_id).where(Citation.link_id == change.link_id)),
            Article.deleted_at.is_(None),
        )
    ).all()
    articles = {article.id: article for article in citing}
    for article_id in {row.article_id for row in claims} - set(articles):
        article = session.get(Article, article_id)
        if article is not None:
            articles[article_id] = article
    domains = {link["domain"]} | {_publisher(session, article) for article in articles.values()}
    return _event_values(
        change.kind,
        link_id=change.link_id,
        subjects={
            "articles": sorted(articles),
            "domains": sorted(domain for domain in domains if domain),
            "reviewers": sorted(_reviewers_of(session, [row.id for row in claims])),
        },
        payload={
            "summary": f"{change.note}: {link['url']}",
            "link": link,
            "claims": [
                _claim_view(row.id, row.text, row.status, row.article_id)
                for row in claims[:MAX_CLAIMS]
            ],
            "claims_left_out": max(0, len(claims) - MAX_CLAIMS),
            "articles": [_article_view(session, articles[key]) for key in sorted(articles)],
            "reviewer": None,
            "note": change.note,
        },
    )


def _link_view(session: Session, link_id: int) -> dict[str, Any] | None:
    row = session.execute(
        select(
            Link.id,
            Link.url,
            Link.state,
            Link.override_state,
            Link.last_outcome,
            Link.http_status,
            Link.archive_url,
            Source.domain,
        )
        .outerjoin(Source, Source.id == Link.source_id)
        .where(Link.id == link_id)
    ).one_or_none()
    if row is None:
        return None
    return {
        "id": row.id,
        "url": row.url,
        "state": (row.override_state or row.state).value,
        "last_outcome": row.last_outcome.value if row.last_outcome else None,
        "http_status": row.http_status,
        "archive_url": row.archive_url,
        "domain": row.domain,
    }


def _claim_view(claim_id: int, text: str, status: ClaimStatus, article_id: int) -> dict[str, Any]:
    return {"id": claim_id, "text": text, "status": status.value, "article_id": article_id}


def _article_view(session: Session, article: Article) -> dict[str, Any]:
    return {
        "id": article.id,
        "url": article.url,
        "title": article.title,
        "domain": _publisher(session, article),
    }


def _publisher(session: Session, article: Article) -> str | None:
    if article.source_id is None:
        return None
    return session.scalar(select(Source.domain).where(Source.id == article.source_id))


def _claim_source_domains(session: Session, claim_id: int) -> list[str]:
    return list(
        session.scalars(
            select(Source.domain)
            .join(Link, Link.source_id == Source.id)
            .join(ClaimSource, ClaimSource.link_id == Link.id)
            .where(ClaimSource.claim_id == claim_id)
            .distinct()
        )
    )


def _reviewers_of(session: Session, claim_ids: Sequence[int]) -> set[str]:
    """Reviewers who recorded a status on these claims: whose claims they are."""
    if not claim_ids:
        return set()
    return set(
        session.scalars(
            select(Reviewer.name)
            .join(ClaimEvent, ClaimEvent.reviewer_id == Reviewer.id)
            .where(
                ClaimEvent.claim_id.in_(list(claim_ids)),
                ClaimEvent.action == ClaimEventAction.STATUS,
            )
            .distinct()
        )
    )
