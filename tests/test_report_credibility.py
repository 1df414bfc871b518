"""Source credibility in the article report (every format) and the ``report sources`` report.

The sample article (tests/support/factories.py) is published on example.com and cites
example.org (the poll), example.net (the spending page) and example.com (the air-defence page).
Only example.org is rated, so its score is known exactly; the others have no input yet.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from bs4 import BeautifulSoup
from markdown_it import MarkdownIt

from reports import claimreview, csv_report, html, json_report, markdown
from reports.credibility_data import build_sources_report
from reports.data import ArticleReport
from reports.json_report import ARTICLE_SCHEMA, SOURCES_SCHEMA, load_schema
from tests.conftest import CliInvoker
from tests.support import credibility as known
from tests.support.factories import XSS, make_article
from tests.support.report_credibility import (
    HOSTILE_NAME,
    HOSTILE_SET,
    RATED,
    RATED_SCORE,
    rate_sample,
    weights,
)
from tests.support.reports import NOW, article_report, count_queries, insert_sample
from tracker.credibility.sources import get_or_create_source
from tracker.db import Database
from tracker.linkcheck.links import get_or_create_link
from tracker.models import Source


def _report(database: Database, *, hostile: bool = False) -> ArticleReport:
    sample = insert_sample(database, hostile=hostile)
    rate_sample(database, hostile=hostile)
    return article_report(database, sample.article_id, weights())


def validate(data: Any, schema_name: str) -> None:
    schema = load_schema(schema_name)
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(
        data
    )


# The data ----------------------------------------------------------------------------------


def test_publisher_and_cited_domains_carry_explained_scores(database: Database) -> None:
    report = _report(database)
    assert report.publisher is not None
    assert report.publisher.domain == "example.com"
    assert report.publisher.score is None  # no rating, too few checks for the own record
    assert {gap.key for gap in report.publisher.explanation.missing} >= {"manual", "rot"}
    assert [item.domain for item in report.cited_domains] == [
        "example.com",
        "example.net",
        "example.org",
    ]
    rated = report.credibility[RATED]
    assert rated.score == pytest.approx(RATED_SCORE)
    assert rated.display_name == "Example Polls"
    assert [used.key for used in rated.explanation.inputs] == ["manual", "external:quality"]
    assert [round(rated.share(used.weight), 2) for used in rated.explanation.inputs] == [0.75, 0.25]
    poll = next(link for link in report.links if link.url.startswith("https://polls."))
    assert report.credibility_for(poll) is rated
    assert report.credibility_for(None) is None


def test_an_article_without_a_publisher_has_no_publisher_record(database: Database) -> None:
    with database.transaction() as session:
        article_id = make_article(session, url=None, input_name="pasted.txt").id
    report = article_report(database, article_id, weights())
    assert report.publisher is None
    assert report.cited_domains == ()
    data = json.loads(json_report.render_article(report))
    assert data["publisher"] is None
    validate(data, ARTICLE_SCHEMA)
    assert "No publishing domain recorded" in markdown.render_article(report)
    assert "No publishing domain recorded" in html.render_article(report, weights())


def test_scores_for_many_domains_take_a_fixed_number_of_queries(database: Database) -> None:
    """No N+1: the sources report costs the same queries for 3 domains as for 40."""
    counts = []
    for domains in (3, 40):
        with database.transaction() as session:
            for index in range(domains):
                get_or_create_link(session, f"https://www.d{domains}x{index}.example/")
        with count_queries(database) as statements, database.reading() as session:
            report = build_sources_report(session, weights())
        assert len(report.domains) >= domains
        counts.append(len(statements))
    assert counts[0] == counts[1]


# JSON ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("hostile", [False, True])
def test_article_json_has_credibility_and_validates(database: Database, hostile: bool) -> None:
    data = json.loads(json_report.render_article(_report(database, hostile=hostile)))
    validate(data, ARTICLE_SCHEMA)
    assert data["schema_version"] == "1"
    assert data["publisher"]["domain"] == "example.com"
    assert data["publisher"]["score"] is None
    cited = {item["domain"]: item for item in data["cited_domains"]}
    assert set(cited) == {"example.com", "example.net", "example.org"}
    rated = cited[RATED]
    assert rated["score"] == pytest.approx(RATED_SCORE)
    manual = rated["inputs"][0]
    assert (manual["key"], manual["weight"], manual["share"]) == ("manual", 3.0, 0.75)
    assert manual["setting"] == "credibility_weight_manual"
    assert rated["explanation"][0].startswith(f"{RATED}: score 0.62")
    assert rated["track_record"]["links"]["alive"] == 1
    sources = {s["domain"]: s for claim in data["claims"] for s in claim["sources"]}
    assert sources[RATED]["source_score"] == pytest.approx(RATED_SCORE)
    assert sources["example.net"]["source_score"] is None
    links = {link["domain"]: link for link in data["links"]}
    assert links[RATED]["source_score"] == pytest.approx(RATED_SCORE)
    if hostile:  # JSON carries text as it is; escaping is the displaying side's job
        assert rated["display_name"] == HOSTILE_NAME
        assert any(XSS in used["detail"] for used in rated["inputs"])


def test_schemas_share_one_definition_of_credibility() -> None:
    article, sources = load_schema(ARTICLE_SCHEMA), load_schema(SOURCES_SCHEMA)
    for name in ("credibility", "score_input", "missing_input", "track_record"):
        assert article["$defs"][name] == sources["$defs"][name], name


def test_claimreview_is_unaffected_by_credibility(database: Database) -> None:
    sample = insert_sample(database)
    before = claimreview.render_article(article_report(database, sample.article_id), weights())
    rate_sample(database)
    report = article_report(database, sample.article_id, weights())
    assert report.credibility[RATED].score is not None
    assert claimreview.render_article(report, weights()) == before


# HTML ----------------------------------------------------------------------------------------


def test_html_shows_publisher_record_and_source_scores(database: Database) -> None:
    soup = BeautifulSoup(html.render_article(_report(database), weights()), "lxml")
    publisher = soup.find(id="publisher")
    assert publisher is not None
    assert "example.com" in publisher.get_text()
    assert "no score" in publisher.get_text()
    assert "no reviewer has rated it" in publisher.get_text()
    cells = [cell.get_text(" ", strip=True) for cell in soup.select("td.source-score")]
    assert "0.62 example.org" in cells
    card = soup.find(id=f"domain-{RATED}")
    assert card is not None
    rows = [[td.get_text(strip=True) for td in tr.find_all("td")] for tr in card.select("tbody tr")]
    assert rows[0][:4] == ["manual rating", "0.75", "3", "75%"]
    # A reader's report names no internal setting.
    assert "credibility_weight" not in soup.get_text()
    assert rows[1][:4] == ["rating set quality", "0.25", "1", "25%"]


def test_html_escapes_hostile_display_names_notes_and_set_names(database: Database) -> None:
    text = html.render_article(_report(database, hostile=True), weights())
    soup = BeautifulSoup(text, "lxml")
    assert [script.get("type") for script in soup.find_all("script")] == ["application/ld+json"]
    assert not soup.find_all("img")
    card = soup.find(id=f"domain-{RATED}")
    assert card is not None
    assert HOSTILE_NAME in card.get_text()
    assert HOSTILE_SET in card.get_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


# Markdown ------------------------------------------------------------------------------------


def _md_html(text: str) -> BeautifulSoup:
    return BeautifulSoup(MarkdownIt("commonmark").enable("table").render(text), "lxml")


def test_markdown_shows_publisher_and_source_scores(database: Database) -> None:
    text = markdown.render_article(_report(database))
    assert "## Publisher" in text
    assert "**example.com**: no score yet (no inputs)" in text
    assert "| 0.62 (example.org) |" in text
    assert "## Cited domains" in text
    assert "| manual rating | 0.75 | 3 | 75% | 4/5" in text
    assert "credibility\\_weight" not in text


def test_markdown_escapes_hostile_credibility_text(database: Database) -> None:
    text = markdown.render_article(_report(database, hostile=True))
    soup = _md_html(text)
    assert not soup.find_all(["script", "img"])
    assert "\\<script\\>" in text
    assert "\\<img src=x" in text
    assert "<img" not in text.replace("\\<img", "")
    assert HOSTILE_SET in soup.get_text()
    assert "alert(1)" in soup.get_text()


# CSV -----------------------------------------------------------------------------------------


def test_csv_has_a_source_score_per_claim_source_row(database: Database) -> None:
    rows = list(csv.DictReader(io.StringIO(csv_report.render_article(_report(database)))))
    by_domain = {row["source_domain"]: row for row in rows if row["source_domain"]}
    assert float(by_domain[RATED]["source_score"]) == pytest.approx(RATED_SCORE, abs=1e-4)
    assert by_domain[RATED]["source_score_basis"] == "manual, 1 set"
    assert by_domain["example.net"]["source_score"] == ""
    assert {row["publisher_domain"] for row in rows} == {"example.com"}
    lone = [row for row in rows if not row["url"]]
    assert lone
    assert all(row["source_score"] == "" for row in lone)


# report sources ------------------------------------------------------------------------------


def _seeded_sources(database: Database, *, hostile: bool = False) -> None:
    known.seed(database)
    with database.transaction() as session:
        source = get_or_create_source(session, "cited.org")
        source.display_name = HOSTILE_NAME if hostile else "Cited"
        source.manual_rating = 0.5
        source.manual_note = XSS if hostile else "ok"


def test_sources_report_track_record_matches_the_known_fixture(database: Database) -> None:
    _seeded_sources(database)
    with database.reading() as session:
        report = build_sources_report(session, weights(), sort="citations", now=NOW)
    assert [item.domain for item in report.domains][:2] == ["cited.org", "other.net"]
    data = json.loads(json_report.render_sources(report))
    validate(data, SOURCES_SCHEMA)
    cited = data["domains"][0]
    record = cited["track_record"]
    # 6 links: alive 2 (one by override), dead 2 (one by override), at risk 1, unchecked 1
    assert record["links"] == {"unchecked": 1, "alive": 2, "at_risk": 1, "dead": 2}
    assert (record["checked_links"], record["dead_links"]) == (5, 2)
    assert (record["rotten_links"], record["counted_links"]) == (3, 5)  # the at-risk 404 too
    assert record["rot_rate"] == pytest.approx(0.6)
    assert record["citations"] == 4  # L1 twice, L2, L5
    assert record["verdicts_cited"] == {"accurate": 2, "false": 1, "unverifiable": 1}
    assert cited["display_name"] == "Cited"
    assert [used["key"] for used in cited["inputs"]][:2] == ["manual", "rot"]
    publisher = next(item for item in data["domains"] if item["domain"] == "example.com")
    assert publisher["track_record"]["articles"] == 2


@pytest.mark.parametrize("fmt", ["html", "md", "json", "csv"])
def test_report_sources_cli_every_format(
    run_cli: CliInvoker, database: Database, tmp_path: Path, fmt: str
) -> None:
    _seeded_sources(database, hostile=True)
    target = tmp_path / f"sources.{fmt}"
    result = run_cli("report", "sources", "-f", fmt, "-o", str(target), "--sort", "rot")
    assert f"Wrote {target}" in result.stderr
    text = target.read_text(encoding="utf-8")
    if fmt == "json":
        data = json.loads(text)
        validate(data, SOURCES_SCHEMA)
        assert data["sort"] == "rot"
        assert data["domains"][0]["domain"] == "cited.org"  # the only domain with rot
        assert data["domains"][0]["display_name"] == HOSTILE_NAME
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        cited = rows[0]
        assert cited["domain"] == "cited.org"
        assert cited["display_name"].startswith("'=")  # formula neutralized
        assert float(cited["rot_rate"]) == pytest.approx(0.6)
        assert (cited["links_dead"], cited["checked_links"]) == ("2", "5")
        assert "manual rating 0.50 x 3" in cited["inputs_used"]
    elif fmt == "html":
        soup = BeautifulSoup(text, "lxml")
        assert not soup.find_all("script")
        assert soup.find(id="domain-cited.org") is not None
        assert HOSTILE_NAME in soup.get_text()
        assert XSS in soup.get_text()  # the manual note, shown as text
    else:
        soup = _md_html(text)
        assert not soup.find_all("script")
        assert "<script>" not in text
        assert "## cited.org" in text
        assert "Link rot:** 60%" in text


def test_report_sources_on_an_empty_database(run_cli: CliInvoker) -> None:
    data = json.loads(run_cli("report", "sources", "-f", "json").stdout)
    assert data["domains"] == []
    validate(data, SOURCES_SCHEMA)
    assert "No sources recorded." in run_cli("report", "sources", "-f", "md").stdout


def test_report_sources_rejects_an_unknown_sort(run_cli: CliInvoker) -> None:
    result = run_cli("report", "sources", "--sort", "nope", exit_code=2)
    assert "nope" in result.stderr


def test_report_sources_display_names_come_from_the_sources(database: Database) -> None:
    _seeded_sources(database)
    with database.transaction() as session:
        session.add(Source(domain="named.example", display_name="Named"))
    with database.reading() as session:
        report = build_sources_report(session, weights())
    names = {item.domain: item.display_name for item in report.domains}
    assert names["named.example"] == "Named"
    assert names["other.net"] is None
