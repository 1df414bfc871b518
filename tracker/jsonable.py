"""The one JSON encoding of views: the CLI's ``--json``, JSON reports and the web API share it.

Dataclasses become objects (field by field), enums their values, dates ISO 8601, tuples and
sets arrays. Nothing else is special-cased, so every front end prints the same shape.
"""

from __future__ import annotations

import json
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any


def to_jsonable(value: Any) -> Any:  # noqa: PLR0911 - one return per kind of value
    """``value`` as plain JSON data."""
    if is_dataclass(value) and not isinstance(value, type):
        return {field.name: to_jsonable(getattr(value, field.name)) for field in fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): to_jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(item) for item in value]
    if isinstance(value, set | frozenset):
        return [to_jsonable(item) for item in sorted(value, key=str)]
    return value


def dumps(value: Any, *, indent: int | None = 2) -> str:
    """``value`` encoded as JSON text (UTF-8 characters kept as they are)."""
    return json.dumps(to_jsonable(value), indent=indent, ensure_ascii=False)
