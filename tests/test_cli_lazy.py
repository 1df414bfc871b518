"""The lazily-loading command group: the table of command modules stays true, and a short
command imports only what it needs."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

from click.testing import CliRunner

import tracker.cli
from tracker.cli import COMMAND_MODULES, cli


def test_every_command_is_mapped_to_the_module_that_defines_it() -> None:
    defined: dict[str, str] = {}
    for info in pkgutil.iter_modules(tracker.cli.__path__):
        module = importlib.import_module(f"tracker.cli.{info.name}")
        for command in getattr(module, "COMMANDS", ()):
            assert command.name not in defined, f"{command.name} is defined twice"
            defined[command.name] = info.name
    assert defined == COMMAND_MODULES


def _imported_after(args: list[str]) -> set[str]:
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from tracker.cli import cli\n"
        f"result = CliRunner().invoke(cli, {args!r})\n"
        "assert result.exit_code == 0, result.output\n"
        "print('\\n'.join(sorted(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return set(out.split())


def test_running_a_command_imports_only_its_module() -> None:
    modules = _imported_after(["check", "--help"])
    assert "tracker.cli.links" in modules
    assert "tracker.cli.articles" not in modules
    assert "tracker.cli.report" not in modules


def test_claims_list_imports_no_html_extraction() -> None:
    """``claims list`` reads the database: no scrapers, trafilatura, Jinja2 or Alembic."""
    modules = _imported_after(["claims", "list", "--help"])
    assert "tracker.cli.claims" in modules
    for heavy in ("trafilatura", "scrapers", "jinja2", "alembic", "tracker.cli.articles"):
        assert heavy not in modules, heavy


def test_version_imports_neither_the_database_nor_settings() -> None:
    modules = _imported_after(["--version"])
    for heavy in ("sqlalchemy", "pydantic", "rich", "tracker.db", "tracker.settings"):
        assert heavy not in modules, heavy


def test_help_lists_every_command() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in COMMAND_MODULES:
        assert name in result.output
