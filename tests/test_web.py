"""The web workspace through Flask's test client: log in, roles, CSRF, escaping, conflicts.

Every test runs on SQLite and PostgreSQL (the ``database`` fixture).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from flask import Flask

from tests.support.web import (
    PASSWORD,
    Browser,
    add_article,
    add_people,
    make_app,
    quick_password_hashes,
)
from tracker.actors import Actor
from tracker.db import Database
from tracker.review.services import claim_detail, list_claims, set_status
from tracker.settings import Settings


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
def article_id(database: Database, settings: Settings, tokens: dict[str, str]) -> int:
    return add_article(database, settings)


def browser(app: Flask, name: str | None = None) -> Browser:
    visitor = Browser(app.test_client())
    if name is not None:
        answer = visitor.login(name)
        assert answer.status_code == 302, answer.get_data(as_text=True)
    return visitor


def first_claim(database: Database, article_id: int) -> int:
    return list_claims(database, Actor.reviewer("vic"), article_id=article_id)[0].id


# Logging in ---------------------------------------------------------------------------------

PAGES = [
    "/",
    "/todo",
    "/articles",
    "/articles/1",
    "/claims/1",
    "/links",
    "/sources",
    "/reports",
    "/reports/links.csv",
    "/reviewers",
    "/state?links=1",
]


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_see_only_the_login_page(app: Flask, article_id: int, path: str) -> None:
    answer = browser(app).get(path)
    assert answer.status_code == 302
    assert urlsplit(answer.headers["Location"]).path == "/login"
    assert browser(app).get("/login").status_code == 200


def test_anonymous_writes_are_refused_and_change_nothing(
    app: Flask, database: Database, article_id: int
) -> None:
    claim_id = first_claim(database, article_id)
    visitor = browser(app)
    answer = visitor.post(f"/claims/{claim_id}/verdict", {"status": "in_review"}, page="/login")
    assert answer.status_code == 302
    assert "/login" in answer.headers["Location"]
    assert claim_detail(database, Actor.reviewer("vic"), claim_id).claim.version == 1


def test_a_wrong_password_is_refused_with_one_message(app: Flask) -> None:
    visitor = browser(app)
    wrong = visitor.login("rita", "not the password")
    unknown = visitor.login("nobody", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert "wrong name or password" in wrong.get_data(as_text=True)
    assert "wrong name or password" in unknown.get_data(as_text=True)
    assert visitor.get("/todo").status_code == 302


def test_login_attempts_are_rate_limited_even_with_the_right_password(app: Flask) -> None:
    visitor = browser(app)
    for _ in range(5):
        assert visitor.login("rob", "guess guess guess").status_code == 401
    refused = visitor.login("rob", PASSWORD)
    assert refused.status_code == 429
    assert "too many failed logins" in refused.get_data(as_text=True)
    assert visitor.get("/todo").status_code == 302
    assert browser(app).login("rita").status_code == 302  # another name is not locked out


def test_the_session_is_rotated_at_login_and_revoked_at_logout(app: Flask) -> None:
    visitor = browser(app)
    visitor.get("/login")
    planted = visitor.session_cookie()
    assert planted is not None  # the login form's CSRF token lives in the session
    assert visitor.login("rita").status_code == 302
    after = visitor.session_cookie()
    assert after != planted
    # An attacker who planted the pre-login cookie gets nothing from it.
    attacker = Browser(app.test_client())
    attacker.client.set_cookie("fact_tracker_session", planted)
    assert attacker.get("/todo").status_code == 302
    # A copy of the logged-in cookie works until logout, then never again.
    thief = Browser(app.test_client())
    thief.client.set_cookie("fact_tracker_session", after)
    assert thief.get("/todo").status_code == 200
    assert visitor.post("/logout").status_code == 302
    assert thief.get("/todo").status_code == 302
    assert visitor.get("/todo").status_code == 302


def test_the_session_cookie_is_httponly_and_samesite(app: Flask) -> None:
    visitor = browser(app)
    form = {"name": "rita", "password": PASSWORD, "csrf_token": visitor.token()}
    answer = visitor.client.post("/login", data=form)
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example",
        "http:/evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        " //evil.example",
    ],
)
def test_next_never_leads_off_the_site(app: Flask, target: str) -> None:
    answer = browser(app).login("rita", next=target)
    assert answer.status_code == 302
    location = urlsplit(answer.headers["Location"])
    assert location.netloc in ("", "localhost")
    assert location.path == "/todo"


def test_next_leads_back_to_the_page_asked_for(app: Flask, article_id: int) -> None:
    visitor = browser(app)
    sent = visitor.get(f"/articles/{article_id}")
    assert sent.headers["Location"].endswith(f"/login?next=/articles/{article_id}")
    answer = visitor.login("vic", next=f"/articles/{article_id}")
    assert answer.headers["Location"] == f"/articles/{article_id}"


# CSRF and headers ---------------------------------------------------------------------------


def test_a_form_without_its_csrf_token_is_refused(
    app: Flask, database: Database, article_id: int
) -> None:
    claim_id = first_claim(database, article_id)
    rita = browser(app, "rita")
    for token in (None, "forged"):
        data = {"status": "in_review", "version": "1"}
        if token:
            data["csrf_token"] = token
        answer = rita.client.post(f"/claims/{claim_id}/verdict", data=data)
        assert answer.status_code == 400
        assert "did not come from this site" in answer.get_data(as_text=True)
    assert claim_detail(database, Actor.reviewer("vic"), claim_id).claim.version == 1


def test_the_login_form_needs_its_csrf_token_too(app: Flask) -> None:
    answer = Browser(app.test_client()).client.post(
        "/login", data={"name": "rita", "password": PASSWORD}
    )
    assert answer.status_code == 400


def test_pages_forbid_inline_scripts(app: Flask, article_id: int) -> None:
    answer = browser(app, "rita").get(f"/articles/{article_id}")
    policy = answer.headers["Content-Security-Policy"]
    script = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert "'self'" in script
    assert "unsafe-inline" not in script
    assert "frame-ancestors 'none'" in policy
    html = answer.get_data(as_text=True)
    assert "<script>" not in html
    assert " on" + "click=" not in html
    assert answer.headers["X-Content-Type-Options"] == "nosniff"


# The article and the claim ------------------------------------------------------------------


def test_the_article_page_shows_claims_in_reading_order_beside_their_sources(
    app: Flask, database: Database, article_id: int
) -> None:
    claims = list_claims(database, Actor.reviewer("vic"), article_id=article_id)
    assert len(claims) >= 2
    html = (
        browser(app, "vic")
        .get(f"/articles/{article_id}?claim={claims[0].id}")
        .get_data(as_text=True)
    )
    marks = [html.index(f'data-claim="{claim.id}"') for claim in claims]
    assert marks == sorted(marks)
    panel = html[html.index('id="panel"') :]
    assert "https://poll.example.org/cbos" in panel
    assert "not checked yet" in panel or "state-unchecked" in panel


def test_a_verdict_with_a_note_is_recorded_and_shown_in_the_history(
    app: Flask, database: Database, article_id: int
) -> None:
    claim_id = first_claim(database, article_id)
    rita = browser(app, "rita")
    answer = rita.post(
        f"/claims/{claim_id}/verdict",
        {"status": "accurate", "note": "the poll page says 69%", "version": "1"},
        page=f"/claims/{claim_id}",
    )
    assert answer.status_code == 302
    detail = claim_detail(database, Actor.reviewer("vic"), claim_id)
    assert detail.claim.status.value == "accurate"
    assert detail.events[-1].actor == "rita"
    page = rita.get(f"/claims/{claim_id}").get_data(as_text=True)
    assert "the poll page says 69%" in page
    assert "accurate recorded" in page
    latest = page.split("Latest reasoning, rita", 1)[1].split("</div>", 2)[0]
    assert "the poll page says 69%" in latest


def test_a_stale_verdict_is_refused_with_the_current_state_and_the_draft_kept(
    app: Flask, database: Database, article_id: int
) -> None:
    claim_id = first_claim(database, article_id)
    rita, rob = browser(app, "rita"), browser(app, "rob")
    page = f"/claims/{claim_id}"
    assert (
        rita.post(
            f"/claims/{claim_id}/verdict",
            {"status": "false", "note": "the poll says 31%", "version": "1"},
            page=page,
        ).status_code
        == 302
    )
    answer = rob.post(
        f"/claims/{claim_id}/verdict",
        {"status": "accurate", "note": "my careful reasoning <b>kept</b>", "version": "1"},
        page=page,
    )
    assert answer.status_code == 409
    html = answer.get_data(as_text=True)
    assert "changed since version 1 by rita" in html
    assert "my careful reasoning &lt;b&gt;kept&lt;/b&gt;" in html  # the draft, escaped
    assert '<option value="accurate" selected>' in html
    assert 'name="version" value="2"' in html  # resubmitting is based on what was shown
    assert "the poll says 31%" in html  # the current state: rita's note in the history
    assert claim_detail(database, Actor.reviewer("vic"), claim_id).claim.status.value == "false"


def test_an_invalid_verdict_keeps_the_draft(
    app: Flask, database: Database, article_id: int
) -> None:
    claim_id = first_claim(database, article_id)
    answer = browser(app, "rita").post(
        f"/claims/{claim_id}/verdict",
        {"status": "accurate", "version": "1"},
        page=f"/claims/{claim_id}",
    )
    assert answer.status_code == 422
    assert "needs a note" in answer.get_data(as_text=True)


def test_a_note_is_added(app: Flask, database: Database, article_id: int) -> None:
    claim_id = first_claim(database, article_id)
    rita = browser(app, "rita")
    answer = rita.post(f"/claims/{claim_id}/notes", {"note": "asked CBOS", "version": "1"})
    assert answer.status_code == 302
    assert claim_detail(database, Actor.reviewer("vic"), claim_id).events[-1].note == "asked CBOS"


def test_viewers_see_no_forms(app: Flask, database: Database, article_id: int) -> None:
    claim_id = first_claim(database, article_id)
    html = browser(app, "vic").get(f"/claims/{claim_id}").get_data(as_text=True)
    assert "Record verdict" not in html
    html = browser(app, "rita").get(f"/claims/{claim_id}").get_data(as_text=True)
    assert "Record verdict" in html


def test_promote_a_sentence_and_reject_a_claim(
    app: Flask, database: Database, article_id: int
) -> None:
    rita = browser(app, "rita")
    page = rita.get(f"/articles/{article_id}").get_data(as_text=True)
    assert "+ claim" in page
    before = {c.text for c in list_claims(database, Actor.reviewer("vic"), article_id=article_id)}
    import re

    starts = re.findall(r'name="start" value="(\d+)"', page)
    assert starts
    answer = rita.post(f"/articles/{article_id}/promote", {"start": starts[0]})
    assert answer.status_code == 302
    after = list_claims(database, Actor.reviewer("vic"), article_id=article_id)
    added = [c for c in after if c.text not in before]
    assert len(added) == 1
    assert added[0].position == int(starts[0])
    answer = rita.post(f"/claims/{added[0].id}/reject", {"version": str(added[0].version)})
    assert answer.status_code == 302
    assert claim_detail(database, Actor.reviewer("vic"), added[0].id).claim.status.value == (
        "rejected"
    )


# Escaping -----------------------------------------------------------------------------------

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_strings_from_articles_pages_notes_and_urls_are_escaped(
    app: Flask, database: Database, settings: Settings
) -> None:
    text = (
        f"# {XSS}\n\n"
        f"The minister said that {XSS} spending rose to 2% of GDP, according to "
        f"[{XSS}](https://example.org/a?q=%22%3E%3Cscript%3Ealert(1)%3C/script%3E). "
        "The agency reported that [40,000 soldiers](javascript:alert(1)) were trained.\n"
    )
    article_id = add_article(database, settings, text)
    claims = list_claims(database, Actor.reviewer("vic"), article_id=article_id)
    assert claims
    set_status(database, Actor.reviewer("rita"), claims[0].id, "false", note=XSS)
    rita = browser(app, "rita")
    for path in (
        f"/articles/{article_id}",
        f"/claims/{claims[0].id}",
        "/articles",
        "/todo",
        "/links",
    ):
        html = rita.get(path).get_data(as_text=True)
        assert "<script>alert" not in html, path
        assert "<img src=x" not in html, path
        assert 'href="javascript:' not in html, path
    html = rita.get(f"/claims/{claims[0].id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html  # shown, as text


# Roles --------------------------------------------------------------------------------------

# Every route that changes something, and the lowest role allowed to use it.
WRITES = [
    ("/claims/{claim}/verdict", {"status": "in_review", "version": "1"}, "reviewer"),
    ("/claims/{claim}/notes", {"note": "n", "version": "1"}, "reviewer"),
    ("/claims/{claim}/reject", {"version": "1"}, "reviewer"),
    ("/claims/{claim}/sources", {"url": "https://x.example.org/"}, "reviewer"),
    ("/articles/{article}/promote", {"start": "{start}"}, "reviewer"),
    ("/articles/{article}/edit", {"title": "New title"}, "reviewer"),
    ("/articles", {"url": "http://127.0.0.1:9/none"}, "reviewer"),
    ("/citations/{citation}/resolve", {"url": "https://fixed.example.org/"}, "reviewer"),
    ("/links/{link}/override", {"state": "alive", "note": "bot wall"}, "reviewer"),
    ("/links/check", {"link": "{link}"}, "reviewer"),
    ("/sources/rate", {"domain": "example.org", "rating": "4", "note": "ok"}, "reviewer"),
    ("/reviewers", {"name": "newbie", "role": "admin"}, "admin"),
]
RANK = {"viewer": 0, "reviewer": 1, "admin": 2}
WHO = {"viewer": "vic", "reviewer": "rita", "admin": "ada"}


def _ids(database: Database, article_id: int) -> dict[str, str]:
    from tracker.articles.services import article_reading
    from tracker.linkcheck.services import list_links

    reading = article_reading(database, Actor.reviewer("vic"), article_id)
    start = next(s.start for s in reading.segments if s.start is not None and not s.claim_id)
    return {
        "claim": str(reading.detail.claims[0].id),
        "article": str(article_id),
        "citation": str(reading.detail.citations[0].id),
        "link": str(list_links(database, Actor.reviewer("vic"))[0].id),
        "start": str(start),
    }


REFUSALS = [
    (path, form, role)
    for path, form, needed in WRITES
    for role in ("viewer", "reviewer")
    if RANK[role] < RANK[needed]
]


@pytest.mark.parametrize(
    ("path", "form", "role"), REFUSALS, ids=[f"{role}-{path}" for path, _, role in REFUSALS]
)
def test_every_write_refuses_a_role_below_its_own(  # noqa: PLR0917
    app: Flask,
    database: Database,
    article_id: int,
    path: str,
    form: dict[str, str],
    role: str,
) -> None:
    ids = _ids(database, article_id)
    from tests.support.db_snapshot import snapshot

    before = snapshot(database)
    data = {key: value.format(**ids) for key, value in form.items()}
    answer = browser(app, WHO[role]).post(path.format(**ids), data)
    assert answer.status_code == 403, answer.get_data(as_text=True)
    assert "may not" in answer.get_data(as_text=True)
    assert snapshot(database) == before
