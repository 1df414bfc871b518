"""The JSON API (filled in below)."""

from __future__ import annotations

from flask import Flask


def install(app: Flask) -> None:
    app.config.setdefault("API_PREFIX", "/api")
