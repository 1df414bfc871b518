"""``reviewers add|list``: the people who may record verdicts, and their roles."""

from __future__ import annotations

import click

from tracker.cli._common import AppContext, emit_json, json_option, pass_app, print_table, printable
from tracker.review import add_reviewer, list_reviewers


@click.group()
def reviewers() -> None:
    """Manage reviewers. Roles: admin and reviewer record verdicts, notes and edits; viewer
    only reads."""


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
@pass_app
def add(app: AppContext, name: str, email: str | None, role: str) -> None:
    """Add a reviewer.

    \b
    Examples:
      fact-tracker reviewers add ana --email ana@example.org
      fact-tracker reviewers add vic --role viewer
    """
    reviewer = add_reviewer(app.database(), name, email=email, role=role)
    click.echo(printable(f"Added reviewer {reviewer.name} ({reviewer.role.value})"))


@reviewers.command("list")
@json_option
@pass_app
def list_(app: AppContext, as_json: bool) -> None:
    """List reviewers and their roles."""
    rows = list_reviewers(app.database())
    if as_json:
        emit_json(
            [
                {
                    "id": r.id,
                    "name": r.name,
                    "email": r.email,
                    "role": r.role,
                    "created_at": r.created_at,
                }
                for r in rows
            ]
        )
        return
    print_table(
        ["id", "name", "email", "role", "added"],
        [(r.id, printable(r.name), r.email, r.role, r.created_at) for r in rows],
    )


COMMANDS = [reviewers]
