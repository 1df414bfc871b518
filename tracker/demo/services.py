"""The whole product in one command, offline: ingest, check twice, review, report.

A local site (:mod:`tracker.demo.site`) plays the web: the article, the pages it cites (alive,
moved, dead, gone, a soft-404, one whose figure is edited away between the two checks) and a
Wayback-compatible archive. Every step goes through the same services as the CLI, acting as the
demo's reviewer (``demo-reviewer``) or the tracker's checker.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy import select

from tracker import migrate
from tracker.actors import CHECKER, LOCAL_READER, Actor
from tracker.db import Database
from tracker.demo.site import AIR_DEFENCE, BUDGETS, POLL, SPENDING, DemoSite
from tracker.enums import ClaimStatus, LinkState, Role
from tracker.models import Capture, Claim, ClaimSource, Link
from tracker.settings import Settings

DEMO_REVIEWER = "demo-reviewer"
REVIEWER = Actor.reviewer(DEMO_REVIEWER)
Step = Callable[[str], None]

# What the demo reviewer concludes about the claims resting on each page, and why.
VERDICTS: dict[str, tuple[ClaimStatus, str | None]] = {
    POLL.key: (
        ClaimStatus.ACCURATE,
        "The cited poll page reports that 69% of Poles oppose sending troops.",
    ),
    SPENDING.key: (
        ClaimStatus.MOSTLY_ACCURATE,
        (
            "The guideline page (now at a new address) states the 2% of GDP target; the "
            "article overstates it as a condition of Article 5."
        ),
    ),
    BUDGETS.key: (
        ClaimStatus.ACCURATE,
        "The budget table listed the members spending at least 2% of GDP when we checked.",
    ),
    AIR_DEFENCE.key: (ClaimStatus.UNVERIFIABLE, None),
}


@dataclass(frozen=True)
class DemoResult:
    database_url: str
    report_path: Path
    article_id: int
    claims_by_status: dict[str, int] = field(default_factory=dict)
    links_by_state: dict[str, int] = field(default_factory=dict)
    flagged_for_rereview: int = 0
    archived_links: int = 0
    captures: tuple[tuple[str, int, str], ...] = ()
    """Our captures: (link URL, capture id, captured at)."""
    passages: tuple[tuple[int, str, int | None], ...] = ()
    """Each found evidence's kept passage: (claim id, passage, capture id)."""
    archived: tuple[tuple[str, str, str | None], ...] = ()
    """Dead or at-risk links' archived copies: (link URL, copy URL, archive name)."""
    captures_path: Path | None = None


def demo_settings(base: Settings, site: DemoSite, database_url: str) -> Settings:
    """The user's settings, pointed at the local site and tuned so two checks confirm rot."""
    return base.with_overrides(
        database_url=database_url,
        allow_private_networks=True,
        organization_name=base.organization_name or "fact-tracker demo",
        organization_url=base.organization_url or f"{site.origin}/",
        archive_url=site.archive_api_url,
        memento_archives=[site.memento_archive()],
        archive_save=False,
        dead_after_checks=2,
        dead_after_hours=0.0,
        max_retries=0,
        timeout=min(base.timeout, 5.0),
    )


def run_demo(
    base: Settings, *, output_dir: Path, database_url: str | None = None, step: Step = print
) -> DemoResult:
    """Run the demo; ``database_url`` (else a temporary SQLite file) keeps what it recorded."""
    output_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="fact-tracker-demo-") as scratch:
        url = database_url or f"sqlite:///{Path(scratch) / 'demo.sqlite3'}"
        with DemoSite(edit_after=None) as site:
            settings = demo_settings(base, site, url)
            database = Database(url)
            try:
                return _run(database, settings, site, output_dir, step)
            finally:
                database.dispose()


