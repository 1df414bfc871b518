"""``check`` and the ``links`` group: check cited links, inspect them, correct the checker.

Exit codes of ``check``: 0 when no checked link is broken, 3 when at least one ended in a
failure that counts toward rot (not_found, soft_404, server_error, timeout, unreachable,
redirect_loop, invalid_url), so CI pipelines can gate on it; 1 and 2 as everywhere else.
"""

from __future__ import annotations

import click

from tracker.cli._common import (
    AppContext,
    emit_json,
    json_option,
    pass_app,
    plural,
    print_table,
    progress_bar,
    reviewer_option,
    say,
)
from tracker.enums import CheckOutcome, LinkState
from tracker.linkcheck.views import CheckReport, LinkSummary

EXIT_BROKEN_LINKS = 3
DUE_BATCH_SIZE = 200
"""Links of one host claimed ahead of its checks (no batch waits for its slowest link any
more: a worker claims more as slots free up)."""
STATE_CHOICES = click.Choice([state.value for state in LinkState])
OUTCOME_CHOICES = click.Choice([outcome.value for outcome in CheckOutcome])


@click.command()
@click.option("--all", "every", is_flag=True, help="Check every link (but retired ones).")
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
    type=click.IntRange(1, 10_000),
    default=DUE_BATCH_SIZE,
    show_default=True,
    help="With --due: most links of one host claimed (leased) ahead of its checks.",
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
    """Check cited links now and record one check per link (as system:checker).

    \b
    Examples:
      fact-tracker check --all
      fact-tracker check --due --concurrency 64
      fact-tracker check --due                    # beside running schedulers
      fact-tracker check --link https://example.org/report.pdf --json
      fact-tracker check --article 3

    Each link gets an outcome (ok, redirected, not_found, soft_404, blocked, rate_limited,
    server_error, timeout, unreachable, redirect_loop, invalid_url) and a state (alive, at_risk,
    dead). Exits 3 when a checked link is broken, so scripts can gate on it.

    --due holds hosts and claims their due links under leases, exactly as `fact-tracker
    schedule` does, so it may run beside schedulers sharing a PostgreSQL database: no link is
    checked twice, no host gets more than its limits from all of them together, and an
    interrupted run releases what it claimed. --all, --link and --article check what they
    name now, without leases, FACT_TRACKER_PER_HOST_CONCURRENCY per host.
    """
    from tracker.actors import CHECKER
    from tracker.errors import InvalidInput
    from tracker.linkcheck.services import check_due_links, check_links, links_to_check

    if sum([every, due, link is not None, article_id is not None]) != 1:
        raise InvalidInput("choose exactly one of --all, --due, --link URL|ID, --article ID")
    settings = app.settings.with_overrides(concurrency=concurrency)
    database = app.database()
    with progress_bar(not as_json) as progress:
        if due:
            report = check_due_links(
                database, CHECKER, settings, batch_size=batch_size, progress=progress
            )
        else:
            ids = links_to_check(database, CHECKER, every=every, link=link, article_id=article_id)
            report = check_links(database, CHECKER, settings, ids, progress=progress)
    if as_json:
        emit_json(report)
    else:
        _print_report(report)
    if report.broken:
        click.get_current_context().exit(EXIT_BROKEN_LINKS)


def _print_report(report: CheckReport) -> None:
    say(
        f"Checked {plural(report.checked, 'link')} in {report.seconds:.1f} s: "
        f"{report.broken} broken, {plural(report.flagged_claims, 'claim')} flagged for re-review."
    )
    if report.checked:
        print_table(["outcome", "links"], sorted(report.outcomes.items()), title="Outcomes")
        print_table(["state", "links"], sorted(report.states.items()), title="States")


@click.group()
def links() -> None:
    """List and inspect cited links; override the checker where it is wrong."""


@links.command("list")
@click.option("--state", type=STATE_CHOICES, help="Only links in this (effective) state.")
@click.option("--outcome", type=OUTCOME_CHOICES, help="Only links whose last check ended so.")
@click.option("--domain", metavar="DOMAIN", help="Only links on this domain (a URL or host).")
@json_option
@pass_app
def list_command(
    app: AppContext, state: str | None, outcome: str | None, domain: str | None, as_json: bool
) -> None:
    """List links with their state (an override marked) and last outcome.

    \b
    Examples:
      fact-tracker links list --state dead
      fact-tracker links list --outcome soft_404 --json
      fact-tracker links list --domain https://www.example.org/any/page
    """
    from tracker.linkcheck.services import list_links

    rows = list_links(
        app.database(),
        app.reader,
        state=state,
        outcome=outcome,
        domain=domain,
        with_evidence=as_json,
    )
    if as_json:
        emit_json(rows)
        return
    print_table(
        ["id", "state", "outcome", "status", "last checked", "url"],
        [
            (row.id, _state(row), row.last_outcome, row.http_status, row.last_checked_at, row.url)
            for row in rows
        ],
    )


