"""``fact-tracker schedule --once`` and ``schedule status`` in process; log and duration formats."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import CliInvoker
from tests.support.links import add_links
from tests.support.server import LocalServer, html
from tracker.db import Database
from tracker.errors import InvalidInput
from tracker.schedule import leases
from tracker.schedule.duration import parse_duration
from tracker.schedule.events import LogfmtFormatter, format_fields


def logfmt_events(stderr: str) -> list[dict[str, str]]:
    events = []
    for line in stderr.splitlines():
        fields = dict(part.split("=", 1) for part in line.split() if "=" in part)
        events.append(fields)
    return events


def test_once_checks_what_is_due_and_logs_one_line_per_event(
    run_cli: CliInvoker, database: Database, http_server: LocalServer
) -> None:
    pages = [http_server.route(f"/p{n}", html("ok", "fine")) for n in range(7)]
    add_links(database, pages)

    result = run_cli("schedule", "--once", "--batch-size", "3", "--worker-id", "cron-1")

    events = logfmt_events(result.stderr)
    names = [event["event"] for event in events]
    assert names.count("round_done") == 1
    done = next(event for event in events if event["event"] == "round_done")
    assert (done["worker"], done["checked"], done["outcomes.ok"]) == ("cron-1", "7", "7")
    assert (done["hosts"], done["claimed"]) == ("1", "7")
    assert all(event["ts"].endswith("Z") and event["level"] for event in events)
    assert leases.count_due(database) == 0


def test_status_shows_due_links_and_leases_by_owner(
    run_cli: CliInvoker, database: Database
) -> None:
    add_links(database, [f"https://example.org/{n}" for n in range(6)])
    leases.claim_due(database, "busy-worker", 2, 600)

    data = json.loads(run_cli("schedule", "status", "--json").stdout)

    assert data["due"] == 4
    assert data["jobs"] == []
    [held] = data["leases"]
    assert (held["owner"], held["links"], held["expired"]) == ("busy-worker", 2, 0)
    expiry = datetime.fromisoformat(held["last_expiry"])
    assert timedelta(seconds=590) < expiry - datetime.now(UTC) <= timedelta(seconds=600)
    assert data["workers"] == [{"worker": "busy-worker", "running": False, "leases": 2}]

    table = run_cli("schedule", "status").stdout
    assert "due now: 4" in table
    assert "busy-worker" in table


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--check-every", "soon"], "invalid duration 'soon'"),
        (["--check-every", "0s"], "at least 1s"),
        (["--batch-size", "0"], "Invalid value for '--batch-size'"),
        (["--worker-id", "bad id!"], "invalid worker id"),
    ],
)
def test_bad_options_exit_2_and_write_nothing(
    run_cli: CliInvoker, database: Database, args: list[str], message: str
) -> None:
    add_links(database, ["https://example.org/x"])
    result = run_cli("schedule", "--once", *args, exit_code=2)
    assert message in result.stderr
    assert leases.count_due(database) == 1


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90s", 90), ("15m", 900), ("1h30m", 5400), ("2d", 172800), ("0.5h", 1800), (" 1H ", 3600)],
)
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "5", "m", "1x", "1h-5m", "0.1s", "h1"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_duration(text)


def test_logfmt_quotes_what_needs_it_and_stays_on_one_line() -> None:
    line = format_fields(
        {
            "event": "x",
            "plain": "w-1.example:80",
            "spaced": 'say "hi"\nthen go',
            "empty": "",
            "skipped": None,
            "when": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
            "nested": {"ok": 3, "not_found": 1},
            "ratio": 0.5,
        }
    )
    assert line == (
        'event=x plain=w-1.example:80 spaced="say \\"hi\\"\\nthen go" empty="" '
        "when=2026-01-02T03:04:05Z nested.ok=3 nested.not_found=1 ratio=0.5"
    )


def test_foreign_records_and_exceptions_are_one_line() -> None:
    error = ValueError("bad\nthing")
    record = logging.getLogger("apscheduler.x").makeRecord(
        "apscheduler.x", logging.ERROR, __file__, 1, "Job %s failed", ("j",), None
    )
    record.exc_info = (ValueError, error, None)
    for tracebacks in (False, True):
        line = LogfmtFormatter(tracebacks=tracebacks).format(record)
        assert "\n" not in line
        assert 'msg="Job j failed"' in line
        assert 'error="ValueError: bad\\nthing"' in line
        assert ("traceback=" in line) is tracebacks
