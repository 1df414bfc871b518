"""The demo, end to end: the best integration test of the product (issue 7)."""

from __future__ import annotations

import json
from pathlib import Path

from bs4 import BeautifulSoup
from sqlalchemy import select

from tests.conftest import make_cli_invoker
from tracker.db import Database
from tracker.enums import ClaimEventAction, ClaimStatus, LinkState
from tracker.models import Claim, ClaimEvent, Link


def test_demo_on_a_temporary_database(tmp_path: Path) -> None:
    result = make_cli_invoker(None)("demo", "--output", str(tmp_path / "out"))
    report = tmp_path / "out" / "report.html"
    assert f"Report: {report.resolve()}" in result.stdout
    lines = {tuple(line.split("\t")) for line in result.stdout.splitlines()}
    assert ("links", "dead", "3") in lines
    assert ("links", "alive", "3") in lines
    assert ("claims", "needs re-review", "2") in lines
    assert ("links", "with an archived copy", "3") in lines
    soup = BeautifulSoup(report.read_text(encoding="utf-8"), "lxml")
    assert "Verification report" in soup.title.get_text()
    assert not soup.find_all(["script", "link", "img"], src=True)  # self-contained
    archived = [a for a in soup.find_all("a") if a.get("data-versionurl")]
    assert len(archived) >= 3
    captured = {a["data-originalurl"] for a in soup.find_all("a") if a.get("data-capture-id")}
    assert len(captured) == 3  # every live source (alive, moved, edited) has our capture


def test_demo_ends_with_captures_passages_and_copies_from_two_archives(tmp_path: Path) -> None:
    from tracker.captures.export import validate_wacz
    from tracker.demo.site import AIR_DEFENCE, BUDGETS, LOGISTICS, POLL, SPENDING

    result = make_cli_invoker(None)("demo", "--output", str(tmp_path))
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    captured = [row[1] for row in rows if len(row) == 3 and row[0].isdigit()]
    for page in (POLL, SPENDING, BUDGETS):  # every live source
        assert any(url.endswith(page.path) for url in captured)
    assert sum(url.endswith(BUDGETS.path) for url in captured) == 2  # edited: captured again
    assert "69% of Poles said they oppose" in result.stdout  # a kept passage
    copies = [(row[0], row[2]) for row in rows if len(row) == 3 and "/web/" in row[1]]
    archive_of = {
        page.key: archive
        for url, archive in copies
        for page in (LOGISTICS, AIR_DEFENCE)
        if url.endswith(page.path)
    }
    assert archive_of == {LOGISTICS.key: "demo-memento", AIR_DEFENCE.key: "availability"}
    assert validate_wacz(tmp_path / "captures.wacz")


def test_demo_on_a_given_database_keeps_everything(db_url: str, tmp_path: Path) -> None:
    run = make_cli_invoker(db_url)
    run("demo", "--output", str(tmp_path))
    database = Database(db_url)
    try:
        with database.reading() as session:
            claims = list(session.scalars(select(Claim)))
            links = list(session.scalars(select(Link)))
            texts = " ".join(claim.text for claim in claims)
            for figure in ("69%", "2%", "5%"):
                assert figure in texts
            assert {link.state for link in links} == {LinkState.ALIVE, LinkState.DEAD}
            flagged = [claim for claim in claims if claim.needs_rereview]
            # Flagged claims keep their verdict, and their history says why.
            assert {claim.status for claim in flagged} <= {
                ClaimStatus.ACCURATE,
                ClaimStatus.UNVERIFIABLE,
            }
            rereviews = session.scalars(
                select(ClaimEvent).where(ClaimEvent.action == ClaimEventAction.REREVIEW)
            ).all()
            assert {event.claim_id for event in rereviews} == {claim.id for claim in flagged}
            assert all(event.actor == "system:checker" for event in rereviews)
    finally:
        database.dispose()
    listing = json.loads(run("claims", "list", "--needs-rereview", "--json").stdout)
    assert len(listing) == 2
