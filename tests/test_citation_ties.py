"""Claim-citation ties on real pages, and the navigation-link cases that used to go wrong.

The tie set (``tests/fixtures/ties``, with its labelling guide) covers 35 corpus pages; the
test is skipped where ``../shared/corpus`` is absent. The small pages below are written here.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from scrapers import GenericScraper, parse_document
from tracker.extraction.evaluation import article_pages, corpus_dir

TIES = Path(__file__).parent / "fixtures" / "ties" / "corpus_ties.json"
MIN_TIES_RIGHT = 0.97
_WORD = re.compile(r"\w+")
CORPUS = corpus_dir()


def _key(text: str) -> str:
    return " ".join(word.casefold() for word in _WORD.findall(text))


@pytest.mark.skipif(CORPUS is None, reason="../shared/corpus is not present next to the project")
def test_ties_on_hand_labelled_corpus_pages() -> None:
    assert CORPUS is not None
    labelled = json.loads(TIES.read_text(encoding="utf-8"))["pages"]
    pages = {page.key: page for page in article_pages(CORPUS)}
    assert len(labelled) >= 30
    right = expected = spurious = 0
    for key, entry in labelled.items():
        page = pages[key]
        article = parse_document(page.path.read_text(encoding="utf-8"), page.url, "html")
        want = Counter(
            (tie["url"], _key(tie["anchor"]), _key(tie["sentence"])) for tie in entry["ties"]
        )
        got = Counter((c.url, _key(c.anchor_text), _key(c.sentence)) for c in article.citations)
        right += sum((want & got).values())
        expected += sum(want.values())
        spurious += sum((got - want).values())
    assert expected >= 200
    assert right / (expected + spurious) >= MIN_TIES_RIGHT


def _page(nav: str, body: str) -> str:
    """A page with navigation, an article of a few paragraphs, and a footer."""
    filler = " ".join(
        f"<p>Paragraph {n} of the report describes the findings of the survey in detail, with "
        f"the methods used and the limits the authors acknowledged in their conclusions.</p>"
        for n in range(1, 5)
    )
    return (
        f"<html><head><title>t</title></head><body><nav>{nav}</nav>"
        f"<article><h1>The survey</h1>{body}{filler}</article>"
        "<footer><a href='/about'>About us</a> <a href='/tags/health'>Health</a></footer>"
        "</body></html>"
    )


def _citations(html: str) -> list[tuple[str, str, str]]:
    article = GenericScraper().parse(html, "https://news.example.org/story")
    for citation in article.citations:
        assert article.text[citation.offset :].startswith(citation.anchor_text)
    return [(c.anchor_text, c.url or "", c.sentence) for c in article.citations]


def test_navigation_word_inside_body_words_is_not_a_citation() -> None:
    html = _page(
        "<a href='/health'>Health</a> <a href='/sport/tennis'>Tennis</a> <a href='/here'>here</a>",
        "<p>The National Survey on Drug Use and Health found that 12% of adults used the drug, "
        "<a href='https://samhsa.example.gov/nsduh'>the agency reported</a>.</p>"
        "<p>Emissions rose in the atmosphere, as The Tennis Podcast noted on air last week "
        "while discussing the tournament and its effect on the players.</p>",
    )
    assert _citations(html) == [
        (
            "the agency reported",
            "https://samhsa.example.gov/nsduh",
            (
                "The National Survey on Drug Use and Health found that 12% of adults used the "
                "drug, the agency reported."
            ),
        )
    ]


def test_tag_share_related_and_byline_links_are_not_citations() -> None:
    html = _page(
        "",
        "<p class='byline'>By <a href='/authors/jane'>Jane Doe</a></p>"
        "<p>The council approved the budget on Monday, "
        "<a href='https://council.example.org/minutes'>the minutes show</a>, after a long "
        "debate about transit spending and the schools.</p>"
        "<div class='share-bar'><p>Share this story on <a href='https://x.example/share'>X</a> "
        "and with your friends and colleagues by email today.</p></div>"
        "<ul class='related-stories'><li><a href='/story/2'>Council delays the vote on "
        "transit spending again after protest</a></li></ul>"
        "<div class='tags'><p>Topics: <a href='/t/budget'>Budget</a>, "
        "<a href='/t/transit'>Transit</a>, and the <a href='/t/council'>City council</a> "
        "coverage of this year and the last.</p></div>",
    )
    anchors = [anchor for anchor, _url, _sentence in _citations(html)]
    assert anchors == ["the minutes show"]


def test_linked_words_stay_in_the_sentence_when_the_extractor_drops_them() -> None:
    # trafilatura drops inline wrappers of this kind together with their link.
    html = _page(
        "",
        "<p>CBS Sports reported that <span class='link'><a href='https://cbs.example.com/x'>"
        "the NFL will fine Rudolph</a></span> for his role in the fight on Thursday night, "
        "after a review of the game film by the league office.</p>",
    )
    cited = _citations(html)
    assert cited[0][0] == "the NFL will fine Rudolph"
    assert cited[0][2].startswith(
        "CBS Sports reported that the NFL will fine Rudolph for his role in the fight"
    )


def test_repeated_short_anchor_is_tied_where_it_is() -> None:
    html = _page(
        "",
        "<p>Mistrust has worsened, as explained <a href='https://a.example/1'>here</a>, "
        "<a href='https://a.example/2'>here</a>, and <a href='https://a.example/3'>here</a>, "
        "and the atmosphere is tense there.</p>",
    )
    cited = _citations(html)
    assert [(anchor, url) for anchor, url, _ in cited] == [
        ("here", "https://a.example/1"),
        ("here", "https://a.example/2"),
        ("here", "https://a.example/3"),
    ]


def test_malformed_and_non_http_links_are_skipped_not_fatal() -> None:
    html = _page(
        "",
        "<p>The council voted, <a href='http://[::1'>a broken link</a>, "
        "<a href='javascript:alert(1)'>a script</a>, <a>no target</a> and "
        "<a href='https://council.example.org/vote'>the record</a> say so, after a debate.</p>",
    )
    assert [anchor for anchor, _url, _sentence in _citations(html)] == ["the record"]
