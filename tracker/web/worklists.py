"""To do, links, sources, reports and reviewers: the lists a fact-checker works through."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, jsonify, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from tracker.articles.services import list_articles, list_citations
from tracker.credibility.services import list_sources, rate_source
from tracker.enums import CheckOutcome, ClaimStatus, LinkState, Role
from tracker.errors import InvalidInput
from tracker.linkcheck.services import (
    clear_link_override,
    links_to_check,
    list_links,
    override_link,
    request_checks,
    show_link,
)
from tracker.reporting.services import article_report, links_report, sources_report
from tracker.reporting.views import ARTICLE_FORMATS, LINKS_FORMATS, SOURCES_FORMATS
from tracker.review.services import add_reviewer, list_claims, list_reviewers, load_claim
from tracker.web.context import actor, database, settings
from tracker.web.forms import back, number, text

blueprint = Blueprint("worklists", __name__)
TODO_LIMIT = 200
EXTENSIONS = {"html": "html", "md": "md", "json": "json", "csv": "csv", "claimreview": "jsonld"}


@blueprint.route("/todo")
def todo() -> str:
    article_id = request.args.get("article", type=int)
    reviewer = (request.args.get("reviewer") or "").strip() or None
    rereview = list_claims(
        database(),
        actor(),
        needs_rereview=True,
        article_id=article_id,
        reviewer=reviewer,
        limit=TODO_LIMIT,
    )
    unverified = list_claims(
        database(),
        actor(),
        status=ClaimStatus.UNVERIFIED,
        article_id=article_id,
        reviewer=reviewer,
        limit=TODO_LIMIT,
    )
    citations = list_citations(database(), actor(), article_id=article_id, unresolved=True)
    dead = [
        link
        for link in list_links(database(), actor(), state=LinkState.DEAD)
        if article_id is None or link.id in _article_links(article_id)
    ]
    dead.sort(key=lambda link: link.last_checked_at or link.next_check_at or 0, reverse=True)
    return render_template(
        "todo.html",
        rereview=rereview,
        unverified=unverified,
        citations=citations[:TODO_LIMIT],
        dead=dead[:TODO_LIMIT],
        articles=list_articles(database(), actor()),
        reviewers=list_reviewers(database(), actor()),
        article_id=article_id,
        reviewer=reviewer,
    )


def _article_links(article_id: int) -> set[int]:
    return set(links_to_check(database(), actor(), article_id=article_id))


# Links --------------------------------------------------------------------------------------


@blueprint.route("/links")
def links() -> str:
    state = request.args.get("state") or None
    outcome = request.args.get("outcome") or None
    domain = (request.args.get("domain") or "").strip() or None
    rows = list_links(database(), actor(), state=state, outcome=outcome, domain=domain, limit=1000)
    return render_template(
        "links.html",
        links=rows,
        states=[s.value for s in LinkState],
        outcomes=[o.value for o in CheckOutcome],
        state=state,
        outcome=outcome,
        domain=domain,
    )


@blueprint.route("/links/<int:link_id>/override", methods=["POST"])
def override(link_id: int) -> BaseResponse:
    if request.form.get("action") == "clear":
        clear_link_override(database(), actor(), settings(), str(link_id), note=text("note"))
        flash(f"Link {link_id}: override cleared")
    else:
        change = override_link(
            database(), actor(), str(link_id), state=text("state") or "", note=text("note")
        )
        flash(f"Link {link_id}: pinned {change.link.state.value}")
    return back(url_for("worklists.links"))


@blueprint.route("/links/check", methods=["POST"])
def check_now() -> BaseResponse:
    """Make links due now; the scheduler's workers check them and the page shows it."""
    ids = [int(value) for value in request.form.getlist("link") if value.isdigit()]
    article_id = number("article", required=False)
    if article_id is not None:
        ids += links_to_check(database(), actor(), article_id=article_id)
    if not ids:
        raise InvalidInput("choose the links to check")
    due = request_checks(database(), actor(), ids)
    flash(f"{len(due)} link(s) will be checked by the scheduler's next round")
    return back(url_for("worklists.links"))


@blueprint.route("/state")
def state() -> Response:
    """Links' and claims' current state as JSON, for the page's polling script."""
    link_ids = {int(v) for v in request.args.get("links", "").split(",") if v.isdigit()}
    claim_ids = [int(v) for v in request.args.get("claims", "").split(",") if v.isdigit()][:50]
    found = {}
    for link_id in sorted(link_ids)[:50]:
        link = show_link(database(), actor(), str(link_id), history=0).link
        found[str(link.id)] = {
            "state": link.state.value,
            "outcome": link.last_outcome.value if link.last_outcome else None,
            "checked": link.last_checked_at.isoformat() if link.last_checked_at else None,
            "due": link.next_check_at.isoformat() if link.next_check_at else None,
        }
    claims = {}
    for claim_id in claim_ids:
        claim = load_claim(database(), actor(), claim_id)
        claims[str(claim.id)] = {
            "status": claim.status.value,
            "version": claim.version,
            "needs_rereview": claim.needs_rereview,
        }
    return jsonify({"links": found, "claims": claims})


# Sources ------------------------------------------------------------------------------------


@blueprint.route("/sources")
def sources() -> str:
    sort = request.args.get("sort", "score")
    return render_template(
        "sources.html", sources=list_sources(database(), actor(), settings(), sort=sort), sort=sort
    )


@blueprint.route("/sources/rate", methods=["POST"])
def rate() -> BaseResponse:
    domain = text("domain") or ""
    try:
        rating = float(request.form.get("rating", ""))
    except ValueError:
        raise InvalidInput("the rating is a number from 1 to 5") from None
    change = rate_source(database(), actor(), settings(), domain, rating, note=text("note"))
    flash(f"{change.domain} rated {rating:g}")
    return back(url_for("worklists.sources"))


# Reports ------------------------------------------------------------------------------------


@blueprint.route("/reports")
def reports() -> str:
    return render_template(
        "reports.html",
        articles=list_articles(database(), actor()),
        article_formats=ARTICLE_FORMATS,
        links_formats=LINKS_FORMATS,
        sources_formats=SOURCES_FORMATS,
    )


@blueprint.route("/reports/<kind>.<fmt>")
def download(kind: str, fmt: str) -> Response:
    if kind == "links":
        report = links_report(database(), actor(), fmt=fmt)
    elif kind == "sources":
        report = sources_report(database(), actor(), settings(), fmt=fmt)
    elif kind.startswith("article-") and kind.removeprefix("article-").isdigit():
        article_id = int(kind.removeprefix("article-"))
        report = article_report(database(), actor(), settings(), article_id, fmt)
    else:
        abort(404)
    response = Response(report.text, mimetype=report.media_type)
    name = f"{kind}.{EXTENSIONS.get(report.format, report.format)}"
    disposition = "inline" if report.format == "html" else "attachment"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{name}"'
    return response


# Reviewers ----------------------------------------------------------------------------------


@blueprint.route("/reviewers")
def reviewers() -> str:
    return render_template(
        "reviewers.html",
        reviewers=list_reviewers(database(), actor()),
        roles=[role.value for role in Role],
    )


@blueprint.route("/reviewers", methods=["POST"])
def add() -> BaseResponse:
    added = add_reviewer(
        database(),
        actor(),
        text("name") or "",
        email=text("email"),
        role=text("role") or Role.REVIEWER,
        bootstrap=False,
    )
    flash(f"Added reviewer {added.name} ({added.role.value})")
    return back(url_for("worklists.reviewers"))
