"""A Database whose units of work run inside a test's transaction (rolled back afterwards).

SQLAlchemy's "joining a session into an external transaction" recipe: sessions are bound to
one connection that already has a transaction open, and ``join_transaction_mode=
"create_savepoint"`` turns each unit of work's commit or rollback into a SAVEPOINT's.
"""

from __future__ import annotations

from sqlalchemy import Connection, text
from sqlalchemy.orm import sessionmaker

from tracker.db import Database


class JoinedDatabase(Database):
    """``shared``'s URL and engine, with every session on ``connection``'s open transaction."""

    def __init__(self, shared: Database, connection: Connection) -> None:
        # Deliberately not calling Database.__init__: no engine of its own.
        self.url = shared.url
        self.engine = shared.engine
        self._sessions = sessionmaker(
            bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )

    def dispose(self) -> None:
        """The shared engine outlives the test."""


def restart_sequences(connection: Connection) -> None:
    """Every sequence back to 1 (PostgreSQL: nextval is never rolled back, ids would grow)."""
    connection.execute(
        text(
            "SELECT setval(c.oid, 1, false) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'S' AND n.nspname = current_schema()"
        )
    )
    connection.commit()
