"""``claims list|show|history|add|edit|reject|export-labels``: the claims found in articles,
and their review.

Every subcommand calls one service of :mod:`tracker.review.services` (``export-labels``: of
:mod:`tracker.extraction.services`); ``show`` and ``history`` print the same read model (the
claim, its sources, its full history).
"""

from __future__ import annotations

from pathlib import Path

import click

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
from tracker.cli._format import describe_changes, echo_detail, expect_version_option
from tracker.review.views import Change, status_label


def report_change(change: Change, what: str) -> None:
    say(f"claim {change.claim_id}: {what}; now at version {change.version}")


@click.group()
def claims() -> None:
    """List, inspect, add, edit and review the claims found in articles."""


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
      fact-tracker claims list --status "mostly accurate" --json
    """
    from tracker.review.services import list_claims as listed

    rows = listed(
        app.database(),
        app.reader,
        article_id=article_id,
        status=status,
        needs_rereview=needs_rereview,
    )
    if as_json:
        emit_json(rows)
        return
    print_table(
        ["id", "article", "kind", "status", "score", "text"],
        [(r.id, r.article_id, r.kind, r.status, r.score, r.text) for r in rows],
    )


@claims.command("show")
@click.argument("claim_id", type=int)
@json_option
@pass_app
def show_claim(app: AppContext, claim_id: int, as_json: bool) -> None:
    """Show a claim, the links it relies on (state, evidence) and its full history: who
    decided what, when and why (`claims history` is the same command).

    \b
    Examples:
      fact-tracker claims show 3
      fact-tracker claims history 3 --json | jq '.events[] | select(.action == "status")'
    """
    from tracker.review.services import claim_detail

    detail = claim_detail(app.database(), app.reader, claim_id)
    if as_json:
        emit_json(detail)
        return
    echo_detail(detail)


@claims.command("add")
@click.argument("article_id", type=int)
@click.argument("text")
@click.option("--source", "sources", multiple=True, metavar="URL", help="A supporting URL.")
@click.option("--evidence", help="Text the sources should contain (a figure or a phrase).")
@reviewer_option
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
    from tracker.review.services import add_claim as add

    actor = app.actor(reviewer)
    claim = add(app.database(), actor, article_id, text, sources=sources, evidence=evidence)
    say(f"Added claim {claim.id} to article {article_id} ({plural(len(claim.sources), 'source')})")


@claims.command("edit")
@click.argument("claim_id", type=int)
@click.option("--text", metavar="TEXT", help="The corrected claim text.")
@click.option(
    "--evidence",
    metavar="TEXT",
    help="Text the source page should contain; applies to the sources added with "
    "--add-source, or else to every source of the claim.",
)
@click.option("--add-source", "add_sources", multiple=True, metavar="URL", help="Cite URL too.")
@click.option(
    "--remove-source", "remove_sources", multiple=True, metavar="URL", help="Stop citing URL."
)
@click.option("--note", metavar="TEXT", help="Why the edit was made.")
@reviewer_option
@expect_version_option
@pass_app
def edit(
    app: AppContext,
    *,
    claim_id: int,
    text: str | None,
    evidence: str | None,
    add_sources: tuple[str, ...],
    remove_sources: tuple[str, ...],
    note: str | None,
    reviewer: str | None,
    expect_version: int | None,
) -> None:
    """Correct a claim's text, its evidence, or the sources it relies on.

    All the changes of one command are one event in the claim's history.

    \b
    Examples:
      fact-tracker claims edit 3 --text "69% of Poles oppose the plan" --reviewer ana
      fact-tracker claims edit 3 --add-source https://stat.gov.pl/t4 \\
          --evidence "69 per cent" --reviewer ana
      fact-tracker claims edit 3 --remove-source https://example.org/old --reviewer ana
    """
    from tracker.review.services import edit_claim

    actor = app.actor(reviewer)
    change = edit_claim(
        app.database(),
        actor,
        claim_id,
        text=text,
        evidence=evidence,
        add_sources=add_sources,
        remove_sources=remove_sources,
        note=note,
        expect_version=expect_version,
    )
    report_change(change, f"edited ({describe_changes(change.changes)})")


@claims.command("reject")
@click.argument("claim_id", type=int)
@click.option("--note", metavar="TEXT", help="Why this is not a claim.")
@reviewer_option
@expect_version_option
@pass_app
def reject(
    app: AppContext,
    claim_id: int,
    note: str | None,
    reviewer: str | None,
    expect_version: int | None,
) -> None:
    """Reject a candidate that is not a factual claim (opinion, question, boilerplate).

    \b
    Example:
      fact-tracker claims reject 7 --reviewer ana --note "an opinion, nothing to check"
    """
    from tracker.review.services import reject_claim

    actor = app.actor(reviewer)
    change = reject_claim(app.database(), actor, claim_id, note=note, expect_version=expect_version)
    report_change(change, f"{status_label(change.old_status)} -> rejected")


claims.add_command(show_claim, "history")


@claims.command("export-labels")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="CSV file to write (claim_id, group, label, reason, text).",
)
@pass_app
def export_labels(app: AppContext, output: Path) -> None:
    """Write reviewers' decisions as labels: rejected claims 0, added or judged claims 1.

    \b
    Example:
      fact-tracker claims export-labels -o labels.csv
    """
    from tracker.extraction.services import export_labels

    written = export_labels(app.database(), app.reader, output)
    say(
        f"wrote {written.labels} labels ({written.claims} claims, "
        f"{written.labels - written.claims} not) to {written.path}"
    )


COMMANDS = [claims]
