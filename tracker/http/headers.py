"""Response headers: an ordered, case-insensitive multi-map (the subset of httpx.Headers we use)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator


class Headers:
    """Header names compare case-insensitively; repeated headers keep every value."""

    def __init__(self, items: Iterable[tuple[str, str]] = ()) -> None:
        self._items = list(items)

    def get(self, name: str, default: str | None = None) -> str | None:
        """The first value of ``name`` (repeated headers: see :meth:`get_list`)."""
        lowered = name.lower()
        for key, value in self._items:
            if key.lower() == lowered:
                return value
        return default

    def get_list(self, name: str) -> list[str]:
        lowered = name.lower()
        return [value for key, value in self._items if key.lower() == lowered]

    def __getitem__(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            raise KeyError(name)
        return value

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(key.lower() for key, _ in self._items)

    def items(self) -> list[tuple[str, str]]:
        return [(key.lower(), value) for key, value in self._items]

    def __repr__(self) -> str:
        return f"Headers({self._items!r})"
