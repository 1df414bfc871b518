"""Credibility data for the report tests: ratings on the sample article's cited domains."""

from __future__ import annotations

from sqlalchemy import select

from tests.support.factories import XSS
from tracker.db import Database
from tracker.models import ExternalRating, RatingSet, Source
from tracker.settings import Settings, load_settings

HOSTILE_NAME = f'=HYPERLINK("http://x.example/")&"{XSS}"'
HOSTILE_SET = "<img src=x onerror=alert(3)>"
RATED = "example.org"  # the poll's domain in the sample article
RATED_SCORE = (0.75 * 3 + 0.25 * 1) / 4  # manual 4/5 (weight 3), one set at 0.25 (weight 1)


def weights() -> Settings:
    return load_settings(
        credibility_weight_manual=3,
        credibility_weight_external=1,
        credibility_weight_rot=0.5,
        credibility_weight_evidence=1,
        credibility_min_sample=3,
        organization_name="Test Checks",
        organization_url="https://checks.example/",
    )


def rate_sample(database: Database, *, hostile: bool = False) -> None:
    """example.org: manual 4/5 and 0.25 in one imported set; nothing else is rated."""
    with database.transaction() as session:
        source = session.scalars(select(Source).where(Source.domain == RATED)).one()
        source.display_name = HOSTILE_NAME if hostile else "Example Polls"
        source.manual_rating = 0.75
        source.manual_note = f"long record{XSS}" if hostile else "long record"
        rating_set = RatingSet(
            name=HOSTILE_SET if hostile else "quality", scale_min=0, scale_max=1, row_count=1
        )
        session.add(rating_set)
        session.flush()
        session.add(
            ExternalRating(
                rating_set_id=rating_set.id, source_id=source.id, score=0.25, raw_score=0.25
            )
        )
