"""Package exports imported on first use (PEP 562), so importing one light submodule stays light.

The page readers of the link checker run in worker processes that import
``tracker.linkcheck.content`` and ``tracker.http.charset`` only; without this, the packages'
``__init__`` would pull in aiohttp, SQLAlchemy and the settings on every worker start.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable


def lazy_exports(package: str, exports: dict[str, str]) -> Callable[[str], object]:
    """A module ``__getattr__`` that imports each exported name from its module when asked."""

    def load(name: str) -> object:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(module), name)

    return load
