"""``ingest``, ``articles list|show|edit|delete`` and ``citations list|resolve``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import click

from tracker.articles.views import FORMATS, ArticleView, CitationView
from tracker.cli._common import (
    AppContext,
    emit_json,
    json_option,
    pass_app,
    plural,
    print_table,
    reviewer_option,
    say,
)


@click.command()
@click.argument("source")
@click.option("--url", metavar="URL", help="Where a local file was published (recorded).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="auto",
    show_default=True,
    help="How to read SOURCE; auto uses the file extension or the content type.",
)
@reviewer_option
@json_option
@pass_app
def ingest(
    app: AppContext,
    *,
    source: str,
    url: str | None,
    fmt: str,
    reviewer: str | None,
    as_json: bool,
) -> None:
    """Record an article's citations and check-worthy claims.

    SOURCE is an http(s) URL or a local .html, .txt or .md file. In text and Markdown,
    [text](url) links, bare URLs and <u>anchor</u> markers (links whose URL was lost) are
    citations. An article is the same article when its URL is (or, without one, its text):
    ingesting it again updates it in place, and claims a reviewer touched are never changed.

    \b
    Examples:
      fact-tracker ingest https://example.org/news/story.html --reviewer ana
      fact-tracker ingest saved.txt --url https://www.globalresearch.ca/story/5872069
      fact-tracker ingest notes.md --format markdown --json
    """
    from tracker.articles.services import ingest as run_ingest

    actor = app.actor(reviewer)
    result = run_ingest(app.database(), actor, app.settings, source, url=url, fmt=fmt)  # type: ignore[arg-type]
    if as_json:
        emit_json(result)
        return
    article = result.article
    verb = "Ingested" if result.created else "Updated"
    say(f"{verb} article {article.id}: {article.title or '(untitled)'}")
    if article.url:
        say(f"url:       {article.url}")
    unresolved = sum(1 for citation in result.citations if not citation.resolved)
    say(f"citations: {len(result.citations)} ({unresolved} without URL)")
    say(f"claims:    {len(result.claims)} ({result.new_claims} new)")
    if result.text_changed:
        say("the article's text changed since the last ingest (recorded on its claims)")


@click.group()
def articles() -> None:
    """List, inspect, correct and delete ingested articles."""


@articles.command("list")
@json_option
@pass_app
def list_articles(app: AppContext, as_json: bool) -> None:
    """List ingested articles with their citation and claim counts."""
    from tracker.articles.services import list_articles as listed

    rows = listed(app.database(), app.reader)
    if as_json:
        emit_json(rows)
        return
    print_table(
        ["id", "title", "source", "citations", "unresolved", "claims", "published"],
        [
            (
                row.id,
                row.title,
                row.source,
                row.citation_count,
                row.unresolved_citations,
                row.claim_count,
                row.published_at,
            )
            for row in rows
        ],
    )


@articles.command("show")
@click.argument("article_id", type=int)
@json_option
@pass_app
def show_article(app: AppContext, article_id: int, as_json: bool) -> None:
    """Show an article's metadata, citations and claims (--json adds the text)."""
    from tracker.articles.services import show_article as shown

    detail = shown(app.database(), app.reader, article_id)
    if as_json:
        emit_json(detail)
        return
    _print_article(detail.article)
    say("")
    _print_citations(detail.citations)
    say("")
    print_table(
        ["claim", "kind", "status", "score", "text"],
        [(c.id, c.kind, c.status, c.score, c.text) for c in detail.claims],
    )


@articles.command("edit")
@click.argument("article_id", type=int)
@click.option("--url", metavar="URL", help="The article's canonical URL.")
@click.option("--title", metavar="TEXT", help="The headline.")
@click.option(
    "--author", "authors", multiple=True, metavar="NAME", help="An author (repeat for several)."
)
@click.option("--publisher", metavar="NAME", help="The publication (site name).")
@click.option(
    "--date",
    "published",
    metavar="YYYY-MM-DD",
    type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]),
    help="When it was published (UTC).",
)
@click.option("--note", metavar="TEXT", help="Why (recorded).")
@reviewer_option
@json_option
@pass_app
def edit_article(
    app: AppContext,
    *,
    article_id: int,
    url: str | None,
    title: str | None,
    authors: tuple[str, ...],
    publisher: str | None,
    published: datetime | None,
    note: str | None,
    reviewer: str | None,
    as_json: bool,
) -> None:
    """Correct an article's URL, title, authors, publisher or publication date.

    The change is recorded in the article's history. A URL another article has is refused;
    the publishing domain (for source credibility) follows the URL.

    \b
    Examples:
      fact-tracker articles edit 1 --title "Peacekeepers in Ukraine" --reviewer ana
      fact-tracker articles edit 1 --author "Jan Kowalski" --author "Ewa Nowak" --date 2024-11-11
      fact-tracker articles edit 1 --url https://example.org/story --publisher "Example News"
    """
    from tracker.articles.services import edit_article as edit

    actor = app.actor(reviewer)
    change = edit(
        app.database(),
        actor,
        article_id,
        url=url,
        title=title,
        authors=list(authors) if authors else None,
        publisher=publisher,
        published_at=published.replace(tzinfo=UTC) if published else None,
        note=note,
    )
    if as_json:
        emit_json(change)
        return
    say(f"article {change.article.id}: edited {', '.join(sorted(change.changes))}")
    _print_article(change.article)


