"""Fixtures shared by the report tests: the sample article in a real database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import event

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


@contextmanager
def count_queries(database: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    event.listen(database.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(database.engine, "before_cursor_execute", record)
