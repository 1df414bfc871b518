"""``ingest``, ``articles list|show`` and ``citations list|resolve``."""

from __future__ import annotations

from typing import Any

import click

from tracker.articles.documents import FORMATS
from tracker.cli._common import AppContext, emit_json, json_option, pass_app, print_table


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
@json_option
@pass_app
def ingest(app: AppContext, source: str, url: str | None, fmt: str, as_json: bool) -> None:
    """Record an article's citations and check-worthy claims.

    SOURCE is an http(s) URL or a local .html, .txt or .md file. In text and Markdown,
    [text](url) links, bare URLs and <u>anchor</u> markers (links whose URL was lost) are
    citations. Ingesting again updates the article in place; claims a reviewer touched are
    never changed.

    \b
    Examples:
      fact-tracker ingest https://example.org/news/story.html
      fact-tracker ingest saved.txt --url https://www.globalresearch.ca/story/5872069
      fact-tracker ingest notes.md --format markdown --json
    """
    from tracker.articles.ingest import ingest as run_ingest

    result = run_ingest(app.database(), app.settings, source, url=url, fmt=fmt)  # type: ignore[arg-type]
    if as_json:
        emit_json({**result.summary(), "citations": result.citations, "claims": result.claims})
        return
    verb = "Ingested" if result.created else "Updated"
    click.echo(f"{verb} article {result.article_id}: {result.title or '(untitled)'}")
    if result.url:
        click.echo(f"url:       {result.url}")
    unresolved = sum(1 for citation in result.citations if not citation["resolved"])
    click.echo(f"citations: {len(result.citations)} ({unresolved} without URL)")
    click.echo(f"claims:    {len(result.claims)} ({result.new_claims} new)")
    if result.text_changed:
        click.echo("the article's text changed since the last ingest (recorded on its claims)")


@click.group()
def articles() -> None:
    """List and inspect ingested articles."""


@articles.command("list")
@json_option
@pass_app
def list_articles(app: AppContext, as_json: bool) -> None:
    """List ingested articles with their citation and claim counts."""
    from tracker.articles import catalog

    with app.database().reading() as session:
        rows = catalog.list_articles(session)
    if as_json:
        emit_json(rows)
        return
    print_table(
        ["id", "title", "source", "citations", "unresolved", "claims", "published"],
        [
            (
                row["id"],
                row["title"],
                row["source"],
                row["citation_count"],
                row["unresolved_citations"],
                row["claim_count"],
                row["published_at"],
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
    from tracker.articles import catalog

    with app.database().reading() as session:
        data = catalog.show_article(session, article_id)
    if as_json:
        emit_json(data)
        return
    _print_fields(data, ["id", "title", "url", "authors", "site_name", "published_at", "scraper"])
    click.echo("")
    _print_citations(data["citations"])
    click.echo("")
    print_table(
        ["claim", "kind", "status", "score", "text"],
        [(c["id"], c["kind"], c["status"], c["score"], c["text"]) for c in data["claims"]],
    )


@click.group()
def citations() -> None:
    """List citations and fill in the URLs of unresolved ones."""


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
    from tracker.articles import catalog

    with app.database().reading() as session:
        rows = catalog.list_citations(session, article_id=article_id, unresolved=unresolved)
    if as_json:
        emit_json(rows)
        return
    _print_citations(rows)


@citations.command("resolve")
@click.argument("citation_id", type=int)
@click.argument("url")
@pass_app
def resolve(app: AppContext, citation_id: int, url: str) -> None:
    """Fill in the URL of citation CITATION_ID (an anchor whose link was lost).

    \b
    Example:
      fact-tracker citations resolve 7 https://www.wsj.com/world/europe/trump-ukraine-plan
    """
    from tracker.articles import catalog

    with app.database().transaction() as session:
        data = catalog.resolve_citation(session, citation_id, url)
    click.echo(f"citation {data['id']} ({data['anchor_text']}) -> {data['url']}")


def _print_citations(rows: list[dict[str, Any]]) -> None:
    print_table(
        ["id", "article", "anchor", "url", "sentence"],
        [
            (row["id"], row["article_id"], row["anchor_text"], row["url"], row["sentence"])
            for row in rows
        ],
    )


def _print_fields(data: dict[str, Any], names: list[str]) -> None:
    for name in names:
        value = data.get(name)
        if isinstance(value, list):
            value = ", ".join(str(item) for item in value)
        click.echo(f"{name + ':':14}{value if value not in (None, '') else '-'}")


COMMANDS = [ingest, articles, citations]
