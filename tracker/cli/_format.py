"""How claims, their sources and their history read on a terminal (shared by the review and
claims commands), and the options those commands share."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import click

from tracker.cli._common import print_table, printable, say
from tracker.enums import EvidenceState
from tracker.review.views import ClaimDetail, ClaimView, EventView, SourceView, status_label

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

F = TypeVar("F", bound=Callable[..., Any])


def expect_version_option(func: F) -> F:
    return click.option(
        "--expect-version",
        type=click.IntRange(min=1),
        metavar="N",
        help="Refuse (exit 1, nothing written) unless the claim is still at version N, "
        "the version you looked at.",
    )(func)


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


def source_name(source: SourceView) -> str:
    """The source's URL, or what is left of a citation whose link was lost."""
    if source.url:
        return source.url
    if source.anchor_text:
        return f"(unresolved citation: {source.anchor_text!r})"
    return "(no link)"


def link_state(source: SourceView) -> str:
    if source.state is None:
        return "no link"
    return source.state.value + (" (override)" if source.overridden else "")


def last_outcome(source: SourceView) -> str:
    if source.last_outcome is None:
        return "never checked" if source.url else "-"
    status = f" ({source.http_status})" if source.http_status else ""
    return f"{source.last_outcome.value}{status}"


def evidence_found(source: SourceView) -> str:
    if source.evidence is None and not source.evidence_state:
        return "-"
    return evidence_label(source.evidence_state, source.evidence_found)


def evidence_label(state: str | None, found: bool | None) -> str:
    """What the checker found of the evidence: found, partly found, missing, nothing to match;
    "not checked" until it looks (``found`` is the yes/no of checks before evidence states)."""
    if state:
        return EvidenceState(state).label
    return {True: "found", False: "missing", None: "not checked"}[found]


def sources_table(view: ClaimView) -> Table:
    """A rich table of the claim's sources; every cell is Text, so nothing is read as markup."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(f"Sources of claim {view.id}"), show_lines=False)
    for column in ("#", "source", "link state", "last outcome", "evidence", "found"):
        table.add_column(column, overflow="fold")
    for number, source in enumerate(view.sources, 1):
        table.add_row(
            Text(str(number)),
            Text(printable(source_name(source))),
            Text(link_state(source)),
            Text(last_outcome(source)),
            Text(printable(source.evidence or "-")),
            Text(evidence_found(source)),
        )
    return table


def print_claim_card(console: Console, view: ClaimView, heading: str) -> None:
    """What a reviewer needs to judge a claim: its text, article and sources."""
    from rich.text import Text

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
    say(f"claim {claim.id} (article {claim.article_id}: {title})")
    say(f"  {claim.text}")
    say(
        f"status: {status_label(claim.status)}; version {claim.version}; "
        f"needs re-review: {'yes' if claim.needs_rereview else 'no'}"
    )
    for source in claim.sources:
        evidence = f"; evidence {source.evidence!r}" if source.evidence else ""
        say(f"source: {source_name(source)} [{link_state(source)}]{evidence}")


def echo_sources(claim: ClaimView) -> None:
    print_table(
        ["source", "anchor", "url", "link state", "last outcome", "evidence", "found"],
        [
            (
                source.id,
                source.anchor_text,
                source_name(source),
                link_state(source),
                last_outcome(source),
                source.evidence,
                evidence_found(source),
            )
            for source in claim.sources
        ],
        title=f"Sources of claim {claim.id}",
    )
    for source in claim.sources:
        if source.evidence_passage:
            say(f"source {source.id}, found in: {source.evidence_passage}")


def echo_events(claim_id: int, events: Sequence[EventView]) -> None:
    """The history table: who decided what, when and why."""
    print_table(
        ["version", "when", "who", "action", "status", "note", "changes"],
        [
            (
                event.version,
                event.created_at,
                event.actor,
                event.action,
                status_move(event),
                event.note,
                describe_changes(event.changes) or None,
            )
            for event in events
        ],
        title=f"History of claim {claim_id}",
    )


def echo_detail(detail: ClaimDetail) -> None:
    """A claim in full: summary, sources, history (``claims show`` and ``claims history``)."""
    claim = detail.claim
    echo_claim_summary(claim)
    if claim.figures:
        say("figures: " + ", ".join(str(figure.get("text")) for figure in claim.figures))
    say("")
    echo_sources(claim)
    say("")
    echo_events(claim.id, detail.events)
