"""The JSON API's request and response models (pydantic): spectree validates requests and
responses with them and generates ``/openapi.json`` from them.

Responses are built from the services' frozen views (``from_attributes``), so the API shows
the same fields as ``--json`` on the command line.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

MAX_ID = 2**31 - 1
"""Ids and versions fit the database's integer columns on every backend."""

Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _storable(value: str) -> str:
    if "\x00" in value:
        raise ValueError("text cannot contain NUL characters")
    return value


Storable = AfterValidator(_storable)
ShortText = Annotated[str, Field(max_length=2048), Storable]
LongText = Annotated[str, Field(max_length=20_000), Storable]
Title = Annotated[str, Field(max_length=1000), Storable]
Name = Annotated[str, Field(max_length=300), Storable]


class Model(BaseModel):
    model_config = ConfigDict(from_attributes=True, extra="ignore")


class Strict(BaseModel):
    """A request body: unknown fields are refused, so a typo is not silently ignored."""

    model_config = ConfigDict(extra="forbid")


# Errors -------------------------------------------------------------------------------------


class ErrorOut(Model):
    error: str
    message: str


class InvalidOut(Model):
    """422: the request cannot be used; ``details`` lists the fields at fault, when known."""

    error: Literal["invalid_input"]
    message: str
    details: list[dict[str, Any]] | None = None


class ClaimOut(Model):
    id: int
    article_id: int
    text: str
    kind: str
    status: str
    score: float
    position: int | None
    needs_rereview: bool
    version: int


class SourceOut(Model):
    id: int
    citation_id: int | None
    anchor_text: str | None
    raw_url: str | None
    link_id: int | None
    url: str | None
    state: str | None
    checker_state: str | None
    overridden: bool
    last_outcome: str | None
    http_status: int | None
    archive_url: str | None
    evidence: str | None
    evidence_state: str | None
    evidence_passage: str | None
    evidence_checked_at: datetime | None


class ClaimFullOut(ClaimOut):
    article_title: str | None
    article_url: str | None
    created_by: str
    created_at: datetime
    sources: list[SourceOut]


class EventOut(Model):
    id: int
    version: int
    created_at: datetime
    actor: str
    action: str
    old_status: str | None
    new_status: str | None
    note: str | None
    changes: dict[str, Any]


class ClaimDetailOut(Model):
    claim: ClaimFullOut
    events: list[EventOut]


class ConflictOut(Model):
    """409: the claim moved on since the version the write was based on."""

    error: Literal["conflict"]
    message: str
    changed_by: list[str]
    current: ClaimFullOut


class ChangeOut(Model):
    claim_id: int
    version: int
    event_id: int
    action: str
    old_status: str
    new_status: str


class ClaimList(Model):
    claims: list[ClaimOut]


class ClaimsQuery(Strict):
    article_id: Id | None = None
    status: ShortText | None = None
    needs_rereview: bool = False
    reviewer: ShortText | None = None
    limit: Annotated[int, Field(ge=1, le=10_000)] = 1000


class VerdictIn(Strict):
    status: Annotated[str, Field(max_length=64), Storable]
    note: LongText | None = None
    version: Id | None = Field(
        None, description="The version the verdict was read at; a stale one answers 409."
    )


class NoteIn(Strict):
    note: LongText
    version: Id | None = None


class SourceTieIn(Strict):
    url: ShortText
    action: Literal["tie", "untie"] = "tie"
    note: LongText | None = None
    version: Id | None = None


# Articles -----------------------------------------------------------------------------------


class ArticleOut(Model):
    id: int
    title: str | None
    url: str | None
    authors: list[str]
    site_name: str | None
    source: str | None
    published_at: datetime | None
    fetched_at: datetime | None
    citation_count: int
    unresolved_citations: int
    claim_count: int
    updated_at: datetime


class ArticleList(Model):
    articles: list[ArticleOut]


class IngestIn(Strict):
    """An article by URL (fetched by the server), or uploaded: its ``content`` and file name
    (the page's own URL, if known, in ``url``)."""

    url: ShortText | None = Field(None, description="The article's http(s) URL.")
    content: Annotated[str, Field(max_length=10_000_000), Storable] | None = Field(
        None, description="The saved page or text itself (HTML, plain text or Markdown)."
    )
    file_name: Annotated[str, Field(max_length=200), Storable] = Field(
        "upload.html", description="The uploaded file's name; its extension tells the format."
    )
    format: Literal["auto", "html", "text", "markdown"] = "auto"


class IngestOut(Model):
    article: ArticleOut
    created: bool
    text_changed: bool
    new_claims: int
    claims: list[ClaimOut]


class ArticleEditIn(Strict):
    url: ShortText | None = None
    title: Title | None = None
    authors: list[Name] | None = None
    publisher: Name | None = None
    note: LongText | None = None


class PromoteIn(Strict):
    start: Annotated[int, Field(ge=0, le=MAX_ID)] = Field(
        description="Offset of the sentence in the article's text (see the article's segments)."
    )


class CitationOut(Model):
    id: int
    article_id: int
    position: int
    anchor_text: str
    url: str | None
    resolved: bool
    sentence: str


class ResolveIn(Strict):
    url: ShortText


class ResolutionOut(Model):
    citation: CitationOut
    replaced_url: str | None
    claims: list[int]
    retired_links: list[str]


# Links --------------------------------------------------------------------------------------


class LinkOut(Model):
    id: int
    url: str
    domain: str | None
    state: str
    checker_state: str
    overridden: bool
    last_outcome: str | None
    http_status: int | None
    final_url: str | None
    last_checked_at: datetime | None
    next_check_at: datetime | None
    consecutive_failures: int
    archive_url: str | None
    content_changed: bool


class LinkList(Model):
    links: list[LinkOut]


class LinksQuery(Strict):
    state: ShortText | None = None
    outcome: ShortText | None = None
    domain: ShortText | None = None
    limit: Annotated[int, Field(ge=1, le=10_000)] = 1000


class CheckOut(Model):
    due: list[int] = Field(description="Links made due now, for the scheduler's next round.")


class OverrideIn(Strict):
    state: Annotated[str, Field(max_length=32), Storable]
    note: LongText


class RateIn(Strict):
    domain: ShortText
    rating: Annotated[float, Field(ge=-1e6, le=1e6)]
    note: LongText


class RatingOut(Model):
    domain: str
    old_value: str | None
    new_value: str | None
    actor: str


class ReviewerIn(Strict):
    name: Annotated[str, Field(max_length=200), Storable]
    email: Annotated[str, Field(max_length=320), Storable] | None = None
    role: Literal["viewer", "reviewer", "admin"] = "reviewer"


class ReviewerOut(Model):
    id: int
    name: str
    email: str | None
    role: str
    created_at: datetime
