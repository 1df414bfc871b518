"""Serving the workspace with waitress, a production WSGI server (threads, no C build)."""

from __future__ import annotations

import logging
import threading

from flask import Flask

from tracker.accounts.services import forget_login_attempts
from tracker.db import Database

log = logging.getLogger(__name__)
THREADS = 8
CLEANUP_EVERY_SECONDS = 3600


def serve(app: Flask, database: Database, *, host: str, port: int, threads: int = THREADS) -> None:
    """Serve ``app`` until interrupted; old login attempts are forgotten hourly."""
    from waitress import serve as waitress_serve

    stop = threading.Event()

    def cleanup() -> None:
        while not stop.wait(CLEANUP_EVERY_SECONDS):
            try:
                forget_login_attempts(database)
            except Exception:  # a busy database must not stop the server
                log.warning("could not forget old login attempts", exc_info=True)

    threading.Thread(target=cleanup, name="login-attempts-cleanup", daemon=True).start()
    try:
        waitress_serve(app, host=host, port=port, threads=threads, ident="fact-tracker")
    finally:
        stop.set()
