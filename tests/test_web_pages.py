"""The work lists and the article tools: to do, articles (add, upload, edit), citations, links
(check now, override), sources, reports, reviewers."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import update

from tests.support.web import (
    Browser,
    add_article,
    add_people,
    make_app,
    quick_password_hashes,
)
from tracker.actors import Actor
from tracker.articles.services import list_citations, show_article
from tracker.db import Database
from tracker.linkcheck.services import list_links
from tracker.models import Claim, Link
from tracker.review.services import claim_detail, list_claims, set_status
from tracker.settings import Settings

VIC = Actor.reviewer("vic")


@pytest.fixture(autouse=True)
def _quick_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    quick_password_hashes(monkeypatch)


@pytest.fixture
def app(settings: Settings, database: Database) -> Flask:
    add_people(database)
    return make_app(settings, database)


@pytest.fixture
def article_id(app: Flask, database: Database, settings: Settings) -> int:
    return add_article(database, settings)


def logged_in(app: Flask, name: str) -> Browser:
    visitor = Browser(app.test_client())
    assert visitor.login(name).status_code == 302
    return visitor


@pytest.mark.parametrize(
    "path",
    [
        "/todo",
        "/articles",
        "/articles/{a}",
        "/claims/{c}",
        "/links",
        "/sources",
        "/reports",
        "/reviewers",
        "/todo?article={a}&reviewer=rita",
        "/links?state=unchecked&domain=example.org",
    ],
)
def test_viewers_read_every_page(
    app: Flask, database: Database, article_id: int, path: str
) -> None:
    claim_id = list_claims(database, VIC, article_id=article_id)[0].id
    answer = logged_in(app, "vic").get(path.format(a=article_id, c=claim_id))
    assert answer.status_code == 200
    assert "<form" not in answer.get_data(as_text=True).split("</nav>", 1)[1] or path in (
        "/todo",
        "/links",
        "/todo?article={a}&reviewer=rita",
        "/links?state=unchecked&domain=example.org",
    )  # only the filters (GET forms) for viewers


def test_todo_lists_what_needs_a_person(app: Flask, database: Database, article_id: int) -> None:
    claims = list_claims(database, VIC, article_id=article_id)
    set_status(database, Actor.reviewer("rita"), claims[0].id, "accurate", note="seen")
    with database.transaction() as session:
        session.execute(update(Claim).where(Claim.id == claims[0].id).values(needs_rereview=True))
        session.execute(update(Link).values(state="dead", last_checked_at=datetime.now(UTC)))
    rita = logged_in(app, "rita")
    html = rita.get("/todo").get_data(as_text=True)
    rereview = html.split("Claims to re-review")[1].split("Unverified claims")[0]
    assert claims[0].text[:40] in rereview
    unverified = html.split("Unverified claims")[1].split("Unresolved citations")[0]
    assert claims[1].text[:40] in unverified
    assert claims[0].text[:40] not in unverified
    assert "https://poll.example.org/cbos" in html.split("Dead sources")[1]
    only_rob = rita.get("/todo?reviewer=rob").get_data(as_text=True)
    assert (
        claims[0].text[:40] not in only_rob.split("Claims to re-review")[1].split("Unverified")[0]
    )
    only_rita = rita.get("/todo?reviewer=rita").get_data(as_text=True)
    assert claims[0].text[:40] in only_rita.split("Claims to re-review")[1].split("Unverified")[0]


def test_upload_an_article_and_edit_it(app: Flask, database: Database) -> None:
    rita = logged_in(app, "rita")
    text = b"The minister said on Monday that 42% of voters backed the plan.\n"
    answer = rita.client.post(
        "/articles/upload",
        data={
            "file": (io.BytesIO(text), "minister.txt"),
            "url": "https://news.example.org/minister",
            "csrf_token": rita.token("/articles"),
        },
        content_type="multipart/form-data",
    )
    assert answer.status_code == 302, answer.get_data(as_text=True)
    article_id = int(answer.headers["Location"].rsplit("/", 1)[1])
    article = show_article(database, VIC, article_id).article
    assert article.url == "https://news.example.org/minister"
    assert article.input_name == "upload:minister.txt"
    answer = rita.post(
        f"/articles/{article_id}/edit",
        {"title": "The minister's plan", "authors": "Ann Lee, Bo Chan", "published": "2026-11-02"},
    )
    assert answer.status_code == 302
    article = show_article(database, VIC, article_id).article
    assert article.title == "The minister's plan"
    assert article.authors == ("Ann Lee", "Bo Chan")
    listing = rita.get("/articles").get_data(as_text=True)
    assert "The minister&#39;s plan" in listing


def test_the_articles_page_counts_claims_and_links(app: Flask, article_id: int) -> None:
    listing = logged_in(app, "vic").get("/articles").get_data(as_text=True)
    row = listing.split(f'<td class="num">{article_id}</td>', 1)[1].split("</tr>", 1)[0]
    assert "unverified 3" in row or "unverified 2" in row
    assert "Unchecked 2" in row


def test_resolve_a_citation_and_tie_it_to_a_claim(
    app: Flask, database: Database, article_id: int
) -> None:
    rita = logged_in(app, "rita")
    citation = list_citations(database, VIC, article_id=article_id)[0]
    answer = rita.post(
        f"/citations/{citation.id}/resolve",
        {"url": "https://poll.example.org/cbos-2024", "back": f"/articles/{article_id}"},
    )
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"/articles/{article_id}"
    assert list_citations(database, VIC, article_id=article_id)[0].url == (
        "https://poll.example.org/cbos-2024"
    )
    claims = list_claims(database, VIC, article_id=article_id)
    last = claims[-1]
    answer = rita.post(f"/claims/{last.id}/sources", {"url": "https://budget.example.org/2024"})
    assert answer.status_code == 302
    urls = [s.url for s in claim_detail(database, VIC, last.id).claim.sources]
    assert "https://budget.example.org/2024" in urls
    answer = rita.post(
        f"/claims/{last.id}/sources", {"url": "https://budget.example.org/2024", "action": "remove"}
    )
    assert answer.status_code == 302
    urls = [s.url for s in claim_detail(database, VIC, last.id).claim.sources]
    assert "https://budget.example.org/2024" not in urls


def test_check_now_and_override_on_the_links_page(
    app: Flask, database: Database, article_id: int
) -> None:
    rita = logged_in(app, "rita")
    links = list_links(database, VIC)
    later = datetime.now(UTC) + timedelta(days=3)
    with database.transaction() as session:
        session.execute(update(Link).values(next_check_at=later))
    answer = rita.post("/links/check", {"article": str(article_id)}, page="/links")
    assert answer.status_code == 302
    due = [link for link in list_links(database, VIC) if link.next_check_at < later]
    assert len(due) == len(links)
    state = rita.get(f"/state?links={links[0].id}").json
    assert state["links"][str(links[0].id)]["state"] == "unchecked"
    answer = rita.post(f"/links/{links[0].id}/override", {"state": "alive", "note": "bot wall"})
    assert answer.status_code == 302
    page = rita.get("/links").get_data(as_text=True)
    assert "override (checker: Unchecked)" in page
    answer = rita.post(f"/links/{links[0].id}/override", {"action": "clear"})
    assert answer.status_code == 302
    assert not next(x for x in list_links(database, VIC) if x.id == links[0].id).overridden


def test_rate_a_source(app: Flask, database: Database, settings: Settings, article_id: int) -> None:
    from tracker.credibility.services import list_sources

    rita = logged_in(app, "rita")
    answer = rita.post("/sources/rate", {"domain": "poll.example.org", "rating": "4", "note": "ok"})
    assert answer.status_code == 302
    rated = next(s for s in list_sources(database, VIC, settings) if s.domain == "example.org")
    assert rated.manual is not None
    assert rated.manual.rated_by == "rita"
    page = rita.get("/sources").get_data(as_text=True)
    assert "manual rating" in page.lower()


@pytest.mark.parametrize(
    ("kind", "fmt", "media"),
    [
        ("article-{a}", "html", "text/html"),
        ("article-{a}", "md", "text/markdown"),
        ("article-{a}", "json", "application/json"),
        ("article-{a}", "csv", "text/csv"),
        ("links", "html", "text/html"),
        ("links", "csv", "text/csv"),
        ("sources", "json", "application/json"),
    ],
)
def test_reports_download_in_every_format(
    app: Flask, article_id: int, kind: str, fmt: str, media: str
) -> None:
    answer = logged_in(app, "vic").get(f"/reports/{kind.format(a=article_id)}.{fmt}")
    assert answer.status_code == 200
    assert answer.mimetype == media
    if fmt == "html":
        assert "sandbox" in answer.headers["Content-Security-Policy"]
    else:
        assert answer.headers["Content-Disposition"].startswith("attachment")


def test_reports_page_links_every_format(app: Flask, article_id: int) -> None:
    html = logged_in(app, "vic").get("/reports").get_data(as_text=True)
    links = set(re.findall(r'href="(/reports/[^"]+)"', html))
    assert f"/reports/article-{article_id}.claimreview" in links
    assert "/reports/links.json" in links
    assert "/reports/sources.html" in links


def test_admins_add_reviewers_on_the_page(app: Flask, database: Database) -> None:
    ada = logged_in(app, "ada")
    answer = ada.post("/reviewers", {"name": "nina", "role": "viewer"}, page="/reviewers")
    assert answer.status_code == 302
    assert "nina" in ada.get("/reviewers").get_data(as_text=True)
