"""Plain text and Markdown: links, bare URLs and <u>anchor</u> underline markers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scrapers import TextScraper
from tracker.errors import InvalidInput

UNDERLINED = """A Short Title

By <u>Jane Doe</u> Example Times, March 3, 2024 Region: <u>Europe</u>

A poll showed that <u>61% of voters</u> back the plan. Critics cited <u>a report</u> and
<u>another report</u> instead.

*

Click the share button below to email/forward this article. Follow us on <u>Twitter</u>.
"""


def test_underline_markers_become_unresolved_citations() -> None:
    article = TextScraper("text").parse(UNDERLINED, None)
    assert article.title == "A Short Title"
    assert article.authors == ["Jane Doe"]
    assert article.site_name == "Example Times"
    assert article.published_at == datetime(2024, 3, 3, tzinfo=UTC)
    assert "<u>" not in article.text
    assert article.text.startswith("A poll showed that 61% of voters back the plan.")
    assert [c.anchor_text for c in article.citations] == [
        "61% of voters",
        "a report",
        "another report",
    ]
    for citation in article.citations:
        assert citation.url is None
        assert citation.raw_url is None
        assert article.text[citation.offset :].startswith(citation.anchor_text)
    assert article.citations[0].sentence == "A poll showed that 61% of voters back the plan."
    # The line break inside the paragraph is collapsed; the sentence stays whole.
    assert article.citations[2].sentence == "Critics cited a report and another report instead."


def test_byline_and_notices_are_not_body_text() -> None:
    article = TextScraper("text").parse(UNDERLINED, None)
    assert "Region" not in article.text
    assert "share button" not in article.text
    assert "Twitter" not in [c.anchor_text for c in article.citations]


def test_markdown_links_and_bare_urls() -> None:
    document = (
        "# Markdown Title\n\n"
        "The **budget** rose 12% per [the city](https://City.example.org/budget?utm_source=x) "
        "and <https://example.org/auto>. See also https://example.net/page.\n\n"
        "Not links: [mail](mailto:a@example.org) and [script](javascript:alert(1)).\n"
    )
    article = TextScraper("markdown").parse(document, "https://base.example.org/post")
    assert article.title == "Markdown Title"
    assert "**" not in article.text
    assert article.text.startswith("The budget rose 12% per the city and https://example.org/auto.")
    assert [(c.anchor_text, c.url) for c in article.citations] == [
        ("the city", "https://city.example.org/budget"),
        ("https://example.org/auto", "https://example.org/auto"),
        ("https://example.net/page", "https://example.net/page"),
    ]
    assert "mail" in article.text  # the anchor text stays in the body


def test_relative_markdown_link_resolves_against_article_url() -> None:
    article = TextScraper("markdown").parse(
        "Title\n\nThe data is in [the table](../data/t.csv).", "https://example.org/a/b/post"
    )
    assert article.citations[0].url == "https://example.org/a/data/t.csv"


@pytest.mark.parametrize("document", ["", "\n\n  \n", "text with a \x00 NUL byte"])
def test_empty_or_binary_text_is_refused(document: str) -> None:
    with pytest.raises(InvalidInput):
        TextScraper("text").parse(document, None)


@settings(deadline=None)  # pysbd compiles its rules on first use
@given(
    st.lists(
        st.tuples(
            st.lists(st.sampled_from(["alpha", "beta", "3.5%", "Dr.", "x,"]), max_size=4),
            st.booleans(),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_every_underline_marker_is_a_citation_at_its_anchor(
    pieces: list[tuple[list[str], bool]],
) -> None:
    words = []
    for index, (plain, underlined) in enumerate(pieces):
        words.extend(plain)
        words.append(f"<u>anchor {index}</u>" if underlined else f"word{index}")
    document = "Title\n\n" + " ".join(words) + "."
    article = TextScraper("text").parse(document, None)
    expected = [f"anchor {i}" for i, (_plain, underlined) in enumerate(pieces) if underlined]
    assert [c.anchor_text for c in article.citations] == expected
    assert "<u>" not in article.text
    for citation in article.citations:
        assert article.text[citation.offset :].startswith(citation.anchor_text)
        assert citation.anchor_text in citation.sentence
