"""``review``: the interactive queue, one unverified claim after another, on a terminal."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import click

from tracker.cli._common import AppContext, pass_app, reviewer_option, say, stdout_console
from tracker.cli._format import print_claim_card
from tracker.enums import VERDICTS, ClaimStatus
from tracker.errors import InvalidInput, StaleVersion
from tracker.review.services import (
    check_actor,
    check_note,
    load_claim,
    note_required,
    review_queue,
    set_status,
)
from tracker.review.views import status_label

SKIP = "skip"
QUIT = "quit"
CHOICES = [
    *(status.value for status in ClaimStatus if status in VERDICTS),
    ClaimStatus.REJECTED.value,
    SKIP,
    QUIT,
]


@dataclass
class Tally:
    recorded: int = 0
    skipped: int = 0
    conflicts: int = 0

    def __str__(self) -> str:
        return (
            f"{self.recorded} recorded, {self.skipped} skipped, {self.conflicts} changed by "
            "someone else meanwhile"
        )


def _note_reader(status: ClaimStatus) -> Callable[[str], str | None]:
    """Re-prompts on a blank note where the workflow requires one, with the workflow's reason."""

    def convert(value: str) -> str | None:
        try:
            return check_note(status, value or None)
        except InvalidInput as exc:
            raise click.UsageError(str(exc)) from exc

    return convert


@click.command()
@click.option("--article", "article_id", type=int, metavar="ID", help="Only this article.")
@reviewer_option
@pass_app
def review(app: AppContext, article_id: int | None, reviewer: str | None) -> None:
    """Walk the unverified claims and record a verdict and note for each.

    For every claim it shows the article, the claim and a table of its sources with their
    link state, last check outcome and whether the expected evidence was found. Answer with
    a verdict, `skip` (leave it unverified) or `quit`. Verdicts other than unverifiable and
    rejected need a note saying why. If someone else changes the claim while you read it,
    your verdict is refused (nothing is written) and the queue moves on.

    \b
    Example:
      fact-tracker review --article 1 --reviewer ana
    """
    database = app.database()
    actor = app.actor(reviewer)
    check_actor(database, actor)
    queue = review_queue(database, actor, article_id)
    where = f" in article {article_id}" if article_id is not None else ""
    if not queue:
        say(f"No unverified claims{where}.")
        return
    say(f"{len(queue)} unverified claim(s){where}.")
    console = stdout_console()
    tally = Tally()
    for number, claim_id in enumerate(queue, 1):
        view = load_claim(database, actor, claim_id)
        if view.status != ClaimStatus.UNVERIFIED:
            say(f"claim {claim_id} is {view.status.value} now; skipped")
            tally.skipped += 1
            continue
        print_claim_card(console, view, f"Claim {view.id} ({number} of {len(queue)})")
        answer = click.prompt(
            "Verdict",
            type=click.Choice(CHOICES, case_sensitive=False),
            show_choices=True,
        ).lower()
        if answer == QUIT:
            break
        if answer == SKIP:
            tally.skipped += 1
            continue
        status = ClaimStatus(answer)
        label = "Note (the evidence)" if note_required(status) else "Note (optional)"
        note = click.prompt(
            label,
            default="",
            show_default=False,
            value_proc=_note_reader(status),
        )
        try:
            change = set_status(
                database, actor, claim_id, status, note=note, expect_version=view.version
            )
        except StaleVersion as exc:
            say(f"not recorded: {exc}", err=True)
            tally.conflicts += 1
            continue
        recorded = status_label(change.new_status)
        say(f"claim {claim_id}: {recorded} recorded (version {change.version})")
        tally.recorded += 1
    say(f"Done: {tally}.")


COMMANDS = [review]
