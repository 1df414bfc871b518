"""The workspace's captures: listed, and a capture's text in a sandboxed frame."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.support.linkdata import (
    add_links,
    fresh_probes,  # noqa: F401 - autouse fixture
)
from tests.support.server import LocalServer, html
from tests.support.web import Browser, add_people, make_app, quick_password_hashes
from tracker.actors import CHECKER
from tracker.captures.services import list_captures
from tracker.db import Database
from tracker.linkcheck.services import check_links
from tracker.settings import Settings

PAGE = (
    "<article><h1>Unemployment report</h1><p>Unemployment fell to 4.2 % in March, the "
    "statistics office said.</p><script>document.title = 'owned'</script>"
    "<p>Analysts had expected a smaller fall after a difficult winter season.</p></article>"
)


@pytest.fixture(autouse=True)
def _quick_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    quick_password_hashes(monkeypatch)


@pytest.fixture
def app(settings: Settings, database: Database) -> Flask:
    add_people(database)
    return make_app(settings, database)


def test_a_capture_is_listed_and_its_text_framed_in_a_sandbox(
    app: Flask, database: Database, settings: Settings, http_server: LocalServer
) -> None:
    url = http_server.route("/story", html("Story", PAGE))
    [link_id] = add_links(database, url)
    check_links(database, CHECKER, settings, [link_id])
    [capture] = list_captures(database, CHECKER)
    vic = Browser(app.test_client())  # a viewer: reading is enough
    assert vic.login("vic").status_code == 302

    listing = vic.get(f"/captures?link={link_id}").get_data(as_text=True)
    assert url in listing
    assert f"/captures/{capture.id}" in listing

    page = vic.get(f"/captures/{capture.id}")
    shown = page.get_data(as_text=True)
    assert f'<iframe class="capture-text" sandbox src="/captures/{capture.id}/text"' in shown
    assert "frame-src" not in page.headers["Content-Security-Policy"]  # default-src 'self'
    assert page.headers["X-Frame-Options"] == "DENY"

    frame = vic.get(f"/captures/{capture.id}/text")
    assert frame.mimetype == "text/plain"
    policy = frame.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "sandbox" in policy
    assert "frame-ancestors 'self'" in policy
    assert frame.headers["X-Frame-Options"] == "SAMEORIGIN"
    text = frame.get_data(as_text=True)
    assert "Unemployment fell to 4.2 % in March" in text
    assert "<script" not in text
    assert "owned" not in text  # the page's script is neither run nor shown


def test_captures_need_a_login_and_an_unknown_one_is_not_found(
    app: Flask, database: Database
) -> None:
    anonymous = app.test_client()
    assert anonymous.get("/captures").status_code in (302, 401)
    vic = Browser(app.test_client())
    vic.login("vic")
    assert vic.get("/captures/999").status_code == 404
    assert vic.get("/captures/999/text").status_code == 404
