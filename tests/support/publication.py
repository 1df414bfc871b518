"""A local publication for the feed tests: a home page naming its RSS feed, the feed (with an
ETag, answering 304 to a conditional request), a sitemap, and articles citing sources."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from tests.support.server import LocalServer, Reply, Request, html

PARAGRAPHS = (
    "<p>The city council met on Tuesday to discuss the budget for the coming year, and "
    "members spent most of the session on transport and housing.</p>"
    "<p>Several residents spoke during the public comment period about bus routes that were "
    "cut last spring and the long waits that followed in the outer districts.</p>"
    "<p>The mayor said the administration would publish a detailed plan next month, after "
    "talks with the unions and the regional transport authority.</p>"
)


@dataclass
class Story:
    slug: str
    title: str
    cites: str
    published: datetime


@dataclass
class Publication:
    server: LocalServer
    stories: list[Story] = field(default_factory=list)
    feed_polls: list[Request] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.server.route("/", html("The Daily Example", self._home_links() + "<p>News.</p>"))
        self.server.route("/feed.xml", self._feed)
        self.server.route("/sitemap.xml", self._sitemap)

    @staticmethod
    def _home_links() -> str:
        return '<link rel="alternate" type="application/rss+xml" title="News" href="/feed.xml">'

    def publish(self, slug: str, title: str, cites: str) -> str:
        """Add an article (newest) citing ``cites``; its URL."""
        when = datetime(2026, 11, 1, 9, tzinfo=UTC) + timedelta(hours=len(self.stories))
        self.stories.append(Story(slug, title, cites, when))
        body = (
            f"<article><h1>{title}</h1>"
            f'<p>Unemployment fell to 4.2% in March, according to <a href="{cites}">the '
            "statistics office</a>, with 1,250,000 people out of work.</p>"
            f"{PARAGRAPHS}</article>"
        )
        return self.server.route(f"/news/{slug}.html", html(title, body))

    @property
    def etag(self) -> str:
        return f'"v{len(self.stories)}"'

    def _feed(self, request: Request) -> Reply:
        self.feed_polls.append(request)
        if request.headers.get("If-None-Match") == self.etag:
            return Reply(304, b"", headers={"ETag": self.etag}, content_type=None)
        items = "".join(
            f"<item><title>{story.title}</title>"
            f"<link>{self.server.url(f'/news/{story.slug}.html')}</link>"
            f"<pubDate>{format_datetime(story.published)}</pubDate></item>"
            for story in reversed(self.stories)
        )
        rss = (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>The Daily Example</title><link>{self.server.url('/')}</link>"
            f"{items}</channel></rss>"
        )
        return Reply(200, rss, headers={"ETag": self.etag}, content_type="application/rss+xml")

    def _sitemap(self, _request: Request) -> Reply:
        urls = "".join(
            f"<url><loc>{self.server.url(f'/news/{story.slug}.html')}</loc>"
            f"<lastmod>{story.published.date().isoformat()}</lastmod></url>"
            for story in self.stories
        )
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
        )
        return Reply(200, xml, content_type="application/xml")
