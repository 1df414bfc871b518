"""The generic HTML scraper: metadata from the head, main text, and the links inside it."""

from __future__ import annotations

import lxml.etree
import lxml.html
from lxml.html import HtmlElement

from scrapers.base import ScrapedArticle
from scrapers.citations import body_and_citations
from scrapers.maintext import extract_main_text
from scrapers.metadata import Metadata, extract_metadata
from tracker.errors import InvalidInput
from tracker.urls import try_normalize_url


def parse_tree(document: str) -> HtmlElement:
    """The page as an lxml tree; InvalidInput when there is nothing to parse."""
    if not document.strip():
        raise InvalidInput("the document is empty")
    if "\x00" in document[:4096]:
        raise InvalidInput("the document is binary, not HTML")
    try:
        return lxml.html.fromstring(document)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise InvalidInput(f"cannot parse the document as HTML: {exc}") from None


def base_url(tree: HtmlElement, url: str | None) -> str | None:
    declared = tree.xpath("//base/@href")
    if declared:
        return try_normalize_url(str(declared[0]), url) or url
    return url


def assemble(
    name: str,
    tree: HtmlElement,
    paragraphs: list[str],
    metadata: Metadata,
    url: str | None,
    *,
    root: HtmlElement | None = None,
) -> ScrapedArticle:
    """The article whose body is ``paragraphs``, read back from the blocks of ``root``."""
    text, citations = body_and_citations(
        tree if root is None else root, paragraphs, base_url(tree, url)
    )
    return ScrapedArticle(
        text=text,
        scraper=name,
        title=metadata.title,
        authors=metadata.authors,
        site_name=metadata.site_name,
        published_at=metadata.published_at,
        url=url,
        citations=citations,
    )


class GenericScraper:
    name = "generic"

    def parse(self, document: str, url: str | None) -> ScrapedArticle:
        tree = parse_tree(document)
        return assemble(
            self.name, tree, extract_main_text(document, tree), extract_metadata(tree), url
        )
