"""Command groups that several feature modules add subcommands to."""

from __future__ import annotations

import click


@click.group()
def claims() -> None:
    """List, inspect, add, edit and review the claims found in articles."""


COMMANDS = [claims]
