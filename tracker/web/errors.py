"""Errors become answers once, here: a page for browsers, JSON for the API.

Domain errors map to their HTTP status (:func:`tracker.errors.http_status`: 403 for a role
that may not act, 404, 409 for a stale version, 422 for bad input...); the message is the
service's one line, escaped like any other text.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from tracker.errors import TrackerError, http_status

log = logging.getLogger(__name__)


def error_name(status: int) -> str:
    return {
        400: "bad_request",
        401: "not_authenticated",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        409: "conflict",
        413: "too_large",
        422: "invalid_input",
        429: "too_many_attempts",
        502: "fetch_failed",
        503: "unavailable",
    }.get(status, "error")


def answer(status: int, message: str) -> tuple[Response | str, int]:
    if request.path.startswith("/api/") or request.path == "/openapi.json":
        return jsonify({"error": error_name(status), "message": message}), status

    return render_template("error.html", status=status, message=message), status


def install(app: Flask) -> None:
    @app.errorhandler(TrackerError)
    def _domain(exc: TrackerError) -> tuple[Response | str, int]:
        return answer(http_status(exc), str(exc))

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError) -> tuple[Response | str, int]:
        return answer(400, f"the form expired or did not come from this site ({exc.description})")

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> tuple[Response | str, int] | HTTPException:
        if exc.code is None:
            return exc
        return answer(exc.code, exc.description or exc.name)

    @app.errorhandler(Exception)
    def _bug(exc: Exception) -> tuple[Response | str, int]:
        from sqlalchemy.exc import OperationalError

        if isinstance(exc, OperationalError):
            log.warning("database unavailable: %s", exc)
            return answer(503, "the database is busy or unavailable: try again")
        log.exception("unexpected error on %s %s", request.method, request.path)
        return answer(500, "something went wrong on our side; it has been logged")
