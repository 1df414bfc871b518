"""The data model: typed SQLAlchemy 2 declarative classes, one module.

Conventions: every table has an integer ``id``; timestamps are timezone-aware UTC on both
SQLite and PostgreSQL (:class:`UTCDateTime`); enums are stored as their string values with a
CHECK-free VARCHAR so adding a value needs no table rebuild; URLs are stored normalized.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    func,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from tracker.enums import (
    ArticleEventAction,
    CheckOutcome,
    ClaimEventAction,
    ClaimKind,
    ClaimStatus,
    LinkState,
    Role,
    SourceEventAction,
)

URL_MAX_LENGTH = 2048

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, whatever the backend keeps."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def str_enum(enum_cls: type[StrEnum]) -> Enum:
    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=32,
        validate_strings=True,
        values_callable=lambda members: [member.value for member in members],
    )


intpk = Annotated[int, mapped_column(Integer, primary_key=True)]
created_at = Annotated[
    datetime, mapped_column(UTCDateTime, nullable=False, default=utcnow, server_default=func.now())
]
updated_at = Annotated[
    datetime,
    mapped_column(
        UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow, server_default=func.now()
    ),
]
timestamp = Annotated[datetime | None, mapped_column(UTCDateTime, nullable=True)]
url_column = Annotated[str, mapped_column(String(URL_MAX_LENGTH))]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        datetime: UTCDateTime,
        dict[str, Any]: JSON,
        list[Any]: JSON,
        ClaimKind: str_enum(ClaimKind),
        ClaimStatus: str_enum(ClaimStatus),
        LinkState: str_enum(LinkState),
        CheckOutcome: str_enum(CheckOutcome),
        Role: str_enum(Role),
        ClaimEventAction: str_enum(ClaimEventAction),
        SourceEventAction: str_enum(SourceEventAction),
        ArticleEventAction: str_enum(ArticleEventAction),
    }


class Reviewer(Base):
    """A person who records verdicts and notes; the role decides what they may do."""

    __tablename__ = "reviewers"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(200), unique=True)
    email: Mapped[str | None] = mapped_column(String(320))
    role: Mapped[Role] = mapped_column(default=Role.REVIEWER, server_default=Role.REVIEWER.value)
    created_at: Mapped[created_at]


class Source(Base):
    """A registrable domain (``globalresearch.ca``): the unit of credibility."""

    __tablename__ = "sources"

    id: Mapped[intpk]
    domain: Mapped[str] = mapped_column(String(253), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(300))
    manual_rating: Mapped[float | None] = mapped_column(Float)
    manual_note: Mapped[str | None] = mapped_column(Text)
    rated_by_id: Mapped[int | None] = mapped_column(ForeignKey("reviewers.id", ondelete="SET NULL"))
    rated_at: Mapped[timestamp]
    # A domain whose check failures are inconclusive (bot walls, paywalls): never confirms rot.
    ignore_failures: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[created_at]

    links: Mapped[list[Link]] = relationship(back_populates="source")
    external_ratings: Mapped[list[ExternalRating]] = relationship(
        back_populates="source", cascade="all, delete-orphan"
    )


class SourceEvent(Base):
    """Append-only history of a source's manual rating and flags (who, when, what, why)."""

    __tablename__ = "source_events"

    id: Mapped[intpk]
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("reviewers.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[SourceEventAction]
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[created_at]


class RatingSet(Base):
    """One imported set of external domain ratings; re-importing a name replaces its rows."""

    __tablename__ = "rating_sets"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(200), unique=True)
    file_name: Mapped[str | None] = mapped_column(String(1000))
    scale_min: Mapped[float] = mapped_column(Float)
    scale_max: Mapped[float] = mapped_column(Float)
    row_count: Mapped[int] = mapped_column(Integer, default=0)
    imported_at: Mapped[created_at]

    ratings: Mapped[list[ExternalRating]] = relationship(
        back_populates="rating_set", cascade="all, delete-orphan"
    )


class ExternalRating(Base):
    """One domain's score in one rating set, normalized to 0..1 (raw value kept)."""

    __tablename__ = "external_ratings"
    __table_args__ = (UniqueConstraint("rating_set_id", "source_id"),)

    id: Mapped[intpk]
    rating_set_id: Mapped[int] = mapped_column(ForeignKey("rating_sets.id", ondelete="CASCADE"))
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    score: Mapped[float] = mapped_column(Float)
    raw_score: Mapped[float] = mapped_column(Float)

    rating_set: Mapped[RatingSet] = relationship(back_populates="ratings")
    source: Mapped[Source] = relationship(back_populates="external_ratings")


