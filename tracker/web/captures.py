"""Our captures of the sources: listed, and each one's text shown in a sandboxed frame.

The frame's document is the capture's visible text as ``text/plain``, sent with a CSP that
allows nothing (``default-src 'none'; sandbox``) and may be framed only by the workspace: a
captured page's own markup and scripts never run in the reviewer's browser.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request

from tracker.captures.services import list_captures, show_capture
from tracker.web.context import actor, database, settings

blueprint = Blueprint("captures", __name__)
FRAME_CSP = (
    "default-src 'none'; sandbox; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
)
"""The capture's text frame: nothing loads, nothing runs, only the workspace may frame it."""
FRAME_TEXT_CHARS = 200_000
LIST_LIMIT = 500


@blueprint.route("/captures")
def index() -> str:
    link = (request.args.get("link") or "").strip() or None
    article_id = request.args.get("article", type=int)
    rows = list_captures(database(), actor(), link=link, article_id=article_id, limit=LIST_LIMIT)
    return render_template("captures.html", captures=rows, link=link, article_id=article_id)


@blueprint.route("/captures/<int:capture_id>")
def show(capture_id: int) -> str:
    detail = show_capture(database(), actor(), settings(), capture_id)
    return render_template("capture.html", detail=detail)


@blueprint.route("/captures/<int:capture_id>/text")
def text(capture_id: int) -> Response:
    detail = show_capture(database(), actor(), settings(), capture_id, text_chars=FRAME_TEXT_CHARS)
    body = detail.text or "(no text: this capture is not a text document)"
    answer = Response(body, mimetype="text/plain")
    answer.headers["Content-Security-Policy"] = FRAME_CSP
    answer.headers["X-Frame-Options"] = "SAMEORIGIN"
    return answer
