"""The defects a newcomer hit following the README (issue 13), each through the CLI as they met it.

Every test here failed on the code before the fix; the numbers are the issue's.
"""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from tests.conftest import CliInvoker, make_cli_invoker
from tests.support.server import LocalServer, Reply, html
from tracker.db import Database
from tracker.enums import Role
from tracker.models import ArticleEvent, ClaimEvent, Link, Reviewer

STORY = """Budget Story

The council approved a budget of $4.2 billion, an increase of 12% over last year, according to
<u>the budget document</u>.
"""


pytestmark = pytest.mark.usefixtures("acting_as_ana")


@pytest.fixture(autouse=True)
def root(database: Database) -> None:
    """An admin besides ana."""
    with database.transaction() as session:
        session.add(Reviewer(name="root", role=Role.ADMIN))


def article_page(server: LocalServer) -> str:
    """An article on the local server citing two of its pages: one alive, one gone."""
    ok = server.route("/poll", html("Poll", "<p>69% of Poles oppose sending troops.</p>"))
    gone = server.route("/budget", Reply(404, "gone"))
    body = (
        f'<article><h1>Troops</h1><p>A survey showed that <a href="{ok}">69% of Poles</a> '
        "oppose sending troops to Ukraine, the largest share since the war began.</p>"
        f'<p>The government said defence spending rose to <a href="{gone}">4% of GDP</a> '
        "this year, up from 2.4% in 2022.</p></article>"
    )
    return server.route("/story", html("Troops", body))


# 1 --------------------------------------------------------------------------------------------


def test_1_db_is_accepted_after_the_command_name(fresh_db_url: str) -> None:
    run = make_cli_invoker(None)
    assert "Initialised database" in run("init", "--db", fresh_db_url).stdout
    run("reviewers", "add", "ana", "--db", fresh_db_url)
    listed = json.loads(run("reviewers", "list", "--json", "--db", fresh_db_url).stdout)
    assert [reviewer["name"] for reviewer in listed] == ["ana"]
    assert json.loads(run("claims", "list", "--db", fresh_db_url, "--json").stdout) == []
    assert "--db URL" in run("demo", "--help").stdout


# 2 --------------------------------------------------------------------------------------------


def test_2_a_read_only_command_never_creates_a_database(tmp_path: Path) -> None:
    missing = tmp_path / "nonexistent" / "dir" / "x.db"
    result = make_cli_invoker(f"sqlite:///{missing}")("claims", "list", exit_code=1)
    assert (
        result.stderr == f"error: no database at {missing}: run `fact-tracker init` to create it\n"
    )
    assert not missing.parent.exists()
    make_cli_invoker(f"sqlite:///{missing}")("init")
    assert missing.exists()


# 3 --------------------------------------------------------------------------------------------


def test_3_the_same_text_ingested_again_with_its_url_is_one_article(
    run_cli: CliInvoker, database: Database, tmp_path: Path
) -> None:
    saved = tmp_path / "story.txt"
    saved.write_text(STORY, encoding="utf-8")
    first = json.loads(run_cli("ingest", str(saved), "--json").stdout)
    again = run_cli("ingest", str(saved), "--url", "https://city.example.org/story").stdout
    assert again.startswith(f"Updated article {first['article']['id']}")
    [article] = json.loads(run_cli("articles", "list", "--json").stdout)
    assert article["url"] == "https://city.example.org/story"


