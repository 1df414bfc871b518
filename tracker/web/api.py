"""The JSON API under ``/api/``: every change a page makes, as a call a script can make.

Authenticated with ``Authorization: Bearer <token>`` (``fact-tracker reviewers token NAME``);
anonymous calls get 401 (:mod:`tracker.web.auth`), role refusals 403, unknown ids 404, bad
input 422, and a write based on a stale version 409 with the claim as it is now. Requests and
responses are validated against the pydantic models of :mod:`tracker.web.schemas`, from which
spectree generates the OpenAPI document served at ``/openapi.json``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, abort, jsonify, make_response
from pydantic import BaseModel
from spectree import Response as Responses
from spectree import SecurityScheme, SecuritySchemeData, SpecTree
from spectree.models import SecureType

from tracker import __version__
from tracker.articles.services import (
    edit_article,
    ingest,
    ingest_upload,
    list_articles,
    promote_sentence,
    resolve_citation,
)
from tracker.credibility.services import rate_source
from tracker.errors import InvalidInput, StaleVersion
from tracker.linkcheck.services import (
    clear_link_override,
    list_links,
    override_link,
    request_checks,
)
from tracker.review.services import (
    add_note,
    add_reviewer,
    claim_detail,
    edit_claim,
    list_claims,
    set_status,
)
from tracker.web import schemas as s
from tracker.web.context import actor, database, settings

spec = SpecTree(
    "flask",
    mode="strict",
    title="fact-tracker API",
    version=__version__,
    description="Claims, verdicts, articles and links of a fact-tracker database. Every call "
    "needs `Authorization: Bearer <token>` (`fact-tracker reviewers token NAME`).",
    security_schemes=[
        SecurityScheme(
            name="bearer", data=SecuritySchemeData(type=SecureType.HTTP, scheme="bearer")
        )
    ],
    security={"bearer": []},
    annotations=True,
    validation_error_model=s.InvalidOut,
    before=lambda _request, _response, error, _instance, _adapter: invalid_request(error),
)
blueprint = Blueprint("api", __name__, url_prefix="/api")
ERRORS: dict[str, Any] = {
    "HTTP_401": s.ErrorOut,
    "HTTP_403": s.ErrorOut,
    "HTTP_404": s.ErrorOut,
}


def invalid_request(error: Exception | None) -> None:
    """Requests the models refuse get the API's one 422 shape, with the fields at fault."""
    if error is None:
        return
    details = []
    for item in getattr(error, "errors", list)():
        where = ".".join(str(part) for part in item.get("loc", ()))
        details.append({"field": where, "problem": str(item.get("msg", ""))})
    first = details[0] if details else {"field": "", "problem": "invalid request"}
    message = f"{first['field'] or 'request'}: {first['problem']}"
    body = s.InvalidOut(error="invalid_input", message=message, details=details)
    abort(make_response(jsonify(body.model_dump(mode="json")), 422))


def responses(ok: type[BaseModel] | None, *, status: int = 200, **more: Any) -> Responses:
    codes: dict[str, Any] = {**ERRORS, **more, "HTTP_422": s.InvalidOut}
    if ok is not None:
        codes[f"HTTP_{status}"] = ok
    return Responses(**codes)


def out(model: type[BaseModel], value: Any, status: int = 200) -> tuple[Response, int]:
    return jsonify(model.model_validate(value).model_dump(mode="json")), status


def conflict(claim_id: int, exc: StaleVersion) -> tuple[Response, int]:
    """409 with who changed the claim and the claim as it is now."""
    current = claim_detail(database(), actor(), claim_id).claim
    body = s.ConflictOut(
        error="conflict",
        message=str(exc),
        changed_by=list(getattr(exc, "changed_by", [])),
        current=s.ClaimFullOut.model_validate(current),
    )
    return jsonify(body.model_dump(mode="json")), 409


# Articles -----------------------------------------------------------------------------------


@blueprint.get("/articles")
@spec.validate(resp=responses(s.ArticleList), tags=["articles"])
def get_articles() -> tuple[Response, int]:
    """Every article with its claim and citation counts."""
    return out(s.ArticleList, {"articles": list_articles(database(), actor())})


