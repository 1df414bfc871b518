"""``reviewers add|list``: the people who may record verdicts, and their roles."""

from __future__ import annotations

import sys

import click

from tracker.actors import Actor
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


@click.group()
def reviewers() -> None:
    """Manage reviewers, their web passwords and API tokens. Roles: viewer reads; reviewer also
    records verdicts, notes and fixes; admin also adds reviewers."""


@reviewers.command("add")
@click.argument("name")
@click.option("--email", metavar="ADDRESS", help="Contact address, shown in reports.")
@click.option(
    "--role",
    default="reviewer",
    show_default=True,
    metavar="admin|reviewer|viewer",
    help="What the reviewer may do.",
)
@reviewer_option
@pass_app
def add(app: AppContext, name: str, email: str | None, role: str, reviewer: str | None) -> None:
    """Add a reviewer.

    Until the database has an admin, anyone may add reviewers (that is how the first admin
    is made); from then on only an admin may, named by --reviewer.

    \b
    Examples:
      fact-tracker reviewers add ana --email ana@example.org --role admin
      fact-tracker reviewers add vic --role viewer --reviewer ana
    """
    from tracker.actors import LOCAL_READER
    from tracker.review.services import add_reviewer

    actor = app.actor(reviewer) if (reviewer or app.settings.reviewer) else LOCAL_READER
    added = add_reviewer(app.database(), actor, name, email=email, role=role)
    say(f"Added reviewer {added.name} ({added.role.value})")


@reviewers.command("list")
@json_option
@pass_app
def list_(app: AppContext, as_json: bool) -> None:
    """List reviewers and their roles."""
    from tracker.review.services import list_reviewers

    rows = list_reviewers(app.database(), app.reader)
    if as_json:
        emit_json(rows)
        return
    print_table(
        ["id", "name", "email", "role", "added"],
        [(r.id, r.name, r.email, r.role, r.created_at) for r in rows],
    )


def _actor_for(app: AppContext, reviewer: str | None, name: str) -> Actor:
    """Who acts on ``name``'s account: --reviewer, the reviewer setting, else ``name``
    themselves (the person at the terminal setting their own password)."""
    return Actor.reviewer(reviewer or app.settings.reviewer or name)


@reviewers.command("passwd")
@click.argument("name")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input (for scripts).",
)
@reviewer_option
@pass_app
def passwd(app: AppContext, name: str, password_stdin: bool, reviewer: str | None) -> None:
    """Set NAME's password for the web workspace (asked twice, not echoed).

    NAME may set their own; an admin may set anyone's. Setting it logs NAME out of every
    browser. At least 10 characters; stored as an argon2 hash.

    \b
    Examples:
      fact-tracker reviewers passwd ana
      printf '%s\\n' "$PASSWORD" | fact-tracker reviewers passwd ana --password-stdin
    """
    from tracker.accounts.services import set_password

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    result = set_password(app.database(), _actor_for(app, reviewer, name), name, password)
    say(f"Password set for {result.name}; {plural(result.revoked_sessions, 'session')} ended")


@reviewers.command("token")
@click.argument("name")
@click.option("--label", metavar="TEXT", help="What the token is for (shown in `tokens`).")
@reviewer_option
@pass_app
def issue(app: AppContext, name: str, label: str | None, reviewer: str | None) -> None:
    """Issue an API token acting as NAME (printed once: only its hash is kept).

    Send it as `Authorization: Bearer TOKEN` to the workspace's /api/. Revoke it with
    `fact-tracker reviewers revoke-token ID`.
    """
    from tracker.accounts.services import issue_token

    issued = issue_token(app.database(), _actor_for(app, reviewer, name), name, label=label)
    say(f"API token {issued.id} for {issued.name} (shown once, keep it secret):", err=True)
    click.echo(issued.token)


@reviewers.command("tokens")
@click.argument("name")
@json_option
@reviewer_option
@pass_app
def list_tokens_(app: AppContext, name: str, as_json: bool, reviewer: str | None) -> None:
    """List NAME's API tokens (never the tokens themselves)."""
    from tracker.accounts.services import list_tokens

    rows = list_tokens(app.database(), _actor_for(app, reviewer, name), name)
    if as_json:
        emit_json(rows)
        return
    print_table(
        ["id", "name", "label", "created", "last used", "revoked"],
        [(t.id, t.name, t.label, t.created_at, t.last_used_at, t.revoked_at) for t in rows],
    )


@reviewers.command("revoke-token")
@click.argument("token_id", type=int)
@reviewer_option
@pass_app
def revoke_token(app: AppContext, token_id: int, reviewer: str | None) -> None:
    """Revoke API token TOKEN_ID: it is refused from now on."""
    from tracker.accounts.services import revoke_token as revoke

    actor = app.actor(reviewer)
    revoked = revoke(app.database(), actor, token_id)
    say(f"API token {revoked.id} of {revoked.name} revoked")


COMMANDS = [reviewers]
