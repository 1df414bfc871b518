"""Shared by the review commands: their common options and how claims and events read."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from tracker.cli._common import print_table, printable
from tracker.enums import ClaimStatus
from tracker.ratings import BEST_RATING, rating_for
from tracker.review import ClaimView, EventView, SourceView

F = TypeVar("F", bound=Callable[..., Any])


def reviewer_option(func: F) -> F:
    return click.option(
        "--reviewer",
        required=True,
        metavar="NAME",
        help="Who is acting: a reviewer or admin (see `fact-tracker reviewers list`).",
    )(func)


def expect_version_option(func: F) -> F:
    return click.option(
        "--expect-version",
        type=click.IntRange(min=1),
        metavar="N",
        help="Refuse (exit 1, nothing written) unless the claim is still at version N, "
        "the version you looked at.",
    )(func)


def status_label(status: ClaimStatus | None) -> str:
    """``accurate (Accurate, 5/5)``: the status with its ClaimReview rating, if it has one."""
    if status is None:
        return "-"
    rating = rating_for(status)
    if rating is None:
        return status.value
    if rating.value is None:
        return f"{status.value} ({rating.name})"
    return f"{status.value} ({rating.name}, {rating.value}/{BEST_RATING})"


def status_move(event: EventView) -> str:
    if event.old_status == event.new_status:
        return status_label(event.new_status)
    return f"{status_label(event.old_status)} -> {status_label(event.new_status)}"


def describe_changes(changes: dict[str, Any]) -> str:
    """The edited fields of an event, before and after, in one line."""
    parts = []
    for field, change in changes.items():
        if not isinstance(change, dict):
            parts.append(f"{field}: {change!r}")
        elif field == "sources":
            before, after = change.get("before", []), change.get("after", [])
            moved = [f"+{url}" for url in after if url not in before]
            moved += [f"-{url}" for url in before if url not in after]
            parts.append(f"sources: {' '.join(moved)}")
        elif field == "evidence":
            before, after = change.get("before", {}), change.get("after", {})
            for url, text in after.items():
                if before.get(url) != text:
                    parts.append(f"evidence of {url}: {before.get(url)!r} -> {text!r}")
        else:
            parts.append(f"{field}: {change.get('before')!r} -> {change.get('after')!r}")
    return printable("; ".join(parts))


def link_state(source: SourceView) -> str:
    if source.state is None:
        return "no link"
    return source.state.value + (" (override)" if source.overridden else "")


def last_outcome(source: SourceView) -> str:
    if source.last_outcome is None:
        return "never checked"
    status = f" ({source.http_status})" if source.http_status else ""
    return f"{source.last_outcome.value}{status}"


def evidence_found(source: SourceView) -> str:
    if source.evidence is None:
        return "-"
    return {True: "yes", False: "NO", None: "not checked"}[source.evidence_found]


def sources_table(view: ClaimView) -> Table:
    """A rich table of the claim's sources; every cell is Text, so nothing is read as markup."""
    table = Table(title=Text(f"Sources of claim {view.id}"), show_lines=False)
    for column in ("#", "source", "link state", "last outcome", "evidence", "found"):
        table.add_column(column, overflow="fold")
    for number, source in enumerate(view.sources, 1):
        table.add_row(
            Text(str(number)),
            Text(printable(source.url or "(anchor text only)")),
            Text(link_state(source)),
            Text(last_outcome(source)),
            Text(printable(source.evidence or "-")),
            Text(evidence_found(source)),
        )
    return table


def print_claim_card(console: Console, view: ClaimView, heading: str) -> None:
    """What a reviewer needs to judge a claim: its text, article and sources."""
    console.rule(Text(printable(heading)))
    article = view.article_title or view.article_url or "untitled"
    console.print(Text(printable(f"Article {view.article_id}: {article}"), style="dim"))
    console.print(Text(printable(view.text), style="bold"))
    console.print(
        Text(
            f"kind {view.kind.value}, score {view.score:.2f}, status "
            f"{status_label(view.status)}, version {view.version}"
            + (", needs re-review" if view.needs_rereview else "")
        )
    )
    if view.sources:
        console.print(sources_table(view))
    else:
        console.print(Text("No sources recorded for this claim."))


def echo_claim_summary(claim: ClaimView) -> None:
    """The claim's current state and sources, as plain lines."""
    title = claim.article_title or claim.article_url or "untitled"
    click.echo(printable(f"claim {claim.id} (article {claim.article_id}: {title})"))
    click.echo(printable(f"  {claim.text}"))
    click.echo(
        f"status: {status_label(claim.status)}; version {claim.version}; "
        f"needs re-review: {'yes' if claim.needs_rereview else 'no'}"
    )
    for source in claim.sources:
        evidence = f"; evidence {source.evidence!r}" if source.evidence else ""
        click.echo(printable(f"source: {source.url} [{link_state(source)}]{evidence}"))


def echo_events(claim_id: int, events: Sequence[EventView]) -> None:
    """The history table; ``claims show`` can reuse it for the history it includes."""
    print_table(
        ["version", "when", "who", "action", "status", "note", "changes"],
        [
            (
                event.version,
                event.created_at,
                printable(event.actor),
                event.action,
                status_move(event),
                printable(event.note) if event.note else None,
                describe_changes(event.changes) or None,
            )
            for event in events
        ],
        title=f"History of claim {claim_id}",
    )
