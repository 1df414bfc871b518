"""The recorded figures on the real pages and sentences of ../shared/corpus.

Skipped (with the reason) where the corpus is absent; CI has it. Each page is parsed once per
session. The thresholds are the figures ``benchmarks/`` printed, minus a small margin:
main-text F1 0.972 on 150 pages, check-worthy F1 0.773 (4-fold cross-validated).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scrapers import ScrapedArticle, parse_document
from tracker.errors import TrackerError
from tracker.extraction.detector import is_checkworthy
from tracker.extraction.evaluation import CorpusPage, article_pages, corpus_dir, text_scores
from tracker.extraction.training import cross_validate, read_labelled

MAIN_TEXT_F1 = 0.965
CHECKWORTHY_F1 = 0.76

CORPUS = corpus_dir()
pytestmark = pytest.mark.skipif(
    CORPUS is None, reason="../shared/corpus is not present next to the project"
)


@pytest.fixture(scope="session")
def corpus() -> Path:
    assert CORPUS is not None
    return CORPUS


@pytest.fixture(scope="session")
def parsed(corpus: Path) -> list[tuple[CorpusPage, ScrapedArticle | str]]:
    """Every annotated page through the full HTML scraper, once (errors kept as text)."""
    results: list[tuple[CorpusPage, ScrapedArticle | str]] = []
    for page in article_pages(corpus):
        try:
            article = parse_document(page.path.read_text(encoding="utf-8"), page.url, "html")
        except TrackerError as exc:
            results.append((page, f"{page.key}: {exc}"))
        else:
            results.append((page, article))
    return results


def test_every_page_parses(parsed: list[tuple[CorpusPage, ScrapedArticle | str]]) -> None:
    failures = [result for _page, result in parsed if isinstance(result, str)]
    assert failures == []
    assert len(parsed) >= 150


def test_main_text_f1(parsed: list[tuple[CorpusPage, ScrapedArticle | str]]) -> None:
    pairs = [
        (page.expected, result.text if isinstance(result, ScrapedArticle) else "")
        for page, result in parsed
    ]
    assert text_scores(pairs).f1 >= MAIN_TEXT_F1


def test_citations_point_into_the_body(
    parsed: list[tuple[CorpusPage, ScrapedArticle | str]],
) -> None:
    total = 0
    for _page, article in parsed:
        assert isinstance(article, ScrapedArticle)
        for citation in article.citations:
            assert article.text[citation.offset :].startswith(citation.anchor_text)
            assert citation.url is not None
            assert citation.url.startswith(("http://", "https://"))
        total += len(article.citations)
    assert total > 500


@pytest.mark.slow
def test_checkworthy_f1_cross_validated(corpus: Path) -> None:
    sentences, labels = read_labelled(corpus / "checkworthy" / "kfold_25ncs.csv")
    assert cross_validate(sentences, labels, is_checkworthy).f1 >= CHECKWORTHY_F1
