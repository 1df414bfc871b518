"""Response headers every answer carries, and the key that signs session cookies."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask, Response, request

from tracker.setting_sources import data_dir
from tracker.settings import Settings

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'; sandbox"
)
"""Downloaded reports bring their own inline styles and never a script."""

KEY_FILE = "web-session-key"


def secret_key(settings: Settings) -> str:
    """``web_session_key`` from the settings, else a random key kept in the user data dir
    (created on first use, readable by its owner only): never in the repository."""
    if settings.web_session_key:
        return settings.web_session_key
    path = Path(data_dir()) / KEY_FILE
    if path.is_file():
        key = path.read_text(encoding="utf-8").strip()
        if key:
            return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key + "\n")
    return key


def install(app: Flask) -> None:
    @app.after_request
    def _headers(response: Response) -> Response:
        report = request.blueprint == "worklists" and request.endpoint == "worklists.download"
        response.headers.setdefault("Content-Security-Policy", REPORT_CSP if report else CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        # DENY unless a view allows its own origin to frame it (a capture's text frame).
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers["Referrer-Policy"] = "same-origin"
        if request.endpoint != "static":
            response.headers.setdefault("Cache-Control", "no-store")
        return response
