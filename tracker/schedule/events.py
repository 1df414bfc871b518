"""Structured logs for an unattended process: one ``key=value`` line per event (logfmt).

``ts=2026-11-25T17:00:00.123Z level=info event=batch_done worker=w1 links=100 checked=100``
greps well, parses with any logfmt reader, and never spans lines: exceptions become an
``error="Type: message"`` field (plus an escaped ``traceback`` field with ``--debug``).
Records from other libraries (APScheduler) are written the same way with ``event=log``.
"""

from __future__ import annotations

import logging
import re
import sys
import traceback
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import Enum
from typing import IO, Any

LOGGER_NAME = "tracker.schedule"
_BARE = re.compile(r"^[A-Za-z0-9_.:/@+\-,]+$")


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        value = value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    elif isinstance(value, Enum):
        value = value.value
    elif isinstance(value, float):
        value = f"{value:.3f}".rstrip("0").rstrip(".")
    text = str(value)
    if _BARE.match(text):
        return text
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = escaped.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return f'"{escaped}"'


def _flatten(fields: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in fields.items():
        if value is None:
            continue
        if isinstance(value, Mapping):
            yield from _flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def format_fields(fields: Mapping[str, Any]) -> str:
    """``key=value`` pairs, nested mappings flattened with dots, None values left out."""
    return " ".join(f"{key}={_value(value)}" for key, value in _flatten(fields))


class LogfmtFormatter(logging.Formatter):
    def __init__(self, *, tracebacks: bool = False) -> None:
        super().__init__()
        self.tracebacks = tracebacks

    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC),
            "level": record.levelname.lower(),
        }
        own: Mapping[str, Any] | None = getattr(record, "fields", None)
        if own is not None:
            fields["event"] = record.msg
            fields.update(own)
        else:
            fields["event"] = "log"
            fields["logger"] = record.name
            fields["msg"] = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            fields["error"] = f"{type(exc).__name__}: {exc}"
            if self.tracebacks:
                fields["traceback"] = "".join(traceback.format_exception(exc)).rstrip()
        return format_fields(fields)


class EventLog:
    """``log.info("batch_done", worker="w1", links=100)`` writes one structured line."""

    def __init__(self, name: str = LOGGER_NAME) -> None:
        self.logger = logging.getLogger(name)

    def debug(self, event: str, **fields: Any) -> None:
        self.logger.debug(event, extra={"fields": fields})

    def info(self, event: str, **fields: Any) -> None:
        self.logger.info(event, extra={"fields": fields})

    def warning(self, event: str, **fields: Any) -> None:
        self.logger.warning(event, extra={"fields": fields})

    def error(self, event: str, *, exc: BaseException | None = None, **fields: Any) -> None:
        exc_info = (type(exc), exc, exc.__traceback__) if exc is not None else None
        self.logger.error(event, extra={"fields": fields}, exc_info=exc_info)


log = EventLog()


@contextmanager
def structured_logging(*, debug: bool = False, stream: IO[str] | None = None) -> Iterator[None]:
    """Send the scheduler's events (and APScheduler's warnings) to ``stream`` as logfmt lines.

    Handlers are removed on exit, so running the command twice in one process (tests) does not
    double the lines or write to a closed stream.
    """
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(LogfmtFormatter(tracebacks=debug))
    levels = {LOGGER_NAME: logging.DEBUG if debug else logging.INFO, "apscheduler": logging.WARNING}
    saved = []
    for name, level in levels.items():
        logger = logging.getLogger(name)
        saved.append((logger, logger.level, logger.propagate))
        logger.addHandler(handler)
        logger.setLevel(level)
        logger.propagate = False
    try:
        yield
    finally:
        for logger, level, propagate in saved:
            logger.removeHandler(handler)
            logger.setLevel(level)
            logger.propagate = propagate
        handler.flush()
