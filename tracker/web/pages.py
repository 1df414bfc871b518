"""Articles, an article beside its sources, a claim with its verdict form and history."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from tracker.articles.services import (
    article_reading,
    edit_article,
    ingest,
    ingest_upload,
    list_articles,
    promote_sentence,
    resolve_citation,
)
from tracker.enums import ClaimStatus
from tracker.errors import InvalidInput, StaleVersion, TrackerError, http_status
from tracker.linkcheck.services import link_states_by_article
from tracker.reporting.views import stylesheet as report_stylesheet
from tracker.review.services import (
    add_note,
    claim_detail,
    edit_claim,
    list_claims,
    note_required,
    reject_claim,
    set_status,
)
from tracker.web.context import actor, database, settings
from tracker.web.forms import back, number, text

blueprint = Blueprint("pages", __name__)
STATUSES = [status.value for status in ClaimStatus if status != ClaimStatus.UNVERIFIED]
NOTE_REQUIRED = frozenset(status for status in STATUSES if note_required(status))


@blueprint.route("/")
def home() -> BaseResponse:
    return redirect(url_for("worklists.todo"))


@blueprint.route("/static/report.css")
def stylesheet() -> Response:
    """The reports' stylesheet, which the workspace shares."""
    response = Response(report_stylesheet(), mimetype="text/css")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


# Articles -----------------------------------------------------------------------------------


@blueprint.route("/articles")
def articles() -> str:
    rows = list_articles(database(), actor())
    claims = list_claims(database(), actor())
    by_status: dict[int, dict[str, int]] = {}
    for claim in claims:
        counts = by_status.setdefault(claim.article_id, {})
        counts[claim.status.value] = counts.get(claim.status.value, 0) + 1
    links = link_states_by_article(database(), actor())
    return render_template("articles.html", articles=rows, by_status=by_status, links=links)


@blueprint.route("/articles", methods=["POST"])
def add_article() -> BaseResponse:
    address = text("url")
    if address is None:
        raise InvalidInput("give the article's URL")
    result = ingest(database(), actor(), settings(), address)
    flash(_ingested(result.created, result.article.id, len(result.claims)))
    return redirect(url_for("pages.article", article_id=result.article.id))


@blueprint.route("/articles/upload", methods=["POST"])
def upload_article() -> BaseResponse:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise InvalidInput("choose a file to upload (.html, .txt or .md)")
    data = upload.read()
    result = ingest_upload(database(), actor(), settings(), data, upload.filename, url=text("url"))
    flash(_ingested(result.created, result.article.id, len(result.claims)))
    return redirect(url_for("pages.article", article_id=result.article.id))


def _ingested(created: bool, article_id: int, claims: int) -> str:
    what = "Recorded" if created else "Updated"
    return f"{what} article {article_id}: {claims} claims"


@blueprint.route("/articles/<int:article_id>/edit", methods=["GET", "POST"])
def edit(article_id: int) -> BaseResponse | str:
    reading = article_reading(database(), actor(), article_id)
    if request.method == "GET":
        return render_template("article_edit.html", article=reading.detail.article)
    authors = request.form.get("authors")
    from datetime import UTC, datetime

    published = text("published")
    when = None
    if published is not None:
        try:
            when = datetime.strptime(published, "%Y-%m-%d").replace(tzinfo=UTC)
        except ValueError:
            raise InvalidInput("the publication date reads YYYY-MM-DD") from None
    edit_article(
        database(),
        actor(),
        article_id,
        url=text("url"),
        title=text("title"),
        authors=[a.strip() for a in authors.split(",") if a.strip()] if authors else None,
        publisher=text("publisher"),
        published_at=when,
        note=text("note"),
    )
    flash(f"Article {article_id} edited")
    return redirect(url_for("pages.article", article_id=article_id))


@blueprint.route("/articles/<int:article_id>")
def article(article_id: int) -> str:
    reading = article_reading(database(), actor(), article_id)
    selected = request.args.get("claim", type=int)
    claims = {claim.id: claim for claim in reading.detail.claims}
    if selected not in claims:
        selected = reading.detail.claims[0].id if reading.detail.claims else None
    detail = claim_detail(database(), actor(), selected) if selected is not None else None
    return render_template(
        "article.html",
        reading=reading,
        article=reading.detail.article,
        claims=claims,
        selected=selected,
        detail=detail,
        statuses=STATUSES,
        note_required=NOTE_REQUIRED,
        draft=None,
        conflict=None,
    )


