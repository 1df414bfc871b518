"""Alembic environment: strict comparison, one transaction per migration, batch mode on SQLite.

The connection comes from the caller (``tracker.migrate``) when run programmatically, or from
the tracker's settings when run with the ``alembic`` command.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from tracker.db import make_engine
from tracker.migrate import include_name
from tracker.models import Base
from tracker.settings import load_settings

config = context.config
target_metadata = Base.metadata


def configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        compare_server_default=True,
        include_name=include_name,
        render_as_batch=connection.dialect.name == "sqlite",
        transaction_per_migration=True,
    )


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(load_settings().database_url)
    with engine.connect() as conn:
        configure(conn)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; connect to a database")
run_migrations_online()