def test_3_articles_edit_and_delete_are_recorded(
    run_cli: CliInvoker, database: Database, tmp_path: Path
) -> None:
    saved = tmp_path / "story.txt"
    saved.write_text(STORY, encoding="utf-8")
    run_cli("ingest", str(saved), "--url", "https://city.example.org/story")
    run_cli("citations", "resolve", "1", "https://city.example.org/budget.pdf")
    edit = (
        "articles", "edit", "1", "--title", "Budget approved", "--author", "Ewa Nowak",
        "--publisher", "City News", "--date", "2024-11-11", "--url", "https://city.example.org/b",
    )  # fmt: skip
    assert "edited authors, published_at, site_name, title, url" in run_cli(*edit).stdout
    shown = json.loads(run_cli("articles", "show", "1", "--json").stdout)["article"]
    assert (shown["title"], shown["authors"], shown["site_name"], shown["url"]) == (
        "Budget approved",
        ["Ewa Nowak"],
        "City News",
        "https://city.example.org/b",
    )
    assert shown["published_at"].startswith("2024-11-11")
    assert "nothing changed" in run_cli(*edit, exit_code=2).stderr
    gone = run_cli("articles", "delete", "1", "--note", "wrong page", "--yes").stdout
    assert "Deleted article 1 (Budget approved) and its 1 claim; history kept" in gone
    assert "https://city.example.org/budget.pdf" in gone  # nothing cites it now: retired
    assert json.loads(run_cli("articles", "list", "--json").stdout) == []
    assert json.loads(run_cli("claims", "list", "--json").stdout) == []
    assert "article 1 not found" in run_cli("report", "1", exit_code=2).stderr
    with database.reading() as session:
        events = session.scalars(select(ArticleEvent).order_by(ArticleEvent.id)).all()
        assert [(e.action.value, e.actor) for e in events] == [
            ("ingested", "ana"),
            ("citation_resolved", "ana"),
            ("edited", "ana"),
            ("deleted", "ana"),
        ]
        assert events[-1].note == "wrong page"
        assert events[-1].changes["url"] == "https://city.example.org/b"
        assert session.scalar(select(ClaimEvent.actor).limit(1)) == "system:extractor"
    # The article's URL is free again: ingesting it records a new article.
    assert run_cli("ingest", str(saved)).stdout.startswith("Ingested article 2")


# 4 --------------------------------------------------------------------------------------------


def test_4_re_resolving_a_citation_says_what_it_replaces_and_retires_the_old_link(
    run_cli: CliInvoker, database: Database, tmp_path: Path, http_server: LocalServer
) -> None:
    saved = tmp_path / "story.txt"
    saved.write_text(STORY, encoding="utf-8")
    run_cli("ingest", str(saved))
    # Evidence is every figure of the claim ($4.2 billion, 12%): the old page has them all.
    old = http_server.route(
        "/old", html("Budget", "<p>A budget of $4.2 billion, an increase of 12%.</p>")
    )
    new = http_server.route("/new", html("Budget", "<p>Nothing about it.</p>"))
    run_cli("citations", "resolve", "1", old)
    run_cli("check", "--all")
    before = json.loads(run_cli("claims", "show", "1", "--json").stdout)["claim"]["sources"]
    assert [(s["url"], s["evidence_found"], s["evidence_state"]) for s in before] == [
        (old, True, "found")
    ]
    assert "$4.2 billion" in before[0]["evidence_passage"]

    out = run_cli("citations", "resolve", "1", new, "--reviewer", "root").stdout
    assert f"citation 1 (the budget document) -> {new} (replaces {old})" in out
    assert f"{old} is no longer cited and will not be checked" in out
    detail = json.loads(run_cli("claims", "show", "1", "--json").stdout)
    [source] = detail["claim"]["sources"]
    assert (source["url"], source["state"], source["evidence_found"]) == (new, "unchecked", None)
    assert (source["evidence_state"], source["evidence_passage"]) == (None, None)
    last = detail["events"][-1]
    assert (last["actor"], last["action"]) == ("root", "edit")
    assert last["changes"]["url"] == {"before": old, "after": new}
    assert f"instead of {old}" in last["note"]
    http_server.hits.clear()
    run_cli("check", "--all", exit_code=0)
    assert http_server.hits["/old"] == 0
    assert http_server.hits["/new"] >= 1
    with database.reading() as session:
        retired = session.scalars(select(Link).where(Link.url == old)).one()
        assert retired.next_check_at is None