def _run(
    database: Database, settings: Settings, site: DemoSite, output_dir: Path, step: Step
) -> DemoResult:
    from tracker.articles.services import ingest
    from tracker.captures.services import export_captures
    from tracker.linkcheck.services import check_links, links_to_check, lookup_archives
    from tracker.reporting.services import article_report
    from tracker.review.services import add_reviewer, list_reviewers, set_status

    step(f"Local site serving the article at {site.article_url}")
    migrate.upgrade(database.engine)
    step("Database ready")
    if DEMO_REVIEWER not in {r.name for r in list_reviewers(database, LOCAL_READER)}:
        add_reviewer(database, REVIEWER, DEMO_REVIEWER, role=Role.REVIEWER)

    ingested = ingest(database, REVIEWER, settings, site.article_url)
    step(
        f"{DEMO_REVIEWER} ingested article {ingested.article.id}: {len(ingested.claims)} claims, "
        f"{len(ingested.citations)} citations"
    )
    link_ids = links_to_check(database, REVIEWER, article_id=ingested.article.id)

    verdicts = _record_verdicts(database, site, set_status)
    step(f"{DEMO_REVIEWER} recorded {verdicts} verdicts")

    first = check_links(database, CHECKER, settings, link_ids, worker="demo")
    step(f"First check: {_counts(first.outcomes)}")
    site.edit_figure()
    step("The budgets page has now been edited: its figure is gone")
    second = check_links(database, CHECKER, settings, link_ids, worker="demo")
    step(f"Second check: {_counts(second.outcomes)}")

    with database.reading() as session:
        rotten = list(
            session.scalars(
                select(Link.id).where(Link.effective_state.in_([LinkState.DEAD, LinkState.AT_RISK]))
            )
        )
    archived = lookup_archives(database, CHECKER, settings, rotten)
    step(f"Archived copies found for {archived} of {len(rotten)} rotten links")

    report_path = output_dir / "report.html"
    report = article_report(database, REVIEWER, settings, ingested.article.id, "html")
    report_path.write_text(report.text, encoding="utf-8")
    result = _summarise(database, settings.database_url, report_path, ingested.article.id, archived)
    captures_path = output_dir / "captures.wacz"
    exported = export_captures(
        database, REVIEWER, settings, captures_path, fmt="wacz", article_id=ingested.article.id
    )
    step(f"Our captures of the live sources: {exported.captures}, packaged in {captures_path}")
    return replace(result, captures_path=captures_path)


def _record_verdicts(database: Database, site: DemoSite, set_status: Callable[..., object]) -> int:
    page_of_link = {site.page_url(key): key for key in VERDICTS}
    with database.reading() as session:
        rows = session.execute(
            select(ClaimSource.claim_id, Link.url)
            .join(Link, ClaimSource.link_id == Link.id)
            .order_by(ClaimSource.claim_id)
        ).all()
    decided: dict[int, str] = {}
    for claim_id, url in rows:
        if url in page_of_link and claim_id not in decided:
            decided[claim_id] = page_of_link[url]
    for claim_id, key in decided.items():
        status, note = VERDICTS[key]
        set_status(database, REVIEWER, claim_id, ClaimStatus.IN_REVIEW)
        set_status(database, REVIEWER, claim_id, status, note=note)
    return len(decided)


def _summarise(
    database: Database, url: str, report_path: Path, article_id: int, archived_links: int
) -> DemoResult:
    claims: Counter[str] = Counter()
    links: Counter[str] = Counter()
    flagged = 0
    with database.reading() as session:
        for claim in session.scalars(select(Claim).where(Claim.article_id == article_id)):
            claims[claim.status.value] += 1
            flagged += claim.needs_rereview
        copies = []
        for link in session.scalars(select(Link).order_by(Link.id)):
            links[link.effective_state.value] += 1
            if link.archive_url and link.effective_state in (LinkState.DEAD, LinkState.AT_RISK):
                copies.append((link.url, link.archive_url, link.archive_name))
        captures = tuple(
            (link_url, capture_id, when.strftime("%Y-%m-%d %H:%M:%S"))
            for link_url, capture_id, when in session.execute(
                select(Link.url, Capture.id, Capture.captured_at)
                .join(Link, Link.id == Capture.link_id)
                .order_by(Capture.id)
            ).tuples()
        )
        passages = tuple(
            session.execute(
                select(
                    ClaimSource.claim_id, ClaimSource.found_passage, ClaimSource.found_capture_id
                )
                .join(Claim, Claim.id == ClaimSource.claim_id)
                .where(Claim.article_id == article_id, ClaimSource.found_passage.is_not(None))
                .order_by(ClaimSource.claim_id, ClaimSource.id)
            ).tuples()
        )
    return DemoResult(
        url,
        report_path,
        article_id,
        dict(claims),
        dict(links),
        flagged,
        archived_links,
        captures=captures,
        passages=passages,  # type: ignore[arg-type]
        archived=tuple(copies),
    )


def _counts(counter: dict[str, int]) -> str:
    return ", ".join(f"{count} {name}" for name, count in sorted(counter.items()))
