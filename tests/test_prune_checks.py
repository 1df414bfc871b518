"""``db prune-checks``: routine checks go, state changes and each link's newest checks stay."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import func, insert, select

from tests.conftest import CliInvoker
from tests.support.links import add_links
from tracker.db import Database
from tracker.enums import CheckOutcome, LinkState, Role
from tracker.models import ClaimEvent, LinkCheck, Reviewer, utcnow

OK, GONE = CheckOutcome.OK, CheckOutcome.NOT_FOUND
ALIVE, AT_RISK, DEAD = LinkState.ALIVE, LinkState.AT_RISK, LinkState.DEAD

# (days ago, outcome, state after the check): a link's life over 200 days.
HISTORY = [
    (200, OK, ALIVE),  # first check: kept
    (199, OK, ALIVE),
    (198, OK, ALIVE),
    (197, GONE, AT_RISK),  # state change: kept
    (196, GONE, AT_RISK),
    (195, GONE, DEAD),  # state change, same outcome: kept
    (194, GONE, DEAD),
    (150, OK, ALIVE),  # state change: kept
    (149, OK, ALIVE),
    (148, OK, ALIVE),
    (100, OK, ALIVE),
    (60, OK, ALIVE),  # within 90 days: kept
    (30, OK, ALIVE),  # within 90 days: kept
]
KEPT_DAYS = {200, 197, 195, 150, 60, 30}
# Checks recorded before states were (state NULL): an outcome change is kept.
OLD_STYLE = [(300, OK), (299, OK), (298, GONE), (297, GONE), (296, OK), (295, OK), (294, OK)]
OLD_KEPT = {300, 298, 296, 295, 294}  # first, two outcome changes, the two newest


def test_prune_keeps_state_changes_first_and_newest_checks(
    database: Database, run_cli: CliInvoker
) -> None:
    now = utcnow()
    link, old_link = add_links(database, ["https://example.org/a", "https://example.org/b"])
    with database.transaction() as session:
        session.add(Reviewer(name="root", role=Role.ADMIN))
        session.execute(
            insert(LinkCheck),
            [
                {
                    "link_id": link,
                    "checked_at": now - timedelta(days=days),
                    "outcome": outcome,
                    "state": state,
                }
                for days, outcome, state in HISTORY
            ]
            + [
                {"link_id": old_link, "checked_at": now - timedelta(days=days), "outcome": outcome}
                for days, outcome in OLD_STYLE
            ],
        )
        events_before = session.scalar(select(func.count()).select_from(ClaimEvent))

    result = run_cli(
        "db",
        "prune-checks",
        "--keep-days",
        "90",
        "--keep-latest",
        "2",
        "--reviewer",
        "root",
        "--json",
    )

    report = json.loads(result.stdout)
    assert report["checks_before"] == len(HISTORY) + len(OLD_STYLE)
    assert report["deleted"] == len(HISTORY) - len(KEPT_DAYS) + len(OLD_STYLE) - len(OLD_KEPT)
    with database.reading() as session:
        left = session.execute(select(LinkCheck.link_id, LinkCheck.checked_at)).all()
        assert session.scalar(select(func.count()).select_from(ClaimEvent)) == events_before
    days_left = {
        (link_id, round((now - checked_at).total_seconds() / 86400)) for link_id, checked_at in left
    }
    assert days_left == {(link, days) for days in KEPT_DAYS} | {
        (old_link, days) for days in OLD_KEPT
    }
    # Again: nothing more to prune.
    again = run_cli(
        "db",
        "prune-checks",
        "--keep-days",
        "90",
        "--keep-latest",
        "2",
        "--reviewer",
        "root",
        "--json",
    )
    assert json.loads(again.stdout)["deleted"] == 0


def test_prune_needs_an_admin_and_deletes_nothing_otherwise(
    database: Database, run_cli: CliInvoker
) -> None:
    [link] = add_links(database, ["https://example.org/a"])
    with database.transaction() as session:
        session.add(Reviewer(name="rita", role=Role.REVIEWER))
        session.execute(
            insert(LinkCheck),
            [
                {"link_id": link, "checked_at": utcnow() - timedelta(days=d), "outcome": OK}
                for d in range(100, 110)
            ],
        )
    refused = run_cli("db", "prune-checks", "--keep-days", "1", "--reviewer", "rita", exit_code=2)
    assert "prune check history" in refused.stderr
    bad = run_cli("db", "prune-checks", "--keep-days", "-1", "--reviewer", "rita", exit_code=2)
    assert "--keep-days" in bad.stderr
    with database.reading() as session:
        assert session.scalar(select(func.count()).select_from(LinkCheck)) == 10
