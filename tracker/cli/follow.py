"""``follow``: publications followed by their feed or sitemap, polled by the scheduler."""

from __future__ import annotations

import click

from tracker.cli._common import (
    AppContext,
    emit_json,
    json_option,
    pass_app,
    print_table,
    reviewer_option,
    say,
)
from tracker.feeds.views import FeedView


class FollowGroup(click.Group):
    """``follow URL`` is ``follow add URL``: the everyday form needs no subcommand name."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["add", *args]
        return super().parse_args(ctx, args)


@click.group(cls=FollowGroup)
def follow() -> None:
    """Follow a publication: its new articles are ingested as the scheduler polls it.

    URL is the publication's RSS or Atom feed, its sitemap, or its home page (the feed is found
    from <link rel="alternate">). `fact-tracker schedule` polls each followed publication every
    FACT_TRACKER_FEEDS_POLL_MINUTES with conditional requests and the checker's politeness (one
    fetch at a time per host, spaced by FACT_TRACKER_PER_HOST_RATE or
    FACT_TRACKER_PER_DOMAIN_LIMITS; a host paused by a 429, 503 or Retry-After is left alone by
    checkers and pollers until its pause ends), and ingests up to FACT_TRACKER_FEEDS_MAX_ENTRIES
    new articles a poll; what it skipped, and why, is kept (`follow status`). The domain's
    credibility record grows with every article.

    \b
    Examples:
      fact-tracker follow https://news.example.org/              find the feed on the home page
      fact-tracker follow https://news.example.org/sitemap.xml --only-new
      fact-tracker follow list --json
      fact-tracker follow status 1
      fact-tracker follow remove 1
    """


@follow.command("add", hidden=True)
@click.argument("url")
@click.option(
    "--only-new", is_flag=True, help="Leave out the articles listed today; ingest later ones."
)
@json_option
@reviewer_option
@pass_app
def add_command(
    app: AppContext, url: str, only_new: bool, as_json: bool, reviewer: str | None
) -> None:
    """Follow the publication at URL (a feed, a sitemap, or a page naming its feed)."""
    from tracker.feeds.services import follow as follow_service

    view = follow_service(app.database(), app.actor(reviewer), app.settings, url, only_new=only_new)
    if as_json:
        emit_json(view)
        return
    say(f"Following {view.title or view.url} ({view.kind} {view.feed_url}) as {view.id}")
    if view.skipped:
        say(f"{view.skipped} articles listed today left out")


@follow.command("list")
@json_option
@pass_app
def list_command(app: AppContext, as_json: bool) -> None:
    """Every followed publication, its last poll and what it brought.

    \b
    Example:
      fact-tracker follow list --json
    """
    from tracker.feeds.services import list_feeds

    views = list_feeds(app.database(), app.reader)
    if as_json:
        emit_json(views)
        return
    print_table(
        [
            "id",
            "publication",
            "kind",
            "feed",
            "last poll (UTC)",
            "last status",
            "ingested",
            "skipped",
        ],
        [_row(view) for view in views],
        title="Followed publications",
    )


def _row(view: FeedView) -> tuple[object, ...]:
    return (
        view.id,
        view.title or view.url,
        view.kind,
        view.feed_url,
        view.last_polled_at,
        view.last_status,
        view.ingested,
        view.skipped + view.failed,
    )


@follow.command("status")
@click.argument("feed_id", type=int)
@json_option
@pass_app
def status_command(app: AppContext, feed_id: int, as_json: bool) -> None:
    """A followed publication and its latest entries: ingested, or skipped and why.

    \b
    Example:
      fact-tracker follow status 1
    """
    from tracker.feeds.services import feed_status

    detail = feed_status(app.database(), app.reader, feed_id)
    if as_json:
        emit_json(detail)
        return
    feed = detail.feed
    say(f"{feed.id}: {feed.title or feed.url} ({feed.kind} {feed.feed_url})")
    say(f"last poll: {feed.last_polled_at or 'never'} ({feed.last_status or '-'})")
    say(f"next poll: {feed.next_poll_at or '-'}")
    print_table(
        ["seen (UTC)", "url", "status", "article", "why"],
        [
            (entry.seen_at, entry.url, entry.status, entry.article_id, entry.reason)
            for entry in detail.entries
        ],
        title="Entries",
    )


@follow.command("remove")
@click.argument("feed_id", type=int)
@reviewer_option
@pass_app
def remove_command(app: AppContext, feed_id: int, reviewer: str | None) -> None:
    """Stop following FEED_ID (the articles ingested from it stay).

    \b
    Example:
      fact-tracker follow remove 1
    """
    from tracker.feeds.services import remove_feed

    view = remove_feed(app.database(), app.actor(reviewer), feed_id)
    say(f"No longer following {view.title or view.url}")


COMMANDS = [follow]
