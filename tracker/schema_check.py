"""Is the database at the schema this code expects? Answered without importing Alembic.

Every command asks this before touching the database, and Alembic (with Mako and Pygments)
takes about a tenth of a second to import: a sizeable part of a short command's run. The
fast answer reads ``alembic_version`` with plain SQL and finds the head revision by reading
the migration scripts' ``revision`` / ``down_revision`` lines. It only ever says "current";
anything else (no table, another revision, several heads) is left to Alembic, which gives
the authoritative answer and the error message.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

import migrations
from tracker.db import Database
from tracker.errors import DatabaseError

_VERSIONS = Path(migrations.__file__).parent / "versions"
_REVISION = re.compile(r"^revision\b[^=]*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN = re.compile(r"^down_revision\b[^=]*=\s*(.+)$", re.MULTILINE)
_QUOTED = re.compile(r"['\"]([^'\"]+)['\"]")


@cache
def script_head() -> str | None:
    """The one head revision of the migration scripts, or None if it is not plain to see."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in _VERSIONS.glob("*.py"):
        source = script.read_text("utf-8")
        found = _REVISION.findall(source)
        if len(found) != 1:
            continue  # __init__.py, helpers
        revisions.add(found[0])
        for down in _DOWN.findall(source):
            parents.update(_QUOTED.findall(down))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def stored_revision(engine: Engine) -> str | None:
    """The revision recorded in the database; None when there is none or not exactly one."""
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    except DBAPIError:
        return None
    return str(rows[0][0]) if len(rows) == 1 else None


def surely_current(engine: Engine) -> bool:
    """True when the database is certainly at the head revision (False: ask Alembic)."""
    head = script_head()
    return head is not None and stored_revision(engine) == head


def ensure_current(database: Database) -> None:
    """Refuse a database that is not at the schema this code expects, saying how to fix it."""
    if surely_current(database.engine):
        return
    from tracker import migrate

    current = migrate.current_revision(database.engine)
    head = migrate.head_revision()
    if current is None:
        raise DatabaseError("the database has no fact-tracker schema: run `fact-tracker init`")
    if current != head:
        raise DatabaseError(
            f"the database schema is at {current}, this version needs {head}: "
            "run `fact-tracker db upgrade`"
        )
