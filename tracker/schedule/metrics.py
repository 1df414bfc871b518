"""The scheduler's Prometheus endpoint (``fact-tracker schedule --metrics-port PORT``).

Per worker, counted as it works: links checked by outcome, checks in flight, how late the last
lease renewal ran (a worker too busy to renew in time is about to lose its hosts). Read from
the shared database at each scrape, the same from every worker: links due now, how overdue the
most overdue one is, hosts paused by a 429/503/``Retry-After``, hosts held. Served by the
maintained ``prometheus-client`` on its own thread.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from wsgiref.simple_server import WSGIServer

from prometheus_client import CollectorRegistry, Counter, Gauge, start_http_server
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from tracker.db import Database
from tracker.enums import CheckOutcome
from tracker.errors import InvalidInput
from tracker.models import Host, Link
from tracker.schedule.leases import database_now, is_due

log = logging.getLogger(__name__)


class _SharedState(Collector):
    """What every worker shares, read from the database when Prometheus asks."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            with self.database.reading() as session:
                now = database_now(session)
                due, oldest = session.execute(
                    select(func.count(), func.min(Link.next_check_at)).where(is_due(now))
                ).one()
                paused = session.scalar(
                    select(func.count()).select_from(Host).where(Host.paused_until > now)
                )
                held = session.scalar(
                    select(func.count()).select_from(Host).where(Host.lease_expires_at > now)
                )
        except SQLAlchemyError as exc:  # a scrape must not kill the worker: no shared figures
            log.warning("metrics: the database did not answer: %s", exc)
            return
        lag = (now - oldest).total_seconds() if oldest is not None else 0.0
        yield GaugeMetricFamily("fact_tracker_due_links", "Links due now, not leased", int(due))
        yield GaugeMetricFamily(
            "fact_tracker_due_lag_seconds", "How overdue the most overdue due link is", lag
        )
        yield GaugeMetricFamily(
            "fact_tracker_paused_hosts", "Hosts paused by a 429, 503 or Retry-After", paused or 0
        )
        yield GaugeMetricFamily("fact_tracker_held_hosts", "Hosts held by a worker", held or 0)


class SchedulerMetrics:
    """The engine's observer, and the registry the endpoint serves."""

    def __init__(self, database: Database) -> None:
        self.registry = CollectorRegistry()
        self._checked = Counter(
            "fact_tracker_links_checked",
            "Links checked by this worker, by outcome",
            ["outcome"],
            registry=self.registry,
        )
        self._in_flight = Gauge(
            "fact_tracker_checks_in_flight",
            "Checks this worker has in flight",
            registry=self.registry,
        )
        self._renewal_lag = Gauge(
            "fact_tracker_lease_renewal_lag_seconds",
            "How late this worker's last lease renewal ran",
            registry=self.registry,
        )
        for outcome in CheckOutcome:  # every series exists from the start, at 0
            self._checked.labels(outcome=outcome.value)
        self.registry.register(_SharedState(database))

    def checked(self, outcome: CheckOutcome) -> None:
        self._checked.labels(outcome=outcome.value).inc()

    def in_flight(self, count: int) -> None:
        self._in_flight.set(count)

    def renewal_lag(self, seconds: float) -> None:
        self._renewal_lag.set(max(0.0, seconds))

    def serve(self, port: int, address: str) -> WSGIServer:
        """Serve ``/metrics`` on ``address:port`` in a thread; the server (to shut down)."""
        try:
            server, _thread = start_http_server(port, addr=address, registry=self.registry)
        except OSError as exc:
            raise InvalidInput(
                f"cannot serve metrics on {address}:{port}: {exc.strerror}"
            ) from None
        return server
