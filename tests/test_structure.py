"""Front ends hold no rules: what ``tracker/cli/`` (and ``tracker/web/``) may import.

A front end parses input, calls a service, and formats the view it gets back. So it imports
from the tracker only services, views and errors, plus the plumbing listed in
:data:`ALLOWED` with the reason each is allowed. A rule found in a front end belongs in the
feature's services, where the other front end finds it too.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import tracker

PACKAGE = Path(tracker.__file__).parent
FRONT_ENDS = [PACKAGE / name for name in ("cli", "web") if (PACKAGE / name).is_dir()]

ALLOWED = {
    "tracker": "the version string (--version)",
    "tracker.errors": "domain errors, mapped once per front end",
    "tracker.actors": "the actor type every service takes (who acts)",
    "tracker.enums": "the vocabularies views are made of (statuses, states, outcomes)",
    "tracker.settings": "the one settings object, loaded at the edge and passed down",
    "tracker.setting_sources": "the database URL without the full settings (fast start-up)",
    "tracker.db": "the Database handle a front end opens and hands to services",
    "tracker.schema_check": "refusing a database at the wrong schema before any service runs",
    "tracker.migrate": "init and db upgrade|downgrade|current: schema plumbing, no rules",
    "tracker.jsonable": "the one JSON encoding of views",
    "tracker.web": "`serve`: the CLI starts the web front end (create_app)",
    "tracker.web.server": "`serve`: ... and runs it under waitress",
}
SERVICE_OR_VIEW = re.compile(r"^tracker\.\w+\.(services|views)$")


def imported_modules(path: Path, package: str) -> list[tuple[int, str]]:
    """(line, module) for every import in ``path`` (of ``package``), relative ones resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{module}" if module else base
            found.append((node.lineno, module))
    return found


def forbidden_imports(root: Path, front_end: str) -> list[str]:
    """What the modules of the front end ``front_end`` (a package, at ``root``) may not import."""
    problems = []
    for path in sorted(root.rglob("*.py")):
        package = ".".join([front_end, *path.relative_to(root).parent.parts])
        for line, module in imported_modules(path, package):
            top = module.split(".")[0]
            if top in ("reports", "scrapers", "migrations"):
                problems.append(f"{path.name}:{line} imports {module} (go through a service)")
            elif top != "tracker" or module.startswith(front_end):
                continue
            elif module not in ALLOWED and not SERVICE_OR_VIEW.match(module):
                problems.append(f"{path.name}:{line} imports {module}")
    return problems


@pytest.mark.parametrize("front_end", FRONT_ENDS, ids=lambda path: path.name)
def test_front_ends_import_only_services_views_and_errors(front_end: Path) -> None:
    assert forbidden_imports(front_end, f"tracker.{front_end.name}") == []


def test_the_check_catches_a_front_end_reaching_into_a_feature(tmp_path: Path) -> None:
    """The structure test itself: a CLI module importing a feature's internals is caught."""
    (tmp_path / "cli").mkdir()
    (tmp_path / "cli" / "probe.py").write_text(
        "from tracker.review.workflow import parse_status\n"
        "from tracker.review.services import set_status\n"
        "from reports.render import article_report\n"
        "from ._common import say\n"
        "from ..models import Claim\n",
        encoding="utf-8",
    )
    assert forbidden_imports(tmp_path / "cli", "tracker.cli") == [
        "probe.py:1 imports tracker.review.workflow",
        "probe.py:3 imports reports.render (go through a service)",
        "probe.py:5 imports tracker.models",
    ]


def test_service_messages_name_no_command_line_flags() -> None:
    """Errors raised outside the CLI are read in a browser too: no ``--flag`` in them."""
    flag = re.compile(r"(?<![\w-])--[a-z][a-z-]*")
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if any(front in path.parents for front in FRONT_ENDS):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Raise) and node.exc is not None:
                found += [
                    f"{path.relative_to(PACKAGE)}:{node.lineno}"
                    for text in ast.walk(node.exc)
                    if isinstance(text, ast.Constant)
                    and isinstance(text.value, str)
                    and flag.search(text.value)
                ]
    assert found == []
