"""Fixtures shared by the report tests: the sample article in a real database."""

from __future__ import annotations

from datetime import timedelta

from reports.data import ArticleReport, build_article_report
from reports.links_data import LinksReport, build_links_report
from tests.support.factories import T0, Sample, sample_article
from tracker.db import Database
from tracker.settings import Settings

NOW = T0 + timedelta(days=20)


def insert_sample(database: Database, *, hostile: bool = False) -> Sample:
    with database.transaction() as session:
        return sample_article(session, hostile=hostile)


def article_report(
    database: Database, article_id: int, settings: Settings | None = None
) -> ArticleReport:
    with database.reading() as session:
        return build_article_report(session, article_id, settings or Settings(), now=NOW)


def links_report(database: Database, weeks: int = 8) -> LinksReport:
    with database.reading() as session:
        return build_links_report(session, weeks=weeks, now=NOW)
