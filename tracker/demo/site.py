"""The demo's local web site: an opinion article, the pages it cites, and an archive.

A real threaded HTTP server on 127.0.0.1 (a free port), so the demo exercises the same
fetching, redirect, soft-404 and archive code as production, offline. The article and pages
were written for the demo; their claims are modelled on the kind of opinion piece the tracker
is for (a poll figure, a defence-spending figure, an air-defence figure).

What the cited pages do (:data:`CITED_PAGES`):

========== ================================================================================
alive      200 with the poll figure, always
moved      301 to a new URL that still carries the spending figure
edited     200 with the budget figure on the first ``edit_after`` GETs, then without it
           (or when :meth:`DemoSite.edit_figure` is called)
dead       404 (the air-defence report is gone); archived
gone       410 (the logistics analysis was withdrawn); archived
soft_404   200 whose page says "not found" (the press release vanished); archived
========== ================================================================================

The archive answers the Wayback availability API at ``/wayback/available?url=...`` (point
the ``archive_url`` setting at :attr:`DemoSite.archive_api_url`) and serves the snapshots
at ``/web/<timestamp>/<original url>``. A second archive speaks Memento (RFC 7089): a TimeMap
at ``/memento/timemap/<url>``, a TimeGate at ``/memento/timegate/<url>`` and its mementos at
``/memento/web/<timestamp>/<url>`` (:meth:`DemoSite.memento_archive`); it holds other dates of
some pages, so each dead link's copy comes from the archive whose copy is closest to the
article's date.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

ARTICLE_PATH = "/opinion/2024/11/five-obstacles-peacekeepers.html"
ARCHIVE_API_PATH = "/wayback/available"
SNAPSHOT_PREFIX = "/web/"
SNAPSHOT_TIMESTAMP = "20241020120000"
MEMENTO_PREFIX = "/memento/"


@dataclass(frozen=True)
class CitedPage:
    """One page the article cites, how it behaves, and the figure a claim relies on."""

    key: str
    path: str
    behaviour: str
    status: int  # what a GET of ``path`` answers (before redirects)
    figure: str
    title: str
    body: str
    archived: bool = False
    moved_to: str | None = None
    memento_at: str | None = None
    """When the Memento archive captured the page (YYYYMMDDhhmmss); None: it did not."""


POLL = CitedPage(
    key="poll",
    path="/polls/2024/poles-oppose-sending-troops.html",
    behaviour="alive",
    status=200,
    figure="69%",
    title="Survey: most Poles oppose sending troops to Ukraine",
    body=(
        "<p>In our July survey of 1,000 adults, 69% of Poles said they oppose sending Polish "
        "troops to Ukraine in any capacity, including as part of a peacekeeping mission. "
        "21% were in favour and 10% had no opinion.</p>"
    ),
)
SPENDING = CitedPage(
    key="spending",
    path="/news/nato-spending-target",
    behaviour="moved",
    status=301,
    moved_to="/news/2024/02/nato-allies-two-percent-of-gdp.html",
    figure="2% of GDP",
    title="Allies told to meet the 2% of GDP defence target",
    body=(
        "<p>Allies that do not spend at least 2% of GDP on defence were warned in February "
        "that they could not count on protection. Most allies now meet the target.</p>"
    ),
)
BUDGETS = CitedPage(
    key="budgets",
    path="/data/defence-budgets-2024.html",
    behaviour="edited",
    status=200,
    figure="2% of GDP",
    title="Defence budgets of the allies, 2024",
    body=(
        "<p>23 of the 32 allies are expected to spend at least 2% of GDP on defence this "
        "year, up from 3 a decade ago.</p>"
    ),
    archived=True,
)
BUDGETS_EDITED_BODY = (
    "<p>Defence spending estimates for 2024 are being revised and will be published "
    "later this year.</p>"
)
AIR_DEFENCE = CitedPage(
    key="air_defence",
    path="/reports/air-defence-gap.html",
    behaviour="dead",
    status=404,
    figure="5%",
    title="The eastern flank's air-defence gap",
    body=(
        "<p>By our count the alliance has only about 5% of the air defences needed to "
        "protect its eastern flank against a large missile attack.</p>"
    ),
    archived=True,
)
LOGISTICS = CitedPage(
    key="logistics",
    path="/analysis/race-of-logistics.html",
    behaviour="gone",
    status=410,
    figure="military Schengen",
    title="Losing the race of logistics",
    body=(
        "<p>No progress was made at the summit on the military Schengen that would let "
        "troops and equipment move east without border delays.</p>"
    ),
    archived=True,
    memento_at="20241108090000",  # three days before the article: nearer than the other copy
)
MISSION = CitedPage(
    key="mission",
    path="/press/2024/peacekeeping-mission-statement.html",
    behaviour="soft_404",
    status=200,
    figure="west of the Dnieper",
    title="Statement on a possible peacekeeping mission",
    body=(
        "<p>A scaled-back mission could deploy west of the Dnieper while the line of "
        "contact is frozen.</p>"
    ),
    archived=True,
    memento_at="20230301000000",  # long before the article: the other archive's copy wins
)

CITED_PAGES: tuple[CitedPage, ...] = (POLL, SPENDING, BUDGETS, AIR_DEFENCE, LOGISTICS, MISSION)
_CITED_BY_PATH = {page.path: page for page in CITED_PAGES}

ARTICLE_TITLE = "Five Obstacles to a European Peacekeeping Mission in Ukraine"
ARTICLE_AUTHOR = "Marta Nowicka"
ARTICLE_SITE = "The Demo Ledger"
ARTICLE_PUBLISHED = "2024-11-11T08:00:00+00:00"


def _page(title: str, body: str, *, extra_head: str = "") -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title>{extra_head}</head>"
        f"<body><main><h1>{escape(title)}</h1>{body}</main></body></html>"
    )


def article_html(origin: str) -> str:
    """The demo article; every cited page is a real absolute link on this site."""

    def cite(page: CitedPage, text: str) -> str:
        return f'<a href="{escape(origin + page.path)}">{escape(text)}</a>'

    head = (
        f'<meta name="author" content="{escape(ARTICLE_AUTHOR)}">'
        f'<meta property="og:title" content="{escape(ARTICLE_TITLE)}">'
        f'<meta property="og:site_name" content="{escape(ARTICLE_SITE)}">'
        '<meta property="og:type" content="article">'
        f'<meta property="article:published_time" content="{ARTICLE_PUBLISHED}">'
        f'<link rel="canonical" href="{escape(origin + ARTICLE_PATH)}">'
    )
    body = f"""
