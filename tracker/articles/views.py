"""What article services return: frozen views of articles, their citations and what changed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from tracker.models import Article, Citation
from tracker.review.views import ClaimSummary

Format = Literal["auto", "html", "text", "markdown"]
FORMATS: tuple[Format, ...] = ("auto", "html", "text", "markdown")
"""How an ingested document is read: ``auto`` goes by file extension or content type."""


@dataclass(frozen=True)
class ArticleView:
    id: int
    title: str | None
    url: str | None
    authors: tuple[str, ...]
    site_name: str | None
    source: str | None
    """The publishing registrable domain (None for a file without a URL)."""
    published_at: datetime | None
    fetched_at: datetime | None
    scraper: str | None
    input_name: str | None
    citation_count: int
    unresolved_citations: int
    claim_count: int
    updated_at: datetime

    @classmethod
    def of(
        cls,
        article: Article,
        *,
        source: str | None,
        citations: int,
        unresolved: int,
        claims: int,
    ) -> ArticleView:
        return cls(
            id=article.id,
            title=article.title,
            url=article.url,
            authors=tuple(str(author) for author in article.authors or ()),
            site_name=article.site_name,
            source=source,
            published_at=article.published_at,
            fetched_at=article.fetched_at,
            scraper=article.scraper,
            input_name=article.input_name,
            citation_count=citations,
            unresolved_citations=unresolved,
            claim_count=claims,
            updated_at=article.updated_at,
        )


@dataclass(frozen=True)
class CitationView:
    id: int
    article_id: int
    position: int
    anchor_text: str
    url: str | None
    raw_url: str | None
    link_id: int | None
    resolved: bool
    sentence: str

    @classmethod
    def of(cls, citation: Citation, link_urls: Mapping[int, str] | None = None) -> CitationView:
        """The view of ``citation``; ``link_urls`` (by link id) spares loading its link."""
        if citation.link_id is not None and link_urls and citation.link_id in link_urls:
            url: str | None = link_urls[citation.link_id]
        else:
            url = citation.link.url if citation.link else None
        return cls(
            id=citation.id,
            article_id=citation.article_id,
            position=citation.position,
            anchor_text=citation.anchor_text,
            url=url,
            raw_url=citation.raw_url,
            link_id=citation.link_id,
            resolved=citation.link_id is not None,
            sentence=citation.sentence,
        )


@dataclass(frozen=True)
class ArticleDetail:
    """An article with its text, citations and claims in reading order."""

    article: ArticleView
    text: str
    citations: tuple[CitationView, ...]
    claims: tuple[ClaimSummary, ...]


@dataclass(frozen=True)
class IngestView:
    """What one ingest did: the article (new or updated) and what it now holds."""

    article: ArticleView
    created: bool
    text_changed: bool
    new_claims: int
    citations: tuple[CitationView, ...]
    claims: tuple[ClaimSummary, ...]


@dataclass(frozen=True)
class ArticleChange:
    """An edit of an article's metadata: each changed field, before and after."""

    article: ArticleView
    changes: dict[str, Any]


@dataclass(frozen=True)
class ArticleDeletion:
    """A deleted article: what it was, and the links nothing cites any more (retired)."""

    article_id: int
    title: str | None
    url: str | None
    claims: int
    retired_links: tuple[str, ...]


@dataclass(frozen=True)
class CitationResolution:
    """A citation pointed at a URL: what it replaced, which claims follow it, what retired."""

    citation: CitationView
    replaced_url: str | None
    claims: tuple[int, ...]
    retired_links: tuple[str, ...]


@dataclass(frozen=True)
class ReadingSegment:
    """A run of an article's text as the workspace shows it: a sentence (``start`` is its
    offset, which promoting it names), the claim it is (``claim_id``), or the space between."""

    text: str
    start: int | None
    claim_id: int | None


@dataclass(frozen=True)
class ArticleReading:
    """An article cut into sentences in reading order, each claim's sentence marked."""

    detail: ArticleDetail
    segments: tuple[ReadingSegment, ...]
    unplaced_claims: tuple[int, ...]
    """Claims whose sentence is not in the text (added by hand, or the text changed)."""
