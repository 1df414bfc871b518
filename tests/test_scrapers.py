"""Each scraper on HTML authored to look like the real markup, and the registry."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from scrapers import (
    GenericScraper,
    ScrapedArticle,
    SiteScraper,
    TextScraper,
    parse_document,
    scraper_for,
)
from scrapers.sites import GLOBALRESEARCH, SUBSTACK
from tracker.errors import InvalidInput

FIXTURES = Path(__file__).parent / "fixtures"
GENERIC_URL = "https://news.example.com/2024/03/05/budget.html"
GR_URL = "https://www.globalresearch.ca/10-obstacles/5872069"
SUBSTACK_URL = "https://korybko.substack.com/p/the-clock-is-ticking"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def generic() -> ScrapedArticle:
    return parse_document(fixture("generic_news.html"), GENERIC_URL, "html")


@pytest.fixture(scope="module")
def globalresearch() -> ScrapedArticle:
    return parse_document(fixture("globalresearch.html"), GR_URL, "html")


@pytest.fixture(scope="module")
def substack() -> ScrapedArticle:
    return parse_document(fixture("substack.html"), SUBSTACK_URL, "html")


def test_registry_picks_site_scrapers_by_domain_and_falls_back_to_generic() -> None:
    assert scraper_for(GR_URL, "html") is GLOBALRESEARCH
    assert scraper_for("https://globalresearch.ca/x", "html") is GLOBALRESEARCH
    assert scraper_for(SUBSTACK_URL, "html") is SUBSTACK
    assert isinstance(scraper_for(GENERIC_URL, "html"), GenericScraper)
    assert isinstance(scraper_for(None, "html"), GenericScraper)
    assert isinstance(scraper_for(GR_URL, "text"), TextScraper)
    # A Substack publication on its own domain is recognised by its markup.
    assert scraper_for("https://www.example.org/p/x", "html", fixture("substack.html")) is SUBSTACK


def test_generic_metadata_from_json_ld(generic: ScrapedArticle) -> None:
    assert generic.scraper == "generic"
    assert generic.title == "City budget grows 12% as transit spending doubles"
    assert generic.authors == ["Jane Reporter", "Sam Writer"]
    assert generic.site_name == "Example News"
    assert generic.published_at == datetime(2024, 3, 5, 8, 30, tzinfo=UTC)


def test_generic_body_drops_navigation_share_related_comments_footer(
    generic: ScrapedArticle,
) -> None:
    assert "approved a budget of $4.2 billion" in generic.text
    assert "reviewed again when the council meets" in generic.text
    for boilerplate in ("Share on Twitter", "Related articles", "my blog", "Copyright", "Politics"):
        assert boilerplate not in generic.text


def test_generic_citations_are_body_links_only_normalized(generic: ScrapedArticle) -> None:
    urls = [citation.url for citation in generic.citations]
    assert urls == [
        "https://news.example.com/documents/budget-2024.pdf",  # relative, utm_* dropped
        "https://mayor.example.org/speeches/2024-03-05",  # fragment dropped
        "https://research.example.org/polls/transit?id=7",  # case, port, fbclid
    ]
    survey = generic.citations[2]
    assert survey.anchor_text == "Transit Research Institute"
    assert survey.sentence.startswith("A survey by the Transit Research Institute found")
    assert generic.text[survey.offset :].startswith("Transit Research Institute")
    assert [c.offset for c in generic.citations] == sorted(c.offset for c in generic.citations)


def test_javascript_and_mailto_links_are_not_citations(generic: ScrapedArticle) -> None:
    anchors = {citation.anchor_text for citation in generic.citations}
    assert "expand the full answer" not in anchors
    assert "email the finance office" not in anchors


def test_globalresearch_scraper(globalresearch: ScrapedArticle) -> None:
    assert globalresearch.scraper == "globalresearch"
    assert globalresearch.title is not None
    assert globalresearch.title.startswith("10 Obstacles to Trump")
    assert globalresearch.authors == ["Andrew Korybko"]
    assert globalresearch.published_at == datetime(2024, 11, 11, 14, 5, 12, tzinfo=UTC)
    assert "69% of Poles" in globalresearch.text
    for notice in ("Click the share button", "Disclaimer", "Copyright", "regular contributor"):
        assert notice not in globalresearch.text
    anchors = [citation.anchor_text for citation in globalresearch.citations]
    assert anchors == [
        "The Clock Is Ticking For Russia To Achieve Its Maximum Goals In The Ukrainian Conflict",
        "Wall Street Journal",
        "69% of Poles",
        "only has 5% of the air defenses needed",
    ]
    assert globalresearch.citations[1].url == (
        "https://www.wsj.com/world/trump-ukraine-peace-plan?mod=hp_lead_pos1"
    )


def test_substack_scraper(substack: ScrapedArticle) -> None:
    assert substack.scraper == "substack"
    assert substack.title == "The Clock Is Ticking For Russia To Achieve Its Maximum Goals"
    assert substack.authors == ["Andrew Korybko"]
    assert substack.published_at == datetime(2024, 11, 9, 13, 0, 52, tzinfo=UTC)
    assert "roughly 18% of Ukraine" in substack.text
    assert "reader-supported publication" not in substack.text
    assert "Share" not in substack.text.split()
    assert [c.url for c in substack.citations] == [
        "https://www.wsj.com/world/trump-peace-plan",
        "https://www.isw.example.org/maps",
    ]
    assert substack.citations[1].sentence.startswith("Russia controls roughly 18%")


def test_site_scraper_falls_back_to_generic_when_its_container_is_missing() -> None:
    article = GLOBALRESEARCH.parse(fixture("generic_news.html"), GR_URL)
    assert article.scraper == "globalresearch+generic"
    assert "approved a budget" in article.text


def test_broken_html_still_parses() -> None:
    broken = (
        "<html><head><title>Broken</title><body><div><p>The council approved a budget of "
        "$4.2 billion, up 12% on last year, according to <a href='/doc'>the document"
        "<p>Unclosed paragraphs and <b>tags <i>everywhere</div></span></table>"
    )
    article = GenericScraper().parse(broken, "https://example.org/a")
    assert "approved a budget" in article.text


@pytest.mark.parametrize("document", ["", "   \n  ", "\x00\x01\x02binary"])
def test_unusable_documents_are_refused(document: str) -> None:
    with pytest.raises(InvalidInput):
        GenericScraper().parse(document, None)


def test_site_scraper_type() -> None:
    assert isinstance(GLOBALRESEARCH, SiteScraper)
    assert GLOBALRESEARCH.name == "globalresearch"
