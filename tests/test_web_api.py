"""The JSON API: bearer tokens, 401/403/404/409/422, and what each call changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support.server import LocalServer, html
from tests.support.web import (
    ARTICLE_MD,
    Browser,
    add_article,
    add_people,
    make_app,
    quick_password_hashes,
)
from tracker.accounts.services import list_tokens, revoke_token
from tracker.actors import Actor
from tracker.db import Database
from tracker.linkcheck.services import list_links
from tracker.review.services import claim_detail, list_claims
from tracker.settings import Settings

ADA = Actor.reviewer("ada")


@pytest.fixture(autouse=True)
def _quick_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    quick_password_hashes(monkeypatch)


@pytest.fixture
def tokens(database: Database) -> dict[str, str]:
    return add_people(database)


@pytest.fixture
def app(settings: Settings, database: Database, tokens: dict[str, str]) -> Flask:
    return make_app(settings, database)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def article_id(database: Database, settings: Settings, tokens: dict[str, str]) -> int:
    return add_article(database, settings)


def auth(tokens: dict[str, str], name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens[name]}"}


ROUTES = [
    ("GET", "/openapi.json"),
    ("GET", "/api/articles"),
    ("POST", "/api/articles"),
    ("PATCH", "/api/articles/1"),
    ("POST", "/api/articles/1/claims"),
    ("GET", "/api/claims"),
    ("GET", "/api/claims/1"),
    ("POST", "/api/claims/1/verdict"),
    ("POST", "/api/claims/1/notes"),
    ("POST", "/api/claims/1/sources"),
    ("POST", "/api/citations/1/resolve"),
    ("GET", "/api/links"),
    ("POST", "/api/links/1/check"),
    ("PUT", "/api/links/1/override"),
    ("DELETE", "/api/links/1/override"),
    ("POST", "/api/sources/rate"),
    ("POST", "/api/reviewers"),
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
@pytest.mark.parametrize("header", [None, "Bearer not-a-token", "Basic YWRhOnB3", "Bearer "])
def test_calls_without_a_valid_token_get_401(
    client: FlaskClient, article_id: int, method: str, path: str, header: str | None
) -> None:
    headers = {"Authorization": header} if header else {}
    answer = client.open(path, method=method, headers=headers, json={})
    assert answer.status_code == 401
    assert answer.json == {
        "error": "not_authenticated",
        "message": "send Authorization: Bearer <API token>",
    }
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_browser_session_does_not_authenticate_api_calls(app: Flask, article_id: int) -> None:
    visitor = Browser(app.test_client())
    assert visitor.login("rita").status_code == 302
    assert visitor.get("/todo").status_code == 200
    assert visitor.client.post("/api/claims/1/notes", json={"note": "x"}).status_code == 401


def test_a_revoked_token_is_refused(
    client: FlaskClient, database: Database, tokens: dict[str, str]
) -> None:
    assert client.get("/api/articles", headers=auth(tokens, "rita")).status_code == 200
    (token,) = list_tokens(database, ADA, "rita")
    revoke_token(database, ADA, token.id)
    assert client.get("/api/articles", headers=auth(tokens, "rita")).status_code == 401


def test_reading_articles_and_claims(
    client: FlaskClient, tokens: dict[str, str], article_id: int
) -> None:
    articles = client.get("/api/articles", headers=auth(tokens, "vic")).json
    assert [a["id"] for a in articles["articles"]] == [article_id]
    claims = client.get(f"/api/claims?article_id={article_id}", headers=auth(tokens, "vic")).json[
        "claims"
    ]
    assert claims
    assert claims[0]["status"] == "unverified"
    detail = client.get(f"/api/claims/{claims[0]['id']}", headers=auth(tokens, "vic")).json
    assert detail["claim"]["sources"][0]["url"] == "https://poll.example.org/cbos"
    assert detail["events"][0]["action"] == "created"
    missing = client.get("/api/claims/999999", headers=auth(tokens, "vic"))
    assert missing.status_code == 404
    assert missing.json["error"] == "not_found"


def test_a_verdict_then_a_stale_one_gets_409_with_the_current_state(
    client: FlaskClient, database: Database, tokens: dict[str, str], article_id: int
) -> None:
    claim_id = list_claims(database, ADA, article_id=article_id)[0].id
    path = f"/api/claims/{claim_id}/verdict"
    first = client.post(
        path,
        headers=auth(tokens, "rita"),
        json={"status": "accurate", "note": "the poll says 69%", "version": 1},
    )
    assert first.status_code == 200
    assert first.json["version"] == 2
    assert first.json["new_status"] == "accurate"
    stale = client.post(
        path,
        headers=auth(tokens, "rob"),
        json={"status": "false", "note": "no it does not", "version": 1},
    )
    assert stale.status_code == 409
    assert stale.json["changed_by"] == ["rita"]
    assert stale.json["current"]["status"] == "accurate"
    assert stale.json["current"]["version"] == 2
    detail = claim_detail(database, ADA, claim_id)
    assert [e.actor for e in detail.events][-1] == "rita"
    assert detail.claim.status.value == "accurate"


def test_notes_and_bad_input(
    client: FlaskClient, database: Database, tokens: dict[str, str], article_id: int
) -> None:
    claim_id = list_claims(database, ADA, article_id=article_id)[0].id
    ok = client.post(
        f"/api/claims/{claim_id}/notes", headers=auth(tokens, "rita"), json={"note": "asked"}
    )
    assert ok.status_code == 200
    assert ok.json["action"] == "note"
    for body in ({"note": "   "}, {}, {"note": "x", "surprise": 1}, {"note": "a\x00b"}):
        bad = client.post(f"/api/claims/{claim_id}/notes", headers=auth(tokens, "rita"), json=body)
        assert bad.status_code == 422, body
    verdict = client.post(
        f"/api/claims/{claim_id}/verdict",
        headers=auth(tokens, "rita"),
        json={"status": "probably"},
    )
    assert verdict.status_code == 422
    assert "invalid status" in verdict.json["message"]


@pytest.mark.parametrize(
    ("name", "method", "path", "body"),
    [
        ("vic", "POST", "/api/claims/{claim}/verdict", {"status": "in_review"}),
        ("vic", "POST", "/api/claims/{claim}/notes", {"note": "n"}),
        ("vic", "POST", "/api/claims/{claim}/sources", {"url": "https://x.example.org/"}),
        ("vic", "POST", "/api/articles/{article}/claims", {"start": 0}),
        ("vic", "PATCH", "/api/articles/{article}", {"title": "T"}),
        ("vic", "POST", "/api/articles", {"url": "http://127.0.0.1:9/"}),
        ("vic", "POST", "/api/citations/{citation}/resolve", {"url": "https://x.example.org/"}),
        ("vic", "POST", "/api/links/{link}/check", None),
        ("vic", "PUT", "/api/links/{link}/override", {"state": "alive", "note": "n"}),
        ("vic", "DELETE", "/api/links/{link}/override", None),
        ("vic", "POST", "/api/sources/rate", {"domain": "example.org", "rating": 3, "note": "n"}),
        ("vic", "POST", "/api/reviewers", {"name": "x"}),
        ("rita", "POST", "/api/reviewers", {"name": "x", "role": "admin"}),
    ],
)
def test_role_refusals_are_403_and_change_nothing(  # noqa: PLR0917
    client: FlaskClient,
    database: Database,
    tokens: dict[str, str],
    article_id: int,
    name: str,
    method: str,
    path: str,
    body: dict[str, object] | None,
) -> None:
    from tests.support.db_snapshot import snapshot
    from tracker.articles.services import show_article

    detail = show_article(database, ADA, article_id)
    ids = {
        "claim": detail.claims[0].id,
        "article": article_id,
        "citation": detail.citations[0].id,
        "link": list_links(database, ADA)[0].id,
    }
    before = snapshot(database)
    answer = client.open(path.format(**ids), method=method, headers=auth(tokens, name), json=body)
    assert answer.status_code == 403, answer.json
    assert answer.json["error"] == "forbidden"
    assert snapshot(database) == before


def test_check_now_makes_the_link_due_and_fetches_nothing(
    client: FlaskClient, database: Database, tokens: dict[str, str], article_id: int
) -> None:
    link = list_links(database, ADA)[0]
    answer = client.post(f"/api/links/{link.id}/check", headers=auth(tokens, "rita"))
    assert answer.status_code == 200
    assert answer.json == {"due": [link.id]}
    after = next(found for found in list_links(database, ADA) if found.id == link.id)
    assert after.next_check_at is not None
    assert after.next_check_at <= datetime.now(UTC) + timedelta(seconds=1)
    assert after.last_checked_at is None  # the scheduler checks it, not the request


def test_ingest_by_url(
    client: FlaskClient, database: Database, tokens: dict[str, str], http_server: LocalServer
) -> None:
    body = "".join(f"<p>{line}</p>" for line in ARTICLE_MD.splitlines()[2:] if line)
    url = http_server.route("/story.html", html("Troops and polls", f"<article>{body}</article>"))
    answer = client.post("/api/articles", headers=auth(tokens, "rita"), json={"url": url})
    assert answer.status_code == 201, answer.json
    assert answer.json["article"]["url"] == url
    again = client.post("/api/articles", headers=auth(tokens, "rita"), json={"url": url})
    assert again.status_code == 200
    assert again.json["created"] is False


def test_ingest_uploaded_content(client: FlaskClient, tokens: dict[str, str]) -> None:
    answer = client.post(
        "/api/articles",
        headers=auth(tokens, "rita"),
        json={"content": ARTICLE_MD, "file_name": "troops.md", "url": "https://x.example.org/t"},
    )
    assert answer.status_code == 201, answer.json
    assert answer.json["article"]["url"] == "https://x.example.org/t"
    assert len(answer.json["claims"]) >= 2
    empty = client.post("/api/articles", headers=auth(tokens, "rita"), json={})
    assert empty.status_code == 422


def test_admins_add_reviewers(client: FlaskClient, tokens: dict[str, str]) -> None:
    answer = client.post(
        "/api/reviewers", headers=auth(tokens, "ada"), json={"name": "newbie", "role": "viewer"}
    )
    assert answer.status_code == 201
    assert answer.json["role"] == "viewer"


def test_the_openapi_document_describes_every_call(
    client: FlaskClient, tokens: dict[str, str]
) -> None:
    document = client.get("/openapi.json", headers=auth(tokens, "vic")).json
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    for path, method in [
        ("/api/articles", "get"),
        ("/api/articles", "post"),
        ("/api/claims", "get"),
        ("/api/claims/{claim_id}", "get"),
        ("/api/claims/{claim_id}/verdict", "post"),
        ("/api/claims/{claim_id}/notes", "post"),
        ("/api/links", "get"),
        ("/api/links/{link_id}/check", "post"),
    ]:
        assert method in paths[path], (path, method)
    assert "409" in paths["/api/claims/{claim_id}/verdict"]["post"]["responses"]
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
