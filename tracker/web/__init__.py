"""The web workspace: server-rendered pages and a JSON API over the same services.

:func:`create_app` builds the Flask application. Views are thin: they parse a form or a JSON
body, call one service with the logged-in reviewer as the actor, and render the view they get
back. Sessions are Flask's signed cookies holding a server-side session token
(:mod:`tracker.accounts.services`); every form carries a CSRF token (Flask-WTF); every page
is sent with a Content-Security-Policy that allows no inline script.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from tracker.db import Database
from tracker.reporting.views import template_helpers
from tracker.settings import Settings
from tracker.web import api, auth, captures, errors, pages, security, worklists
from tracker.web.context import WebContext

__all__ = ["create_app"]


def create_app(
    settings: Settings,
    database: Database,
    *,
    secret_key: str | None = None,
    config: dict[str, Any] | None = None,
) -> Flask:
    """The workspace on ``database``; ``secret_key`` signs cookies (default: see
    :func:`tracker.web.security.secret_key`)."""
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secret_key or security.secret_key(settings),
        SESSION_COOKIE_NAME="fact_tracker_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.web_secure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session: no lost drafts
        MAX_CONTENT_LENGTH=settings.max_body_bytes + 64 * 1024,
        JSON_SORT_KEYS=False,
    )
    app.config.update(config or {})
    app.extensions["fact_tracker"] = WebContext(settings, database)
    app.jinja_env.globals.update(template_helpers())
    CSRFProtect(app)
    security.install(app)
    errors.install(app)
    auth.install(app)
    app.register_blueprint(auth.blueprint)
    app.register_blueprint(pages.blueprint)
    app.register_blueprint(worklists.blueprint)
    app.register_blueprint(captures.blueprint)
    api.install(app)
    return app