class Article(Base):
    """A news or opinion piece handed to the tracker (URL or saved file).

    Its identity is its canonical URL, else its content (``document_hash``, ``content_hash``).
    A deleted article
    keeps its row (``deleted_at``, its URL given up), because its claims' history is
    append-only; every lookup of articles and claims leaves deleted ones out.
    """

    __tablename__ = "articles"

    id: Mapped[intpk]
    url: Mapped[str | None] = mapped_column(String(URL_MAX_LENGTH), unique=True)
    title: Mapped[str | None] = mapped_column(Text)
    authors: Mapped[list[Any]] = mapped_column(JSON, default=list)
    site_name: Mapped[str | None] = mapped_column(String(300))
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("sources.id", ondelete="SET NULL"), index=True
    )
    published_at: Mapped[timestamp]
    fetched_at: Mapped[timestamp]
    text: Mapped[str] = mapped_column(Text, default="")
    content_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    """SHA-256 of the article text as extracted: tells a changed text on re-ingest."""
    document_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    """SHA-256 of the document as handed over: the identity of an article without a URL."""
    scraper: Mapped[str | None] = mapped_column(String(100))
    input_name: Mapped[str | None] = mapped_column(String(1000))
    deleted_at: Mapped[timestamp]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]

    source: Mapped[Source | None] = relationship()
    citations: Mapped[list[Citation]] = relationship(
        back_populates="article", cascade="all, delete-orphan", order_by="Citation.position"
    )
    claims: Mapped[list[Claim]] = relationship(
        back_populates="article", cascade="all, delete-orphan", order_by="Claim.position"
    )


class ArticleEvent(Base):
    """Append-only history of an article: who ingested, edited, deleted or fixed a citation."""

    __tablename__ = "article_events"

    id: Mapped[intpk]
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), index=True)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("reviewers.id"))
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[ArticleEventAction]
    note: Mapped[str | None] = mapped_column(Text)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[created_at]


SCHEDULED = text("next_check_at IS NOT NULL")
"""The predicate of the due indexes: retired links (never scheduled) stay out of them."""


class Host(Base):
    """One origin (scheme, host, port) the checkers share politely: who holds it, when it may
    next be asked, and until when it asked to be left alone (429, 503, ``Retry-After``).

    A worker holds a host under a lease while it checks the host's due links, so one worker
    at a time applies the host's concurrency and rate; a pause is seen by every worker.
    """

    __tablename__ = "hosts"

    id: Mapped[intpk]
    key: Mapped[str] = mapped_column(String(URL_MAX_LENGTH), unique=True)
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    lease_expires_at: Mapped[timestamp]
    next_allowed_at: Mapped[timestamp]
    paused_until: Mapped[timestamp]
    pause_reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[created_at]