@articles.command("delete")
@click.argument("article_id", type=int)
@click.option("--note", metavar="TEXT", required=True, help="Why (recorded).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@reviewer_option
@pass_app
def delete_article(
    app: AppContext, article_id: int, note: str, yes: bool, reviewer: str | None
) -> None:
    """Delete an article: it leaves every list, report and check; who and why are recorded.

    Its claims keep their history (it cannot be rewritten), hidden with the article; its
    citations go, and links nothing else cites are no longer checked. Ingesting the article
    again records it anew.

    \b
    Example:
      fact-tracker articles delete 4 --note "ingested the wrong page" --reviewer ana --yes
    """
    from tracker.articles.services import delete_article as delete

    actor = app.actor(reviewer)
    if not yes:
        click.confirm(f"Delete article {article_id}?", abort=True)
    gone = delete(app.database(), actor, article_id, note=note)
    say(
        f"Deleted article {gone.article_id} ({gone.title or gone.url or 'untitled'}) and its "
        f"{plural(gone.claims, 'claim')}; history kept"
    )
    if gone.retired_links:
        say(f"no longer checked (nothing cites them): {', '.join(gone.retired_links)}")


@click.group()
def citations() -> None:
    """List citations and fill in (or correct) their URLs."""


@citations.command("list")
@click.option("--article", "article_id", type=int, help="Only this article's citations.")
@click.option("--unresolved", is_flag=True, help="Only citations without a URL.")
@json_option
@pass_app
def list_citations(
    app: AppContext, article_id: int | None, unresolved: bool, as_json: bool
) -> None:
    """List citations: anchor text, URL (or none yet) and the sentence citing it.

    \b
    Example:
      fact-tracker citations list --article 1 --unresolved
    """
    from tracker.articles.services import list_citations as listed

    rows = listed(app.database(), app.reader, article_id=article_id, unresolved=unresolved)
    if as_json:
        emit_json(rows)
        return
    _print_citations(rows)


@citations.command("resolve")
@click.argument("citation_id", type=int)
@click.argument("url")
@reviewer_option
@json_option
@pass_app
def resolve(
    app: AppContext, citation_id: int, url: str, reviewer: str | None, as_json: bool
) -> None:
    """Point citation CITATION_ID at URL: a lost link, or a wrong one.

    The claims relying on the citation follow it (their evidence is looked for again at the
    next check), and each records the change. A link nothing cites any more is no longer
    checked.

    \b
    Example:
      fact-tracker citations resolve 7 https://www.wsj.com/world/europe/trump-ukraine-plan
    """
    from tracker.articles.services import resolve_citation

    actor = app.actor(reviewer)
    done = resolve_citation(app.database(), actor, citation_id, url)
    if as_json:
        emit_json(done)
        return
    citation = done.citation
    replaced = f" (replaces {done.replaced_url})" if done.replaced_url else ""
    say(f"citation {citation.id} ({citation.anchor_text}) -> {citation.url}{replaced}")
    if done.claims:
        say(f"{plural(len(done.claims), 'claim')} now rely on it: evidence to be checked again")
    for retired in done.retired_links:
        say(f"{retired} is no longer cited and will not be checked")


def _print_article(article: ArticleView) -> None:
    fields = [
        ("id", article.id),
        ("title", article.title),
        ("url", article.url),
        ("authors", ", ".join(article.authors)),
        ("publisher", article.site_name),
        ("source", article.source),
        ("published", article.published_at),
        ("scraper", article.scraper),
    ]
    for name, value in fields:
        shown = value.strftime("%Y-%m-%d %H:%M") if isinstance(value, datetime) else value
        say(f"{name + ':':14}{shown if shown not in (None, '') else '-'}")


def _print_citations(rows: Sequence[CitationView]) -> None:
    print_table(
        ["id", "article", "anchor", "url", "sentence"],
        [(row.id, row.article_id, row.anchor_text, row.url, row.sentence) for row in rows],
    )


COMMANDS = [ingest, articles, citations]
