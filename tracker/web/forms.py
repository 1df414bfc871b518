"""Reading form fields: the small parsing every view shares (no rules: services decide)."""

from __future__ import annotations

from flask import abort, redirect, request
from werkzeug.wrappers import Response as BaseResponse

from tracker.web.auth import safe_next


def text(name: str) -> str | None:
    """A form field stripped; None when missing or blank (services tell blank from missing)."""
    value = request.form.get(name)
    if value is None:
        return None
    value = value.strip()
    return value or None


def number(name: str, *, required: bool = True) -> int | None:
    value = (request.values.get(name) or "").strip()
    if not value:
        if required:
            abort(400, f"{name} is missing")
        return None
    try:
        return int(value)
    except ValueError:
        abort(400, f"{name} must be a whole number")


def back(default: str) -> BaseResponse:
    """Redirect to the form's ``back`` field (a same-site path) or ``default``."""
    target = request.form.get("back")
    return redirect(safe_next(target) if target else default)
