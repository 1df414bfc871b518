"""Scrapers for sites whose article markup we know: the body container is picked directly.

Each site names the element that holds the article body, the elements inside it that are
not article text (share bars, subscription widgets, author boxes), and where its metadata
lives when the generic sources miss it. When the container is missing (a redesign), the
generic scraper takes over, so a site scraper never does worse than the generic one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from lxml.html import HtmlElement

from scrapers.base import ScrapedArticle
from scrapers.boilerplate import is_notice, is_separator
from scrapers.generic import GenericScraper, assemble, parse_tree
from scrapers.metadata import extract_metadata, parse_date

_PARAGRAPH_TAGS = ("p", "h2", "h3", "h4", "li", "blockquote", "pre", "figcaption")
_LONG_DATE = re.compile(r"([A-Z][a-z]+ \d{1,2}, \d{4})")


@dataclass(frozen=True)
class SiteScraper:
    name: str
    body: str  # XPath of the body container
    drop: str  # XPath, relative to the container, of non-article elements
    title: str = ""
    author: str = ""
    date: str = ""
    site_name: str | None = None

    def parse(self, document: str, url: str | None) -> ScrapedArticle:
        tree = parse_tree(document)
        containers = tree.xpath(self.body)
        if not containers:
            article = GenericScraper().parse(document, url)
            article.scraper = f"{self.name}+generic"
            return article
        container: HtmlElement = containers[0]
        for element in container.xpath(self.drop) if self.drop else []:
            parent = element.getparent()
            if parent is not None:
                parent.remove(element)  # tails go with them: notices rarely leave text behind
        metadata = extract_metadata(tree)
        metadata.title = self._first_text(tree, self.title) or metadata.title
        if self.author:
            authors = [" ".join(a.text_content().split()) for a in tree.xpath(self.author)]
            metadata.authors = list(dict.fromkeys(a for a in authors if a)) or metadata.authors
        if metadata.published_at is None and self.date:
            match = _LONG_DATE.search(self._first_text(tree, self.date) or "")
            if match:
                metadata.published_at = _long_date(match.group(1))
        metadata.site_name = metadata.site_name or self.site_name
        return assemble(self.name, tree, _paragraphs(container), metadata, url, root=container)

    @staticmethod
    def _first_text(tree: HtmlElement, xpath: str) -> str | None:
        if not xpath:
            return None
        found = tree.xpath(xpath)
        text = " ".join(found[0].text_content().split()) if found else ""
        return text or None


def _paragraphs(container: HtmlElement) -> list[str]:
    paragraphs = []
    for element in container.iter(*_PARAGRAPH_TAGS):
        if any(ancestor.tag in _PARAGRAPH_TAGS for ancestor in element.iterancestors()):
            continue  # the outer block already holds this text
        text = " ".join(element.text_content().split())
        if text and not is_separator(text) and not is_notice(text):
            paragraphs.append(text)
    return paragraphs


def _long_date(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, "%B %d, %Y").replace(tzinfo=UTC)
    except ValueError:
        return parse_date(text)


GLOBALRESEARCH = SiteScraper(
    name="globalresearch",
    body="//article//div[contains(concat(' ', normalize-space(@class), ' '), ' entry-content ')]"
    " | //div[contains(concat(' ', normalize-space(@class), ' '), ' entry-content ')]",
    drop=".//*[contains(@class, 'share') or contains(@class, 'sharing') "
    "or contains(@class, 'author-box') or contains(@class, 'disclaimer') "
    "or contains(@class, 'related') or contains(@class, 'membership') "
    "or contains(@class, 'newsletter') or contains(@class, 'copyright')] | .//script | .//style",
    title="//h1[contains(@class, 'entry-title')]",
    author="//*[contains(@class, 'author-name')]//a | //a[@rel='author']",
    date="//*[contains(@class, 'date')]",
    site_name="Global Research",
)

SUBSTACK = SiteScraper(
    name="substack",
    body="//div[contains(@class, 'available-content')]//div[contains(@class, 'body') "
    "and contains(@class, 'markup')]",
    drop=".//div[contains(@class, 'subscription-widget') or contains(@class, 'subscribe-widget') "
    "or contains(@class, 'button-wrapper') or contains(@class, 'footnote')] "
    "| .//p[contains(@class, 'button-wrapper')] | .//script | .//style",
    title="//h1[contains(@class, 'post-title')]",
    author="//*[contains(@class, 'byline-names')]//a | //a[contains(@class, 'author-name')]",
    date="//*[contains(@class, 'post-date')]",
)
