"""``reviewers add|list``: the people who may record verdicts, and their roles."""

from __future__ import annotations

import click

from tracker.cli._common import (
    AppContext,
    emit_json,
    json_option,
    pass_app,
    print_table,
    reviewer_option,
    say,
)


@click.group()
def reviewers() -> None:
    """Manage reviewers. Roles: viewer reads; reviewer also records verdicts, notes and fixes;
    admin also adds reviewers."""


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


COMMANDS = [reviewers]
