"""Where settings come from: environment variables, the settings file, the defaults' places.

Light on purpose (no pydantic): a short command such as ``claims list`` needs only the database
URL, and can often learn it without building :class:`tracker.settings.Settings` (pydantic is a
sizeable share of a short command's start-up). :func:`quick_database_url` follows the same
precedence as the settings object, and says when only the full settings can answer.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "fact-tracker"
ENV_PREFIX = "FACT_TRACKER_"


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_database_url() -> str:
    return f"sqlite:///{data_dir() / 'fact-tracker.sqlite3'}"


def settings_file() -> Path:
    configured = os.environ.get(f"{ENV_PREFIX}CONFIG")
    if configured:
        return Path(configured)
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "config.toml"


def quick_database_url() -> str | None:
    """The database URL the settings would give, or None when the settings file exists (then
    only the full settings object can say, as it validates the whole file)."""
    wanted = f"{ENV_PREFIX}DATABASE_URL".lower()
    for name, value in os.environ.items():
        if name.lower() == wanted:  # pydantic-settings reads names case-insensitively
            return value
    if settings_file().exists():
        return None
    return default_database_url()
