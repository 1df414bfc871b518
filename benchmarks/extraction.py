"""Main-text extraction and ingestion on the real pages of ../shared/corpus/articles.

1. Each extractor alone on all 150 pages (upstream 4-gram shingle metric, ms per page):
   the whole page's text, trafilatura with its defaults, in recall and in precision mode,
   readability-lxml, and ours.
2. Our rule's numbers are chosen from a small grid. To report a figure on pages the choice
   did not see, the choice is made by 5-fold cross-validation (10 shuffles): on each training
   part the best rule is picked, and it is scored on the held-out fold.
3. The full HTML scraper (metadata, main text, sentences, citations), then ingestion of every
   page into a throw-away SQLite database.

    .venv/bin/python benchmarks/extraction.py
"""

from __future__ import annotations

import random
import tempfile
import time
from collections import Counter
from collections.abc import Callable

import lxml.html
import trafilatura

from scrapers import parse_document
from scrapers.maintext import (
    RULE,
    Rule,
    choose,
    extract_main_text,
    needs_fallback,
    paragraph_words,
    readability_text,
    trafilatura_text,
    without_notices,
)
from tracker import migrate
from tracker.actors import Actor
from tracker.articles.services import ingest
from tracker.db import Database
from tracker.errors import TrackerError
from tracker.extraction.evaluation import (
    CorpusPage,
    Scores,
    article_pages,
    corpus_dir,
    page_counts,
    scores_from_counts,
    text_scores,
)
from tracker.models import Reviewer
from tracker.settings import load_settings

FOLDS = 5
SHUFFLES = 10
GRID = [
    Rule(suspicious, 1.5, coverage) for suspicious in (0.3, 0.5, 0.7) for coverage in (0.3, 0.5)
]


def whole_page_text(html: str) -> str:
    tree = lxml.html.fromstring(html)
    for element in tree.xpath("//script | //style | //noscript"):
        element.drop_tree()
    return str(tree.text_content())


def measure(
    name: str, extract: Callable[[str], str], pages: list[CorpusPage], htmls: list[str]
) -> tuple[Scores, list[str]]:
    started = time.perf_counter()
    outputs = [extract(html) for html in htmls]
    ms = (time.perf_counter() - started) * 1000 / len(htmls)
    scores = text_scores([(page.expected, out) for page, out in zip(pages, outputs, strict=True)])
    print(f"  {name:34} {scores}  {ms:6.1f} ms/page")
    return scores, outputs


def cross_validated_rule(
    pages: list[CorpusPage], precise: list[str], readable: list[str], page_words: list[int]
) -> None:
    """Held-out F1 of choosing the rule on training folds, beside each extractor alone."""
    counts: dict[str, list[tuple[float, float, float]]] = {}
    for rule in GRID:
        texts = [
            choose(primary, fallback, rule) if needs_fallback(primary, words, rule) else primary
            for primary, fallback, words in zip(precise, readable, page_words, strict=True)
        ]
        counts[str(rule)] = [
            page_counts(page.expected, text) for page, text in zip(pages, texts, strict=True)
        ]
    held: list[tuple[float, float, float]] = []
    picked: Counter[str] = Counter()
    for shuffle in range(SHUFFLES):
        order = list(range(len(pages)))
        random.Random(shuffle).shuffle(order)
        folds = [order[i::FOLDS] for i in range(FOLDS)]
        for number, test in enumerate(folds):
            train = [i for other, fold in enumerate(folds) if other != number for i in fold]
            best = max(
                counts, key=lambda name: scores_from_counts([counts[name][i] for i in train]).f1
            )
            picked[best] += 1
            held.extend(counts[best][i] for i in test)
    print(f"  rule chosen on training folds, scored on held-out folds ({FOLDS}-fold x {SHUFFLES}):")
    print(f"    {scores_from_counts(held)}")
    print(f"    chosen: {', '.join(f'{name} x{n}' for name, n in picked.most_common(3))}")
    print(f"    shipped: {RULE}")


def main() -> None:
    corpus = corpus_dir()
    if corpus is None:
        raise SystemExit("../shared/corpus not found next to the project: nothing to measure")
    pages = article_pages(corpus)
    htmls = [page.path.read_text(encoding="utf-8") for page in pages]
    print(f"main text on {len(pages)} pages (upstream 4-gram shingle metric):")
    measure("whole page text (baseline)", whole_page_text, pages, htmls)
    base, _ = measure(
        "trafilatura alone (defaults)", lambda h: trafilatura.extract(h) or "", pages, htmls
    )
    measure(
        "trafilatura favor_recall",
        lambda h: trafilatura.extract(h, favor_recall=True) or "",
        pages,
        htmls,
    )
    _, precise = measure(
        "trafilatura favor_precision", lambda h: without_notices(trafilatura_text(h)), pages, htmls
    )
    _, readable = measure("readability-lxml alone", readability_text, pages, htmls)
    ours, _ = measure(
        "fact-tracker (shipped rule)", lambda h: "\n\n".join(extract_main_text(h)), pages, htmls
    )
    print(f"  ratio to trafilatura alone: F1 {ours.f1 / base.f1:.3f}")
    page_words = [paragraph_words(lxml.html.fromstring(html)) for html in htmls]
    cross_validated_rule(pages, precise, readable, page_words)
    started = time.perf_counter()
    for page, html in zip(pages, htmls, strict=True):
        parse_document(html, page.url, "html")
    parse_ms = (time.perf_counter() - started) * 1000 / len(pages)
    print(
        f"  full HTML scraper (metadata, main text, sentences, citations): {parse_ms:.1f} ms/page"
    )

    settings = load_settings()
    with tempfile.TemporaryDirectory() as folder:
        database = Database(f"sqlite:///{folder}/bench.sqlite3")
        migrate.upgrade(database.engine)
        with database.transaction() as session:
            session.add(Reviewer(name="bench"))
        bench = Actor.reviewer("bench")
        ok = citations = claims = 0
        failures: list[str] = []
        started = time.perf_counter()
        for page in pages:
            try:
                result = ingest(database, bench, settings, str(page.path), url=page.url, fmt="html")
            except TrackerError as exc:
                failures.append(f"{page.key[:12]}: {exc}")
                continue
            ok += 1
            citations += len(result.citations)
            claims += len(result.claims)
        ms = (time.perf_counter() - started) * 1000 / len(pages)
        database.dispose()
    print(
        f"ingest from files: {ok}/{len(pages)} pages without error, {citations} citations, "
        f"{claims} claims, {ms:.1f} ms/page end to end (parse, claims, SQLite)"
    )
    for failure in failures:
        print(f"  failed: {failure}")


if __name__ == "__main__":
    main()
