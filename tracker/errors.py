"""Domain exceptions. Services raise these; the CLI and web app translate them once, at the edge.

Each carries the process exit code the CLI should use, so the mapping lives in one place:
0 success, 1 operational failure, 2 bad usage or bad input (lychee's convention).
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2


class TrackerError(Exception):
    """Base of every error the tracker reports to a user as one readable line."""

    exit_code: int = EXIT_FAILURE


class InvalidInput(TrackerError):
    """The user gave us something we cannot use (bad URL, bad status, empty note...)."""

    exit_code = EXIT_USAGE


class NotFound(InvalidInput):
    """An id, URL or name that names nothing in the database."""

    def __init__(self, kind: str, key: object) -> None:
        super().__init__(f"{kind} {key!s} not found")
        self.kind = kind
        self.key = key


class PermissionDenied(InvalidInput):
    """The acting reviewer's role does not allow the action."""


class StaleVersion(TrackerError):
    """An optimistic-locking conflict: someone changed the record since the caller read it."""

    exit_code = EXIT_FAILURE


class FetchError(TrackerError):
    """Fetching a document failed (network, size cap, refused by the SSRF guard...)."""


class DatabaseError(TrackerError):
    """The database is unreachable or not at the schema this code expects."""
