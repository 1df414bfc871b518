"""``alerts``: be told when sources rot or verdicts change, by webhook, email or Atom feed."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import click

from tracker.alerts.views import DeliveryView, SubscriptionView, event_kinds
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


def _kinds_help() -> str:
    return "\n".join(f"  {kind:<22} {meaning}" for kind, meaning in event_kinds())


@click.group(
    epilog="\b\nEvents:\n" + _kinds_help(),
)
def alerts() -> None:
    """Subscriptions to what checks and reviewers find, and their deliveries.

    A subscription names a scope (an article, a domain, a reviewer's claims, or everything),
    the events it wants, and one channel: a webhook (a signed JSON POST), an email address
    (a digest, immediate or daily, over the smtp_* settings) or an Atom feed. `fact-tracker
    schedule` delivers them; a channel that keeps failing is paused (`schedule status` shows
    it) until `alerts test` succeeds on it.
    """


@alerts.command("add")
@click.option("--article", "article_id", type=int, metavar="ID", help="Events of this article.")
@click.option("--domain", metavar="DOMAIN", help="Events of links on, or articles of, a domain.")
@click.option("--reviewer-claims", metavar="NAME", help="Events of claims NAME gave a verdict.")
@click.option("--all", "everything", is_flag=True, help="Every event.")
@click.option(
    "--events",
    "events",
    multiple=True,
    metavar="KINDS",
    help="Comma-separated event kinds (default: all; see the list below).",
)
@click.option("--webhook", metavar="URL", help="POST each event, signed, to URL.")
@click.option("--email", metavar="ADDRESS", help="Email a digest to ADDRESS.")
@click.option("--atom", is_flag=True, help="Keep the events as an Atom feed (`alerts feed`).")
@click.option(
    "--daily", is_flag=True, help="Email: one digest a day at 00:00 UTC instead of right away."
)
@click.option("--secret", metavar="TEXT", help="Webhook signing secret (default: generated).")
@json_option
@reviewer_option
@pass_app
def add_command(  # noqa: PLR0917 - one parameter per option, as click passes them
    app: AppContext,
    article_id: int | None,
    domain: str | None,
    reviewer_claims: str | None,
    everything: bool,
    events: tuple[str, ...],
    webhook: str | None,
    email: str | None,
    atom: bool,
    daily: bool,
    secret: str | None,
    as_json: bool,
    reviewer: str | None,
) -> None:
    """Subscribe a channel to the events of one scope.

    A new webhook gets a signing secret, printed once: receivers check
    X-Fact-Tracker-Signature (HMAC-SHA256 over timestamp + "." + body) with it.

    \b
    Examples:
      fact-tracker alerts add --article 3 --webhook https://hooks.example.org/ft
      fact-tracker alerts add --domain bbc.co.uk --events link.dead,evidence.missing \\
          --email desk@example.org --daily
      fact-tracker alerts add --reviewer-claims ana --events claim.needs_rereview --atom
      fact-tracker alerts add --all --webhook https://hooks.example.org/ft --json
    """
    from tracker.alerts.services import add_subscription

    scopes = [
        ("article", str(article_id) if article_id is not None else None),
        ("domain", domain),
        ("reviewer", reviewer_claims),
        ("all", "yes" if everything else None),
    ]
    chosen = [(scope, value) for scope, value in scopes if value is not None]
    if len(chosen) != 1:
        raise click.UsageError("name one scope: --article, --domain, --reviewer-claims or --all")
    scope, value = chosen[0]
    added = add_subscription(
        app.database(),
        app.actor(reviewer),
        scope=scope,
        value=None if scope == "all" else value,
        events=list(events),
        webhook=webhook,
        email=email,
        atom=atom,
        digest="daily" if daily else "immediate",
        secret=secret,
    )
    if as_json:
        emit_json(added)
        return
    view = added.subscription
    say(f"Subscription {view.id}: {view.describes} -> {view.channel} {view.target}")
    say(f"events: {', '.join(view.events)}")
    if added.secret:
        say(f"signing secret (shown once): {added.secret}")


@alerts.command("list")
@json_option
@pass_app
def list_command(app: AppContext, as_json: bool) -> None:
    """Every subscription, its channel and whether the channel is paused.

    \b
    Example:
      fact-tracker alerts list --json
    """
    from tracker.alerts.services import list_subscriptions

    views = list_subscriptions(app.database(), app.reader)
    if as_json:
        emit_json(views)
        return
    print_table(
        ["id", "scope", "events", "channel", "target", "state"],
        [_row(view) for view in views],
        title="Alert subscriptions",
    )


def _row(view: SubscriptionView) -> tuple[object, ...]:
    channel = view.channel + (" (daily)" if view.digest == "daily" else "")
    state = f"paused: {view.paused_reason}" if view.paused else "active"
    return (view.id, view.describes, ", ".join(view.events), channel, view.target, state)


@alerts.command("remove")
@click.argument("subscription_id", type=int)
@reviewer_option
@pass_app
def remove_command(app: AppContext, subscription_id: int, reviewer: str | None) -> None:
    """Remove subscription SUBSCRIPTION_ID.

    Deliveries still pending on its channel are cancelled when no other subscription uses it.

    \b
    Example:
      fact-tracker alerts remove 2
    """
    from tracker.alerts.services import remove_subscription

    cancelled = remove_subscription(app.database(), app.actor(reviewer), subscription_id)
    extra = f" ({plural(cancelled, 'pending delivery', 'pending deliveries')} cancelled)"
    say(f"Removed subscription {subscription_id}" + (extra if cancelled else ""))


@alerts.command("test")
@click.argument("subscription_id", type=int)
@json_option
@reviewer_option
@pass_app
def test_command(
    app: AppContext, subscription_id: int, as_json: bool, reviewer: str | None
) -> None:
    """Send a test event to the channel of SUBSCRIPTION_ID now, and print the answer.

    Exits 1 when the channel did not accept it. A success resumes a paused channel.

    \b
    Example:
      fact-tracker alerts test 1
    """
    from tracker.alerts.services import send_test_alert

    worker = f"{socket.gethostname().split('.')[0]}-{os.getpid()}"
    view = send_test_alert(
        app.database(), app.actor(reviewer), app.settings, subscription_id, worker=worker
    )
    if as_json:
        emit_json(view)
    else:
        answer = view.history[-1].answer if view.history else None
        say(f"{view.status}: {answer or view.last_error or '-'}")
    if view.status != "delivered":
        raise SystemExit(1)


@alerts.command("deliveries")
@click.option("--subscription", "subscription_id", type=int, metavar="ID", help="Only these.")
@click.option(
    "--status",
    type=click.Choice(["pending", "sending", "delivered", "failed", "cancelled"]),
    help="Only deliveries in this state.",
)
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@json_option
@pass_app
def deliveries_command(
    app: AppContext, subscription_id: int | None, status: str | None, limit: int, as_json: bool
) -> None:
    """The latest deliveries, newest first, with every attempt and its answer.

    An attempt without an answer is one whose sender was stopped before it could record one;
    the next attempt resends the same event id, marked as a retry.

    \b
    Examples:
      fact-tracker alerts deliveries --status failed
      fact-tracker alerts deliveries --subscription 1 --json
    """
    from tracker.alerts.services import list_deliveries

    views = list_deliveries(
        app.database(), app.reader, subscription_id=subscription_id, status=status, limit=limit
    )
    if as_json:
        emit_json(views)
        return
    print_table(
        ["id", "event", "kind", "channel", "status", "attempts", "last answer"],
        [_delivery_row(view) for view in views],
        title="Alert deliveries",
    )


def _delivery_row(view: DeliveryView) -> tuple[object, ...]:
    last = view.history[-1] if view.history else None
    answer = (last.answer or "no answer recorded") if last else "-"
    return (
        view.id,
        view.event_id[:8],
        view.kind,
        f"{view.channel} {view.target}",
        view.status,
        view.attempts,
        answer,
    )


@alerts.command("feed")
@click.argument("subscription_id", type=int)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
@pass_app
def feed_command(app: AppContext, subscription_id: int, output: Path | None) -> None:
    """Print (or write to a file) the Atom feed of an --atom subscription.

    \b
    Example:
      fact-tracker alerts feed 3 -o alerts.xml    # serve it, or point a feed reader at it
    """
    from tracker.alerts.services import subscription_feed

    document = subscription_feed(app.database(), app.reader, subscription_id)
    if output is None:
        click.echo(document.decode("utf-8"))
        return
    output.write_bytes(document)
    say(f"Wrote {output}")


COMMANDS = [alerts]