# 5 --------------------------------------------------------------------------------------------


def test_5_an_override_keeps_the_checkers_state_and_marks_every_badge(
    run_cli: CliInvoker, http_server: LocalServer
) -> None:
    run_cli("ingest", article_page(http_server))
    run_cli("check", "--all", exit_code=3)
    gone = http_server.url("/budget")
    run_cli("links", "override", gone, "--state", "alive", "--note", "bot wall")
    soup = BeautifulSoup(run_cli("report", "1").stdout, "lxml")
    badges = soup.select(".badge.overridden")
    assert badges  # on the claim's source row and on the link's own card
    assert all(b.get_text(strip=True) == "Alive · override" for b in badges)
    assert all("the checker says At risk" in str(b.get("title")) for b in badges)
    card = soup.find(id="link-2")
    assert card is not None
    assert "the checker says At risk" in card.get_text()
    assert "checker says Alive" not in soup.get_text()
    listed = run_cli("links", "list").stdout
    assert "alive (override; checker: at_risk)" in listed


# 6 --------------------------------------------------------------------------------------------


def test_6_reports_number_claims_and_citations_by_the_ids_commands_take(
    run_cli: CliInvoker, http_server: LocalServer, tmp_path: Path
) -> None:
    run_cli("ingest", article_page(http_server))  # claims 1 and 2
    saved = tmp_path / "story.txt"
    saved.write_text(STORY, encoding="utf-8")
    run_cli("ingest", str(saved))  # article 2: claim 3, citation 3 has no URL
    claims = json.loads(run_cli("claims", "list", "--article", "2", "--json").stdout)
    soup = BeautifulSoup(run_cli("report", "2").stdout, "lxml")
    headings = [h.get_text(" ", strip=True) for h in soup.select("article.claim h3")]
    assert [heading.split()[1] for heading in headings] == [str(c["id"]) for c in claims]
    assert headings[0].startswith("Claim 3")
    [row] = soup.select("#unresolved tbody tr")
    assert row.find("td").get_text() == "3"  # the citation's id, not a character offset


# 7 --------------------------------------------------------------------------------------------


def test_7_a_report_file_gets_the_usual_mode(
    run_cli: CliInvoker, http_server: LocalServer, tmp_path: Path
) -> None:
    run_cli("ingest", article_page(http_server))
    target = tmp_path / "report.html"
    old = os.umask(0o022)
    try:
        run_cli("report", "1", "-o", str(target))
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert [path.name for path in tmp_path.iterdir()] == ["report.html"]  # no temporary left


# 8 --------------------------------------------------------------------------------------------


