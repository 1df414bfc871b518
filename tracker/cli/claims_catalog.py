"""``claims list|show|add`` on the shared ``claims`` group."""

from __future__ import annotations

import click

from tracker.cli._common import AppContext, emit_json, json_option, pass_app, print_table, printable
from tracker.cli.groups import claims


@claims.command("list")
@click.option("--article", "article_id", type=int, help="Only this article's claims.")
@click.option("--status", help="Only claims with this status (unverified, accurate, ...).")
@click.option("--needs-rereview", is_flag=True, help="Only claims flagged for re-review.")
@json_option
@pass_app
def list_claims(
    app: AppContext,
    *,
    article_id: int | None,
    status: str | None,
    needs_rereview: bool,
    as_json: bool,
) -> None:
    """List claims with their kind, status and check-worthiness score.

    \b
    Examples:
      fact-tracker claims list --article 1
      fact-tracker claims list --status unverified --json
    """
    from tracker.articles import catalog

    with app.database().reading() as session:
        rows = catalog.list_claims(
            session, article_id=article_id, status=status, needs_rereview=needs_rereview
        )
    if as_json:
        emit_json(rows)
        return
    print_table(
        ["id", "article", "kind", "status", "score", "text"],
        [(r["id"], r["article_id"], r["kind"], r["status"], r["score"], r["text"]) for r in rows],
    )


@claims.command("show")
@click.argument("claim_id", type=int)
@json_option
@pass_app
def show_claim(app: AppContext, claim_id: int, as_json: bool) -> None:
    """Show a claim, the links it relies on (state, evidence) and its history."""
    from tracker.articles import catalog

    with app.database().reading() as session:
        data = catalog.show_claim(session, claim_id)
    if as_json:
        emit_json(data)
        return
    click.echo(
        f"claim {data['id']} ({data['kind'].value}, {data['status'].value}, "
        f"score {data['score']}) in article {data['article_id']}"
    )
    click.echo(data["text"])
    if data["figures"]:
        click.echo("figures: " + ", ".join(figure["text"] for figure in data["figures"]))
    click.echo("")
    print_table(
        ["source", "anchor", "url", "link state", "evidence", "found"],
        [
            (
                s["id"],
                s["anchor_text"],
                s["url"],
                s["link_state"],
                s["evidence"] or "nothing to match",
                (s["evidence_state"] or "not checked").replace("_", " "),
            )
            for s in data["sources"]
        ],
    )
    for source in data["sources"]:
        if source["evidence_passage"]:
            click.echo(printable(f"source {source['id']}, found in: {source['evidence_passage']}"))
    click.echo("")
    print_table(
        ["at", "actor", "action", "status", "note"],
        [(e["at"], e["actor"], e["action"], e["new_status"], e["note"]) for e in data["history"]],
    )


@claims.command("add")
@click.argument("article_id", type=int)
@click.argument("text")
@click.option("--source", "sources", multiple=True, metavar="URL", help="A supporting URL.")
@click.option("--evidence", help="Text the source should contain (a figure or a phrase).")
@click.option("--reviewer", help="Reviewer adding the claim (recorded in its history).")
@pass_app
def add_claim(
    app: AppContext,
    *,
    article_id: int,
    text: str,
    sources: tuple[str, ...],
    evidence: str | None,
    reviewer: str | None,
) -> None:
    """Add a claim the extractor missed to article ARTICLE_ID.

    \b
    Example:
      fact-tracker claims add 1 "69% of Poles oppose sending troops" \\
          --source https://example.org/poll --evidence 69% --reviewer ana
    """
    from tracker.articles import catalog

    with app.database().transaction() as session:
        data = catalog.add_claim(
            session,
            article_id,
            text,
            sources=sources,
            evidence=evidence,
            reviewer_name=reviewer,
        )
    click.echo(
        f"Added claim {data['id']} to article {article_id} ({len(data['sources'])} source(s))"
    )


COMMANDS: list[click.Command] = []
