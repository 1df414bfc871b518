"""``verdict`` and ``note``: a reviewer's decisions on a claim, each one event in its history."""

from __future__ import annotations

import click

from tracker.cli._common import AppContext, pass_app, reviewer_option
from tracker.cli._format import expect_version_option
from tracker.cli.claims import report_change
from tracker.review.views import status_label


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
    reviewer: str | None,
    note: str | None,
    expect_version: int | None,
) -> None:
    """Record a verdict on a claim, or move it along the workflow.

    \b
    STATUS (spelled mostly_accurate, mostly-accurate or "Mostly Accurate"):
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
    from tracker.review.services import set_status

    actor = app.actor(reviewer)
    change = set_status(
        app.database(), actor, claim_id, status, note=note, expect_version=expect_version
    )
    moved = f"{status_label(change.old_status)} -> {status_label(change.new_status)}"
    if "needs_rereview" in change.changes:
        moved += " (re-review flag cleared)"
    report_change(change, moved)


@click.command()
@click.argument("claim_id", type=int)
@click.argument("text")
@reviewer_option
@expect_version_option
@pass_app
def note(
    app: AppContext, claim_id: int, text: str, reviewer: str | None, expect_version: int | None
) -> None:
    """Leave a note on a claim (it goes into the claim's history).

    \b
    Example:
      fact-tracker note 3 "asked the ministry for the 2023 table" --reviewer ana
    """
    from tracker.review.services import add_note

    actor = app.actor(reviewer)
    change = add_note(app.database(), actor, claim_id, text, expect_version=expect_version)
    report_change(change, "note recorded")


COMMANDS = [verdict, note]
