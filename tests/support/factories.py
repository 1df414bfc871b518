"""Small factories that insert report test data straight through the models.

The services that normally write these rows (ingest, checker, verdicts) live on other
branches; reports only read the tables, so tests build the rows they need here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from tracker.credibility.sources import get_or_create_source
from tracker.enums import CheckOutcome, ClaimEventAction, ClaimKind, ClaimStatus, LinkState, Role
from tracker.linkcheck.links import get_or_create_link
from tracker.models import (
    Article,
    Citation,
    Claim,
    ClaimEvent,
    ClaimSource,
    Link,
    LinkCheck,
    Reviewer,
)
from tracker.review.claims import record_claim_event
from tracker.review.reviewers import Acting
from tracker.urls import registrable_domain

T0 = datetime(2024, 11, 11, 9, 0, tzinfo=UTC)
XSS = "<script>alert(1)</script>"
HOSTILE_URL_TAIL = '?a="><script>alert(2)</script>'
SPENDING_MOVED_TO = "https://defence.example.net/2024/spending-2-percent"
HOSTILE_RAW_URL = "javascript:alert('<script>')"


def make_article(session: Session, **values: Any) -> Article:
    values.setdefault("url", "https://news.example.com/2024/11/peacekeepers")
    values.setdefault("title", "Peacekeepers in Ukraine")
    values.setdefault("authors", ["Jan Kowalski"])
    values.setdefault("site_name", "Example News")
    values.setdefault("published_at", T0)
    values.setdefault("fetched_at", T0 + timedelta(hours=1))
    values.setdefault("text", "")
    if values["url"]:
        values.setdefault(
            "source_id", get_or_create_source(session, registrable_domain(values["url"])).id
        )
    article = Article(**values)
    session.add(article)
    session.flush()
    return article


def make_link(
    session: Session,
    url: str,
    *,
    state: LinkState = LinkState.ALIVE,
    checks: Sequence[tuple[datetime, CheckOutcome, int | None]] = (),
    **values: Any,
) -> Link:
    """A link with its check history; the last check sets the link's latest columns."""
    link = get_or_create_link(session, url)
    link.state = state
    for checked_at, outcome, status in checks:
        session.add(
            LinkCheck(link_id=link.id, checked_at=checked_at, outcome=outcome, http_status=status)
        )
    if checks:
        first, last = checks[0], checks[-1]
        link.first_checked_at = first[0]
        link.last_checked_at = last[0]
        link.last_outcome = last[1]
        link.http_status = last[2]
    for name, value in values.items():
        setattr(link, name, value)
    session.flush()
    return link


def make_citation(
    session: Session,
    article: Article,
    link: Link | None,
    *,
    position: int,
    anchor_text: str = "source",
    sentence: str = "",
    raw_url: str | None = None,
) -> Citation:
    citation = Citation(
        article_id=article.id,
        link_id=link.id if link else None,
        raw_url=raw_url or (link.url if link else None),
        anchor_text=anchor_text,
        sentence=sentence,
        position=position,
    )
    session.add(citation)
    session.flush()
    return citation


def make_reviewer(session: Session, name: str = "ana", role: Role = Role.REVIEWER) -> Reviewer:
    reviewer = Reviewer(name=name, role=role)
    session.add(reviewer)
    session.flush()
    return reviewer


def make_claim(
    session: Session,
    article: Article,
    text: str,
    *,
    position: int,
    kind: ClaimKind = ClaimKind.STATISTIC,
    sources: Sequence[tuple[Citation, str | None, bool | None]] = (),
    created_at: datetime = T0,
) -> Claim:
    """A claim (with its ``created`` event) relying on ``(citation, evidence, found)``."""
    claim = Claim(article_id=article.id, text=text, kind=kind, position=position, score=0.8)
    session.add(claim)
    session.flush()
    add_event(session, claim, ClaimEventAction.CREATED, at=created_at, actor="system:extractor")
    for citation, evidence, found in sources:
        session.add(
            ClaimSource(
                claim_id=claim.id,
                link_id=citation.link_id,
                citation_id=citation.id,
                evidence=evidence,
                evidence_found=found,
                evidence_checked_at=None if found is None else created_at + timedelta(days=1),
            )
        )
    session.flush()
    return claim


def add_event(
    session: Session,
    claim: Claim,
    action: ClaimEventAction,
    *,
    at: datetime,
    actor: str,
    new_status: ClaimStatus | None = None,
    note: str | None = None,
    reviewer: Reviewer | None = None,
) -> ClaimEvent:
    acting = (
        Acting(reviewer.name, reviewer.id, reviewer.role) if reviewer else Acting(actor, None, None)
    )
    event = record_claim_event(
        session,
        claim,
        actor=acting,
        action=action,
        old_status=claim.status if new_status else None,
        new_status=new_status,
        note=note,
        at=at,
    )
    session.flush()
    return event


