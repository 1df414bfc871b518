"""Every report format, parsed back and checked for content and for escaping.

The hostile sample puts ``<script>`` (and a CSV formula) in the title, a claim, an author,
anchor texts, a reviewer's name and note, a final URL and a ``javascript:`` citation URL.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import jsonschema
import pytest
from bs4 import BeautifulSoup, Tag
from markdown_it import MarkdownIt

from reports import claimreview, csv_report, html, json_report, markdown
from reports.data import ArticleReport
from reports.formats import ARTICLE_FORMATS, LINKS_FORMATS
from reports.render import ARTICLE_RENDERERS, LINKS_RENDERERS
from tests.support.factories import HOSTILE_RAW_URL, SPENDING_MOVED_TO, XSS
from tests.support.reports import article_report, insert_sample, links_report
from tracker.db import Database
from tracker.errors import InvalidInput
from tracker.settings import Settings, load_settings

ARCHIVE = "https://web.archive.org/web/20241101000000/https://think.example.com/air-defence"


@pytest.fixture
def report(database: Database) -> ArticleReport:
    return article_report(database, insert_sample(database).article_id)


@pytest.fixture
def hostile(database: Database) -> ArticleReport:
    return article_report(database, insert_sample(database, hostile=True).article_id)


@pytest.fixture
def config() -> Settings:
    return load_settings(
        organization_name="Demo Checks", organization_url="https://checks.example/"
    )


def test_every_format_has_a_renderer() -> None:
    assert set(ARTICLE_RENDERERS) == set(ARTICLE_FORMATS)
    assert set(LINKS_RENDERERS) == set(LINKS_FORMATS)


# JSON ------------------------------------------------------------------------------------


def validate(data: Any, schema_name: str) -> None:
    schema = json_report.load_schema(schema_name)
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(data)


@pytest.mark.parametrize("hostile_text", [False, True])
def test_json_report_validates_against_the_shipped_schema(
    database: Database, hostile_text: bool
) -> None:
    sample = insert_sample(database, hostile=hostile_text)
    data = json.loads(json_report.render_article(article_report(database, sample.article_id)))
    validate(data, json_report.ARTICLE_SCHEMA)


def test_json_report_content(report: ArticleReport) -> None:
    data = json.loads(json_report.render_article(report))
    assert data["schema_version"] == "1"
    assert data["summary"]["links_by_state"]["dead"] == 1
    claim = data["claims"][2]
    assert claim["status"] == "unverifiable"
    assert claim["rating"] == {"value": None, "name": "Unverifiable", "best": 5, "worst": 1}
    links = {link["id"]: link for link in data["links"]}
    dead = links[claim["sources"][0]["link_id"]]
    assert dead["archive_url"] == ARCHIVE
    assert [check["http_status"] for check in dead["checks"]] == [200, 404, 403, 404]
    assert data["citations"][3] == {
        **data["citations"][3],
        "resolved": False,
        "anchor_text": "here",
    }
    assert data["claims"][1]["verdict_at"] == "2024-11-14T09:00:00+00:00"


def test_schema_rejects_an_undocumented_field(report: ArticleReport) -> None:
    data = json.loads(json_report.render_article(report))
    data["claims"][0]["surprise"] = 1
    with pytest.raises(jsonschema.ValidationError):
        validate(data, json_report.ARTICLE_SCHEMA)


def test_hostile_text_survives_json_unchanged(hostile: ArticleReport) -> None:
    data = json.loads(json_report.render_article(hostile))
    assert data["article"]["title"].endswith(XSS)
    assert data["claims"][0]["latest_note"].endswith(XSS)


def test_links_json_validates_and_groups(database: Database) -> None:
    insert_sample(database, hostile=True)
    data = json.loads(json_report.render_links(links_report(database)))
    validate(data, json_report.LINKS_SCHEMA)
    assert [item["url"] for item in data["rotten"]] == ["https://think.example.com/air-defence"]
    assert data["by_domain"] == [{"domain": "example.com", "link_ids": [data["rotten"][0]["id"]]}]
    rates = {week["week_start"]: week["rate"] for week in data["rot_rate"]}
    assert rates["2024-11-25"] == 1.0


# Markdown --------------------------------------------------------------------------------


def md_to_soup(text: str) -> BeautifulSoup:
    """Render as a CMS would: CommonMark with raw HTML allowed, plus tables."""
    rendered = MarkdownIt("commonmark", {"html": True}).enable("table").render(text)
    return BeautifulSoup(rendered, "html.parser")


def test_markdown_content(report: ArticleReport) -> None:
    soup = md_to_soup(markdown.render_article(report))
    assert soup.h1 is not None
    assert soup.h1.get_text() == "Verification report: Peacekeepers in Ukraine"
    headings = [h3.get_text() for h3 in soup.find_all("h3")]
    # Numbered by claim id, as the commands take it.
    assert (
        headings[0] == f"Claim {report.claims[0].id}: 69% of Poles oppose sending troops to Ukraine"
    )
    text = soup.get_text(" ")
    assert "Unverifiable, by ana on 2024-11-27" in text
    assert "In review → Mostly accurate" in text
    archive = soup.find("a", string="archived 2024-11-01")
    assert isinstance(archive, Tag)
    assert archive["href"] == ARCHIVE
    assert len(soup.find_all("table")) == 4  # three sourced claims and the links table


def test_markdown_escapes_untrusted_text(hostile: ArticleReport) -> None:
    source = markdown.render_article(hostile)
    soup = md_to_soup(source)
    assert soup.find("script") is None
    text = soup.get_text(" ")
    assert f"Peacekeepers in Ukraine {XSS}" in text
    assert f"Matches the CBOS poll{XSS}" in text
    assert f"here{XSS}" in text
    assert f"ana{XSS}" in text
    hrefs = [a["href"] for a in soup.find_all("a")]
    assert all(href.startswith("https://") for href in hrefs)
    assert not any("javascript" in href for href in hrefs)
    assert "javascript:alert" in text  # shown, not linked
    # the hostile final URL stays inside its link destination
    moved = [href for href in hrefs if href.startswith(SPENDING_MOVED_TO)]
    assert moved
    assert all("<" not in href and '"' not in href.split("?")[0] for href in moved)


def test_markdown_escapes_mentions_and_references() -> None:
    assert markdown.md("@team see #12 *now*") == r"\@team see \#12 \*now\*"
    assert markdown.md("a\nb | c") == r"a b \| c"
    assert markdown.md_link("x", "javascript:alert(1)") == "x"


def test_links_markdown(database: Database) -> None:
    insert_sample(database)
    soup = md_to_soup(markdown.render_links(links_report(database)))
    assert [h3.get_text() for h3 in soup.find_all("h3")] == [
        "example.com (1)",
        "Peacekeepers in Ukraine (1)",
    ]
    assert "100%" in soup.get_text()


# CSV -------------------------------------------------------------------------------------


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_has_one_row_per_claim_source(report: ArticleReport) -> None:
    text = csv_report.render_article(report)
    reader = csv.reader(io.StringIO(text))
    assert tuple(next(reader)) == csv_report.ARTICLE_COLUMNS
    rows = rows_of(text)
    assert [row["claim_position"] for row in rows] == ["0", "1", "2", "3"]
    dead = rows[2]
    assert dead["link_state"] == "Dead"
    assert dead["http_status"] == "404"
    assert dead["archive_url"] == ARCHIVE
    assert dead["evidence_found"] == ""
    assert rows[1]["evidence_found"] == "no"
    assert rows[1]["content_changed"] == "yes"
    assert rows[3]["url"] == ""  # the claim without sources still has its row
    assert rows[3]["verdict"] == "Unverified"


def test_csv_neutralizes_formulas(hostile: ArticleReport) -> None:
    rows = rows_of(csv_report.render_article(hostile))
    assert rows[0]["claim_text"].startswith("'=HYPERLINK(1)+69%")
    assert rows[0]["rating_value"] == "5"
    for row in rows:
        for value in row.values():
            assert not value.startswith(csv_report.FORMULA_PREFIXES)


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_guard_prefixes_formula_starters(value: str) -> None:
    assert csv_report.guard(value) == "'" + value
    assert csv_report.guard(-1) == -1


def test_links_csv(database: Database) -> None:
    insert_sample(database)
    report = links_report(database)
    rows = rows_of(csv_report.render_links(report))
    assert [(row["url"], row["article_title"]) for row in rows] == [
        ("https://think.example.com/air-defence", "Peacekeepers in Ukraine")
    ]
    weekly = rows_of(csv_report.render_rot_rate(report))
    assert [row["rot_rate"] for row in weekly][-1] == "1.0"


# ClaimReview -----------------------------------------------------------------------------


def test_claimreview_has_googles_required_fields(report: ArticleReport, config: Settings) -> None:
    reviews = json.loads(claimreview.render_article(report, config))
    assert len(reviews) == 3  # the unverified claim has no final verdict
    for review, claim in zip(reviews, report.claims, strict=False):
        assert review["@context"] == "https://schema.org"
        assert review["@type"] == "ClaimReview"
        assert review["claimReviewed"] == claim.text
        assert (
            review["url"]
            == f"https://checks.example/fact-checks/article-{report.article.id}.html#claim-{claim.id}"
        )
        assert review["author"] == {
            "@type": "Organization",
            "name": "Demo Checks",
            "url": "https://checks.example/",
        }
        assert claim.verdict_at is not None
        assert review["datePublished"] == claim.verdict_at.date().isoformat()
        item = review["itemReviewed"]
        assert item["@type"] == "Claim"
        assert item["author"] == {"@type": "Person", "name": "Jan Kowalski"}
        assert item["datePublished"] == "2024-11-11"
        assert item["appearance"]["url"] == report.article.url
        assert item["appearance"]["@type"] == "CreativeWork"
    accurate, mostly, unverifiable = (review["reviewRating"] for review in reviews)
    assert accurate == {
        "@type": "Rating",
        "alternateName": "Accurate",
        "ratingValue": 5,
        "bestRating": 5,
        "worstRating": 1,
    }
    assert mostly["ratingValue"] == 4
    assert mostly["alternateName"] == "Mostly accurate"
    assert unverifiable == {"@type": "Rating", "alternateName": "Unverifiable"}
    assert reviews[1]["datePublished"] == "2024-11-14"  # the verdict, not the in_review step


def test_claimreview_is_safe_inside_a_script_element(
    hostile: ArticleReport, config: Settings
) -> None:
    text = claimreview.render_article(hostile, config)
    assert "<" not in text
    assert ">" not in text
    reviews = json.loads(text)
    assert reviews[0]["claimReviewed"].endswith(XSS)
    assert reviews[0]["itemReviewed"]["author"]["name"] == f"Jan Kowalski{XSS}"


def test_review_url_template_comes_from_settings(report: ArticleReport, config: Settings) -> None:
    custom = config.with_overrides(
        claimreview_url_template="https://f.example/{article_id}/{claim_id}"
    )
    reviews = json.loads(claimreview.render_article(report, custom))
    assert reviews[0]["url"] == f"https://f.example/{report.article.id}/{report.claims[0].id}"
    broken = config.with_overrides(claimreview_url_template="https://f.example/{nope}")
    with pytest.raises(InvalidInput, match="CLAIMREVIEW_URL_TEMPLATE"):
        claimreview.render_article(report, broken)


def test_claim_without_verdict_is_refused(report: ArticleReport, config: Settings) -> None:
    with pytest.raises(ValueError, match="no final verdict"):
        claimreview.claim_review(report, report.claims[3], config)


# HTML ------------------------------------------------------------------------------------


def html_soup(text: str) -> BeautifulSoup:
    return BeautifulSoup(text, "lxml")


def test_html_is_self_contained(report: ArticleReport, config: Settings) -> None:
    text = html.render_article(report, config)
    soup = html_soup(text)
    assert not soup.find_all(src=True)
    assert not soup.find_all("link")
    assert not soup.find_all(["img", "iframe", "object", "embed"])
    scripts = soup.find_all("script")
    assert [script.get("type") for script in scripts] == ["application/ld+json"]
    style = soup.style.get_text() if soup.style else ""
    assert "url(" not in style
    assert "@import" not in style
    assert "@media print" in style
    csp = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})
    assert isinstance(csp, Tag)
    assert "default-src 'none'" in str(csp["content"])
    # links point only at http(s) pages or within the page (#domain-...); nothing is fetched
    hrefs = [str(a["href"]) for a in soup.find_all("a")]
    assert all(href.startswith(("http://", "https://", "#")) for href in hrefs)
    assert all(soup.find(id=href[1:]) for href in hrefs if href.startswith("#"))


def test_html_content_and_charts(report: ArticleReport, config: Settings) -> None:
    soup = html_soup(html.render_article(report, config))
    assert soup.h1 is not None
    assert soup.h1.get_text() == "Verification report: Peacekeepers in Ukraine"
    claims = soup.select("article.claim")
    assert [claim["id"] for claim in claims] == [f"claim-{claim.id}" for claim in report.claims]
    assert "Mostly accurate · 4/5" in claims[1].get_text()
    assert "content changed since cited" in claims[1].get_text()
    assert "moved to" in claims[1].get_text()
    svgs = soup.find_all("svg")
    assert len(svgs) == 1 + len(report.links)  # state chart and one timeline per link
    chart_titles = [title.get_text() for title in svgs[0].find_all("title")]
    assert "Alive: 2" in chart_titles
    assert "Dead: 1" in chart_titles
    dead_timeline = soup.select_one(f"#link-{report.links[2].id} svg")
    assert dead_timeline is not None
    assert len(dead_timeline.select(".mark-ok")) == 1
    assert len(dead_timeline.select(".mark-failed")) == 2
    assert len(dead_timeline.select(".mark-inconclusive")) == 1
    assert "not found (HTTP 404)" in dead_timeline.get_text()
    unresolved = soup.select_one("#unresolved")
    assert unresolved is not None
    assert "here" in unresolved.get_text()
    jsonld = json.loads(soup.find("script").get_text())  # type: ignore[union-attr]
    assert len(jsonld) == 3


def test_html_robust_links_point_at_the_archived_copy(
    report: ArticleReport, config: Settings
) -> None:
    soup = html_soup(html.render_article(report, config))
    dead = soup.find_all("a", attrs={"data-originalurl": "https://think.example.com/air-defence"})
    assert dead
    for anchor in dead:
        assert anchor["href"] == "https://think.example.com/air-defence"
        assert anchor["data-versionurl"] == ARCHIVE
        assert anchor["data-versiondate"] == "2024-11-01"
    alive = soup.find("a", attrs={"data-originalurl": "https://polls.example.org/2024/troops"})
    assert isinstance(alive, Tag)
    assert not alive.has_attr("data-versionurl")


def test_html_escapes_untrusted_text(hostile: ArticleReport, config: Settings) -> None:
    text = html.render_article(hostile, config)
    soup = html_soup(text)
    scripts = soup.find_all("script")
    assert [script.get("type") for script in scripts] == ["application/ld+json"]
    embedded = json.loads(scripts[0].get_text())  # the claim's </script> did not end it
    assert embedded[0]["claimReviewed"].endswith(XSS)
    assert soup.h1 is not None
    assert soup.h1.get_text() == f"Verification report: Peacekeepers in Ukraine {XSS}"
    assert soup.title is not None
    assert XSS in soup.title.get_text()
    page_text = soup.get_text(" ")
    for shown in (f"Matches the CBOS poll{XSS}", f"here{XSS}", f"ana{XSS}", f"Jan Kowalski{XSS}"):
        assert shown in page_text
    assert HOSTILE_RAW_URL in page_text  # the javascript: URL is text, never a link
    hrefs = [str(a["href"]) for a in soup.find_all("a")]
    assert not any(href.lower().startswith("javascript") for href in hrefs)
    # the quote in the hostile final URL could not end the attribute
    moved = [href for href in hrefs if href.startswith(SPENDING_MOVED_TO)]
    assert moved
    assert all(href.endswith('"><script>alert(2)</script>') for href in moved)
    assert not soup.find_all(onload=True)
    assert re.search(r"<script>alert", text) is None


def test_links_html(database: Database) -> None:
    insert_sample(database, hostile=True)
    soup = html_soup(html.render_links(links_report(database)))
    assert soup.find_all("script") == []
    domain = soup.select_one("#by-domain")
    assert domain is not None
    anchor = domain.find("a", attrs={"data-versionurl": ARCHIVE})
    assert isinstance(anchor, Tag)
    article = domain.find("a", string=re.compile("Peacekeepers"))
    assert isinstance(article, Tag)
    assert XSS in article.get_text()
    assert "100%" in soup.get_text()
    rot = soup.select("#summary svg")[1]
    columns = rot.find_all("rect")
    assert len(columns) == 3  # one per week, from the first week with checks to now
    assert "Week of 2024-11-25: 100% (1 of 1 links failing)" in columns[-1].get_text()
