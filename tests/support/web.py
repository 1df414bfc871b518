"""The web workspace under test: an app on the test's database, people with each role, an
article, and a client that logs in and submits forms with their CSRF token."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tracker.accounts.services import issue_token, set_password
from tracker.actors import Actor
from tracker.articles.services import ingest_upload
from tracker.db import Database
from tracker.review.services import add_reviewer
from tracker.settings import Settings
from tracker.web import create_app

PASSWORD = "correct horse battery"
PEOPLE = {"vic": "viewer", "rita": "reviewer", "rob": "reviewer", "ada": "admin"}
ARTICLE_MD = (
    "# Troops and polls\n\n"
    "A poll by CBOS found that [69% of Poles](https://poll.example.org/cbos) oppose sending "
    "troops to Ukraine. The defence minister said on Monday that spending rose to 2% of GDP "
    "last year, according to [the budget office](https://budget.example.org/2024). "
    "I think this is a terrible idea.\n\n"
    "The opposition reported that 40,000 soldiers were trained in 2023.\n"
)
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def quick_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 with the smallest cost: the tests log in hundreds of times (same code path)."""
    from argon2 import PasswordHasher

    from tracker.accounts import services

    quick = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(services, "_hasher", lambda: quick)
    monkeypatch.setattr(services, "_dummy_hash", lambda: quick.hash("dummy password"))


def make_app(settings: Settings, database: Database) -> Flask:
    app = create_app(settings, database, secret_key="test-secret-key-not-for-production")
    app.config.update(TESTING=True)
    return app


def add_people(database: Database) -> dict[str, str]:
    """vic (viewer), rita and rob (reviewers), ada (admin); the same password; API tokens."""
    tokens = {}
    for name, role in PEOPLE.items():
        add_reviewer(database, Actor.reviewer("ada"), name, role=role)
    for name in PEOPLE:
        set_password(database, Actor.reviewer("ada"), name, PASSWORD)
        tokens[name] = issue_token(database, Actor.reviewer("ada"), name).token
    return tokens


def add_article(database: Database, settings: Settings, text: str = ARTICLE_MD) -> int:
    view = ingest_upload(
        database, Actor.reviewer("rita"), settings, text.encode(), "troops.md", url=None
    )
    return view.article.id


def csrf_token(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no CSRF token"
    return found.group(1)


@dataclass
class Browser:
    """A test client with the habits of a browser: it reads CSRF tokens from pages."""

    client: FlaskClient

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.client.get(path, **kwargs)

    def token(self, page: str = "/login") -> str:
        return csrf_token(self.client.get(page).get_data(as_text=True))

    def post(
        self, path: str, data: dict[str, Any] | None = None, *, page: str = "/todo", **kwargs: Any
    ) -> TestResponse:
        form = dict(data or {})
        form.setdefault("csrf_token", self.token(page))
        return self.client.post(path, data=form, **kwargs)

    def login(
        self, name: str, password: str = PASSWORD, *, next: str | None = None
    ) -> TestResponse:
        form = {"name": name, "password": password, "csrf_token": self.token("/login")}
        if next is not None:
            form["next"] = next
        return self.client.post("/login", data=form)

    def session_cookie(self) -> str | None:
        cookie = self.client.get_cookie("fact_tracker_session")
        return cookie.value if cookie else None


class Serving:
    """``app`` served by waitress (as ``fact-tracker serve`` does) on 127.0.0.1, in a thread."""

    def __init__(self, app: Flask, *, threads: int = 8) -> None:
        from waitress.server import create_server

        self.server = create_server(app, host="127.0.0.1", port=0, threads=threads)
        self.origin = f"http://127.0.0.1:{self.server.effective_port}"  # type: ignore[union-attr]
        self._thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Serving:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.close()
        self._thread.join(timeout=10)