@blueprint.post("/articles")
@spec.validate(
    json=s.IngestIn, resp=responses(s.IngestOut, status=201, HTTP_502=s.ErrorOut), tags=["articles"]
)
def post_article(json: s.IngestIn) -> tuple[Response, int]:
    """Ingest an article by URL (fetched by the server) or uploaded content."""
    if json.content is not None:
        result = ingest_upload(
            database(),
            actor(),
            settings(),
            json.content.encode("utf-8"),
            json.file_name,
            url=json.url,
            fmt=json.format,
        )
    elif json.url is not None:
        result = ingest(database(), actor(), settings(), json.url, fmt=json.format)
    else:
        raise InvalidInput("give the article's url, or its content to upload")
    return out(s.IngestOut, result, 201 if result.created else 200)


@blueprint.patch("/articles/<int:article_id>")
@spec.validate(json=s.ArticleEditIn, resp=responses(s.ArticleOut), tags=["articles"])
def patch_article(article_id: int, json: s.ArticleEditIn) -> tuple[Response, int]:
    """Correct an article's URL, title, authors or publisher (one `edited` event)."""
    change = edit_article(
        database(),
        actor(),
        article_id,
        url=json.url,
        title=json.title,
        authors=json.authors,
        publisher=json.publisher,
        note=json.note,
    )
    return out(s.ArticleOut, change.article)


@blueprint.post("/articles/<int:article_id>/claims")
@spec.validate(json=s.PromoteIn, resp=responses(s.ClaimFullOut, status=201), tags=["claims"])
def post_promote(article_id: int, json: s.PromoteIn) -> tuple[Response, int]:
    """Promote the article's sentence starting at `start` to a claim."""
    return out(s.ClaimFullOut, promote_sentence(database(), actor(), article_id, json.start), 201)


@blueprint.post("/citations/<int:citation_id>/resolve")
@spec.validate(json=s.ResolveIn, resp=responses(s.ResolutionOut), tags=["articles"])
def post_resolve(citation_id: int, json: s.ResolveIn) -> tuple[Response, int]:
    """Point a citation at a URL (a lost link, or a wrong one)."""
    return out(s.ResolutionOut, resolve_citation(database(), actor(), citation_id, json.url))


# Claims -------------------------------------------------------------------------------------


@blueprint.get("/claims")
@spec.validate(query=s.ClaimsQuery, resp=responses(s.ClaimList), tags=["claims"])
def get_claims(query: s.ClaimsQuery) -> tuple[Response, int]:
    """Claims in reading order, filtered by article, status, re-review flag and reviewer."""
    claims = list_claims(
        database(),
        actor(),
        article_id=query.article_id,
        status=query.status,
        needs_rereview=query.needs_rereview,
        reviewer=query.reviewer,
        limit=query.limit,
    )
    return out(s.ClaimList, {"claims": claims})


@blueprint.get("/claims/<int:claim_id>")
@spec.validate(resp=responses(s.ClaimDetailOut), tags=["claims"])
def get_claim(claim_id: int) -> tuple[Response, int]:
    """A claim with its sources (link state, evidence, passage, archive) and full history."""
    return out(s.ClaimDetailOut, claim_detail(database(), actor(), claim_id))


@blueprint.post("/claims/<int:claim_id>/verdict")
@spec.validate(
    json=s.VerdictIn, resp=responses(s.ChangeOut, HTTP_409=s.ConflictOut), tags=["claims"]
)
def post_verdict(claim_id: int, json: s.VerdictIn) -> tuple[Response, int]:
    """Record a verdict (or move the claim along the workflow), based on `version`."""
    try:
        change = set_status(
            database(),
            actor(),
            claim_id,
            json.status,
            note=json.note,
            expect_version=json.version,
        )
    except StaleVersion as exc:
        return conflict(claim_id, exc)
    return out(s.ChangeOut, change)


@blueprint.post("/claims/<int:claim_id>/notes")
@spec.validate(json=s.NoteIn, resp=responses(s.ChangeOut, HTTP_409=s.ConflictOut), tags=["claims"])
def post_note(claim_id: int, json: s.NoteIn) -> tuple[Response, int]:
    """Leave a note on a claim (it bumps the version)."""
    try:
        change = add_note(database(), actor(), claim_id, json.note, expect_version=json.version)
    except StaleVersion as exc:
        return conflict(claim_id, exc)
    return out(s.ChangeOut, change)


