"""``check`` and the ``links`` group: check cited links, inspect them, correct the checker.

Exit codes of ``check``: 0 when no checked link is broken, 3 when at least one ended in a
failure that counts toward rot (not_found, soft_404, server_error, timeout, unreachable,
redirect_loop, invalid_url), so CI pipelines can gate on it; 1 and 2 as everywhere else.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click

from tracker.cli._common import (
    AppContext,
    emit_json,
    json_option,
    pass_app,
    print_table,
    stderr_console,
)
from tracker.enums import CheckOutcome, LinkState
from tracker.errors import InvalidInput
from tracker.linkcheck import CheckReport, check_links, select_links
from tracker.linkcheck.due import check_due_links
from tracker.linkcheck.overrides import clear_override, ignore_domain, set_override
from tracker.linkcheck.views import evidence_by_link, link_detail, link_summary, list_links
from tracker.models import utcnow
from tracker.records import find_link

EXIT_BROKEN_LINKS = 3
DUE_BATCH_SIZE = 10_000
"""Much larger than the scheduler's default: each batch ends waiting for its slowest link (a
link answering in 2 s idles the other slots for up to 2 s), so a run checks fastest in one
batch. Smaller batches let other workers take a share of the due links sooner."""
STATE_CHOICES = click.Choice([state.value for state in LinkState])
OUTCOME_CHOICES = click.Choice([outcome.value for outcome in CheckOutcome])


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar on a terminal's stderr; nothing when piped or printing JSON."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    with Progress(
        "checking",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=stderr_console(),
        transient=True,
    ) as bar:
        task = bar.add_task("links", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


@click.command()
@click.option("--all", "every", is_flag=True, help="Check every link.")
@click.option(
    "--due",
    is_flag=True,
    help="Check the links whose next check time has come, claiming them under a lease.",
)
@click.option("--link", metavar="URL|ID", help="Check one link.")
@click.option("--article", "article_id", type=int, metavar="ID", help="Check one article's links.")
@click.option(
    "--concurrency",
    type=click.IntRange(1, 4096),
    help="Links checked at once (overrides FACT_TRACKER_CONCURRENCY).",
)
@click.option(
    "--batch-size",
    type=click.IntRange(1, 100_000),
    default=DUE_BATCH_SIZE,
    show_default=True,
    help="With --due: links claimed (leased) at a time.",
)
@json_option
@pass_app
def check(
    app: AppContext,
    *,
    every: bool,
    due: bool,
    link: str | None,
    article_id: int | None,
    concurrency: int | None,
    batch_size: int,
    as_json: bool,
) -> None:
    """Check cited links now and record one check per link.

    \b
    Examples:
      fact-tracker check --all
      fact-tracker check --due --concurrency 64
      fact-tracker check --due --batch-size 200   # beside running schedulers
      fact-tracker check --link https://example.org/report.pdf --json
      fact-tracker check --article 3

    Each link gets an outcome (ok, redirected, not_found, soft_404, blocked, rate_limited,
    server_error, timeout, unreachable, redirect_loop, invalid_url) and a state (alive, at_risk,
    dead). Exits 3 when a checked link is broken, so scripts can gate on it.

    --due claims the due links in batches under a lease, exactly as `fact-tracker schedule`
    does, so it may run beside schedulers sharing a PostgreSQL database: no link is checked
    twice, and an interrupted run releases what it claimed.
    """
    if sum([every, due, link is not None, article_id is not None]) != 1:
        raise InvalidInput("choose exactly one of --all, --due, --link URL|ID, --article ID")
    settings = app.settings.with_overrides(concurrency=concurrency)
    database = app.database()
    if due:
        with _progress(not as_json) as progress:
            report = check_due_links(database, settings, batch_size=batch_size, progress=progress)
    else:
        with database.reading() as session:
            ids = select_links(session, every=every, link=link, article_id=article_id)
        with _progress(not as_json) as progress:
            report = check_links(database, settings, ids, worker="cli", progress=progress)
    if as_json:
        emit_json(report.as_dict())
    else:
        _print_report(report)
    if report.broken:
        click.get_current_context().exit(EXIT_BROKEN_LINKS)


def _print_report(report: CheckReport) -> None:
    click.echo(
        f"Checked {report.checked} links in {report.seconds:.1f} s: "
        f"{report.broken} broken, {report.flagged_claims} claims flagged for re-review."
    )
    if report.checked:
        print_table(["outcome", "links"], sorted(report.outcomes.items()), title="Outcomes")
        print_table(["state", "links"], sorted(report.states.items()), title="States")


@click.group()
def links() -> None:
    """List and inspect cited links; override the checker where it is wrong."""


@links.command("list")
@click.option("--state", type=STATE_CHOICES, help="Only links in this state.")
@click.option("--outcome", type=OUTCOME_CHOICES, help="Only links whose last check ended so.")
@click.option("--domain", metavar="DOMAIN", help="Only links on this registrable domain.")
@json_option
@pass_app
def list_command(
    app: AppContext, state: str | None, outcome: str | None, domain: str | None, as_json: bool
) -> None:
    """List links with their state and last outcome.

    \b
    Examples:
      fact-tracker links list --state dead
      fact-tracker links list --outcome soft_404 --json
      fact-tracker links list --domain example.org
    """
    with app.database().reading() as session:
        found = list_links(session, state=state, outcome=outcome, domain=domain)
        evidence = evidence_by_link(session, [link.id for link in found]) if as_json else {}
        rows = [link_summary(link, evidence.get(link.id)) for link in found]
    if as_json:
        emit_json(rows)
        return
    print_table(
        ["id", "state", "outcome", "status", "last checked", "url"],
        [
            (
                row["id"],
                row["state"],
                row["last_outcome"],
                row["http_status"],
                row["last_checked_at"],
                row["url"],
            )
            for row in rows
        ],
    )


@links.command()
@click.argument("url_or_id")
@json_option
@pass_app
def show(app: AppContext, url_or_id: str, as_json: bool) -> None:
    """Show one link (by URL or id): state, evidence per claim, and its check history."""
    with app.database().reading() as session:
        data = link_detail(session, find_link(session, url_or_id))
    if as_json:
        emit_json(data)
        return
    for key in (
        "id",
        "url",
        "domain",
        "state",
        "last_outcome",
        "http_status",
        "final_url",
        "last_checked_at",
        "next_check_at",
        "consecutive_failures",
        "content_changed",
        "archive_url",
    ):
        value = data[key]
        click.echo(f"{key}: {'-' if value is None else getattr(value, 'value', value)}")
    if data["override"]:
        override = data["override"]
        click.echo(f"override: {override['state'].value} ({override['note']})")
    if data["evidence"]:
        print_table(
            ["claim", "expected", "found", "checked"],
            [
                (e["claim_id"], e["expected"], e["state"] or e["found"], e["checked_at"])
                for e in data["evidence"]
            ],
            title="Evidence",
        )
    print_table(
        ["checked", "outcome", "status", "ms", "error"],
        [
            (c["checked_at"], c["outcome"], c["http_status"], c["elapsed_ms"], c["error"])
            for c in data["checks"]
        ],
        title="Checks",
    )


@links.command()
@click.argument("url_or_id")
@click.option("--state", type=click.Choice(["alive", "dead"]), required=True)
@click.option("--reviewer", required=True, metavar="NAME", help="Who decides.")
@click.option("--note", required=True, metavar="TEXT", help="Why (bot wall, paywall...).")
@pass_app
def override(app: AppContext, url_or_id: str, state: str, reviewer: str, note: str) -> None:
    """Pin a link's state until a reviewer clears it (the checker is wrong about it).

    \b
    Example:
      fact-tracker links override https://example.org/a --state alive \\
          --reviewer ana --note "bot wall; page loads in a browser"
    """
    with app.database().transaction() as session:
        link = set_override(
            session,
            url_or_id,
            state=LinkState(state),
            reviewer=reviewer,
            note=note,
            now=utcnow(),
        )
        click.echo(f"Link {link.id} pinned {state}: {link.url}")


@links.command("clear-override")
@click.argument("url_or_id")
@click.option("--reviewer", required=True, metavar="NAME", help="Who clears it.")
@click.option("--note", metavar="TEXT", help="Why.")
@pass_app
def clear_override_command(
    app: AppContext, url_or_id: str, reviewer: str, note: str | None
) -> None:
    """Remove a pinned state; the link takes the state its checks support again."""
    with app.database().transaction() as session:
        link = clear_override(
            session, url_or_id, reviewer=reviewer, note=note, settings=app.settings
        )
        click.echo(f"Link {link.id} override cleared, now {link.state.value}: {link.url}")


@links.command("ignore-domain")
@click.argument("domain")
@click.option("--undo", is_flag=True, help="Count the domain's failures again.")
@click.option("--reviewer", metavar="NAME", help="Who decides (recorded).")
@click.option("--note", metavar="TEXT", help="Why (recorded).")
@pass_app
def ignore_domain_command(
    app: AppContext, domain: str, undo: bool, reviewer: str | None, note: str | None
) -> None:
    """Treat a domain's check failures as inconclusive: its links never become dead.

    \b
    Example:
      fact-tracker links ignore-domain paywalled.example --reviewer ana --note "paywall"
    """
    with app.database().transaction() as session:
        source = ignore_domain(
            session, domain, undo=undo, reviewer=reviewer, note=note, settings=app.settings
        )
        verb = "counted again" if undo else "ignored (inconclusive)"
        click.echo(f"Failures on {source.domain} are {verb}.")


COMMANDS = [check, links]