def test_8_one_definition_of_rot_in_sources_links_and_scores(
    run_cli: CliInvoker, http_server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FACT_TRACKER_CREDIBILITY_MIN_SAMPLE", "1")
    run_cli("ingest", article_page(http_server))
    run_cli("check", "--all", exit_code=3)  # one page alive, one 404 (at risk, not yet dead)
    sources = json.loads(run_cli("report", "sources", "-f", "json").stdout)
    [local] = sources["domains"]  # the publisher and its cited pages share 127.0.0.1
    assert local["track_record"]["rot_rate"] == 0.5
    survival = next(item for item in local["inputs"] if item["key"] == "rot")
    assert survival["value"] == 0.5
    links = json.loads(run_cli("report", "links", "-f", "json").stdout)
    assert links["rot_now"] == {"rotten": 1, "counted": 2, "rate": 0.5}
    assert [week["rate"] for week in links["rot_rate"]] == [0.5]
    article = json.loads(run_cli("report", "1", "-f", "json").stdout)
    publisher = next(item for item in article["publisher"]["inputs"] if item["key"] == "rot")
    assert publisher["value"] == 0.5  # not 1.00 beside a 404


# 9 --------------------------------------------------------------------------------------------


def test_9_history_check_summary_and_claimreview_say_what_they_mean(
    run_cli: CliInvoker, http_server: LocalServer, tmp_path: Path
) -> None:
    saved = tmp_path / "story.txt"
    saved.write_text(STORY, encoding="utf-8")
    run_cli("ingest", str(saved))
    history = run_cli("claims", "history", "1").stdout
    assert "source: None" not in history
    assert "source: (unresolved citation: 'the budget document') [no link]" in history
    page = http_server.route("/page", html("Page", "<p>The budget: $4.2 billion.</p>"))
    run_cli("citations", "resolve", "1", page)
    assert "Checked 1 link in" in run_cli("check", "--all").stdout
    run_cli("verdict", "1", "accurate", "--note", "the budget says so")
    refused = run_cli("report", "1", "-f", "claimreview", exit_code=2)
    assert "ClaimReview needs the publishing organization" in refused.stderr
    assert "FACT_TRACKER_ORGANIZATION_URL" in refused.stderr
    assert "example.org" not in run_cli("report", "1", "-f", "json").stdout
    warned = run_cli("report", "1", "-o", str(tmp_path / "r.html"))
    assert "warning: the report has no ClaimReview markup" in warned.stderr


# 10 -------------------------------------------------------------------------------------------


def test_10_schedule_status_sees_only_this_databases_workers(
    backend: str, db_url: str, fresh_db_url: str
) -> None:
    if backend != "postgresql":
        pytest.skip("advisory locks are server-wide on PostgreSQL only")
    from tracker.schedule.locks import running_workers, worker_lock

    ours, other = Database(db_url), Database(fresh_db_url)
    try:
        with worker_lock(other, "w1"):
            assert running_workers(other, {"w1"}) == {"w1"}
            assert running_workers(ours, {"w1"}) == set()
        status = json.loads(make_cli_invoker(db_url)("schedule", "status", "--json").stdout)
        assert status["workers"] == []
    finally:
        ours.dispose()
        other.dispose()


# 11 -------------------------------------------------------------------------------------------


def test_11_the_html_report_reads_right(
    run_cli: CliInvoker, http_server: LocalServer, database: Database
) -> None:
    run_cli("ingest", article_page(http_server))
    run_cli("verdict", "1", "accurate", "--note", "the poll page shows 69%")
    run_cli("check", "--all", exit_code=3)
    run_cli("check", "--all", exit_code=3)  # two checks the same day
    run_cli("links", "override", http_server.url("/poll"), "--state", "dead", "--note", "forged")
    text = run_cli("report", "1").stdout
    soup = BeautifulSoup(text, "lxml")
    style = re.sub(r"/\*.*?\*/", "", soup.find("style").get_text(), flags=re.DOTALL)
    rules = {head.strip(): body for head, body in re.findall(r"([^{}]+)\{([^}]*)\}", style)}
    assert "overflow-wrap: normal" in rules["th"]  # "Evidence", never "Evide nce"
    assert not [
        head for head, body in rules.items() if "th" in head.split(", ") and "anywhere" in body
    ]
    assert "credibility_weight" not in text
    # The checker flagged the verdict after the reviewer's note: the note shown is hers.
    note = soup.select_one("#claim-1 .note")
    assert note is not None
    assert note.get_text(" ", strip=True) == "Reviewer's note: the poll page shows 69%"
    timeline = soup.select_one("#link-1 .legend")
    assert timeline is not None
    caption = timeline.get_text(" ", strip=True)
    assert caption.startswith("2 checks, ")
    assert "2 reachable; last: ok (HTTP 200)" in caption
    labels = [t.get_text() for t in soup.select("#link-1 svg text")]
    assert len(labels[0]) == len("2024-11-11 09:00:00")  # times, not two equal dates
    marks = soup.select("#text mark")
    assert [mark.get("id") for mark in marks] == ["text-claim-1", "text-claim-2"]
    assert "69% of Poles" in marks[0].get_text()
    assert marks[0].find("a")["href"] == "#claim-1"
