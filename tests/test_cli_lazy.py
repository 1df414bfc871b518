"""The lazily-loading command group: the table of command modules stays true."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

from click.testing import CliRunner

import tracker.cli
from tracker.cli import COMMAND_MODULES, cli

SHARED_GROUPS = {"claims"}  # several modules add subcommands: always found by importing all


def test_every_command_is_mapped_to_the_module_that_defines_it() -> None:
    defined: dict[str, str] = {}
    for info in pkgutil.iter_modules(tracker.cli.__path__):
        module = importlib.import_module(f"tracker.cli.{info.name}")
        for command in getattr(module, "COMMANDS", ()):
            defined[command.name] = info.name
    for name in SHARED_GROUPS:
        defined.pop(name)
    assert defined == COMMAND_MODULES


def test_running_a_command_imports_only_its_module() -> None:
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from tracker.cli import cli\n"
        "result = CliRunner().invoke(cli, ['check', '--help'])\n"
        "assert result.exit_code == 0, result.output\n"
        "assert '--due' in result.output\n"
        "print(sorted(m for m in sys.modules if m.startswith('tracker.cli.')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert "tracker.cli.links" in out
    assert "tracker.cli.ingest" not in out
    assert "tracker.cli.report" not in out


def test_help_lists_every_command() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in [*COMMAND_MODULES, *SHARED_GROUPS]:
        assert name in result.output
