"""schema.org ClaimReview JSON-LD for every claim with a final verdict.

The fields follow Google's fact-check markup: ``claimReviewed``, ``reviewRating`` (a numeric
``ratingValue`` on the ``worstRating``..``bestRating`` scale plus ``alternateName``; an
unverifiable claim has the name only), ``itemReviewed`` (the Claim, with its author, date and
``appearance``: the article), ``author`` (our organization), ``datePublished`` (the verdict's
date) and ``url`` (where the review is published). The rating scale is
:mod:`tracker.ratings`.

The output is safe to paste into ``<script type="application/ld+json">``: ``<``, ``>`` and
``&`` are written as JSON unicode escapes, so a claim holding ``</script>`` cannot end it.
"""

from __future__ import annotations

from typing import Any

from reports.data import ArticleReport, ClaimEntry, RatingInfo, SourceEntry
from tracker.errors import InvalidInput
from tracker.jsonable import dumps
from tracker.settings import Settings

CONTEXT = "https://schema.org"


def review_url(settings: Settings, article_id: int, claim_id: int) -> str:
    """Where the review is published, from the ``claimreview_url_template`` setting."""
    try:
        return settings.claimreview_url_template.format(
            organization_url=settings.organization_url, article_id=article_id, claim_id=claim_id
        )
    except (KeyError, IndexError, ValueError) as exc:
        raise InvalidInput(
            "invalid setting FACT_TRACKER_CLAIMREVIEW_URL_TEMPLATE: use only "
            f"{{organization_url}}, {{article_id}} and {{claim_id}} ({exc!r})"
        ) from None


def _claim_author(report: ArticleReport) -> dict[str, Any]:
    article = report.article
    if article.authors:
        if len(article.authors) == 1:
            return {"@type": "Person", "name": article.authors[0]}
        return {"@type": "Person", "name": ", ".join(article.authors)}
    return {"@type": "Organization", "name": article.site_name or article.domain or "Unknown"}


def _rating(rating: RatingInfo) -> dict[str, Any]:
    data: dict[str, Any] = {"@type": "Rating", "alternateName": rating.name}
    if rating.value is not None:
        data.update(ratingValue=rating.value, bestRating=rating.best, worstRating=rating.worst)
    return data


def claim_review(report: ArticleReport, claim: ClaimEntry, settings: Settings) -> dict[str, Any]:
    """One ClaimReview object for a claim with a final verdict (ValueError otherwise)."""
    if not claim.has_verdict or claim.rating is None:
        raise ValueError(f"claim {claim.id} has no final verdict to publish")
    article = report.article
    item: dict[str, Any] = {"@type": "Claim", "author": _claim_author(report)}
    if article.published_at:
        item["datePublished"] = article.published_at.date().isoformat()
    if article.url:
        appearance: dict[str, Any] = {"@type": "CreativeWork", "url": article.url}
        if article.title:
            appearance["headline"] = article.title
        item["appearance"] = appearance
    review: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "ClaimReview",
        "url": review_url(settings, article.id, claim.id),
        "claimReviewed": claim.text,
        "itemReviewed": item,
        "author": {
            "@type": "Organization",
            "name": settings.organization_name,
            "url": settings.organization_url,
        },
        "reviewRating": _rating(claim.rating),
    }
    if claim.verdict_at:
        review["datePublished"] = claim.verdict_at.date().isoformat()
    if claim.latest_note:
        review["reviewBody"] = claim.latest_note
    cited = [_cited_work(source) for source in claim.sources if source.link is not None]
    if cited:
        review["citation"] = cited
    return review


def _cited_work(source: SourceEntry) -> dict[str, Any]:
    """A source as a Robust Link in schema.org: its URL, the archived copy (``archivedAt``),
    our own capture (its WARC-Record-ID, ``identifier``) and the passage quoted from it."""
    link = source.link
    assert link is not None  # the caller passes linked sources only
    work: dict[str, Any] = {"@type": "CreativeWork", "url": link.url}
    if link.archive_url:
        work["archivedAt"] = {
            "@type": "WebPage",
            "url": link.archive_url,
            **(
                {"dateCreated": link.archive_timestamp.isoformat()}
                if link.archive_timestamp
                else {}
            ),
            **({"publisher": link.archive_name} if link.archive_name else {}),
        }
    if link.capture is not None:
        work["identifier"] = {
            "@type": "PropertyValue",
            "propertyID": "WARC-Record-ID",
            "value": link.capture.record_id,
            "dateCreated": link.capture.captured_at.isoformat(),
        }
    if source.found_passage:
        work["text"] = source.found_passage
    return work


def publisher_missing(settings: Settings) -> str | None:
    """Why ClaimReview markup cannot be published yet (no organization configured), or None.

    ClaimReview names who reviewed the claims; a placeholder would publish someone else's name.
    """
    if settings.organization_name.strip() and settings.organization_url.strip():
        return None
    return (
        "ClaimReview needs the publishing organization: set the organization_name and "
        "organization_url settings (FACT_TRACKER_ORGANIZATION_NAME, "
        "FACT_TRACKER_ORGANIZATION_URL)"
    )


def claim_reviews(report: ArticleReport, settings: Settings) -> list[dict[str, Any]]:
    """ClaimReview objects of the claims with a final verdict; InvalidInput without a publisher."""
    missing = publisher_missing(settings)
    if missing:
        raise InvalidInput(missing)
    return [
        claim_review(report, claim, settings)
        for claim in report.claims
        if claim.has_verdict and claim.rating is not None
    ]


def script_safe_json(data: Any, *, indent: int | None = 2) -> str:
    """JSON that cannot break out of an HTML ``<script>`` element."""
    text = dumps(data, indent=indent)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_article(report: ArticleReport, settings: Settings) -> str:
    """A JSON array of ClaimReview objects (empty when no claim has a final verdict)."""
    return script_safe_json(claim_reviews(report, settings)) + "\n"