def set_verdict(
    session: Session,
    claim: Claim,
    status: ClaimStatus,
    *,
    reviewer: Reviewer,
    at: datetime,
    note: str | None = None,
) -> None:
    claim.version += 1
    add_event(
        session,
        claim,
        ClaimEventAction.STATUS,
        at=at,
        actor=reviewer.name,
        new_status=status,
        note=note,
        reviewer=reviewer,
    )
    claim.status = status
    session.flush()


@dataclass
class Sample:
    article_id: int
    claim_ids: list[int]
    link_ids: dict[str, int]


def sample_article(session: Session, *, hostile: bool = False) -> Sample:
    """The demo's shape: a poll (alive), a spending figure (moved, then edited), an air-defence
    figure (dead, archived), one unverified claim without sources, one unresolved citation.

    ``hostile`` puts markup and formula prefixes in every untrusted string.
    """
    bad = XSS if hostile else ""
    article = make_article(
        session,
        title=f"Peacekeepers in Ukraine {bad}".strip(),
        authors=[f"Jan Kowalski{bad}"],
    )
    poll = make_link(
        session,
        "https://polls.example.org/2024/troops",
        state=LinkState.ALIVE,
        checks=[(T0 + timedelta(days=d), CheckOutcome.OK, 200) for d in (1, 8)],
        last_ok_at=T0 + timedelta(days=8),
    )
    spending = make_link(
        session,
        "https://defence.example.net/spending",
        state=LinkState.ALIVE,
        checks=[
            (T0 + timedelta(days=1), CheckOutcome.OK, 200),
            (T0 + timedelta(days=8), CheckOutcome.REDIRECTED, 200),
        ],
        final_url="https://defence.example.net/2024/spending-2-percent"
        + (HOSTILE_URL_TAIL if hostile else ""),
        content_changed=True,
    )
    air = make_link(
        session,
        "https://think.example.com/air-defence",
        state=LinkState.DEAD,
        checks=[
            (T0 + timedelta(days=1), CheckOutcome.OK, 200),
            (T0 + timedelta(days=8), CheckOutcome.NOT_FOUND, 404),
            (T0 + timedelta(days=9), CheckOutcome.BLOCKED, 403),
            (T0 + timedelta(days=15), CheckOutcome.NOT_FOUND, 404),
        ],
        failing_since=T0 + timedelta(days=8),
        consecutive_failures=2,
        archive_url="https://web.archive.org/web/20241101000000/https://think.example.com/air-defence",
        archive_timestamp=datetime(2024, 11, 1, tzinfo=UTC),
    )
    cites = [
        make_citation(session, article, poll, position=0, anchor_text=f"69% of Poles{bad}"),
        make_citation(session, article, spending, position=1, anchor_text="2% of their GDP"),
        make_citation(session, article, air, position=2, anchor_text="5% of the air defenses"),
        make_citation(
            session,
            article,
            None,
            position=3,
            anchor_text=f"here{bad}",
            raw_url=HOSTILE_RAW_URL if hostile else None,
        ),
    ]
    prefix = "=HYPERLINK(1)+" if hostile else ""
    poll_claim = make_claim(
        session,
        article,
        f"{prefix}69% of Poles oppose sending troops to Ukraine{bad}",
        position=0,
        sources=[(cites[0], "69%", True)],
    )
    spending_claim = make_claim(
        session,
        article,
        "NATO members must spend 2% of GDP on defense",
        position=1,
        sources=[(cites[1], "2% of GDP", False)],
    )
    air_claim = make_claim(
        session,
        article,
        "NATO only has 5% of the air defenses needed",
        position=2,
        sources=[(cites[2], "5%", None)],
        kind=ClaimKind.STATISTIC,
    )
    lone_claim = make_claim(
        session,
        article,
        "Poland refused to rule out participation",
        position=3,
        kind=ClaimKind.EVENT,
    )
    ana = make_reviewer(session, f"ana{bad}")
    set_verdict(
        session,
        poll_claim,
        ClaimStatus.ACCURATE,
        reviewer=ana,
        at=T0 + timedelta(days=2),
        note=f"Matches the CBOS poll{bad}",
    )
    set_verdict(
        session, spending_claim, ClaimStatus.IN_REVIEW, reviewer=ana, at=T0 + timedelta(days=2)
    )
    set_verdict(
        session,
        spending_claim,
        ClaimStatus.MOSTLY_ACCURATE,
        reviewer=ana,
        at=T0 + timedelta(days=3),
        note="Guideline, not a treaty duty",
    )
    set_verdict(
        session,
        air_claim,
        ClaimStatus.UNVERIFIABLE,
        reviewer=ana,
        at=T0 + timedelta(days=16),
        note="Source is gone; archived copy is partial",
    )
    return Sample(
        article_id=article.id,
        claim_ids=[poll_claim.id, spending_claim.id, air_claim.id, lone_claim.id],
        link_ids={"poll": poll.id, "spending": spending.id, "air": air.id},
    )
