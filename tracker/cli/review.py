"""Verdicts, notes and edits: ``verdict``, ``note`` and ``claims edit|history|reject``.

Each command calls one service of :mod:`tracker.review`; every change it makes is one event in
the claim's append-only history.
"""

from __future__ import annotations

from dataclasses import asdict

import click

from tracker.cli._common import AppContext, emit_json, json_option, pass_app
from tracker.cli._review_format import (
    describe_changes,
    echo_claim_summary,
    echo_events,
    expect_version_option,
    reviewer_option,
    status_label,
)
from tracker.cli.groups import claims
from tracker.review import (
    Change,
    add_note,
    claim_history,
    edit_claim,
    reject_claim,
    set_status,
)


def _report(change: Change, what: str) -> None:
    click.echo(f"claim {change.claim_id}: {what}; now at version {change.version}")


@click.command()
@click.argument("claim_id", type=int)
@click.argument("status")
@reviewer_option
@click.option(
    "--note",
    metavar="TEXT",
    help="Why: the evidence. Required for verdicts other than unverifiable and rejected.",
)
@expect_version_option
@pass_app
def verdict(
    app: AppContext,
    *,
    claim_id: int,
    status: str,
    reviewer: str,
    note: str | None,
    expect_version: int | None,
) -> None:
    """Record a verdict on a claim, or move it along the workflow.

    \b
    STATUS:
      in_review                 take the claim for review (unverified to release it)
      accurate, mostly_accurate, mixed, misleading, mostly_false, false
                                verdicts: --note saying why is required
      unverifiable              a verdict without a rating number; note optional
      rejected                  the candidate is not a factual claim; note optional

    A new verdict clears the claim's needs-re-review flag. Only reviewers with the role
    reviewer or admin may record one.

    \b
    Examples:
      fact-tracker verdict 3 in_review --reviewer ana
      fact-tracker verdict 3 accurate --reviewer ana --note "GUS table 4 gives 69%"
      fact-tracker verdict 3 false --reviewer ana --note "poll says 39%" --expect-version 2
    """
    change = set_status(
        app.database(),
        claim_id,
        status,
        reviewer=reviewer,
        note=note,
        expect_version=expect_version,
    )
    moved = f"{status_label(change.old_status)} -> {status_label(change.new_status)}"
    if "needs_rereview" in change.changes:
        moved += " (re-review flag cleared)"
    _report(change, moved)


@click.command()
@click.argument("claim_id", type=int)
@click.argument("text")
@reviewer_option
@expect_version_option
@pass_app
def note(
    app: AppContext, claim_id: int, text: str, reviewer: str, expect_version: int | None
) -> None:
    """Leave a note on a claim (it goes into the claim's history).

    \b
    Example:
      fact-tracker note 3 "asked the ministry for the 2023 table" --reviewer ana
    """
    change = add_note(
        app.database(), claim_id, text, reviewer=reviewer, expect_version=expect_version
    )
    _report(change, "note recorded")


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
    reviewer: str,
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
    change = edit_claim(
        app.database(),
        claim_id,
        reviewer=reviewer,
        text=text,
        evidence=evidence,
        add_sources=add_sources,
        remove_sources=remove_sources,
        note=note,
        expect_version=expect_version,
    )
    _report(change, f"edited ({describe_changes(change.changes)})")


@claims.command("reject")
@click.argument("claim_id", type=int)
@reviewer_option
@click.option("--note", metavar="TEXT", help="Why this is not a claim.")
@expect_version_option
@pass_app
def reject(
    app: AppContext, claim_id: int, reviewer: str, note: str | None, expect_version: int | None
) -> None:
    """Reject a candidate that is not a factual claim (opinion, question, boilerplate).

    \b
    Example:
      fact-tracker claims reject 7 --reviewer ana --note "an opinion, nothing to check"
    """
    change = reject_claim(
        app.database(), claim_id, reviewer=reviewer, note=note, expect_version=expect_version
    )
    _report(change, f"{status_label(change.old_status)} -> rejected")


@claims.command("history")
@click.argument("claim_id", type=int)
@json_option
@pass_app
def history(app: AppContext, claim_id: int, as_json: bool) -> None:
    """Show who decided what about a claim, when and why: its full, append-only history.

    \b
    Example:
      fact-tracker claims history 3
      fact-tracker claims history 3 --json | jq '.events[] | select(.action == "status")'
    """
    result = claim_history(app.database(), claim_id)
    if as_json:
        emit_json(asdict(result))
        return
    echo_claim_summary(result.claim)
    click.echo("")
    echo_events(result.claim.id, result.events)


COMMANDS = [verdict, note]
