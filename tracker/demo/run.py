"""The whole product in one command, offline: ingest, check twice, review, report.

A local site (:mod:`tracker.demo.site`) plays the web: the article, the pages it cites (alive,
moved, dead, gone, a soft-404, one whose figure is edited away between the two checks) and a
Wayback-compatible archive. Every step goes through the same services as the CLI.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from tracker import migrate
from tracker.db import Database
from tracker.demo.site import AIR_DEFENCE, BUDGETS, POLL, SPENDING, DemoSite
from tracker.enums import ClaimStatus, LinkState, Role
from tracker.models import Claim, ClaimSource, Link
from tracker.settings import Settings

DEMO_REVIEWER = "demo-reviewer"
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


@dataclass
class DemoResult:
    database_url: str
    report_path: Path
    article_id: int
    claims_by_status: Counter[str] = field(default_factory=Counter)
    links_by_state: Counter[str] = field(default_factory=Counter)
    flagged_for_rereview: int = 0
    archived_links: int = 0


def demo_settings(base: Settings, site: DemoSite, database_url: str) -> Settings:
    """The user's settings, pointed at the local site and tuned so two checks confirm rot."""
    return base.with_overrides(
        database_url=database_url,
        allow_private_networks=True,
        archive_url=site.archive_api_url,
        archive_save=False,
        dead_after_checks=2,
        dead_after_hours=0.0,
        max_retries=0,
        timeout=min(base.timeout, 5.0),
    )


def run_demo(
    base: Settings, *, output_dir: Path, database_url: str | None = None, step: Step = print
) -> DemoResult:
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
    from reports.render import article_report
    from tracker.articles.ingest import ingest
    from tracker.linkcheck import check_links, lookup_archives
    from tracker.review.actions import set_status
    from tracker.review.reviewers import add_reviewer

    step(f"Local site serving the article at {site.article_url}")
    migrate.upgrade(database.engine)
    step("Database ready")

    ingested = ingest(database, settings, site.article_url)
    step(
        f"Ingested article {ingested.article_id}: {len(ingested.claims)} claims, "
        f"{len(ingested.citations)} citations"
    )
    with database.reading() as session:
        link_ids = list(session.scalars(select(Link.id).order_by(Link.id)))

    add_reviewer(database, DEMO_REVIEWER, role=Role.REVIEWER)
    verdicts = _record_verdicts(database, site, set_status)
    step(f"{DEMO_REVIEWER} recorded {verdicts} verdicts")

    first = check_links(database, settings, link_ids, worker="demo")
    step(f"First check: {_counts(first.outcomes)}")
    site.edit_figure()
    step("The budgets page has now been edited: its figure is gone")
    second = check_links(database, settings, link_ids, worker="demo")
    step(f"Second check: {_counts(second.outcomes)}")

    with database.reading() as session:
        rotten = list(
            session.scalars(
                select(Link.id).where(Link.state.in_([LinkState.DEAD, LinkState.AT_RISK]))
            )
        )
    archived = lookup_archives(database, settings, rotten)
    step(f"Archived copies found for {archived} of {len(rotten)} rotten links")

    report_path = output_dir / "report.html"
    with database.reading() as session:
        html = article_report(session, ingested.article_id, "html", settings)
    report_path.write_text(html, encoding="utf-8")
    return _summarise(database, settings.database_url, report_path, ingested.article_id, archived)


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
        set_status(database, claim_id, ClaimStatus.IN_REVIEW, reviewer=DEMO_REVIEWER, note=None)
        set_status(database, claim_id, status, reviewer=DEMO_REVIEWER, note=note)
    return len(decided)


def _summarise(
    database: Database, url: str, report_path: Path, article_id: int, archived: int
) -> DemoResult:
    result = DemoResult(url, report_path, article_id, archived_links=archived)
    with database.reading() as session:
        for claim in session.scalars(select(Claim).where(Claim.article_id == article_id)):
            result.claims_by_status[claim.status.value] += 1
            result.flagged_for_rereview += claim.needs_rereview
        for link in session.scalars(select(Link)):
            result.links_by_state[link.effective_state.value] += 1
    return result


def _counts(counter: Counter[str]) -> str:
    return ", ".join(f"{count} {name}" for name, count in sorted(counter.items()))