class Link(Base):
    """One cited URL, shared by every article that cites it, and its health over time."""

    __tablename__ = "links"
    __table_args__ = (
        # Lease columns stay out of every index, so taking and renewing a lease is a HOT
        # update (no new index entries); retired links stay out of the due indexes.
        Index("ix_links_due", "next_check_at", postgresql_where=SCHEDULED, sqlite_where=SCHEDULED),
        Index(
            "ix_links_host_due",
            "host_id",
            "next_check_at",
            postgresql_where=SCHEDULED,
            sqlite_where=SCHEDULED,
        ),
    )

    id: Mapped[intpk]
    url: Mapped[url_column] = mapped_column(unique=True)
    host_id: Mapped[int | None] = mapped_column(ForeignKey("hosts.id", ondelete="SET NULL"))
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("sources.id", ondelete="SET NULL"), index=True
    )
    state: Mapped[LinkState] = mapped_column(
        default=LinkState.UNCHECKED, server_default=LinkState.UNCHECKED.value, index=True
    )
    last_outcome: Mapped[CheckOutcome | None]
    http_status: Mapped[int | None] = mapped_column(Integer)
    final_url: Mapped[str | None] = mapped_column(String(URL_MAX_LENGTH))
    first_checked_at: Mapped[timestamp]
    last_checked_at: Mapped[timestamp]
    last_ok_at: Mapped[timestamp]
    next_check_at: Mapped[timestamp]
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    failing_since: Mapped[timestamp]
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    lease_expires_at: Mapped[timestamp]
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    fingerprint_first: Mapped[str | None] = mapped_column(String(128))
    fingerprint_last: Mapped[str | None] = mapped_column(String(128))
    content_changed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    archive_url: Mapped[str | None] = mapped_column(String(URL_MAX_LENGTH))
    archive_timestamp: Mapped[timestamp]
    archive_checked_at: Mapped[timestamp]
    # Which archive holds archive_url (a name from the archives setting, or "availability").
    archive_name: Mapped[str | None] = mapped_column(String(100))
    override_state: Mapped[LinkState | None]
    override_note: Mapped[str | None] = mapped_column(Text)
    override_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("reviewers.id", ondelete="SET NULL")
    )
    override_at: Mapped[timestamp]
    created_at: Mapped[created_at]

    source: Mapped[Source | None] = relationship(back_populates="links")
    checks: Mapped[list[LinkCheck]] = relationship(
        back_populates="link", cascade="all, delete-orphan", order_by="LinkCheck.checked_at"
    )
    citations: Mapped[list[Citation]] = relationship(back_populates="link")
    captures: Mapped[list[Capture]] = relationship(
        viewonly=True, order_by="(Capture.captured_at, Capture.id)"
    )

    @hybrid_property
    def effective_state(self) -> LinkState:
        """The state every report and record counts: a reviewer's override wins over the
        checker's. The one definition, in Python and (as ``COALESCE``) in SQL."""
        return self.override_state or self.state

    @effective_state.inplace.expression
    @classmethod
    def _effective_state_expression(cls) -> ColumnElement[LinkState]:
        return func.coalesce(cls.override_state, cls.state)


class Citation(Base):
    """An article citing a link; the link is missing when only the anchor text survived."""

    __tablename__ = "citations"
    __table_args__ = (UniqueConstraint("article_id", "position"),)

    id: Mapped[intpk]
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    link_id: Mapped[int | None] = mapped_column(
        ForeignKey("links.id", ondelete="SET NULL"), index=True
    )
    raw_url: Mapped[str | None] = mapped_column(Text)
    anchor_text: Mapped[str] = mapped_column(Text, default="")
    sentence: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[created_at]

    article: Mapped[Article] = relationship(back_populates="citations")
    link: Mapped[Link | None] = relationship(back_populates="citations")


class Claim(Base):
    """A factual assertion in an article, its check-worthiness and its current verdict."""

    __tablename__ = "claims"
    __table_args__ = (Index("ix_claims_article_status", "article_id", "status"),)

    id: Mapped[intpk]
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    kind: Mapped[ClaimKind] = mapped_column(default=ClaimKind.OTHER)
    figures: Mapped[list[Any]] = mapped_column(JSON, default=list)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    position: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[ClaimStatus] = mapped_column(
        default=ClaimStatus.UNVERIFIED, server_default=ClaimStatus.UNVERIFIED.value
    )
    needs_rereview: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false(), index=True
    )
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_by: Mapped[str] = mapped_column(String(200), default="extractor")
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]

    article: Mapped[Article] = relationship(back_populates="claims")
    sources: Mapped[list[ClaimSource]] = relationship(
        back_populates="claim", cascade="all, delete-orphan", order_by="ClaimSource.id"
    )
    events: Mapped[list[ClaimEvent]] = relationship(
        back_populates="claim", order_by="ClaimEvent.id", passive_deletes="all"
    )


class ClaimSource(Base):
    """A claim relying on a cited link, with the text the source page should contain."""

    __tablename__ = "claim_sources"

    id: Mapped[intpk]
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    link_id: Mapped[int | None] = mapped_column(
        ForeignKey("links.id", ondelete="SET NULL"), index=True
    )
    citation_id: Mapped[int | None] = mapped_column(
        ForeignKey("citations.id", ondelete="SET NULL"), index=True
    )
    evidence: Mapped[str | None] = mapped_column(Text)
    # What the source should contain (tracker.extraction.evidence.EvidenceSpec as JSON).
    evidence_spec: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # found | partly_found | missing | nothing_to_match, with the passage where it was found.
    evidence_state: Mapped[str | None] = mapped_column(String(16))
    evidence_passage: Mapped[str | None] = mapped_column(Text)
    evidence_found: Mapped[bool | None] = mapped_column(Boolean)
    evidence_checked_at: Mapped[timestamp]
    # The passage where the evidence was last found, kept when the page later loses it or
    # dies, with our capture of the page it was read from (quoted by reports).
    found_passage: Mapped[str | None] = mapped_column(Text)
    found_capture_id: Mapped[int | None] = mapped_column(
        ForeignKey("captures.id", ondelete="SET NULL"), index=True
    )
    found_at: Mapped[timestamp]
    created_at: Mapped[created_at]

    claim: Mapped[Claim] = relationship(back_populates="sources")
    link: Mapped[Link | None] = relationship()
    citation: Mapped[Citation | None] = relationship()


