"""The recorded figures on the real pages and sentences of ../shared/corpus.

Skipped (with the reason) where the corpus is absent; CI has it. Each page is parsed once per
session. The thresholds are the figures ``benchmarks/`` printed, minus a small margin:
main-text F1 0.973 on 150 pages (0.972 held out), check-worthy F1 0.781 on the debates (recall
on claims without digits 0.714) and 0.751 on our own set (group 5-fold cross-validated with the
shipped C and threshold).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scrapers import ScrapedArticle, parse_document
from tracker.errors import TrackerError
from tracker.extraction.evaluation import CorpusPage, article_pages, corpus_dir, text_scores
from tracker.extraction.model import shipped_model
from tracker.extraction.training import group_cv, read_claimbuster, read_own

MAIN_TEXT_F1 = 0.965
CHECKWORTHY_F1 = 0.77
OWN_SET_F1 = 0.73
NO_DIGIT_RECALL = 0.70

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
    debates = read_claimbuster(corpus / "checkworthy" / "kfold_25ncs.csv")
    own = read_own()
    model = shipped_model()
    c = float(model.meta["c"])
    on_debates = group_cv("debates", debates, own, c=c, threshold=model.threshold)
    assert on_debates.scores.f1 >= CHECKWORTHY_F1
    assert on_debates.no_digit_recall >= NO_DIGIT_RECALL
    on_own = group_cv("own", own, debates, c=c, threshold=model.threshold)
    assert on_own.scores.f1 >= OWN_SET_F1
