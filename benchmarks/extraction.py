"""Main-text extraction and ingestion on the real pages of ../shared/corpus/articles.

Prints, for our extractor and for baselines measured in the same run (the whole page's text,
trafilatura alone with its defaults, readability-lxml alone): main-text precision, recall and
F1 with the upstream benchmark's metric, and ms per page. Then ingests every page from its
file into a throw-away SQLite database and prints pages ingested without error, citations
and claims found, and ms per page end to end.

    .venv/bin/python benchmarks/extraction.py
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable

import lxml.html
import trafilatura

from scrapers import parse_document
from scrapers.maintext import extract_main_text, readability_text
from tracker import migrate
from tracker.actors import Actor
from tracker.articles.services import ingest
from tracker.db import Database
from tracker.errors import TrackerError
from tracker.extraction.evaluation import (
    CorpusPage,
    article_pages,
    corpus_dir,
    text_scores,
)
from tracker.models import Reviewer
from tracker.settings import load_settings


def whole_page_text(html: str) -> str:
    tree = lxml.html.fromstring(html)
    for element in tree.xpath("//script | //style | //noscript"):
        element.drop_tree()
    return str(tree.text_content())


def measure(
    name: str, extract: Callable[[str], str], pages: list[CorpusPage], htmls: list[str]
) -> tuple[float, float]:
    """(F1, ms per page) of one extractor over every page."""
    started = time.perf_counter()
    outputs = [extract(html) for html in htmls]
    ms = (time.perf_counter() - started) * 1000 / len(htmls)
    scores = text_scores([(page.expected, out) for page, out in zip(pages, outputs, strict=True)])
    print(f"  {name:32} {scores}  {ms:6.1f} ms/page")
    return scores.f1, ms


def main() -> None:
    corpus = corpus_dir()
    if corpus is None:
        raise SystemExit("../shared/corpus not found next to the project: nothing to measure")
    pages = article_pages(corpus)
    htmls = [page.path.read_text(encoding="utf-8") for page in pages]
    print(f"main text on {len(pages)} pages (upstream 4-gram shingle metric):")
    measure("whole page text (baseline)", whole_page_text, pages, htmls)
    base_f1, base_ms = measure(
        "trafilatura alone (defaults)", lambda h: trafilatura.extract(h) or "", pages, htmls
    )
    measure("readability-lxml alone", readability_text, pages, htmls)
    ours_f1, ours_ms = measure(
        "fact-tracker (combined)", lambda h: "\n\n".join(extract_main_text(h)), pages, htmls
    )
    print(f"  ratio to trafilatura alone: F1 {ours_f1 / base_f1:.3f}, time {ours_ms / base_ms:.2f}")
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