def _state(link: LinkSummary) -> str:
    """The effective state, marked when a reviewer's override decides it."""
    if link.overridden:
        return f"{link.state.value} (override; checker: {link.checker_state.value})"
    return link.state.value + (" (retired)" if link.retired else "")


@links.command()
@click.argument("url_or_id")
@json_option
@pass_app
def show(app: AppContext, url_or_id: str, as_json: bool) -> None:
    """Show one link (by URL or id): state, evidence per claim, and its check history."""
    from tracker.cli._format import evidence_label
    from tracker.linkcheck.services import show_link

    detail = show_link(app.database(), app.reader, url_or_id)
    if as_json:
        emit_json(detail)
        return
    link = detail.link
    for key, value in (
        ("id", link.id),
        ("url", link.url),
        ("domain", link.domain),
        ("state", _state(link)),
        ("last_outcome", link.last_outcome),
        ("http_status", link.http_status),
        ("final_url", link.final_url),
        ("last_checked_at", link.last_checked_at),
        ("next_check_at", link.next_check_at),
        ("consecutive_failures", link.consecutive_failures),
        ("content_changed", link.content_changed),
        ("archive_url", link.archive_url),
    ):
        say(f"{key}: {'-' if value is None else getattr(value, 'value', value)}")
    if detail.override:
        say(f"override: {detail.override.state.value} ({detail.override.note})")
    if link.evidence:
        print_table(
            ["claim", "expected", "found", "checked"],
            [
                (e.claim_id, e.expected, evidence_label(e.state, e.found), e.checked_at)
                for e in link.evidence
            ],
            title="Evidence",
        )
    print_table(
        ["checked", "outcome", "status", "ms", "error"],
        [(c.checked_at, c.outcome, c.http_status, c.elapsed_ms, c.error) for c in detail.checks],
        title="Checks",
    )


@links.command()
@click.argument("url_or_id")
@click.option("--state", type=click.Choice(["alive", "dead"]), required=True)
@click.option("--note", required=True, metavar="TEXT", help="Why (bot wall, paywall...).")
@reviewer_option
@pass_app
def override(app: AppContext, url_or_id: str, state: str, note: str, reviewer: str | None) -> None:
    """Pin a link's state until a reviewer clears it (the checker is wrong about it).

    The checks go on; reports show the pinned state, marked as an override, beside the
    checker's.

    \b
    Example:
      fact-tracker links override https://example.org/a --state alive \\
          --reviewer ana --note "bot wall; page loads in a browser"
    """
    from tracker.linkcheck.services import override_link

    actor = app.actor(reviewer)
    change = override_link(app.database(), actor, url_or_id, state=state, note=note)
    say(f"Link {change.link.id} pinned {state} (was {change.before.value}): {change.link.url}")


@links.command("clear-override")
@click.argument("url_or_id")
@click.option("--note", metavar="TEXT", help="Why.")
@reviewer_option
@pass_app
def clear_override_command(
    app: AppContext, url_or_id: str, note: str | None, reviewer: str | None
) -> None:
    """Remove a pinned state; the link takes the state its checks support again."""
    from tracker.linkcheck.services import clear_link_override

    actor = app.actor(reviewer)
    change = clear_link_override(app.database(), actor, app.settings, url_or_id, note=note)
    link = change.link
    say(f"Link {link.id} override cleared, now {link.state.value}: {link.url}")


@links.command("ignore-domain")
@click.argument("domain")
@click.option("--undo", is_flag=True, help="Count the domain's failures again.")
@click.option("--note", metavar="TEXT", help="Why (recorded).")
@reviewer_option
@pass_app
def ignore_domain_command(
    app: AppContext, domain: str, undo: bool, note: str | None, reviewer: str | None
) -> None:
    """Treat a domain's check failures as inconclusive: its links never become dead.

    DOMAIN may be a URL or any host of the domain, as for `sources show`.

    \b
    Example:
      fact-tracker links ignore-domain paywalled.example --reviewer ana --note "paywall"
    """
    from tracker.linkcheck.services import ignore_domain_failures

    actor = app.actor(reviewer)
    flag = ignore_domain_failures(app.database(), actor, app.settings, domain, undo=undo, note=note)
    verb = "ignored (inconclusive)" if flag.ignore_failures else "counted again"
    say(f"Failures on {flag.domain} are {verb} ({plural(flag.links, 'link')}).")


COMMANDS = [check, links]
