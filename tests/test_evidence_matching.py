"""Evidence on a source page: figures in any spelling, quoted words, names; the passage."""

from __future__ import annotations

import pytest

from tracker.extraction.evidence import EvidenceSpec, evidence_spec
from tracker.linkcheck.content import (
    FOUND,
    MISSING,
    NOTHING_TO_MATCH,
    PARTLY_FOUND,
    match_evidence,
)

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