@blueprint.route("/articles/<int:article_id>/promote", methods=["POST"])
def promote(article_id: int) -> BaseResponse:
    start = number("start")
    assert start is not None
    claim = promote_sentence(database(), actor(), article_id, start)
    flash(f"Claim {claim.id} recorded from that sentence")
    return redirect(url_for("pages.article", article_id=article_id, claim=claim.id))


@blueprint.route("/citations/<int:citation_id>/resolve", methods=["POST"])
def resolve(citation_id: int) -> BaseResponse:
    address = text("url")
    if address is None:
        raise InvalidInput("give the URL the citation should point to")
    result = resolve_citation(database(), actor(), citation_id, address)
    flash(f"Citation {citation_id} now points to {result.citation.url}")
    return back(url_for("pages.article", article_id=result.citation.article_id))


# Claims -------------------------------------------------------------------------------------


def _claim_page(
    claim_id: int,
    *,
    draft: dict[str, str] | None = None,
    conflict: str | None = None,
    error: str | None = None,
) -> str:
    detail = claim_detail(database(), actor(), claim_id)
    return render_template(
        "claim.html",
        detail=detail,
        claim=detail.claim,
        statuses=STATUSES,
        note_required=NOTE_REQUIRED,
        draft=draft,
        conflict=conflict,
        error=error,
    )


@blueprint.route("/claims/<int:claim_id>")
def claim(claim_id: int) -> str:
    return _claim_page(claim_id)


def _write_refused(claim_id: int, exc: TrackerError, draft: dict[str, str]) -> tuple[str, int]:
    """The claim page again, the reviewer's draft kept: a conflict names who changed the claim
    and shows it as it is now (its version is the one the next submit is based on)."""
    status = http_status(exc)
    if isinstance(exc, StaleVersion):
        return _claim_page(claim_id, draft=draft, conflict=str(exc)), status
    if status >= 500 or status in (401, 403, 404):
        raise exc
    return _claim_page(claim_id, draft=draft, error=str(exc)), status


@blueprint.route("/claims/<int:claim_id>/verdict", methods=["POST"])
def verdict(claim_id: int) -> BaseResponse | tuple[str, int]:
    draft = {
        "status": request.form.get("status", ""),
        "note": request.form.get("note", ""),
        "form": "verdict",
    }
    try:
        set_status(
            database(),
            actor(),
            claim_id,
            draft["status"],
            note=text("note"),
            expect_version=number("version"),
        )
    except TrackerError as exc:
        return _write_refused(claim_id, exc, draft)
    flash(f"Claim {claim_id}: {draft['status'].replace('_', ' ')} recorded")
    return back(url_for("pages.claim", claim_id=claim_id))


@blueprint.route("/claims/<int:claim_id>/reject", methods=["POST"])
def reject(claim_id: int) -> BaseResponse | tuple[str, int]:
    draft = {"status": "rejected", "note": request.form.get("note", ""), "form": "verdict"}
    try:
        reject_claim(
            database(), actor(), claim_id, note=text("note"), expect_version=number("version")
        )
    except TrackerError as exc:
        return _write_refused(claim_id, exc, draft)
    flash(f"Claim {claim_id} rejected: not a factual claim")
    return back(url_for("pages.claim", claim_id=claim_id))


@blueprint.route("/claims/<int:claim_id>/notes", methods=["POST"])
def note(claim_id: int) -> BaseResponse | tuple[str, int]:
    draft = {"note": request.form.get("note", ""), "form": "note"}
    try:
        add_note(
            database(),
            actor(),
            claim_id,
            request.form.get("note", ""),
            expect_version=number("version"),
        )
    except TrackerError as exc:
        return _write_refused(claim_id, exc, draft)
    flash(f"Note added to claim {claim_id}")
    return back(url_for("pages.claim", claim_id=claim_id))


@blueprint.route("/claims/<int:claim_id>/sources", methods=["POST"])
def tie(claim_id: int) -> BaseResponse:
    """Tie a citation (its URL) to the claim, or untie it (``action=remove``)."""
    address = text("url")
    if address is None:
        raise InvalidInput("give the source's URL")
    removing = request.form.get("action") == "remove"
    edit_claim(
        database(),
        actor(),
        claim_id,
        add_sources=[] if removing else [address],
        remove_sources=[address] if removing else [],
        note=text("note"),
        expect_version=number("version", required=False),
    )
    flash(f"Claim {claim_id}: source {'untied' if removing else 'tied'}")
    return back(url_for("pages.claim", claim_id=claim_id))
