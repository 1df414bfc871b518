"""Ingest at scale and bytes from the wild: links in bulk, charsets declared or not."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.support.reports import count_queries
from tracker.actors import Actor
from tracker.articles.documents import decode
from tracker.articles.services import ingest
from tracker.db import Database
from tracker.models import Citation, ClaimSource, Link, Source
from tracker.settings import Settings

LINKS = 1200


def _many_links(path: Path) -> None:
    paragraphs = "\n".join(
        f"<p>Inspection {n} of the agency found that {n % 90} percent of the samples were clean, "
        f'<a href="https://source{n % 40}.example/reports/{n}">the report says</a>.</p>'
        for n in range(LINKS)
    )
    path.write_text(
        f"<html><head><title>Inspections</title></head><body><article><h1>Inspections</h1>"
        f"{paragraphs}</article></body></html>",
        encoding="utf-8",
    )


def test_links_are_upserted_in_bulk(
    database: Database, settings: Settings, tmp_path: Path, acting_as_ana: Actor
) -> None:
    page = tmp_path / "links.html"
    _many_links(page)
    with count_queries(database) as statements:
        result = ingest(
            database, acting_as_ana, settings, str(page), url="https://news.example.org/inspections"
        )
    assert len(result.citations) == LINKS
    link_inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT INTO LINKS")]
    link_selects = [s for s in statements if "FROM links" in s and s.lstrip().startswith("SELECT")]
    assert len(link_inserts) <= 3  # one statement per batch of 500
    assert len(link_selects) <= 6
    assert len(statements) < LINKS  # nothing per link or per claim
    with database.reading() as session:
        assert session.scalar(select(func.count()).select_from(Link)) == LINKS
        assert (
            session.scalar(select(func.count()).select_from(Source)) == 41
        )  # 40 cited domains and the publisher
    # Again: nothing duplicated, the same links reused.
    ingest(database, acting_as_ana, settings, str(page), url="https://news.example.org/inspections")
    with database.reading() as session:
        assert session.scalar(select(func.count()).select_from(Link)) == LINKS
        assert session.scalar(select(func.count()).select_from(Citation)) == LINKS


@pytest.mark.parametrize(
    ("data", "html", "expected"),
    [
        ('<meta charset="iso-8859-2"><p>Zażółć gęślą'.encode("iso-8859-2"), True, "Zażółć gęślą"),
        ("<p>naïve café — “quoted”</p>".encode(), True, "naïve café — “quoted”"),
        (codecs.BOM_UTF16_LE + "<p>Grüße</p>".encode("utf-16-le"), True, "Grüße"),
        # A hostile page naming a codec that is not a text encoding: ignored, UTF-8 used.
        ('<meta charset="rot13"><p>élan'.encode(), True, "élan"),
        ('<meta charset="base64"><p>élan'.encode(), True, "élan"),
    ],
)
def test_declared_then_utf8(data: bytes, html: bool, expected: str) -> None:
    assert expected in decode(data, html=html)


def test_undeclared_legacy_bytes_are_detected_from_a_bounded_prefix() -> None:
    text = "Le café est très réputé à Genève, déclare l'élève. " * 4000  # ~200 KB
    decoded = decode(text.encode("cp1252"), html=False)
    assert decoded.startswith("Le caf")
    assert len(decoded) == len(text)
    assert "\ufffd" not in decoded[:1000]


def test_a_repeated_claim_is_one_claim_with_the_citations_of_every_place(
    database: Database, settings: Settings, tmp_path: Path, acting_as_ana: Actor
) -> None:
    sentence = "The council approved a budget of $4.2 billion on Monday, <u>{anchor}</u> shows."
    article = tmp_path / "repeat.txt"
    article.write_text(
        "Budget\n\n"
        + sentence.format(anchor="the record")
        + "\n\nSomething else happened in between, and nobody noticed it at all.\n\n"
        + sentence.format(anchor="the record")
        + "\n",
        encoding="utf-8",
    )
    result = ingest(database, acting_as_ana, settings, str(article))
    [claim] = [c for c in result.claims if "$4.2 billion" in c.text]
    with database.reading() as session:
        sources = session.scalars(select(ClaimSource).where(ClaimSource.claim_id == claim.id)).all()
        positions = sorted(source.citation.position for source in sources if source.citation)
    assert len(positions) == 2
    assert claim.position is not None
    assert claim.position < positions[0] < positions[1]
