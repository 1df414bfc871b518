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
