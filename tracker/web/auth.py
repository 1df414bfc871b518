"""Logging in and out, and the gate every request passes.

Pages: an anonymous visitor is sent to ``/login?next=<path>`` (only ``/login`` and the static
files are open). The API (``/api/``, ``/openapi.json``): ``Authorization: Bearer <token>`` or
401; cookies are never read there, so a page on another site cannot make API calls with a
reviewer's session. At login the session is cleared and a new server-side session token is
written (no session id planted before login survives it); logout revokes that token.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.wrappers import Response as BaseResponse

from tracker.accounts.services import login, logout, session_account, token_account
from tracker.errors import NotAuthenticated, TooManyAttempts
from tracker.web.context import database

blueprint = Blueprint("auth", __name__)
OPEN_ENDPOINTS = frozenset({"auth.login", "static", "pages.stylesheet"})
SESSION_KEY = "sid"


def is_api_request() -> bool:
    return request.path.startswith("/api/") or request.path == "/openapi.json"


def safe_next(target: str | None) -> str:
    """``target`` if it is a path on this site, else the start page: ``?next=`` never leads
    off the site (``//evil``, ``/\\evil``, ``https://evil``, control characters...)."""
    fallback = url_for("worklists.todo")
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return fallback
    if any(ord(char) < 32 or char == "\\" for char in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return fallback
    return target


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def unauthorized() -> Response:
    response = jsonify(
        {"error": "not_authenticated", "message": "send Authorization: Bearer <API token>"}
    )
    response.status_code = 401
    response.headers["WWW-Authenticate"] = 'Bearer realm="fact-tracker"'
    return response


def install(app: Flask) -> None:
    @app.before_request
    def _gate() -> BaseResponse | None:
        if is_api_request():
            g.account = token_account(database(), bearer_token())
            return unauthorized() if g.account is None else None
        g.account = session_account(database(), session.get(SESSION_KEY))
        if g.account is None and request.endpoint not in OPEN_ENDPOINTS:
            if request.method == "GET" and request.endpoint is not None:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            return redirect(url_for("auth.login"))
        return None

    @app.context_processor
    def _who() -> dict[str, object]:
        return {"account": g.get("account")}


def login_page() -> BaseResponse | tuple[str, int] | str:
    target = safe_next(request.values.get("next"))
    if request.method == "GET":
        if g.get("account") is not None:
            return redirect(target)
        return render_template("login.html", next=target, error=None, name="")
    name = request.form.get("name", "")
    address = request.remote_addr or "unknown"
    try:
        result = login(database(), name, request.form.get("password", ""), address=address)
    except (NotAuthenticated, TooManyAttempts) as exc:
        status = 429 if isinstance(exc, TooManyAttempts) else 401
        return render_template("login.html", next=target, error=str(exc), name=name), status
    session.clear()  # rotation: nothing from before the login (a planted id) survives it
    session[SESSION_KEY] = result.session_token
    session.permanent = True
    return redirect(target)


blueprint.add_url_rule("/login", "login", login_page, methods=["GET", "POST"])


@blueprint.route("/logout", methods=["POST"])
def logout_page() -> BaseResponse:
    logout(database(), session.get(SESSION_KEY))
    session.clear()
    return redirect(url_for("auth.login"))