@blueprint.post("/claims/<int:claim_id>/sources")
@spec.validate(
    json=s.SourceTieIn, resp=responses(s.ChangeOut, HTTP_409=s.ConflictOut), tags=["claims"]
)
def post_source(claim_id: int, json: s.SourceTieIn) -> tuple[Response, int]:
    """Tie a source (a citation's URL) to the claim, or untie it."""
    untie = json.action == "untie"
    try:
        change = edit_claim(
            database(),
            actor(),
            claim_id,
            add_sources=[] if untie else [json.url],
            remove_sources=[json.url] if untie else [],
            note=json.note,
            expect_version=json.version,
        )
    except StaleVersion as exc:
        return conflict(claim_id, exc)
    return out(s.ChangeOut, change)


# Links and sources --------------------------------------------------------------------------


@blueprint.get("/links")
@spec.validate(query=s.LinksQuery, resp=responses(s.LinkList), tags=["links"])
def get_links(query: s.LinksQuery) -> tuple[Response, int]:
    """Links filtered by effective state, last outcome and domain."""
    rows = list_links(
        database(),
        actor(),
        state=query.state,
        outcome=query.outcome,
        domain=query.domain,
        limit=query.limit,
    )
    return out(s.LinkList, {"links": rows})


@blueprint.post("/links/<int:link_id>/check")
@spec.validate(resp=responses(s.CheckOut), tags=["links"])
def post_check(link_id: int) -> tuple[Response, int]:
    """ "Check now": make the link due for the scheduler's next round (nothing is fetched here)."""
    due = request_checks(database(), actor(), [link_id])
    if not due:
        raise InvalidInput(f"link {link_id} does not exist or is retired (nothing cites it)")
    return out(s.CheckOut, {"due": due})


@blueprint.put("/links/<int:link_id>/override")
@spec.validate(json=s.OverrideIn, resp=responses(s.LinkOut), tags=["links"])
def put_override(link_id: int, json: s.OverrideIn) -> tuple[Response, int]:
    """Pin the link's state (the checker is wrong about it), with a reason."""
    change = override_link(database(), actor(), str(link_id), state=json.state, note=json.note)
    return out(s.LinkOut, change.link)


@blueprint.delete("/links/<int:link_id>/override")
@spec.validate(resp=responses(s.LinkOut), tags=["links"])
def delete_override(link_id: int) -> tuple[Response, int]:
    """Unpin the link's state."""
    change = clear_link_override(database(), actor(), settings(), str(link_id), note=None)
    return out(s.LinkOut, change.link)


@blueprint.post("/sources/rate")
@spec.validate(json=s.RateIn, resp=responses(s.RatingOut), tags=["sources"])
def post_rating(json: s.RateIn) -> tuple[Response, int]:
    """Rate a domain by hand on the 1..5 scale, with a note saying why."""
    change = rate_source(database(), actor(), settings(), json.domain, json.rating, note=json.note)
    return out(s.RatingOut, change)


@blueprint.post("/reviewers")
@spec.validate(json=s.ReviewerIn, resp=responses(s.ReviewerOut, status=201), tags=["reviewers"])
def post_reviewer(json: s.ReviewerIn) -> tuple[Response, int]:
    """Add a reviewer (admins only)."""
    added = add_reviewer(
        database(), actor(), json.name, email=json.email, role=json.role, bootstrap=False
    )
    return out(s.ReviewerOut, added, 201)


def openapi() -> Response:
    return jsonify(spec.spec)


def install(app: Flask) -> None:
    from flask_wtf.csrf import CSRFProtect

    csrf: CSRFProtect = app.extensions["csrf"]
    csrf.exempt(blueprint)  # bearer tokens, never cookies: nothing a foreign page can ride on
    app.register_blueprint(blueprint)
    app.add_url_rule("/openapi.json", "openapi", openapi)
    csrf.exempt("tracker.web.api.openapi")
