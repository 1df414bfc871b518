"""The ingest service on both backends: upserts, idempotence, reviewer safety, bad inputs."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.support.server import LocalServer, Reply, html
from tracker.actors import Actor
from tracker.articles.services import ingest
from tracker.db import Database
from tracker.enums import ClaimEventAction, ClaimStatus, Role
from tracker.errors import FetchError, InvalidInput, PermissionDenied
from tracker.models import (
    Article,
    ArticleEvent,
    Citation,
    Claim,
    ClaimEvent,
    ClaimSource,
    Link,
    Reviewer,
    Source,
)
from tracker.review.claims import record_claim_event
from tracker.review.reviewers import Acting
from tracker.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures"
ANA = Actor.reviewer("ana")
GR_URL = "https://www.globalresearch.ca/10-obstacles/5872069"
ARTICLE = """Budget Story

The council approved a budget of $4.2 billion, an increase of 12% over last year, according to
<u>the budget document</u>.

Transit spending doubled to $310 million, the largest increase of any department, the mayor
said in <u>her speech</u>.
"""


@pytest.fixture(autouse=True)
def reviewers(database: Database) -> None:
    with database.transaction() as session:
        session.add_all([Reviewer(name="ana"), Reviewer(name="vic", role=Role.VIEWER)])


def counts(database: Database) -> dict[str, int]:
    with database.reading() as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Article, Citation, Claim, ClaimSource, ClaimEvent, Link, Source)
        }


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_ingest_html_file_records_article_citations_claims(
    database: Database, settings: Settings
) -> None:
    result = ingest(database, ANA, settings, str(FIXTURES / "globalresearch.html"), url=GR_URL)
    assert result.created
    assert len(result.citations) == 4
    with database.reading() as session:
        article = session.get(Article, result.article.id)
        assert article is not None
        assert article.url == GR_URL
        assert article.scraper == "globalresearch"
        assert article.source is not None
        assert article.source.domain == "globalresearch.ca"
        poll = session.scalars(select(Claim).where(Claim.text.contains("69% of Poles"))).one()
        assert poll.status == ClaimStatus.UNVERIFIED
        assert poll.created_by == "extractor"
        [event] = session.scalars(select(ArticleEvent)).all()
        assert (event.action.value, event.actor) == ("ingested", "ana")
        [source] = poll.sources
        assert source.evidence == "69% · Poles"
        assert source.evidence_spec is not None
        assert source.evidence_spec["figures"][0]["value"] == 69.0
        assert source.link is not None
        assert source.link.url == "https://notesfrompoland.com/2024/07/10/poll-troops/"
        [event] = poll.events
        assert (event.action, event.actor) == (ClaimEventAction.CREATED, "system:extractor")


def test_reingest_is_idempotent(database: Database, settings: Settings) -> None:
    path = str(FIXTURES / "globalresearch.html")
    first = ingest(database, ANA, settings, path, url=GR_URL)
    before = counts(database)
    second = ingest(database, ANA, settings, path, url=GR_URL)
    assert not second.created
    assert not second.text_changed
    assert second.new_claims == 0
    assert second.article.id == first.article.id
    assert counts(database) == before
    assert [c.id for c in second.citations] == [c.id for c in first.citations]


def test_file_without_url_is_found_again_by_its_path(
    database: Database, settings: Settings, tmp_path: Path
) -> None:
    path = write(tmp_path, "story.txt", ARTICLE)
    first = ingest(database, ANA, settings, str(path))
    second = ingest(database, ANA, settings, str(path))
    assert first.article.id == second.article.id
    assert counts(database)["articles"] == 1
    assert [c.resolved for c in first.citations] == [False, False]


def test_changed_text_is_recorded_and_reviewed_claims_are_untouched(
    database: Database, settings: Settings, tmp_path: Path
) -> None:
    path = write(tmp_path, "story.txt", ARTICLE)
    first = ingest(database, ANA, settings, str(path))
    assert len(first.claims) == 2
    reviewed_id, untouched_id = first.claims[0].id, first.claims[1].id
    with database.transaction() as session:
        reviewed = session.get(Claim, reviewed_id)
        assert reviewed is not None
        reviewed.status = ClaimStatus.ACCURATE
        record_claim_event(
            session,
            reviewed,
            actor=Acting("ana", None, None),
            action=ClaimEventAction.STATUS,
            old_status=ClaimStatus.UNVERIFIED,
            new_status=ClaimStatus.ACCURATE,
        )
    changed = ARTICLE.replace(
        "$4.2 billion, an increase of 12%", "$4.5 billion, an increase of 20%"
    )
    path.write_text(changed, encoding="utf-8")
    second = ingest(database, ANA, settings, str(path))
    assert second.text_changed
    assert second.new_claims == 1
    with database.reading() as session:
        reviewed = session.get(Claim, reviewed_id)
        untouched = session.get(Claim, untouched_id)
        assert reviewed is not None
        assert untouched is not None
        assert reviewed.status == ClaimStatus.ACCURATE
        assert "$4.2 billion" in reviewed.text
        assert reviewed.needs_rereview
        assert [e.action for e in reviewed.events] == [
            ClaimEventAction.CREATED,
            ClaimEventAction.STATUS,
            ClaimEventAction.TEXT_CHANGED,
        ]
        assert reviewed.events[-1].changes["sentence_present"] is False
        assert untouched.events[-1].action == ClaimEventAction.TEXT_CHANGED
        assert untouched.events[-1].changes["sentence_present"] is True
        texts = session.scalars(select(Claim.text).where(Claim.article_id == second.article.id))
        assert sum("$4.5 billion" in text for text in texts) == 1
    assert counts(database)["citations"] == 2


def test_korybko_example_claims_are_tied_to_their_citations(
    database: Database, settings: Settings
) -> None:
    example = next(
        (
            folder / "shared" / "examples" / "korybko-2024-11-11-peacekeepers.txt"
            for folder in Path(__file__).resolve().parents
            if (folder / "shared" / "examples").is_dir()
        ),
        None,
    )
    if example is None:
        pytest.skip("../shared/examples is not present")
    result = ingest(database, ANA, settings, str(example), url=GR_URL)
    assert result.article.title is not None
    assert result.article.title.startswith("10 Obstacles")
    with database.reading() as session:
        claims = list(
            session.scalars(
                select(Claim).where(Claim.article_id == result.article.id).order_by(Claim.id)
            )
        )
        found = {
            claim.text: {
                source.citation.anchor_text: source.evidence or ""
                for source in claim.sources
                if source.citation is not None
            }
            for claim in claims
        }
        texts = [claim.text.lower() for claim in claims]
        positions = [claim.position for claim in claims]
    assert len(set(texts)) == len(texts)  # the repeated summary sentence is one claim
    assert positions[0] == min(p for p in positions if p is not None)
    # The seven checkable assertions, each with its <u> citations and evidence.
    checkable = {
        "Wall Street Journal reported": {"Wall Street Journal"},
        "69% of Poles": {"69% of Poles"},
        "declared in February": {"prior", "rhetoric"},
        "I would encourage": {"threatened"},
        "most now meet": {"most now", "meet"},
        "5% of the air defenses": {"only has 5% of the air defenses needed"},
        "Poland subsequently refusing": {"France", "Poland"},
    }
    matched = set()
    for phrase, anchors in checkable.items():
        [text] = [text for text in found if phrase in text]
        matched.add(text)
        assert anchors <= set(found[text]), phrase
        for anchor, evidence in found[text].items():
            assert evidence, (phrase, anchor)
            assert evidence.lower() != anchor.lower()
    assert len(set(found) - matched) <= 2
    assert found[next(t for t in found if "69% of Poles" in t)]["69% of Poles"].startswith("69%")
    assert "2%" in found[next(t for t in found if "declared in February" in t)]["prior"]
    # "most now meet that target" points back at the 2% of GDP two sentences before.
    assert found[next(t for t in found if "most now meet" in t)]["most now"] == "2%"
    wsj = found[next(t for t in found if "Wall Street Journal reported" in t)]
    assert "Ticking" not in wsj["Wall Street Journal"]
    for text in texts:
        for notice in ("copyright", "share", "become a member", "disclaimer", "subscribe"):
            assert notice not in text
    unresolved = [c for c in result.citations if not c.resolved]
    assert len(unresolved) == len(result.citations) > 10


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", "is empty"),
        ("blank.html", b"   \n\n ", "is empty"),
        ("binary.html", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary"),
        (
            "nothing.html",
            b"<html><body><nav><a href='/'>Home</a></nav></body></html>",
            "no article",
        ),
    ],
)
def test_bad_files_are_refused_and_nothing_is_written(
    *,
    database: Database,
    settings: Settings,
    tmp_path: Path,
    name: str,
    content: bytes,
    message: str,
) -> None:
    path = write(tmp_path, name, content)
    with pytest.raises(InvalidInput, match=message):
        ingest(database, ANA, settings, str(path))
    assert set(counts(database).values()) == {0}


def test_missing_file_and_bad_url_option(database: Database, settings: Settings) -> None:
    with pytest.raises(InvalidInput, match="no such file"):
        ingest(database, ANA, settings, "/nonexistent/story.html")
    with pytest.raises(InvalidInput, match="not an http"):
        ingest(
            database, ANA, settings, str(FIXTURES / "generic_news.html"), url="ftp://example.org/x"
        )
    assert set(counts(database).values()) == {0}


def test_ingest_from_url(database: Database, settings: Settings, http_server: LocalServer) -> None:
    page = (FIXTURES / "generic_news.html").read_text(encoding="utf-8")
    url = http_server.route("/news/budget", Reply(body=page))
    result = ingest(database, ANA, settings, url)
    assert result.article.url == url
    assert result.article.title == "City budget grows 12% as transit spending doubles"
    assert result.citations[0].url == f"{http_server.origin}/documents/budget-2024.pdf"
    assert "User-Agent" in http_server.requests[0].headers
    with database.reading() as session:
        article = session.get(Article, result.article.id)
        assert article is not None
        assert article.fetched_at is not None


def test_url_failures_are_clear_and_write_nothing(
    database: Database, settings: Settings, http_server: LocalServer
) -> None:
    missing = http_server.url("/gone")
    with pytest.raises(FetchError, match="HTTP 404"):
        ingest(database, ANA, settings, missing)
    pdf = http_server.route("/doc.pdf", Reply(body=b"%PDF-1.7 ...", content_type="application/pdf"))
    with pytest.raises(InvalidInput, match=r"not an article \(content type application/pdf\)"):
        ingest(database, ANA, settings, pdf)
    huge_settings = settings.with_overrides(max_body_bytes=2048)
    huge = http_server.route("/huge", html("Huge", "<p>" + "word " * 5000 + "</p>"))
    with pytest.raises(InvalidInput, match="larger than 2048 bytes"):
        ingest(database, ANA, huge_settings, huge)
    assert set(counts(database).values()) == {0}


def test_huge_file_is_refused(database: Database, settings: Settings, tmp_path: Path) -> None:
    path = write(tmp_path, "huge.html", "<html><body>" + "<p>word</p>" * 1000 + "</body></html>")
    with pytest.raises(InvalidInput, match="larger than"):
        ingest(database, ANA, settings.with_overrides(max_body_bytes=1024), str(path))
    assert set(counts(database).values()) == {0}


def test_plain_text_over_http_is_read_as_text(
    database: Database, settings: Settings, http_server: LocalServer
) -> None:
    url = http_server.route("/story.txt", Reply(body=ARTICLE, content_type="text/plain"))
    result = ingest(database, ANA, settings, url)
    assert result.article.title == "Budget Story"
    assert len(result.citations) == 2


def test_the_same_document_ingested_with_its_url_is_the_same_article(
    database: Database, settings: Settings, tmp_path: Path
) -> None:
    """An article's identity is its canonical URL, else its content: a saved copy ingested
    first without, then with, its URL stays one article and gains the URL."""
    text_file = write(tmp_path, "story.txt", ARTICLE)
    first = ingest(database, ANA, settings, str(text_file))
    second = ingest(database, ANA, settings, str(text_file), url="https://city.example.org/story")
    assert second.article.id == first.article.id
    assert not second.created
    assert second.article.url == "https://city.example.org/story"
    saved = str(FIXTURES / "globalresearch.html")
    page = ingest(database, ANA, settings, saved)
    again = ingest(database, ANA, settings, saved, url=GR_URL)  # a site scraper reads it now
    assert again.article.id == page.article.id
    assert again.article.source == "globalresearch.ca"
    assert counts(database)["articles"] == 2


def test_ingest_needs_a_reviewer_and_records_who(database: Database, settings: Settings) -> None:
    path = str(FIXTURES / "globalresearch.html")
    with pytest.raises(PermissionDenied, match="vic has role viewer"):
        ingest(database, Actor.reviewer("vic"), settings, path)
    with pytest.raises(PermissionDenied, match="system:checker may not ingest"):
        ingest(database, Actor.system("checker"), settings, path)
    assert set(counts(database).values()) == {0}


def test_re_ingest_reads_claim_histories_in_one_query(
    database: Database, settings: Settings, tmp_path: Path
) -> None:
    """Whether the extractor may touch a claim (is_touched) is read for all claims at once."""
    from tests.support.reports import count_queries

    path = write(tmp_path, "story.txt", ARTICLE)
    first = ingest(database, ANA, settings, str(path))
    assert len(first.claims) == 2
    path.write_text(ARTICLE.replace("12%", "13%"), encoding="utf-8")
    with count_queries(database) as statements:
        ingest(database, ANA, settings, str(path))
    reads = [
        s for s in statements if s.lstrip().upper().startswith("SELECT") and "claim_events" in s
    ]
    assert len(reads) == 1


def test_articles_list_takes_a_fixed_number_of_queries(
    database: Database, settings: Settings, tmp_path: Path
) -> None:
    from tests.support.reports import count_queries
    from tracker.actors import LOCAL_READER
    from tracker.articles.services import list_articles

    def queries_for_listing() -> int:
        with count_queries(database) as statements:
            listed = list_articles(database, LOCAL_READER)
        assert all(article.claim_count == 2 for article in listed)
        return len(statements)

    for number in range(3):
        ingest(
            database, ANA, settings, str(write(tmp_path, f"s{number}.txt", f"{number}\n{ARTICLE}"))
        )
    few = queries_for_listing()
    for number in range(3, 9):
        ingest(
            database, ANA, settings, str(write(tmp_path, f"s{number}.txt", f"{number}\n{ARTICLE}"))
        )
    assert queries_for_listing() == few <= 5
