"""Durations as people write them on a command line: ``90s``, ``15m``, ``1h30m``, ``2d``."""

from __future__ import annotations

import re
from datetime import timedelta

from tracker.errors import InvalidInput

_PART = re.compile(r"(\d+(?:\.\d+)?)([smhd])")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> timedelta:
    """``1h30m`` -> 90 minutes. At least one second; every number needs a unit."""
    cleaned = text.strip().lower().replace(" ", "")
    parts = _PART.findall(cleaned)
    if not cleaned or "".join(number + unit for number, unit in parts) != cleaned:
        raise InvalidInput(f"invalid duration {text!r}: write e.g. 90s, 15m, 1h30m or 2d")
    seconds = sum(float(number) * _UNITS[unit] for number, unit in parts)
    if seconds < 1:
        raise InvalidInput(f"invalid duration {text!r}: at least 1s")
    return timedelta(seconds=seconds)
