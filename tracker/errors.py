"""Domain exceptions. Services raise these; each front end translates them once, at its edge.

Messages are written for whoever acts, whatever the front end: they never name a command-line
flag or a form field. The CLI maps these classes to exit codes in one table
(``tracker/cli/__init__.py``); the web app maps them to HTTP statuses with
:data:`HTTP_STATUS` below.
"""

from __future__ import annotations

from collections.abc import Mapping


class TrackerError(Exception):
    """Base of every error the tracker reports to a user as one readable line."""


class InvalidInput(TrackerError):
    """The caller gave us something we cannot use (bad URL, bad status, empty note...)."""


class NotFound(TrackerError):
    """An id, URL or name that names nothing in the database."""

    def __init__(self, kind: str, key: object) -> None:
        super().__init__(f"{kind} {key!s} not found")
        self.kind = kind
        self.key = key


class PermissionDenied(TrackerError):
    """The acting reviewer's role (or the system actor) may not take this action."""


class NotAuthenticated(TrackerError):
    """No valid credentials: a wrong password, an unknown, expired or revoked token."""


class TooManyAttempts(TrackerError):
    """Too many failed logins lately, for that name or from that address: wait and retry."""


class StaleVersion(TrackerError):
    """An optimistic-locking conflict: someone changed the record since the caller read it."""


class FetchError(TrackerError):
    """Fetching a document failed (network, size cap, refused by the SSRF guard...).

    When the host answered, ``status`` and ``headers`` are its answer (a 429's Retry-After
    pauses the host: :func:`tracker.politeness.gate.pause_asked`)."""

    def __init__(
        self, message: str, *, status: int | None = None, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.headers: Mapping[str, str] = headers or {}


class DatabaseError(TrackerError):
    """The database is unreachable, missing, or not at the schema this code expects."""


class DatabaseMissing(DatabaseError):
    """A SQLite file that does not exist, opened by something that must not create it."""


class Interrupted(TrackerError):
    """Work stopped by a signal before it was done (what was committed stays)."""


HTTP_STATUS: dict[type[TrackerError], int] = {
    NotFound: 404,
    PermissionDenied: 403,
    NotAuthenticated: 401,
    TooManyAttempts: 429,
    StaleVersion: 409,
    InvalidInput: 422,
    FetchError: 502,
    DatabaseError: 503,
    Interrupted: 503,
    TrackerError: 500,
}
"""The HTTP status of each error, for web front ends (looked up along the class's MRO)."""


def lookup(table: dict[type[TrackerError], int], error: TrackerError) -> int:
    """The value ``table`` gives the nearest class of ``error`` (its own, else a base's)."""
    for cls in type(error).__mro__:
        if cls in table:
            return table[cls]
    return table[TrackerError]


def http_status(error: TrackerError) -> int:
    return lookup(HTTP_STATUS, error)