class ClaimEvent(Base):
    """Append-only history of a claim. The application never updates or deletes these rows."""

    __tablename__ = "claim_events"

    id: Mapped[intpk]
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("reviewers.id"))
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[ClaimEventAction]
    old_status: Mapped[ClaimStatus | None]
    new_status: Mapped[ClaimStatus | None]
    note: Mapped[str | None] = mapped_column(Text)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[created_at]

    claim: Mapped[Claim] = relationship(back_populates="events")
    reviewer: Mapped[Reviewer | None] = relationship()


class LinkCheck(Base):
    """One check of one link: what happened, kept forever for timelines and rot rates."""

    __tablename__ = "link_checks"
    __table_args__ = (Index("ix_link_checks_link_checked", "link_id", "checked_at"),)

    id: Mapped[intpk]
    link_id: Mapped[int] = mapped_column(ForeignKey("links.id", ondelete="CASCADE"))
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    outcome: Mapped[CheckOutcome]
    http_status: Mapped[int | None] = mapped_column(Integer)
    redirect_chain: Mapped[list[Any]] = mapped_column(JSON, default=list)
    final_url: Mapped[str | None] = mapped_column(String(URL_MAX_LENGTH))
    elapsed_ms: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    content_type: Mapped[str | None] = mapped_column(String(200))
    content_length: Mapped[int | None] = mapped_column(Integer)
    fingerprint: Mapped[str | None] = mapped_column(String(128))
    soft_404: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    not_modified: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    evidence: Mapped[list[Any]] = mapped_column(JSON, default=list)
    worker: Mapped[str | None] = mapped_column(String(200))
    state: Mapped[LinkState | None]
    """The link's checker state after this check (kept by pruning when it changed)."""

    link: Mapped[Link] = relationship(back_populates="checks")


class Capture(Base):
    """Our own copy of a source: one WARC response (or revisit) record in the capture store.

    ``revisit_of`` names the WARC-Record-ID of the full record holding the same payload
    (identical payloads are stored once); ``warc_file`` is relative to the capture folder.
    """

    __tablename__ = "captures"
    __table_args__ = (Index("ix_captures_link_captured", "link_id", "captured_at"),)

    id: Mapped[intpk]
    link_id: Mapped[int] = mapped_column(ForeignKey("links.id", ondelete="CASCADE"))
    check_id: Mapped[int | None] = mapped_column(
        ForeignKey("link_checks.id", ondelete="SET NULL"), index=True
    )
    captured_at: Mapped[datetime] = mapped_column(UTCDateTime)
    url: Mapped[url_column]
    http_status: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str | None] = mapped_column(String(200))
    payload_digest: Mapped[str] = mapped_column(String(64), index=True)
    payload_length: Mapped[int] = mapped_column(BigInteger)
    fingerprint: Mapped[str | None] = mapped_column(String(128))
    record_id: Mapped[str] = mapped_column(String(100))
    revisit_of: Mapped[str | None] = mapped_column(String(100))
    warc_file: Mapped[str] = mapped_column(String(255))
    warc_offset: Mapped[int] = mapped_column(BigInteger)
    warc_length: Mapped[int] = mapped_column(BigInteger)

    link: Mapped[Link] = relationship(viewonly=True)


# The feature modules that keep their tables beside them (accounts, alerts, feeds) register them
# on Base here, so that Base.metadata (migrations, the drift check) is complete whoever imports
# the models.
from tracker.accounts import models as _accounts_models  # noqa: E402, F401
from tracker.alerts import models as _alert_models  # noqa: E402, F401
from tracker.feeds import models as _feed_models  # noqa: E402, F401
