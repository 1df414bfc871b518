"""Evidence on a source page: figures in any spelling, quoted words, names; the passage."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from tests.support.linkdata import fresh_probes  # noqa: F401 - autouse fixture
from tests.support.server import LocalServer, html
from tracker.actors import CHECKER, Actor
from tracker.articles.services import ingest
from tracker.db import Database
from tracker.extraction.evidence import EvidenceSpec, evidence_spec
from tracker.linkcheck.content import (
    FOUND,
    MISSING,
    NOTHING_TO_MATCH,
    PARTLY_FOUND,
    match_evidence,
)
from tracker.linkcheck.services import check_links
from tracker.models import Citation, ClaimSource
from tracker.settings import Settings

POLL = "A reputable survey over the summer showed that 69% of Poles are opposed to sending troops."
SPEC = evidence_spec(POLL, (POLL.index("69%"), POLL.index("69%") + len("69% of Poles")))


@pytest.mark.parametrize(
    "written",
    ["69%", "69 %", "69 percent", "69 per cent", "sixty-nine percent", "Sixty nine per cent"],
)
def test_a_percentage_is_found_however_the_source_writes_it(written: str) -> None:
    page = f"Weather and sport. In July, {written} of Poles said they oppose troops. More news."
    match = match_evidence(page, SPEC.to_json())
    assert match.state == FOUND
    assert match.passage is not None
    assert "Poles said they oppose troops" in match.passage


def test_another_figure_is_not_the_figure() -> None:
    page = "In July, 59% of Poles said they oppose sending troops to the east."
    assert match_evidence(page, SPEC.to_json()).state == PARTLY_FOUND  # Poles, not 69%
    assert match_evidence("Nothing about it at all.", SPEC.to_json()).state == MISSING


def test_money_matches_across_scales_and_currency_words() -> None:
    sentence = "The city will borrow $1.2 billion for transit, the council said."
    spec = evidence_spec(sentence, (0, 8))
    page = "Officials approved 1,200 million dollars in bonds for transit on Monday."
    assert match_evidence(page, spec.to_json()).state in (FOUND, PARTLY_FOUND)
    assert match_evidence("They approved $1.3 billion.", spec.to_json()).state != FOUND


def test_quoted_words_are_found_around_an_editorial_insertion() -> None:
    sentence = (
        'He even threatened that "I would encourage [Russia] to do whatever the hell they want."'
    )
    spec = evidence_spec(sentence, (8, 18))
    assert spec.quotes == ("I would encourage", "to do whatever the hell they want")
    page = (
        "At the rally he said of a delinquent ally: I would encourage them to do whatever the "
        "hell they want. You gotta pay."
    )
    match = match_evidence(page, spec.to_json())
    assert match.state == FOUND
    assert match.passage is not None
    assert "whatever the hell" in match.passage
    assert match_evidence("He said allies must pay.", spec.to_json()).state == MISSING


def test_nothing_concrete_is_nothing_to_match() -> None:
    assert match_evidence("any page", EvidenceSpec().to_json()).state == NOTHING_TO_MATCH
    assert match_evidence("any page", None).state == NOTHING_TO_MATCH
    assert match_evidence("any page", None).found is None


def test_terms_only_need_most_of_them_together() -> None:
    spec = EvidenceSpec(terms=("Trump", "NATO", "Ukraine", "peacekeeping")).to_json()
    page = "Trump wants European troops in Ukraine as peacekeeping force, officials say."
    assert match_evidence(page, spec).state == FOUND
    assert match_evidence("Trump spoke about trade.", spec).state == PARTLY_FOUND


def test_huge_and_hostile_pages_are_bounded() -> None:
    page = ("٦٩% " + "x" * 50 + " ") * 20000  # non-ASCII digits, 1 MB of text
    match = match_evidence(page, SPEC.to_json())
    assert match.state in (FOUND, PARTLY_FOUND, MISSING)
    assert match.passage is None or len(match.passage) <= 400


def test_ingest_then_check_stores_state_and_passage(
    database: Database,
    settings: Settings,
    http_server: LocalServer,
    tmp_path: Path,
    acting_as_ana: Actor,
) -> None:
    body = (
        "<article><h1>Poll</h1><p>According to the July survey, sixty-nine per cent of Poles "
        "oppose sending troops to Ukraine in any capacity.</p>"
        + "<p>The survey asked 1,000 adults by telephone over two weeks in the summer.</p>" * 4
        + "</article>"
    )
    source = http_server.route("/poll", html("Poll", body))
    other = http_server.route("/other", html("Other", "<article><p>Weather news.</p></article>"))
    article = tmp_path / "article.md"
    article.write_text(
        "# Troops\n\n"
        f"A reputable survey over the summer showed that [69% of Poles]({source}) are opposed "
        f"to dispatching troops, and [the weather]({other}) stayed dry in July last year.\n",
        encoding="utf-8",
    )
    result = ingest(database, acting_as_ana, settings, str(article))
    link_ids = [c.link_id for c in result.citations if c.link_id is not None]
    check_links(database, CHECKER, settings, link_ids)
    with database.reading() as session:
        rows = session.execute(
            select(Citation.anchor_text, ClaimSource.evidence_state, ClaimSource.evidence_passage)
            .join(Citation, Citation.id == ClaimSource.citation_id)
            .order_by(ClaimSource.id)
        ).all()
    states = {anchor: (state, passage) for anchor, state, passage in rows}
    assert states["69% of Poles"][0] == FOUND
    assert "sixty-nine per cent of Poles" in (states["69% of Poles"][1] or "")
    assert states["the weather"][0] in (MISSING, PARTLY_FOUND)