<p class="byline">By {escape(ARTICLE_AUTHOR)}, {escape(ARTICLE_SITE)}, November 11, 2024</p>
<article>
<p>A peacekeeping mission in Ukraine run by European members of NATO, without American troops,
is easier to announce than to organise. Here is what stands in its way.</p>
<h2>1. Public opinion in Poland is strongly against it</h2>
<p>No such mission is imaginable without Poland, yet a survey over the summer showed that
{cite(POLL, "69% of Poles oppose sending troops")} to Ukraine in any capacity.</p>
<h2>2. Confidence in collective defence is shaken</h2>
<p>Allies were told in February that members who do not spend at least
{cite(SPENDING, "2% of their GDP on defense")} could not count on protection. Even though
{cite(BUDGETS, "most allies now meet the 2% of GDP target")}, they may fear new conditions.</p>
<h2>3. The alliance is unprepared for a long conventional war</h2>
<p>It is losing the {cite(LOGISTICS, "race of logistics")}, and the bloc
{cite(AIR_DEFENCE, "only has 5% of the air defenses needed")} to protect itself.</p>
<h2>4. Mediation could shrink the mission</h2>
<p>A scaled-back mission deploying {cite(MISSION, "west of the Dnieper")} has been discussed,
as explained <a>in an earlier column</a>.</p>
<h2>5. Cautious capitals may cut their losses</h2>
<p>All the same, Europe's capitals may decide that the risks outweigh the rewards.</p>
</article>"""
    return _page(ARTICLE_TITLE, body, extra_head=head)


SOFT_404_BODY = (
    "<p>Sorry, the page you are looking for could not be found. It may have been moved or "
    "deleted.</p><p><a href='/'>Back to the home page</a></p>"
)


@dataclass
class _Reply:
    status: int
    body: str = ""
    content_type: str = "text/html; charset=utf-8"
    location: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


class DemoSite:
    """The demo site on 127.0.0.1; use as a context manager or call start() and stop()."""

    def __init__(self, *, edit_after: int | None = 1, port: int = 0) -> None:
        self.edit_after = edit_after
        self.hits: Counter[str] = Counter()
        self._edited = False
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},  # stop() returns promptly
            name="demo-site",
            daemon=True,
        )
        self.port: int = self._server.server_address[1]

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.origin + path

    @property
    def article_url(self) -> str:
        return self.url(ARTICLE_PATH)

    @property
    def archive_api_url(self) -> str:
        return self.url(ARCHIVE_API_PATH)

    def page_url(self, key: str) -> str:
        return self.url(_page_by_key(key).path)

    def snapshot_url(self, page: CitedPage) -> str:
        return f"{self.origin}{SNAPSHOT_PREFIX}{SNAPSHOT_TIMESTAMP}/{self.url(page.path)}"

    @property
    def edited(self) -> bool:
        with self._lock:
            return self._edited

    def edit_figure(self) -> None:
        """From now on, the budgets page no longer carries its figure."""
        with self._lock:
            self._edited = True

    def start(self) -> DemoSite:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> DemoSite:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # Routing -----------------------------------------------------------------------------

    def reply(self, method: str, target: str) -> _Reply:
        parts = urlsplit(target)
        path = parts.path
        if method == "GET":
            with self._lock:
                self.hits[path] += 1
        if path.startswith(MEMENTO_PREFIX):
            return self._memento(method, target.removeprefix(MEMENTO_PREFIX))
        if path == ARCHIVE_API_PATH:
            return self._availability(parse_qs(parts.query).get("url", [""])[0])
        if path.startswith(SNAPSHOT_PREFIX):
            return self._snapshot(target.removeprefix(SNAPSHOT_PREFIX))
        if path in _CITED_BY_PATH:
            return self._cited(method, _CITED_BY_PATH[path])
        pages: dict[str | None, Callable[[], str]] = {
            "/": self._index,
            ARTICLE_PATH: lambda: article_html(self.origin),
            SPENDING.moved_to: lambda: _page(SPENDING.title, SPENDING.body),
        }
        if path in pages:
            return _Reply(200, pages[path]())
        return _Reply(404, _page("Not found", "<p>No such page.</p>"))

    def _cited(self, method: str, page: CitedPage) -> _Reply:
        if page.behaviour == "moved" and page.moved_to:
            return _Reply(301, "", location=self.url(page.moved_to))
        if page.behaviour in {"dead", "gone"}:
            return _Reply(page.status, _page("Not found", "<p>This page does not exist.</p>"))
        if page.behaviour == "soft_404":
            return _Reply(200, _page("Page not found", SOFT_404_BODY))
        if page.behaviour == "edited" and self._is_edited(method, page):
            return _Reply(200, _page(page.title, BUDGETS_EDITED_BODY))
        return _Reply(200, _page(page.title, page.body))

    def _is_edited(self, method: str, page: CitedPage) -> bool:
        with self._lock:
            if self._edited:
                return True
            if self.edit_after is None:
                return False
            # This GET was counted already: requests past the first edit_after see the edit.
            count = self.hits[page.path] if method == "GET" else self.hits[page.path] + 1
            return count > self.edit_after

    def _availability(self, url: str) -> _Reply:
        page = self._archived_page(url)
        snapshots: dict[str, Any] = {}
        if page is not None:
            snapshots["closest"] = {
                "available": True,
                "url": self.snapshot_url(page),
                "timestamp": SNAPSHOT_TIMESTAMP,
                "status": "200",
            }
        body = json.dumps({"url": url, "archived_snapshots": snapshots})
        return _Reply(200, body, content_type="application/json")

    def _archived_page(self, url: str) -> CitedPage | None:
        if "://" not in url:
            url = "http://" + url
        parts = urlsplit(url)
        if parts.hostname != "127.0.0.1" or parts.port != self.port:
            return None
        return next(
            (page for page in CITED_PAGES if page.archived and page.path == parts.path), None
        )

    def _snapshot(self, rest: str) -> _Reply:
        timestamp, _, original = rest.partition("/")
        page = self._archived_page(original)
        if timestamp != SNAPSHOT_TIMESTAMP or page is None:
            return _Reply(404, _page("Not in the archive", "<p>No snapshot.</p>"))
        banner = (
            f"<p><em>Archived copy of {escape(self.url(page.path))} taken "
            f"{SNAPSHOT_TIMESTAMP[:4]}-{SNAPSHOT_TIMESTAMP[4:6]}-{SNAPSHOT_TIMESTAMP[6:8]}."
            "</em></p>"
        )
        return _Reply(200, _page(page.title, banner + page.body))

    def memento_archive(self) -> dict[str, str]:
        """The Memento archive as the ``memento_archives`` setting names it."""
        return {
            "name": "demo-memento",
            "timegate": self.url(f"{MEMENTO_PREFIX}timegate/"),
            "timemap": self.url(f"{MEMENTO_PREFIX}timemap/"),
        }

    def memento_url(self, page: CitedPage) -> str:
        return self.url(f"{MEMENTO_PREFIX}web/{page.memento_at}/{self.url(page.path)}")

    def _memento(self, method: str, rest: str) -> _Reply:
        kind, _, tail = rest.partition("/")
        if kind == "web":
            stamp, _, original = tail.partition("/")
            page = self._archived_page(original)
            if page is None or page.memento_at != stamp:
                return _Reply(404, _page("Not in the archive", "<p>No memento.</p>"))
            banner = f"<p><em>Memento of {escape(self.url(page.path))}.</em></p>"
            return _Reply(
                200,
                _page(page.title, banner + page.body),
                headers={"Memento-Datetime": _http_date(page.memento_at)},
            )
        page = self._archived_page(tail)
        if page is None or page.memento_at is None:
            return _Reply(404, "no mementos", content_type="text/plain")
        if kind == "timegate":
            return _Reply(302, "", location=self.memento_url(page))
        if kind == "timemap":
            original = self.url(page.path)
            links = [
                f'<{original}>; rel="original"',
                (
                    f'<{self.memento_url(page)}>; rel="first last memento"; '
                    f'datetime="{_http_date(page.memento_at)}"'
                ),
                (
                    f'<{self.url(MEMENTO_PREFIX + "timemap/" + original)}>; rel="self"; '
                    'type="application/link-format"'
                ),
            ]
            return _Reply(200, ",\n".join(links), content_type="application/link-format")
        return _Reply(404, "no such Memento resource", content_type="text/plain")

    def _index(self) -> str:
        items = "".join(
            f'<li><a href="{escape(self.url(page.path))}">{escape(page.title)}</a> '
            f"({escape(page.behaviour)})</li>"
            for page in CITED_PAGES
        )
        article = f'<p><a href="{escape(self.article_url)}">{escape(ARTICLE_TITLE)}</a></p>'
        return _page("fact-tracker demo site", article + f"<ul>{items}</ul>")

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the demo prints its own summary."""

            def _serve(self) -> None:
                reply = site.reply(self.command, self.path)
                body = reply.body.encode("utf-8")
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(body)))
                if reply.location:
                    self.send_header("Location", reply.location)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            do_GET = do_HEAD = _serve  # noqa: N815

        return Handler


def _http_date(stamp: str) -> str:
    """YYYYMMDDhhmmss as an HTTP date (what Memento-Datetime and TimeMaps carry)."""
    when = datetime.strptime(stamp, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    return format_datetime(when, usegmt=True)


def _page_by_key(key: str) -> CitedPage:
    for page in CITED_PAGES:
        if page.key == key:
            return page
    raise KeyError(key)
