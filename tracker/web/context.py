"""What every request needs: the settings, the database, and who is acting."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, current_app, g

from tracker.accounts.views import Account
from tracker.actors import Actor
from tracker.db import Database
from tracker.settings import Settings


@dataclass(frozen=True)
class WebContext:
    settings: Settings
    database: Database


def web() -> WebContext:
    context: WebContext = current_app.extensions["fact_tracker"]
    return context


def database() -> Database:
    return web().database


def settings() -> Settings:
    return web().settings


def account() -> Account | None:
    found: Account | None = g.get("account")
    return found


def actor() -> Actor:
    """The logged-in reviewer as the actor services check and record."""
    who = account()
    if who is None:
        abort(401)
    return Actor.reviewer(who.name)
