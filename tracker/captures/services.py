"""Capture services: list our captures, show one read back from its WARC, export them.

Captures are made by the link checker (:mod:`tracker.captures.recording`); these services
only read. Any role may read and export.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from tracker.actors import Actor
from tracker.articles.lookup import get_article
from tracker.captures.export import export
from tracker.captures.reading import read_record
from tracker.captures.views import CaptureDetail, CaptureSummary, ExportReport
from tracker.captures.warcs import capture_dir
from tracker.db import Database
from tracker.errors import InvalidInput, NotFound
from tracker.http.charset import decode_body
from tracker.linkcheck.content import read_page
from tracker.linkcheck.links import find_link
from tracker.models import Capture, Citation, ClaimSource, Link
from tracker.review.reviewers import may_read
from tracker.settings import Settings

TEXT_CHARS = 4000
"""Shown of a capture's visible text by ``show`` (exports keep everything)."""


def _selected(
    session: Session, link: str | None, article_id: int | None
) -> Select[tuple[Capture, str]]:
    if link is not None and article_id is not None:
        raise InvalidInput("choose a link or an article, not both")
    query = select(Capture, Link.url).join(Link, Link.id == Capture.link_id)
    if link is not None:
        query = query.where(Capture.link_id == find_link(session, link).id)
    if article_id is not None:
        get_article(session, article_id)
        cited = select(Citation.link_id).where(Citation.article_id == article_id)
        query = query.where(Capture.link_id.in_(cited))
    return query.order_by(Capture.captured_at, Capture.id)


def list_captures(
    database: Database,
    actor: Actor,
    *,
    link: str | None = None,
    article_id: int | None = None,
    limit: int | None = None,
) -> list[CaptureSummary]:
    """Our captures, oldest first: of one link (URL or id), of one article's links, or all."""
    with database.reading() as session:
        may_read(session, actor, "captures")
        query = _selected(session, link, article_id)
        if limit is not None:
            query = query.limit(limit)
        return [CaptureSummary.of(capture, url) for capture, url in session.execute(query)]


def show_capture(
    database: Database,
    actor: Actor,
    settings: Settings,
    capture_id: int,
    *,
    text_chars: int = TEXT_CHARS,
) -> CaptureDetail:
    """One capture read back from its WARC record (a revisit's payload from its original),
    with the first ``text_chars`` of its visible text."""
    with database.reading() as session:
        may_read(session, actor, "captures")
        row = session.execute(
            select(Capture, Link.url)
            .join(Link, Link.id == Capture.link_id)
            .where(Capture.id == capture_id)
        ).first()
        if row is None:
            raise NotFound("capture", str(capture_id))
        capture, link_url = row[0], row[1]
        holder = _payload_holder(session, capture)
        passages = tuple(
            session.scalars(
                select(ClaimSource.found_passage)
                .where(ClaimSource.found_capture_id == capture.id)
                .where(ClaimSource.found_passage.is_not(None))
                .order_by(ClaimSource.id)
            )
        )
        summary = CaptureSummary.of(capture, link_url)
        here = (capture.warc_file, capture.warc_offset, capture.warc_length)
        there = (holder.warc_file, holder.warc_offset, holder.warc_length)
    folder = capture_dir(settings)
    cap = settings.max_body_bytes
    record = read_record(folder, *here, max_bytes=cap)
    payload = (
        record.payload if there == here else read_record(folder, *there, max_bytes=cap).payload
    )
    return CaptureDetail(
        capture=summary,
        status_line=record.status_line,
        headers=record.http_headers,
        text=_text(payload, summary.content_type)[:text_chars],
        passages=tuple(p for p in passages if p),
    )


def _payload_holder(session: Session, capture: Capture) -> Capture:
    """The capture whose record holds ``capture``'s payload (itself, unless a revisit)."""
    if capture.revisit_of is None:
        return capture
    original = session.scalar(
        select(Capture).where(Capture.record_id == capture.revisit_of).limit(1)
    )
    if original is None:
        raise NotFound("capture holding the payload", capture.revisit_of)
    return original


def _text(payload: bytes, content_type: str | None) -> str:
    kind = (content_type or "").split(";")[0].strip().lower()
    if not (kind.startswith("text/") or kind in ("application/xhtml+xml", "application/json")):
        return ""
    html = kind in ("text/html", "application/xhtml+xml")
    return read_page(decode_body(payload, None, html=html), html=html).full_text


def export_captures(
    database: Database,
    actor: Actor,
    settings: Settings,
    output: str | Path,
    *,
    fmt: str = "warc",
    link: str | None = None,
    article_id: int | None = None,
) -> ExportReport:
    """Write the chosen captures (a link's, an article's, or all) as WARC or WACZ.

    Revisits bring along the record holding their payload, so every capture replays.
    """
    with database.reading() as session:
        may_read(session, actor, "captures")
        captures = [capture for capture, _ in session.execute(_selected(session, link, article_id))]
        if not captures:
            raise NotFound("capture", "for that selection")
        chosen = {capture.record_id for capture in captures}
        holders = [
            _payload_holder(session, capture)
            for capture in captures
            if capture.revisit_of is not None and capture.revisit_of not in chosen
        ]
        pieces: dict[str, tuple[str, int, int]] = {}
        for capture in [*holders, *captures]:
            pieces.setdefault(
                capture.record_id, (capture.warc_file, capture.warc_offset, capture.warc_length)
            )
    path = Path(output)
    try:
        records, size = export(capture_dir(settings), list(pieces.values()), path, fmt)
    except FileNotFoundError as exc:
        raise NotFound(
            "WARC file", Path(exc.filename or "").name or "of the capture store"
        ) from None
    except OSError as exc:
        raise InvalidInput(f"cannot write {path}: {exc.strerror or exc}") from None
    return ExportReport(str(path), fmt, len(captures), records, size)
